// RUN: loom-opt %s --loom-freeze="patterns=encoder.*" --verify-diagnostics --split-input-file -o /dev/null
// RUN: not loom-opt %s --loom-freeze="until=layer9" 2>&1 | FileCheck %s --check-prefix=UNTIL
// RUN: not loom-opt %s --loom-freeze="unfreeze=fc.*" 2>&1 | FileCheck %s --check-prefix=UNFREEZE
// RUN: not loom-opt %s --loom-freeze="patterns=[a" 2>&1 | FileCheck %s --check-prefix=GLOB

// A pattern, a layer or an unfreeze glob that names no weight is an error:
// a typo must not freeze (or keep trainable) nothing, silently.
// expected-error @below {{loom-freeze: patterns glob 'encoder.*' matches no weight}}
module {
  loom.weight @conv1.weight : tensor<4xf32> = dense<1.0>
  func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
    %w = loom.weight_ref @conv1.weight : tensor<4xf32>
    %y = loom.add %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    return %y : tensor<4xf32>
  }
}
// UNTIL: error: loom-freeze: no weight read by the model belongs to layer 'layer9' (expected weights named 'layer9' or 'layer9.*')
// UNFREEZE: error: loom-freeze: unfreeze glob 'fc.*' matches no weight
// GLOB: error: loom-freeze: bad patterns glob '[a': invalid glob pattern, unmatched '['
