//===- Specialize.cpp - fix a model's input shapes before compiling -------===//
//
// Shared by `loomc run` (shapes of the given tensors) and `loomc compile`
// (--input-shape): override the inputs' shapes, infer, then fold what the
// shapes make constant and infer again until nothing changes (the BERT
// export needs three rounds), then canonicalize.
//
//===----------------------------------------------------------------------===//

#include "Driver.h"

#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

namespace loomc {

LogicalResult specializeShapes(ModuleOp module,
                               ArrayRef<std::string> inputShapes) {
  MLIRContext *context = module.getContext();
  loom::LoomInferShapesOptions inferShapes;
  inferShapes.reportUnknown = false;
  for (const std::string &shape : inputShapes)
    inferShapes.inputShapes.push_back(shape);
  PassManager specialize(context);
  specialize.addPass(loom::createLoomInferShapes(inferShapes));
  if (failed(specialize.run(module)))
    return failure();
  auto runPipeline = [&](OpPassManager &pipeline) {
    PassManager manager(context, ModuleOp::getOperationName());
    static_cast<OpPassManager &>(manager) = pipeline;
    return manager.run(module);
  };
  if (failed(loom::settleShapes(module, runPipeline)))
    return failure();
  PassManager cleanup(context);
  cleanup.addPass(createCanonicalizerPass());
  return cleanup.run(module);
}

} // namespace loomc
