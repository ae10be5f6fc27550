// RUN: loom-opt %s --split-input-file --loom-quantize="mode=static min-elements=1" | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-quantize="mode=static min-elements=1" --verify-each 2>&1 | FileCheck %s --check-prefix=ATTR

// mode=static: the weight as in weight-only mode, and the kernel's input,
// over the calibrated range [-1, 3], through QuantizeLinear and
// DequantizeLinear: uint8, scale 4/255 (0x3C808081), zero point
// round(1 / scale) = 64 (63.75). Two kernels reading one value with one
// range share the pair; the range attribute is consumed.
// CHECK-LABEL: module
// CHECK: %[[S:.*]] = loom.constant dense<0.0156862754> : tensor<f32>
// CHECK-NEXT: %[[Z:.*]] = loom.constant dense<64> : tensor<ui8>
// CHECK-NEXT: %[[Q:.*]] = loom.quantize_linear %arg0, %[[S]], %[[Z]] : (tensor<4x2xf32>, tensor<f32>, tensor<ui8>) -> tensor<4x2xui8>
// CHECK-NEXT: %[[D:.*]] = loom.dequantize_linear %[[Q]], %[[S]], %[[Z]] : (tensor<4x2xui8>, tensor<f32>, tensor<ui8>) -> tensor<4x2xf32>
// CHECK-NEXT: loom.matmul %[[D]], %{{.*}} : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
// CHECK-NOT: loom.quantize_linear
// CHECK: loom.matmul %[[D]], %{{.*}}
// ATTR-NOT: loom.activation_range
loom.weight @w frozen : tensor<2x3xf32> = dense<[[1.0, -2.0, 0.5], [-0.5, 1.0, 0.25]]>
func.func @static(%x: tensor<4x2xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %w = loom.weight_ref @w : tensor<2x3xf32>
  %y = loom.matmul %x, %w {loom.activation_range = array<f32: -1.0, 3.0>} : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %v = loom.weight_ref @w : tensor<2x3xf32>
  %z = loom.matmul %x, %v {loom.activation_range = array<f32: -1.0, 3.0>} : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %y, %z : tensor<4x3xf32>, tensor<4x3xf32>
}
