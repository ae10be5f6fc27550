// RUN: loom-opt %s --split-input-file --loom-weights-to-arguments | FileCheck %s

// One argument per weight read (in order of first use), marked with the
// weight; every read of it replaced. Small weights (shape data) stay reads.
// CHECK-LABEL: func.func @main
// CHECK-SAME: %[[X:.*]]: tensor<1x4xf32>, %[[W:.*]]: tensor<32x4xf32> {loom.weight = @fc.weight}, %[[B:.*]]: tensor<128xf32> {loom.weight = @big}
// CHECK: loom.weight_ref @shape
// CHECK: loom.gemm %[[X]], %[[W]]
// CHECK-NOT: loom.weight_ref @fc.weight
// CHECK-NOT: loom.weight_ref @big
loom.weight @fc.weight : tensor<32x4xf32> = dense<1.0>
loom.weight @big : tensor<128xf32> = dense<2.0>
loom.weight @shape constant : tensor<2xi64> = dense<[1, 32]>
func.func @main(%x: tensor<1x4xf32>) -> (tensor<1x32xf32>, tensor<128xf32>) {
  %s = loom.weight_ref @shape : tensor<2xi64>
  %w = loom.weight_ref @fc.weight : tensor<32x4xf32>
  %y = loom.gemm %x, %w {transB = 1 : i64} : (tensor<1x4xf32>, tensor<32x4xf32>) -> tensor<1x32xf32>
  %r = loom.reshape %y, %s : (tensor<1x32xf32>, tensor<2xi64>) -> tensor<1x32xf32>
  %b = loom.weight_ref @big : tensor<128xf32>
  %w2 = loom.weight_ref @fc.weight : tensor<32x4xf32>
  return %r, %b : tensor<1x32xf32>, tensor<128xf32>
}

// -----

// Private functions are left alone.
// CHECK-LABEL: func.func private @helper
// CHECK: loom.weight_ref @w
loom.weight @w : tensor<128xf32> = dense<1.0>
func.func private @helper() -> tensor<128xf32> {
  %w = loom.weight_ref @w : tensor<128xf32>
  return %w : tensor<128xf32>
}
