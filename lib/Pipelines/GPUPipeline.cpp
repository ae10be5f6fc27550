//===- GPUPipeline.cpp - from Loom ops to NVIDIA kernels and host code ----===//
//
// The stages, in order: bind weights to arguments; lower to linalg on
// tensors and fuse elementwise ops (as the CPU pipeline does); bufferize
// with the results written into buffers the caller passes (the runtime
// allocates them on the device); free temporaries (ownership-based
// deallocation); one kernel launch per loop nest with device buffers
// (loom-map-to-gpu); outline the kernels; lower them to NVVM (math through
// libdevice) and the host to the LLVM dialect calling the `mgpu*` runtime
// functions; serialise the kernels (gpu-module-to-binary: PTX, and with
// ptxas a cubin, in a fatbin).
//
//===----------------------------------------------------------------------===//

#include "loom/Pipelines/Pipelines.h"

#include "PipelineStages.h"

#include "loom/Conversion/LoomToLinalg/LoomToLinalg.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstdlib>

using namespace mlir;

namespace {
/// Gives every result of a function its own buffer: a buffer returned
/// twice (two ONNX outputs of one value) is copied for the second. Upstream
/// buffer-results-to-out-params with hoist-static-allocs crashes on a
/// buffer returned twice (LLVM 22).
struct DistinctResultBuffersPass
    : PassWrapper<DistinctResultBuffersPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(DistinctResultBuffersPass)
  StringRef getArgument() const override {
    return "loom-distinct-result-buffers";
  }
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      OpBuilder builder(ret);
      llvm::SmallPtrSet<Value, 8> seen;
      for (OpOperand &operand : ret->getOpOperands()) {
        auto type = dyn_cast<MemRefType>(operand.get().getType());
        if (!type || seen.insert(operand.get()).second)
          continue;
        if (!type.hasStaticShape() || !type.getLayout().isIdentity())
          continue;
        Value copy = memref::AllocOp::create(builder, ret.getLoc(), type);
        memref::CopyOp::create(builder, ret.getLoc(), operand.get(), copy);
        operand.set(copy);
      }
    });
  }
};
} // namespace

std::string loom::findCUDAToolkit(llvm::StringRef given) {
  auto hasPtxas = [](llvm::StringRef folder) {
    llvm::SmallString<256> ptxas(folder);
    llvm::sys::path::append(ptxas, "bin", "ptxas");
    return llvm::sys::fs::can_execute(ptxas);
  };
  if (!given.empty())
    return hasPtxas(given) ? given.str() : std::string();
  for (const char *variable : {"CUDA_HOME", "CUDA_ROOT", "CUDA_PATH"})
    if (const char *value = std::getenv(variable); value && *value)
      if (hasPtxas(value))
        return value;
  if (hasPtxas("/usr/local/cuda"))
    return "/usr/local/cuda";
  return "";
}

void loom::buildLoomGPUPipeline(OpPassManager &pm,
                                const LoomGPUPipelineOptions &options) {
  addLinalgOnTensorsStages(pm, options.fuse);
  addOneShotBufferizeStages(pm);
  pm.addNestedPass<func::FuncOp>(std::make_unique<DistinctResultBuffersPass>());
  // Outputs into the caller's (device) buffers; a result computed into a
  // fresh static buffer is computed into the caller's instead.
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createCanonicalizerPass());

  LoomMapToGPUOptions map;
  map.blockSize = options.blockSize;
  map.threadTile = options.threadTile;
  map.tileMinThreads = options.tileMinThreads;
  pm.addNestedPass<func::FuncOp>(createLoomMapToGPU(map));
  // (No canonicalization here: it would hoist the constants that
  // loom-map-to-gpu copied into each kernel back out of it.)
  pm.addPass(createGpuKernelOutliningPass());
  // Allocations, launches and frees chained on one stream (the caller's:
  // the runtime's mgpuStreamCreate hands it out), synchronized once.
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());

  // What the upstream gpu-lower-to-nvvm-pipeline does, with typed options.
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.gpuArch;
  target.features = options.features;
  target.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.indexBitwidth = 64;
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createConvertGpuOpsToNVVMOps(nvvm));
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
  if (!options.serialize)
    return;

  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createGpuToLLVMConversionPass());
  GpuModuleToBinaryPassOptions binary;
  binary.toolkitPath = findCUDAToolkit(options.toolkit);
  binary.compilationTarget = options.format;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}
