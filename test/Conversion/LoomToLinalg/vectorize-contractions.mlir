// RUN: loom-opt %s --split-input-file --pass-pipeline="builtin.module(convert-loom-to-linalg,func.func(loom-linalg-vectorize-contractions{vector-bits=512}))" | FileCheck %s
// RUN: loom-opt %s --split-input-file --pass-pipeline="builtin.module(convert-loom-to-linalg,func.func(loom-linalg-vectorize-contractions{vector-bits=256}))" | FileCheck %s --check-prefix=AVX2

// A MatMul becomes blocks of 6 rows x 32 columns (12 accumulator vectors)
// over one step of k: columns outside rows, the accumulator read before the
// k loop and written after it (carried as a vector), one vector.contract
// per step.
// CHECK-LABEL: func.func @matmul
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c32
// CHECK: scf.for %[[I:.*]] = %c0 to %c12 step %c6
// CHECK: %[[ACC:.*]] = vector.transfer_read %{{.*}}[%[[I]], %c0]{{.*}} vector<6x32xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c1 iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %[[ACC]]) -> (tensor<12x32xf32>, vector<6x32xf32>)
// CHECK: vector.contract {{.*}} : vector<6x1xf32>, vector<1x32xf32> into vector<6x32xf32>
// CHECK: vector.transfer_write {{.*}} : vector<6x32xf32>, tensor<12x32xf32>
// On AVX2 (16 vector registers of 8 floats) the block is 6 x 16: 12
// accumulator registers too (6 x 32 would be 24, and spill).
// AVX2-LABEL: func.func @matmul
// AVX2: scf.for %{{.*}} = %c0 to %c64 step %c16
// AVX2: scf.for %{{.*}} = %c0 to %c12 step %c6
// AVX2: vector.contract {{.*}} : vector<6x1xf32>, vector<1x16xf32> into vector<6x16xf32>
func.func @matmul(%a: tensor<12x64xf32>, %b: tensor<64x64xf32>) -> tensor<12x64xf32> {
  %0 = loom.matmul %a, %b : (tensor<12x64xf32>, tensor<64x64xf32>) -> tensor<12x64xf32>
  return %0 : tensor<12x64xf32>
}

// -----

// A long reduction is cut into chunks of 256 (one panel chunk of the
// right-hand operand stays in cache); a dynamic batch is tiled by one.
// CHECK-LABEL: func.func @batched_long_k
// CHECK: scf.for %{{.*}} = %c0 to %c1024 step %c256
// CHECK: scf.for %{{.*}} = %c0 to %dim{{.*}} step %c1
// CHECK: vector.contract {{.*}} into vector<1x6x32xf32>
func.func @batched_long_k(%a: tensor<?x12x1024xf32>, %b: tensor<1024x64xf32>) -> tensor<?x12x64xf32> {
  %0 = loom.matmul %a, %b : (tensor<?x12x1024xf32>, tensor<1024x64xf32>) -> tensor<?x12x64xf32>
  return %0 : tensor<?x12x64xf32>
}

// -----

// Gemm with transB reads B[n, k]: B is transposed once (K x N) and the
// contraction reads the copy as B[k, n], in blocks as any MatMul.
// CHECK-LABEL: func.func @transposed_b
// CHECK: %[[T:.*]] = linalg.transpose ins(%arg1 : tensor<64x32xf32>) outs(%{{.*}} : tensor<32x64xf32>) permutation = [1, 0]
// CHECK: vector.transfer_read %[[T]]
// CHECK: vector.contract {{.*}} into vector<6x32xf32>
func.func @transposed_b(%a: tensor<12x32xf32>, %bt: tensor<64x32xf32>) -> tensor<12x64xf32> {
  %0 = loom.gemm %a, %bt {transB = 1 : i64} : (tensor<12x32xf32>, tensor<64x32xf32>) -> tensor<12x64xf32>
  return %0 : tensor<12x64xf32>
}

// -----

// Left to loom-linalg-loop-order: rows no width divides, dynamic rows, a
// transposed B of dynamic size.
// CHECK-LABEL: func.func @untouched
// CHECK-NOT: vector.contract
// CHECK-NOT: linalg.transpose
// CHECK-COUNT-3: linalg.generic
func.func @untouched(%a: tensor<12x64xf32>, %bt: tensor<?x64xf32>, %b: tensor<64x20xf32>, %d: tensor<?x64xf32>, %b2: tensor<64x64xf32>) -> (tensor<12x?xf32>, tensor<12x20xf32>, tensor<?x64xf32>) {
  %0 = loom.gemm %a, %bt {transB = 1 : i64} : (tensor<12x64xf32>, tensor<?x64xf32>) -> tensor<12x?xf32>
  %1 = loom.matmul %a, %b : (tensor<12x64xf32>, tensor<64x20xf32>) -> tensor<12x20xf32>
  %2 = loom.matmul %d, %b2 : (tensor<?x64xf32>, tensor<64x64xf32>) -> tensor<?x64xf32>
  return %0, %1, %2 : tensor<12x?xf32>, tensor<12x20xf32>, tensor<?x64xf32>
}

// -----

// A large right-hand operand (K x N >= 256 K elements) is packed into
// panels of 32 columns, contiguous along k (N/32 x K x 32), once; the
// contraction reads the panels and its result is collapsed back.
// CHECK-LABEL: func.func @packed
// CHECK: %[[E:.*]] = tensor.expand_shape %arg1 {{\[\[}}0], [1, 2]] output_shape [512, 16, 32] : tensor<512x512xf32> into tensor<512x16x32xf32>
// CHECK: %[[P:.*]] = linalg.transpose ins(%[[E]] : tensor<512x16x32xf32>) outs(%{{.*}} : tensor<16x512x32xf32>) permutation = [1, 0, 2]
// CHECK: vector.transfer_read %[[P]]
// CHECK: vector.contract
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : tensor<16x16x32xf32> into tensor<16x512xf32>
func.func @packed(%a: tensor<16x512xf32>, %b: tensor<512x512xf32>) -> tensor<16x512xf32> {
  %0 = loom.matmul %a, %b : (tensor<16x512xf32>, tensor<512x512xf32>) -> tensor<16x512xf32>
  return %0 : tensor<16x512xf32>
}
