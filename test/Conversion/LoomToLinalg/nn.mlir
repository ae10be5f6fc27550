// RUN: loom-opt %s --split-input-file --convert-loom-to-linalg | FileCheck %s

// Explicit pads become a tensor.pad; group 1 is conv_2d_nchw_fchw; the bias
// is added per channel.
// CHECK-LABEL: func.func @conv
// CHECK: tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK: linalg.generic
// CHECK: arith.addf
func.func @conv(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<?x4x4x4xf32> {
  %0 = loom.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
  return %0 : tensor<?x4x4x4xf32>
}

// -----

// Depthwise (group = channels, one filter each).
// CHECK-LABEL: func.func @depthwise
// CHECK: tensor.collapse_shape %arg1 {{\[}}[0, 1], [2], [3]]
// CHECK: linalg.depthwise_conv_2d_nchw_chw
func.func @depthwise(%x: tensor<1x8x6x6xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32> {
  %0 = loom.conv %x, %w {group = 8 : i64} : (tensor<1x8x6x6xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// SAME_UPPER puts the odd padding element at the end.
// CHECK-LABEL: func.func @same_upper
// CHECK: tensor.pad %arg0 low[0, 0, 0, 0] high[0, 0, 1, 1]
func.func @same_upper(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %0 = loom.conv %x, %w {auto_pad = #loom.auto_pad<SAME_UPPER>} : (tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// MaxPool pads with -inf; ceil_mode pads the end so the last window fits.
// CHECK-LABEL: func.func @max_pool_ceil
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad %arg0 low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: linalg.pooling_nchw_max
func.func @max_pool_ceil(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> {
  %0 = loom.max_pool %x {ceil_mode = 1 : i64, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// AveragePool divides by a constant table of counts (padding not counted).
// CHECK-LABEL: func.func @average_pool
// CHECK: linalg.pooling_nchw_sum
// CHECK: arith.constant dense<{{\[\[}}4.000000e+00, 6.000000e+00, 4.000000e+00]
// CHECK: arith.divf
func.func @average_pool(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %0 = loom.average_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// MatMul with a 2-D weight: one contraction, batch dimensions kept.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-LABEL: func.func @matmul
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
func.func @matmul(%a: tensor<?x16x64xf32>, %b: tensor<64x32xf32>) -> tensor<?x16x32xf32> {
  %0 = loom.matmul %a, %b : (tensor<?x16x64xf32>, tensor<64x32xf32>) -> tensor<?x16x32xf32>
  return %0 : tensor<?x16x32xf32>
}

// -----

// Gemm with transB reads B as (n, k), then alpha and beta * C.
// CHECK-DAG: #[[BT:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @gemm
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BT]], #{{.*}}]
// CHECK: arith.constant 5.000000e-01 : f32
// CHECK: arith.constant 2.000000e+00 : f32
func.func @gemm(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>, %c: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = loom.gemm %a, %b, %c {alpha = 0.5 : f32, beta = 2.0 : f32, transB = 1 : i64} : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Softmax subtracts the maximum first.
// CHECK-LABEL: func.func @softmax
// CHECK: arith.maximumf
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
func.func @softmax(%a: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = loom.softmax %a : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Gather wraps negative indices and clamps the rest into range.
// CHECK-LABEL: func.func @gather
// CHECK: arith.cmpi slt
// CHECK: arith.select
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %arg0
func.func @gather(%data: tensor<5x4xf32>, %i: tensor<2xi64>) -> tensor<2x4xf32> {
  %0 = loom.gather %data, %i : (tensor<5x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Slice with a negative step: a strided extract, then reversed.
// CHECK-LABEL: func.func @slice_reverse
// CHECK: tensor.extract_slice %arg0[1] [3] [1]
// CHECK: linalg.generic
func.func @slice_reverse(%a: tensor<5xf32>) -> tensor<3xf32> {
  %s = loom.constant dense<3> : tensor<1xi64>
  %e = loom.constant dense<0> : tensor<1xi64>
  %st = loom.constant dense<-1> : tensor<1xi64>
  %0 = loom.slice %a starts %s ends %e steps %st : (tensor<5xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Resize, nearest, asymmetric, floor: source indices are a constant table
// read along each resized axis.
// CHECK-LABEL: func.func @resize_nearest
// CHECK: arith.constant dense<[0, 0, 1, 1, 2, 2]> : tensor<6xi64>
// CHECK: linalg.generic
// CHECK: tensor.extract %arg0
func.func @resize_nearest(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  %scales = loom.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  %0 = loom.resize %x scales %scales {coordinate_transformation_mode = "asymmetric", nearest_mode = "floor"} : (tensor<1x2x3x3xf32>, tensor<4xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

// A dynamic batch that is not resized (scale 1) stays dynamic.
// CHECK-LABEL: func.func @resize_dynamic_batch
// CHECK: %[[N:.*]] = tensor.dim %arg0, %c0
// CHECK: tensor.empty(%[[N]]) : tensor<?x2x6x6xf32>
// CHECK: linalg.generic
func.func @resize_dynamic_batch(%x: tensor<?x2x3x3xf32>) -> tensor<?x2x6x6xf32> {
  %scales = loom.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  %0 = loom.resize %x scales %scales {coordinate_transformation_mode = "asymmetric", nearest_mode = "floor"} : (tensor<?x2x3x3xf32>, tensor<4xf32>) -> tensor<?x2x6x6xf32>
  return %0 : tensor<?x2x6x6xf32>
}

// -----

// Resize, linear, half_pixel: four weighted corners.
// CHECK-LABEL: func.func @resize_linear
// CHECK: linalg.generic
// CHECK-COUNT-4: tensor.extract %arg0
func.func @resize_linear(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %sizes = loom.constant dense<[1, 1, 4, 4]> : tensor<4xi64>
  %0 = loom.resize %x sizes %sizes {mode = "linear"} : (tensor<1x1x2x2xf32>, tensor<4xi64>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// A bf16 (or f16) product is summed in f32 and rounded once: a bf16
// accumulator over K = 4096 terms was 7e-2 off in relative L2 on the GPU.
// CHECK-LABEL: func.func @matmul_bf16
// CHECK: %[[ACC:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<4x3xf32>)
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<4x8xbf16>, tensor<8x3xbf16>) outs(%[[ACC]] : tensor<4x3xf32>)
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.mulf {{.*}} : f32
// CHECK: linalg.generic {{.*}} ins(%[[SUM]] : tensor<4x3xf32>) outs(%{{.*}} : tensor<4x3xbf16>)
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @matmul_bf16(%a: tensor<4x8xbf16>, %b: tensor<8x3xbf16>) -> tensor<4x3xbf16> {
  %c = loom.matmul %a, %b : (tensor<4x8xbf16>, tensor<8x3xbf16>) -> tensor<4x3xbf16>
  return %c : tensor<4x3xbf16>
}
