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
