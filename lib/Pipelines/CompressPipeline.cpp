//===- CompressPipeline.cpp - what loomc compress runs --------------------===//

#include "loom/Pipelines/Pipelines.h"

#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

void loom::buildLoomCompressPipeline(
    OpPassManager &pm, const LoomCompressPipelineOptions &options) {
  LoomInferShapesOptions inferShapes;
  inferShapes.reportUnknown = false;
  pm.addPass(createLoomInferShapes(inferShapes));
  if (!options.freeze.empty() || !options.freezeUntil.empty() ||
      options.freezeAll || !options.unfreeze.empty()) {
    LoomFreezeOptions freeze;
    freeze.patterns.assign(options.freeze.begin(), options.freeze.end());
    freeze.until = options.freezeUntil;
    freeze.all = options.freezeAll;
    freeze.unfreeze.assign(options.unfreeze.begin(), options.unfreeze.end());
    freeze.summary = true;
    freeze.verbose = options.freezeVerbose;
    pm.addPass(createLoomFreeze(std::move(freeze)));
  }
  if (options.tie) {
    LoomTieWeightsOptions tie;
    tie.minBytes = options.tieMinBytes;
    tie.modes.assign(options.tieModes.begin(), options.tieModes.end());
    pm.addPass(createLoomTieWeights(std::move(tie)));
  }
}

void loom::registerLoomPipelines() {
  PassPipelineRegistration<LoomCompressPipelineOptions>(
      "loom-compress-pipeline",
      "What loomc compress runs before folding: shape inference, then "
      "freezing (freeze=, freeze-until=, freeze-all), then (tie=true) weight "
      "tying",
      buildLoomCompressPipeline);
  PassPipelineRegistration<LoomCPUPipelineOptions>(
      "loom-cpu-pipeline",
      "From typed Loom ops to the LLVM dialect for the host CPU: weights as "
      "arguments, linalg, fusion, bufferization, loops, LLVM",
      buildLoomCPUPipeline);
  PassPipelineRegistration<LoomGPUPipelineOptions>(
      "loom-gpu-pipeline",
      "From typed Loom ops to a host module in the LLVM dialect with NVIDIA "
      "kernels (gpu-arch=sm_90): linalg, fusion, bufferization into "
      "caller-provided outputs, one kernel per loop nest, device buffers, "
      "NVVM, gpu-module-to-binary",
      buildLoomGPUPipeline);
}
