// RUN: loom-opt %s --loom-cpu-pipeline="vector-bits=256" | FileCheck %s
// RUN: loom-opt %s --loom-cpu-pipeline="vector-bits=512" | FileCheck %s --check-prefix=AVX512
// RUN: loom-opt %s --loom-cpu-pipeline="vectorize=0 parallel=0" | FileCheck %s --check-prefix=PLAIN

// The whole CPU pipeline ends in the LLVM dialect, with register-blocked
// vector code for the convolution (im2col panels of 16 columns on AVX2, 32
// on AVX-512: loom-linalg-conv-to-matmul) and OpenMP for its outer loop.
// Regression: n-D vector transfers used to be lowered through stack buffers
// allocated inside the loop nest, one more per iteration, which overflowed
// the stack on a 48x320 image; they are now unrolled and need no buffer.
// CHECK-LABEL: llvm.func @conv
// CHECK-NOT: llvm.alloca
// CHECK: omp.parallel
// CHECK-NOT: llvm.alloca
// CHECK: llvm.intr.fmuladd{{.*}}vector<16xf32>
// CHECK-NOT: llvm.alloca
// CHECK: llvm.return
// AVX512-LABEL: llvm.func @conv
// AVX512: llvm.intr.fmuladd{{.*}}vector<32xf32>
// PLAIN-LABEL: llvm.func @conv
// PLAIN-NOT: omp.
// PLAIN-NOT: llvm.intr.fmuladd{{.*}}vector<8xf32>
// PLAIN: llvm.return
func.func @conv(%x: tensor<1x16x34x34xf32>, %w: tensor<16x16x3x3xf32>) -> tensor<1x16x32x32xf32> {
  %y = loom.conv %x, %w : (tensor<1x16x34x34xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x32x32xf32>
  return %y : tensor<1x16x32x32xf32>
}
