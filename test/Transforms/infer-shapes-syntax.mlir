// A malformed input-shapes entry is refused with the entry named.
// RUN: not loom-opt %s --loom-infer-shapes="input-shapes=x:2xa" 2>&1 | FileCheck %s --check-prefix=DIM
// RUN: not loom-opt %s --loom-infer-shapes="input-shapes=x" 2>&1 | FileCheck %s --check-prefix=COLON
// RUN: loom-opt %s --loom-infer-shapes="input-shapes=x:" | FileCheck %s --check-prefix=SCALAR

// DIM: error: input-shapes entry 'x:2xa' has a bad dimension 'a' (expected a number >= 0 or '?')
// COLON: error: input-shapes entry 'x' must be NAME:DIMS, e.g. ids:1x16
// SCALAR: func.func @f(%{{.*}}: tensor<f32> {loom.name = "x"}) -> tensor<f32>
func.func @f(%x: tensor<*xf32> {loom.name = "x"}) -> tensor<*xf32> {
  %0 = loom.neg %x : tensor<*xf32>
  return %0 : tensor<*xf32>
}
