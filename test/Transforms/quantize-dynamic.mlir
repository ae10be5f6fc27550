// RUN: loom-opt %s --split-input-file --loom-quantize="mode=dynamic min-elements=1" | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-quantize="mode=dynamic min-elements=1 granularity=per-tensor" | FileCheck %s --check-prefix=TENSOR

// mode=dynamic: the MatMul's activations are quantized at run time, the
// weight is int8 per column; the int32 product is cast and scaled by A's
// scale times the weight's.
// CHECK-LABEL: module
// CHECK: loom.weight @w frozen : tensor<2x3xi8>
// CHECK: loom.weight @w.scale frozen : tensor<3xf32>
// CHECK: %[[W:.*]] = loom.weight_ref @w : tensor<2x3xi8>
// CHECK: %[[Q:.*]], %[[QS:.*]], %[[QZ:.*]] = loom.dynamic_quantize_linear %arg0 : (tensor<4x2xf32>) -> (tensor<4x2xui8>, tensor<f32>, tensor<ui8>)
// CHECK-NEXT: %[[ACC:.*]] = loom.matmul_integer %[[Q]], %[[W]] a_zero_point %[[QZ]] : (tensor<4x2xui8>, tensor<2x3xi8>, tensor<ui8>) -> tensor<4x3xi32>
// CHECK-NEXT: %[[F:.*]] = loom.cast %[[ACC]] : (tensor<4x3xi32>) -> tensor<4x3xf32>
// CHECK-NEXT: %[[WS:.*]] = loom.weight_ref @w.scale : tensor<3xf32>
// CHECK-NEXT: %[[S:.*]] = loom.mul %[[QS]], %[[WS]] : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK-NEXT: %[[Y:.*]] = loom.mul %[[F]], %[[S]] : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: return %[[Y]]
// CHECK: w.q: "0x010000007F817FC04040"
// TENSOR: loom.weight @w.scale frozen : tensor<f32>
// TENSOR: loom.mul %{{.*}}, %{{.*}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
loom.weight @w frozen : tensor<2x3xf32> = dense<[[1.0, -2.0, 0.5], [-0.5, 1.0, 0.25]]>
func.func @matmul(%x: tensor<4x2xf32>) -> tensor<4x3xf32> {
  %w = loom.weight_ref @w : tensor<2x3xf32>
  %y = loom.matmul %x, %w : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// -----

// Convolutions and weights read by anything but MatMuls stay float.
// CHECK-LABEL: module
// CHECK: loom.weight @c frozen : tensor<2x1x1x1xf32>
// CHECK-NOT: loom.onnx
loom.weight @c frozen : tensor<2x1x1x1xf32> = dense<[[[[0.5]]], [[[8.0]]]]>
func.func @conv(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = loom.weight_ref @c : tensor<2x1x1x1xf32>
  %y = loom.conv %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// A Gemm with transB: the integers are stored transposed ([K, N], as
// MatMulInteger takes B), one scale per output column, and C is added.
// CHECK-LABEL: module
// CHECK: loom.weight @g frozen : tensor<2x3xi8>
// CHECK: loom.weight @g.scale frozen : tensor<3xf32>
// CHECK: loom.matmul_integer {{.*}} : (tensor<4x2xui8>, tensor<2x3xi8>, tensor<ui8>) -> tensor<4x3xi32>
// CHECK: %[[Y:.*]] = loom.mul {{.*}} : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: %[[Z:.*]] = loom.add %[[Y]], %{{.*}} : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: return %[[Z]]
// CHECK: g.q: "0x010000007F817FC04040"
loom.weight @g frozen : tensor<3x2xf32> = dense<[[1.0, -0.5], [-2.0, 1.0], [0.5, 0.25]]>
loom.weight @gb frozen : tensor<3xf32> = dense<[0.1, 0.2, 0.3]>
func.func @gemm(%x: tensor<4x2xf32>) -> tensor<4x3xf32> {
  %w = loom.weight_ref @g : tensor<3x2xf32>
  %b = loom.weight_ref @gb : tensor<3xf32>
  %y = loom.gemm %x, %w, %b {transB = 1 : i64} : (tensor<4x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}
