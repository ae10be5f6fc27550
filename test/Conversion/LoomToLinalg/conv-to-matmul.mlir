// RUN: loom-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(loom-linalg-conv-to-matmul{vector-bits=256}))" | FileCheck %s
// RUN: loom-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(loom-linalg-conv-to-matmul{vector-bits=512}))" | FileCheck %s --check-prefix=AVX512

// A 3x3 convolution: the patches are copied into panels of 16 output
// columns (two AVX2 vectors) contiguous along K = 16*3*3, and the filter
// (32 x 144) is contracted with them; rows of 32 columns need no padding.
// CHECK-DAG: #[[READ:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d3, d1 + d4, d2 * 16 + d6 + d5)>
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d4, d3)>
// CHECK-LABEL: func.func @conv3x3
// CHECK-NOT: linalg.conv_2d
// CHECK: %[[COLS:.*]] = linalg.generic {indexing_maps = [#[[READ]], {{.*}}]{{.*}} ins(%arg0 : tensor<1x16x34x34xf32>) outs(%{{.*}} : tensor<1x32x2x16x3x3x16xf32>)
// CHECK: %[[PACKED:.*]] = tensor.collapse_shape %[[COLS]] {{\[\[}}0], [1, 2], [3, 4, 5], [6]] : tensor<1x32x2x16x3x3x16xf32> into tensor<1x64x144x16xf32>
// CHECK: %[[FILTER:.*]] = tensor.collapse_shape %arg1 {{\[\[}}0], [1, 2, 3]] : tensor<32x16x3x3xf32> into tensor<32x144xf32>
// CHECK: %[[OUT:.*]] = linalg.generic {indexing_maps = [#[[A]], #[[B]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[FILTER]], %[[PACKED]] : tensor<32x144xf32>, tensor<1x64x144x16xf32>) outs(%{{.*}} : tensor<1x32x64x16xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[OUT]] {{.*}} into tensor<1x32x1024xf32>
// CHECK: %[[Y:.*]] = tensor.expand_shape %[[FLAT]] {{.*}} into tensor<1x32x32x32xf32>
// CHECK: return %[[Y]]
// On AVX-512 the panels are 32 columns (two 16-lane vectors).
// AVX512-LABEL: func.func @conv3x3
// AVX512: tensor<1x32x1x16x3x3x32xf32>
// AVX512: tensor<1x32x32x32xf32>
func.func @conv3x3(%x: tensor<1x16x34x34xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<1x32x32x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x32x32x32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x32x32x32xf32>) -> tensor<1x32x32x32xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%x, %w : tensor<1x16x34x34xf32>, tensor<32x16x3x3xf32>) outs(%init : tensor<1x32x32x32xf32>) -> tensor<1x32x32x32xf32>
  return %y : tensor<1x32x32x32xf32>
}

// -----

// Stride 2, 7 output columns, a dynamic batch: rows are padded to 8
// columns (one vector), the input gets the one zero column those reads
// need, and the eighth column is sliced off.
// CHECK-DAG: #[[READ2:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d3, d1 * 2 + d4, (d2 * 8 + d6) * 2 + d5)>
// CHECK-LABEL: func.func @stride2
// CHECK: %[[PAD:.*]] = tensor.pad %arg0 low[0, 0, 0, 0] high[0, 0, 0, 1]
// CHECK: } : tensor<?x8x16x16xf32> to tensor<?x8x16x17xf32>
// CHECK: linalg.generic {indexing_maps = [#[[READ2]], {{.*}}]{{.*}} ins(%[[PAD]] : tensor<?x8x16x17xf32>) outs(%{{.*}} : tensor<?x7x1x8x3x3x8xf32>)
// CHECK: tensor.collapse_shape {{.*}} into tensor<?x7x72x8xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<16x72xf32>, tensor<?x7x72x8xf32>) outs(%{{.*}} : tensor<?x16x7x8xf32>)
// CHECK: %[[E:.*]] = tensor.expand_shape {{.*}} output_shape [%{{.*}}, 16, 7, 8]
// CHECK: %[[S:.*]] = tensor.extract_slice %[[E]][0, 0, 0, 0] [%{{.*}}, 16, 7, 7] [1, 1, 1, 1] : tensor<?x16x7x8xf32> to tensor<?x16x7x7xf32>
// CHECK: return %[[S]]
// AVX-512: half a vector (8 columns) wastes the least on 7-column rows.
// AVX512-LABEL: func.func @stride2
// AVX512: tensor<?x7x1x8x3x3x8xf32>
func.func @stride2(%x: tensor<?x8x16x16xf32>, %w: tensor<16x8x3x3xf32>) -> tensor<?x16x7x7xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x8x16x16xf32>
  %e = tensor.empty(%n) : tensor<?x16x7x7xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<?x16x7x7xf32>) -> tensor<?x16x7x7xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%x, %w : tensor<?x8x16x16xf32>, tensor<16x8x3x3xf32>) outs(%init : tensor<?x16x7x7xf32>) -> tensor<?x16x7x7xf32>
  return %y : tensor<?x16x7x7xf32>
}

// -----

// Dilation 2: the patches read every other input column and row.
// CHECK-DAG: affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d3, d1 + d4 * 2, d2 * 16 + d6 + d5 * 2)>
// CHECK-LABEL: func.func @dilated
func.func @dilated(%x: tensor<1x4x20x20xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x16x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x16x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<2> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%x, %w : tensor<1x4x20x20xf32>, tensor<8x4x3x3xf32>) outs(%init : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
  return %y : tensor<1x8x16x16xf32>
}

// -----

// Left alone: f16 (the microkernel is f32), an output that is not zero on
// entry (the convolution accumulates into it), dynamic spatial sizes.
// CHECK-LABEL: func.func @untouched
// CHECK-COUNT-3: linalg.conv_2d_nchw_fchw
// CHECK-NOT: linalg.generic
func.func @untouched(%xh: tensor<1x4x10x10xf16>, %wh: tensor<8x4x3x3xf16>, %x: tensor<1x4x10x10xf32>, %w: tensor<8x4x3x3xf32>, %acc: tensor<1x8x8x8xf32>, %xd: tensor<1x4x?x?xf32>, %yd: tensor<1x8x?x?xf32>) -> (tensor<1x8x8x8xf16>, tensor<1x8x8x8xf32>, tensor<1x8x?x?xf32>) {
  %zh = arith.constant 0.0 : f16
  %eh = tensor.empty() : tensor<1x8x8x8xf16>
  %ih = linalg.fill ins(%zh : f16) outs(%eh : tensor<1x8x8x8xf16>) -> tensor<1x8x8x8xf16>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%xh, %wh : tensor<1x4x10x10xf16>, tensor<8x4x3x3xf16>) outs(%ih : tensor<1x8x8x8xf16>) -> tensor<1x8x8x8xf16>
  %1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%x, %w : tensor<1x4x10x10xf32>, tensor<8x4x3x3xf32>) outs(%acc : tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  %2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%xd, %w : tensor<1x4x?x?xf32>, tensor<8x4x3x3xf32>) outs(%yd : tensor<1x8x?x?xf32>) -> tensor<1x8x?x?xf32>
  return %0, %1, %2 : tensor<1x8x8x8xf16>, tensor<1x8x8x8xf32>, tensor<1x8x?x?xf32>
}
