// RUN: loom-opt %s --split-input-file --loom-quantize="min-elements=1 granularity=per-tensor symmetric=false" | FileCheck %s --check-prefix=ASYM
// RUN: loom-opt %s --split-input-file --loom-quantize="min-elements=1 granularity=block=2 bits=4 keep-sensitive=false scale-type=f32" | FileCheck %s --check-prefix=BLOCK
// RUN: loom-opt %s --split-input-file --loom-quantize="min-elements=1 granularity=block=2 bits=4 keep-sensitive=false" | FileCheck %s --check-prefix=HALF
// RUN: loom-opt %s --split-input-file --loom-quantize="min-elements=1 granularity=per-tensor report=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=TENSOR

// Per tensor, asymmetric uint8: range [-2, 1], scale 3/255, zero point
// round(2 / scale) = 170; 0.5 -> 42.5 -> 42 (+170 = 212).
// ASYM-LABEL: module
// ASYM: loom.weight @w frozen : tensor<2x3xui8>
// ASYM: loom.weight @w.scale frozen : tensor<f32>
// ASYM: loom.weight @w.zero_point frozen : tensor<ui8>
// ASYM: loom.dequantize_linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xui8>, tensor<f32>, tensor<ui8>) -> tensor<2x3xf32>
// ASYM: w.q: "0x01000000FF00D480FFBF"
// ASYM: w.scale: "0x04000000C1C0403C"
// ASYM: w.zero_point: "0x01000000AA"
// Blocks of 2 along the input channels (the rows of B), int4: scales 1/7
// and 1 for the column [1, -0.5, 3.5, 7]: 7, -3 (-3.5000002), 4 (3.5, half
// to even), 7; packed low nibble first: 0xD7, 0x74.
// BLOCK-LABEL: module
// BLOCK: loom.weight @b frozen : tensor<4x1xi4>
// BLOCK: loom.weight @b.scale frozen : tensor<2x1xf32>
// BLOCK: loom.dequantize_linear {{.*}} {axis = 0 : i64, block_size = 2 : i64} : (tensor<4x1xi4>, tensor<2x1xf32>) -> tensor<4x1xf32>
// BLOCK: b.q: "0x01000000D774"
// BLOCK: b.scale: "0x040000002549123E0000803F"
// 4-bit scales are float16 by default, rounded up (1/7 -> 0x3093, 0.142944;
// the integers are the same here), and a Cast follows the dequantization.
// HALF-LABEL: module
// HALF: loom.weight @b.scale frozen : tensor<2x1xf16>
// HALF: %[[D:.*]] = loom.dequantize_linear {{.*}} : (tensor<4x1xi4>, tensor<2x1xf16>) -> tensor<4x1xf16>
// HALF-NEXT: %[[C:.*]] = loom.cast %[[D]] : (tensor<4x1xf16>) -> tensor<4x1xf32>
// HALF-NEXT: loom.matmul %{{.*}}, %[[C]]
// HALF: b.q: "0x01000000D774"
// HALF: b.scale: "0x020000009330003C"
// TENSOR: remark: loom-quantize: 'w' int8 per-tensor symmetric, 1 scale(s)
loom.weight @w frozen : tensor<2x3xf32> = dense<[[1.0, -2.0, 0.5], [-0.5, 1.0, 0.25]]>
loom.weight @b frozen : tensor<4x1xf32> = dense<[[1.0], [-0.5], [3.5], [7.0]]>
func.func @schemes(%x: tensor<4x2xf32>, %z: tensor<1x4xf32>) -> (tensor<4x3xf32>, tensor<1x1xf32>) {
  %w = loom.weight_ref @w : tensor<2x3xf32>
  %y = loom.matmul %x, %w : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %b = loom.weight_ref @b : tensor<4x1xf32>
  %v = loom.matmul %z, %b : (tensor<1x4xf32>, tensor<4x1xf32>) -> tensor<1x1xf32>
  return %y, %v : tensor<4x3xf32>, tensor<1x1xf32>
}

// -----

// A depthwise convolution stays per channel under granularity=per-tensor.
// TENSOR: remark: loom-quantize: 'dw' int8 per-channel (depthwise) symmetric, 2 scale(s)
// ASYM-LABEL: module
// BLOCK-LABEL: module
// HALF-LABEL: module
loom.weight @dw frozen : tensor<2x1x1x1xf32> = dense<[[[[0.5]]], [[[8.0]]]]>
func.func @depthwise(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = loom.weight_ref @dw : tensor<2x1x1x1xf32>
  %y = loom.conv %x, %w {group = 2 : i64} : (tensor<1x2x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}
