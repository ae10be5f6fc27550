// RUN: loom-opt %s --split-input-file --convert-loom-to-linalg | FileCheck %s

// DequantizeLinear: (x - zero_point) * scale, the scale picked per element
// by an indexing map: per axis, or per block (floordiv).

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @per_axis
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[COL]], #[[ID]]]
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.sitofp %{{.*}} : i32 to f32
// CHECK: arith.mulf
func.func @per_axis(%x: tensor<2x3xi8>, %s: tensor<3xf32>) -> tensor<2x3xf32> {
  %y = loom.dequantize_linear %x, %s {axis = 1 : i64} : (tensor<2x3xi8>, tensor<3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// CHECK-DAG: #[[BLOCK:.*]] = affine_map<(d0, d1) -> (d0 floordiv 32, d1)>
// CHECK-LABEL: func.func @blocked
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BLOCK]], #[[BLOCK]], #{{.*}}]
// CHECK: arith.subi
func.func @blocked(%x: tensor<64x4xi8>, %s: tensor<2x4xf32>, %z: tensor<2x4xi8>) -> tensor<64x4xf32> {
  %y = loom.dequantize_linear %x, %s, %z {axis = 0 : i64, block_size = 32 : i64} : (tensor<64x4xi8>, tensor<2x4xf32>, tensor<2x4xi8>) -> tensor<64x4xf32>
  return %y : tensor<64x4xf32>
}

// -----

// QuantizeLinear to uint8: divide, round half to even, add the zero point,
// saturate to [0, 255]; the unsigned elements are computed on as i8
// through casts the LLVM lowering reconciles.
// CHECK-LABEL: func.func @quantize_uint8
// CHECK: arith.divf
// CHECK-NEXT: math.roundeven
// CHECK-NEXT: builtin.unrealized_conversion_cast %{{.*}} : ui8 to i8
// CHECK-NEXT: arith.extui %{{.*}} : i8 to i32
// CHECK: %[[LO:.*]] = arith.constant 0.000000e+00
// CHECK: %[[HI:.*]] = arith.constant 2.550000e+02
// CHECK: %[[C:.*]] = arith.maxnumf %{{.*}}, %[[LO]]
// CHECK: arith.minnumf %[[C]], %[[HI]]
// CHECK: arith.fptosi
// CHECK: arith.trunci %{{.*}} : i32 to i8
// CHECK: builtin.unrealized_conversion_cast %{{.*}} : i8 to ui8
func.func @quantize_uint8(%x: tensor<2x3xf32>, %s: tensor<3xf32>, %z: tensor<3xui8>) -> tensor<2x3xui8> {
  %y = loom.quantize_linear %x, %s, %z {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xui8>) -> tensor<2x3xui8>
  return %y : tensor<2x3xui8>
}

// -----

// DynamicQuantizeLinear: one reduction for the range (both ends start at
// 0), one 0-D generic for the scale (1 for an empty range) and the zero
// point, one elementwise quantization.
// CHECK-LABEL: func.func @dynamic
// CHECK: %[[R:.*]]:2 = linalg.generic {{.*}}iterator_types = ["reduction", "reduction"]
// CHECK: arith.minnumf
// CHECK: arith.maxnumf
// CHECK: %[[P:.*]]:2 = linalg.generic {{.*}}iterator_types = []} ins(%[[R]]#0, %[[R]]#1
// CHECK: arith.cmpf oeq
// CHECK: arith.select
// CHECK: %[[Y:.*]] = linalg.generic {{.*}}ins(%arg0, %[[P]]#0, %[[P]]#1
// CHECK: return %[[Y]], %[[P]]#0, %[[P]]#1
func.func @dynamic(%x: tensor<2x3xf32>) -> (tensor<2x3xui8>, tensor<f32>, tensor<ui8>) {
  %y, %s, %z = loom.dynamic_quantize_linear %x : (tensor<2x3xf32>) -> (tensor<2x3xui8>, tensor<f32>, tensor<ui8>)
  return %y, %s, %z : tensor<2x3xui8>, tensor<f32>, tensor<ui8>
}

