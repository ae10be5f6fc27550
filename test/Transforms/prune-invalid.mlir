// Every error of --loom-prune's options, one line each.
// RUN: not loom-opt %s --loom-prune="granularity=2-4" 2>&1 | FileCheck %s --check-prefix=GRAN
// GRAN: error: loom-prune: granularity must be 'unstructured', 'channel' or N:M with 0 <= N <= M <= 64 (e.g. 2:4), got '2-4'
// RUN: not loom-opt %s --loom-prune="granularity=5:4" 2>&1 | FileCheck %s --check-prefix=NM
// NM: error: loom-prune: granularity must be {{.*}} got '5:4'
// RUN: not loom-opt %s --loom-prune="sparsity=1.5" 2>&1 | FileCheck %s --check-prefix=SPARSITY
// SPARSITY: error: loom-prune: sparsity must be in [0, 1], got 1.5
// RUN: not loom-opt %s --loom-prune="scope=layer" 2>&1 | FileCheck %s --check-prefix=SCOPE
// SCOPE: error: loom-prune: scope must be per-tensor or global, got 'layer'
// RUN: not loom-opt %s --loom-prune="criterion=l3" 2>&1 | FileCheck %s --check-prefix=CRITERION
// CRITERION: error: loom-prune: criterion must be l1 or l2, got 'l3'
// RUN: not loom-opt %s --loom-prune="include=encoder.*" 2>&1 | FileCheck %s --check-prefix=INCLUDE
// INCLUDE: error: loom-prune: include glob 'encoder.*' matches no weight
// RUN: not loom-opt %s --loom-prune="exclude=[a" 2>&1 | FileCheck %s --check-prefix=GLOB
// GLOB: error: loom-prune: bad exclude glob '[a': {{.*}}
loom.weight @w frozen : tensor<2x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0]]>
func.func @f(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = loom.weight_ref @w : tensor<2x2xf32>
  %y = loom.matmul %x, %w : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
