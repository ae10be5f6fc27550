// --loom-gpu-pipeline: Loom ops to a host module in the LLVM dialect with
// NVIDIA kernels. serialize=false stops with the kernels in NVVM; the full
// pipeline embeds them as a gpu.binary (isa: PTX text, checked here; fatbin
// needs ptxas and is the default).
// RUN: loom-opt %s --loom-gpu-pipeline="serialize=false" | FileCheck %s --check-prefix=KERNELS
// RUN: loom-opt %s --loom-gpu-pipeline="format=isa gpu-arch=sm_80" | FileCheck %s --check-prefix=PTX
// RUN: loom-opt %s --loom-gpu-pipeline="format=isa block-size=64" | FileCheck %s --check-prefix=B64

// The output is the caller's buffer (the function returns nothing), no
// temporary is allocated: the convolution writes into the output and GELU
// runs in place. One kernel per loop nest, all in one module, named after
// their ONNX nodes; erf comes from libdevice.
// KERNELS-LABEL: func.func @conv_gelu
// KERNELS-SAME: %{{.*}}: memref<1x16x32x32xf32>) {
// KERNELS-NOT: gpu.alloc
// KERNELS: gpu.launch_func async {{.*}} @loom_kernels::@k0_conv_0
// KERNELS: gpu.launch_func async {{.*}} @loom_kernels::@k1_conv_0
// KERNELS: gpu.launch_func async {{.*}} @loom_kernels::@k2_gelu_0
// KERNELS: gpu.wait
// KERNELS: gpu.module @loom_kernels [#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">]
// KERNELS: llvm.func @k1_conv_0({{.*}}) attributes {gpu.kernel, {{.*}}nvvm.kernel
// KERNELS: nvvm.read.ptx.sreg.ctaid.x
// KERNELS: llvm.call @__nv_erff

// The host calls Loom's CUDA runtime (mgpu*), one stream per call.
// PTX-LABEL: llvm.func @conv_gelu
// PTX: llvm.call @mgpuStreamCreate
// PTX: gpu.launch_func <%{{.*}} : !llvm.ptr> @loom_kernels::@k1_conv_0
// PTX: llvm.call @mgpuStreamSynchronize
// PTX: gpu.binary @loom_kernels
// PTX-SAME: .target sm_80
// PTX-SAME: .entry k1_conv_0
// B64: .maxntid 64, 1, 1

func.func @conv_gelu(%x: tensor<1x16x34x34xf32>, %w: tensor<16x16x3x3xf32>) -> tensor<1x16x32x32xf32> {
  %y = loom.conv %x, %w : (tensor<1x16x34x34xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x32x32xf32> loc("conv_0")
  %z = loom.gelu %y : tensor<1x16x32x32xf32> loc("gelu_0")
  return %z : tensor<1x16x32x32xf32>
}
