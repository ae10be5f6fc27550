//===- loom-onnx-roundtrip-fuzzer.cpp - import, passes, export, import ---===//
//
// What `loomc compress --tie` does to a model, on arbitrary bytes: import,
// tie weights, canonicalize, infer shapes, export. Whatever exports must
// import again: an exported model Loom itself cannot read is a bug.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "loom/Dialect/Loom/Transforms/Passes.h"
#include "loom/Target/ONNX/ONNXExport.h"
#include "loom/Target/ONNX/ONNXImport.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/MemoryBuffer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto context = loom::fuzz::makeContext();
  loom::fuzz::QuietDiagnostics quiet(*context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loom::fuzz::importONNXBytes(data, size, context.get());
  if (!module)
    return 0;
  mlir::PassManager pm(context.get());
  loom::LoomTieWeightsOptions tie;
  tie.minBytes = 0;
  pm.addPass(loom::createLoomTieWeights(tie));
  pm.addPass(mlir::createCanonicalizerPass());
  loom::LoomInferShapesOptions infer;
  infer.reportUnknown = false;
  pm.addPass(loom::createLoomInferShapes(infer));
  if (mlir::failed(pm.run(*module)))
    return 0;
  std::string out = loom::fuzz::scratchPath("out.onnx");
  if (mlir::failed(loom::exportONNXFile(*module, out)))
    return 0;
  auto again = loom::fuzz::makeContext();
  loom::fuzz::QuietDiagnostics quietAgain(*again);
  if (!loom::importONNXFile(out, again.get()))
    loom::fuzz::invariantBroken("an exported model does not import again");
  return 0;
}
