// The GPU pipeline gives each thread 4x4 outputs of an op with reductions
// when at least 262,144 threads remain (2048x2048 outputs: 262,144 threads),
// one output per thread otherwise (1024x1024 would keep only 65,536):
// tiling halved ResNet-18's speed on an H200 and made a 4096^3 matmul 2.5x
// faster (docs/GPU.md).
// RUN: loom-opt %s --loom-gpu-pipeline="serialize=false" | FileCheck %s
// RUN: loom-opt %s --loom-gpu-pipeline="serialize=false thread-tile=1" | FileCheck %s --check-prefix=UNTILED
// RUN: loom-opt %s --loom-gpu-pipeline="serialize=false tile-min-threads=0" | FileCheck %s --check-prefix=ALL

// CHECK-LABEL: llvm.func @k1_big
// CHECK-COUNT-16: llvm.fmul
// CHECK-LABEL: llvm.func @k1_small
// CHECK-COUNT-1: llvm.fmul
// CHECK-NOT: llvm.fmul
// CHECK: llvm.return
// UNTILED-LABEL: llvm.func @k1_big
// UNTILED-COUNT-1: llvm.fmul
// UNTILED-NOT: llvm.fmul
// UNTILED: llvm.return
// ALL-LABEL: llvm.func @k1_small
// ALL-COUNT-16: llvm.fmul

func.func @big(%a: tensor<2048x8xf32>, %b: tensor<8x2048xf32>) -> tensor<2048x2048xf32> {
  %c = loom.matmul %a, %b : (tensor<2048x8xf32>, tensor<8x2048xf32>) -> tensor<2048x2048xf32> loc("big")
  return %c : tensor<2048x2048xf32>
}
func.func @small(%a: tensor<1024x8xf32>, %b: tensor<8x1024xf32>) -> tensor<1024x1024xf32> {
  %c = loom.matmul %a, %b : (tensor<1024x8xf32>, tensor<8x1024xf32>) -> tensor<1024x1024xf32> loc("small")
  return %c : tensor<1024x1024xf32>
}
