//===- loom-onnx-import-fuzzer.cpp - bytes into the ONNX importer --------===//
//
// Feeds arbitrary bytes to the ONNX importer, as `loom-translate
// --import-onnx` does, from memory (external data is looked up in an empty
// scratch folder). An imported module must verify.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "loom/Target/ONNX/ONNXImport.h"

#include "mlir/IR/Verifier.h"
#include "llvm/Support/MemoryBuffer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto context = loom::fuzz::makeContext();
  loom::fuzz::QuietDiagnostics quiet(*context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loom::fuzz::importONNXBytes(data, size, context.get());
  if (module && mlir::failed(mlir::verify(*module)))
    loom::fuzz::invariantBroken("an imported module does not verify");
  return 0;
}