// -----

// MatMulInteger: each operand shifted by its zero point into i32 (a
// per-row zero point of A as [M, 1]), then MatMul's contraction on i32.
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @matmul_integer
// CHECK: %[[ZA:.*]] = tensor.expand_shape %arg2 {{\[\[}}0, 1]] output_shape [2, 1]
// CHECK: %[[A:.*]] = linalg.generic {{.*}}#[[ROW]]{{.*}}ins(%arg0, %[[ZA]] : tensor<2x4xui8>, tensor<2x1xui8>)
// CHECK: arith.subi
// CHECK: %[[B:.*]] = linalg.generic {{.*}}ins(%arg1 : tensor<4x3xi8>) outs(%{{.*}} : tensor<4x3xi32>)
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[A]], %[[B]] : tensor<2x4xi32>, tensor<4x3xi32>)
// CHECK: arith.muli
// CHECK: arith.addi
func.func @matmul_integer(%a: tensor<2x4xui8>, %b: tensor<4x3xi8>, %za: tensor<2xui8>) -> tensor<2x3xi32> {
  %y = loom.matmul_integer %a, %b a_zero_point %za : (tensor<2x4xui8>, tensor<4x3xi8>, tensor<2xui8>) -> tensor<2x3xi32>
  return %y : tensor<2x3xi32>
}

// -----

// QLinearConv: shifted operands (per-output-channel weight zero point as
// [M, 1, 1, 1]), Conv's linalg convolution on i32, the i32 bias, then the
// requantization acc * (x_scale * w_scale[m] / y_scale), rounded, plus the
// output zero point, saturated.
// CHECK-LABEL: func.func @qlinear_conv
// CHECK: tensor.expand_shape %arg3 {{\[\[}}0, 1, 2, 3]] output_shape [3, 1, 1, 1]
// CHECK: %[[ACC:.*]] = linalg.conv_2d_nchw_fchw {{.*}} -> tensor<1x3x3x3xi32>
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}}ins(%[[ACC]], %{{.*}} : tensor<1x3x3x3xi32>, tensor<3x1x1xi32>)
// CHECK: arith.addi
// CHECK: linalg.generic {{.*}}ins(%[[SUM]], %arg4, %{{.*}}, %arg4, %arg2 : tensor<1x3x3x3xi32>, tensor<f32>, tensor<3x1x1xf32>, tensor<f32>, tensor<ui8>)
// CHECK: arith.mulf
// CHECK-NEXT: arith.divf
// CHECK-NEXT: arith.sitofp
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: math.roundeven
func.func @qlinear_conv(%x: tensor<1x2x5x5xui8>, %w: tensor<3x2x3x3xi8>, %zx: tensor<ui8>, %zw: tensor<3xi8>, %s: tensor<f32>, %sw: tensor<3xf32>, %bias: tensor<3xi32>) -> tensor<1x3x3x3xui8> {
  %1 = loom.qlinear_conv %x, %s, %zx, %w, %sw, %zw, %s, %zx, %bias : (tensor<1x2x5x5xui8>, tensor<f32>, tensor<ui8>, tensor<3x2x3x3xi8>, tensor<3xf32>, tensor<3xi8>, tensor<f32>, tensor<ui8>, tensor<3xi32>) -> tensor<1x3x3x3xui8>
  return %1 : tensor<1x3x3x3xui8>
}

// -----

// float16 scales (4-bit weights): the product in f32, one rounding to f16.
// CHECK-LABEL: func.func @half_scales
// CHECK: arith.sitofp %{{.*}} : i32 to f32
// CHECK-NEXT: arith.extf %{{.*}} : f16 to f32
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: arith.truncf %{{.*}} : f32 to f16
func.func @half_scales(%x: tensor<64x4xi8>, %s: tensor<2x4xf16>) -> tensor<64x4xf16> {
  %y = loom.dequantize_linear %x, %s {axis = 0 : i64, block_size = 32 : i64} : (tensor<64x4xi8>, tensor<2x4xf16>) -> tensor<64x4xf16>
  return %y : tensor<64x4xf16>
}
