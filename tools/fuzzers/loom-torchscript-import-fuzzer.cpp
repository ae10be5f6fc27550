//===- loom-torchscript-import-fuzzer.cpp - bytes into the .pt importer ---===//
//
// Feeds arbitrary bytes, as a `.pt` file, to the TorchScript importer (the
// plugin the tools load), then exports what imports to ONNX. Seeds are real
// archives (scripts/make_torchscript_models.py): mutations reach the zip
// directory, the pickles, the code and the storages.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "loom/Target/ONNX/ONNXExport.h"
#include "loom/Target/TorchScript/TorchScriptImport.h"

#include "mlir/IR/Verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = loom::fuzz::scratchPath("model.pt");
  loom::fuzz::writeBytes(path, data, size);
  auto context = loom::fuzz::makeContext();
  loom::fuzz::QuietDiagnostics quiet(*context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loom::importTorchScriptFile(path, context.get());
  if (!module)
    return 0;
  if (mlir::failed(mlir::verify(*module)))
    loom::fuzz::invariantBroken("an imported module does not verify");
  (void)loom::exportONNXFile(*module, loom::fuzz::scratchPath("out.onnx"));
  return 0;
}
