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

// A weight read by anything but kernels stays float (here a Conv and an
// Add both read it), and its Conv too; and a Conv of f16 data.
// CHECK-LABEL: module
// CHECK-DAG: loom.weight @c frozen : tensor<2x1x1x1xf32>
// CHECK-DAG: loom.weight @h frozen : tensor<2x1x1x1xf16>
// CHECK-NOT: loom.conv_integer
loom.weight @c frozen : tensor<2x1x1x1xf32> = dense<[[[[0.5]]], [[[8.0]]]]>
loom.weight @h frozen : tensor<2x1x1x1xf16> = dense<[[[[0.5]]], [[[8.0]]]]>
func.func @mixed(%x: tensor<1x1x2x2xf32>, %xh: tensor<1x1x2x2xf16>) -> (tensor<1x2x2x2xf32>, tensor<2x1x1x1xf32>, tensor<1x2x2x2xf16>) {
  %w = loom.weight_ref @c : tensor<2x1x1x1xf32>
  %y = loom.conv %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %z = loom.add %w, %w : (tensor<2x1x1x1xf32>, tensor<2x1x1x1xf32>) -> tensor<2x1x1x1xf32>
  %h = loom.weight_ref @h : tensor<2x1x1x1xf16>
  %yh = loom.conv %xh, %h : (tensor<1x1x2x2xf16>, tensor<2x1x1x1xf16>) -> tensor<1x2x2x2xf16>
  return %y, %z, %yh : tensor<1x2x2x2xf32>, tensor<2x1x1x1xf32>, tensor<1x2x2x2xf16>
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

// -----

// A Conv: DynamicQuantizeLinear of X, ConvInteger with the int8 kernel
// (window attributes kept), the i32 sums scaled per output channel (the
// scales reshaped to [M, 1, 1] against N x M x H x W), plus the bias.
// CHECK-LABEL: func.func @conv
// CHECK: %[[Q:.*]], %[[QS:.*]], %[[QZ:.*]] = loom.dynamic_quantize_linear %arg0 : (tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xui8>, tensor<f32>, tensor<ui8>)
// CHECK-NEXT: %[[ACC:.*]] = loom.conv_integer %[[Q]], %{{.*}} x_zero_point %[[QZ]] {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x4x4xui8>, tensor<3x2x3x3xi8>, tensor<ui8>) -> tensor<1x3x4x4xi32>
// CHECK-NEXT: %[[F:.*]] = loom.cast %[[ACC]] : (tensor<1x3x4x4xi32>) -> tensor<1x3x4x4xf32>
// CHECK-NEXT: %[[WS:.*]] = loom.weight_ref @k.scale : tensor<3xf32>
// CHECK-NEXT: %[[S:.*]] = loom.mul %[[QS]], %[[WS]] : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK: %[[S3:.*]] = loom.reshape %[[S]], %{{.*}} : (tensor<3xf32>, tensor<3xi64>) -> tensor<3x1x1xf32>
// CHECK-NEXT: %[[Y:.*]] = loom.mul %[[F]], %[[S3]]
// CHECK: %[[B3:.*]] = loom.reshape %{{.*}} -> tensor<3x1x1xf32>
// CHECK-NEXT: %[[Z:.*]] = loom.add %[[Y]], %[[B3]]
// CHECK-NEXT: return %[[Z]]
// TENSOR-LABEL: func.func @conv
// TENSOR: loom.conv_integer
// TENSOR: loom.mul %{{.*}}, %{{.*}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
loom.weight @k frozen : tensor<3x2x3x3xf32> = dense<0.5>
loom.weight @kb frozen : tensor<3xf32> = dense<1.0>
func.func @conv(%x: tensor<1x2x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %k = loom.weight_ref @k : tensor<3x2x3x3xf32>
  %b = loom.weight_ref @kb : tensor<3xf32>
  %y = loom.conv %x, %k, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// A depthwise Conv stays per channel under granularity=per-tensor.
// TENSOR-LABEL: module
// TENSOR: loom.weight @dw.scale frozen : tensor<2xf32>
// TENSOR: loom.conv_integer
loom.weight @dw frozen : tensor<2x1x3x3xf32> = dense<0.5>
func.func @depthwise(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %k = loom.weight_ref @dw : tensor<2x1x3x3xf32>
  %y = loom.conv %x, %k {group = 2 : i64} : (tensor<1x2x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}
