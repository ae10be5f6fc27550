// RUN: loom-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(loom-linalg-vectorize-convs))" | FileCheck %s

// Tiled to 8 channels x 8 columns (the widest block of at most 16 that
// divides 56), one input channel and kernel row per step, vectorized: one
// vector.contract per kernel column.
// CHECK-LABEL: func.func @conv
// CHECK-COUNT-2: scf.for
// CHECK: vector.transfer_read
// CHECK-COUNT-3: vector.contract
// CHECK-NOT: linalg.conv
func.func @conv(%x: tensor<1x16x58x58xf32>, %w: tensor<8x16x3x3xf32>, %y: tensor<1x8x56x56xf32>) -> tensor<1x8x56x56xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x16x58x58xf32>, tensor<8x16x3x3xf32>) outs(%y : tensor<1x8x56x56xf32>) -> tensor<1x8x56x56xf32>
  return %0 : tensor<1x8x56x56xf32>
}

// -----

// Rows no block of 4..16 columns divides, and dynamic sizes past the batch,
// stay as they are.
// CHECK-LABEL: func.func @untouched
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK: linalg.conv_2d_nchw_fchw
func.func @untouched(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x3x3xf32>, %y: tensor<1x4x3x3xf32>,
                     %dx: tensor<1x4x?x8xf32>, %dy: tensor<1x4x?x6xf32>) -> (tensor<1x4x3x3xf32>, tensor<1x4x?x6xf32>) {
  %0 = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x4x5x5xf32>, tensor<4x4x3x3xf32>) outs(%y : tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  %1 = linalg.conv_2d_nchw_fchw ins(%dx, %w : tensor<1x4x?x8xf32>, tensor<4x4x3x3xf32>) outs(%dy : tensor<1x4x?x6xf32>) -> tensor<1x4x?x6xf32>
  return %0, %1 : tensor<1x4x3x3xf32>, tensor<1x4x?x6xf32>
}

// -----

// A dynamic batch (a library compiled for any batch) is tiled by one: the
// blocks are static and vectorize as for a fixed batch.
// CHECK-LABEL: func.func @dynamic_batch
// CHECK: %[[N:.*]] = tensor.dim %{{.*}}, %c0
// CHECK: scf.for %{{.*}} = %c0 to %[[N]] step %c1
// CHECK: vector.contract
// CHECK-NOT: linalg.conv
func.func @dynamic_batch(%x: tensor<?x16x58x58xf32>, %w: tensor<8x16x3x3xf32>, %y: tensor<?x8x56x56xf32>) -> tensor<?x8x56x56xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<?x16x58x58xf32>, tensor<8x16x3x3xf32>) outs(%y : tensor<?x8x56x56xf32>) -> tensor<?x8x56x56xf32>
  return %0 : tensor<?x8x56x56xf32>
}

// -----

// Regression: a 1x1 convolution over a 17-column row (no block fits) was
// still decomposed and vectorized whole, as one 96x17-lane vector per
// kernel column, which LLVM took over ten minutes to compile (PaddleOCR's
// recognizer). Only the blocks the pass tiled are decomposed.
// CHECK-LABEL: func.func @untiled_kernel_row
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-NOT: vector.
func.func @untiled_kernel_row(%x: tensor<1x96x1x17xf32>, %w: tensor<96x96x1x1xf32>, %y: tensor<1x96x1x17xf32>) -> tensor<1x96x1x17xf32> {
  %0 = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x96x1x17xf32>, tensor<96x96x1x1xf32>) outs(%y : tensor<1x96x1x17xf32>) -> tensor<1x96x1x17xf32>
  return %0 : tensor<1x96x1x17xf32>
}
