//===- loom-mlir-parser-fuzzer.cpp - bytes into the .mlir/.mlirbc reader --===//
//
// Feeds arbitrary bytes to the reader the tools use for Loom IR (text, or
// bytecode when the bytes start with its magic), then exports what parses
// and verifies to ONNX, as `loom-translate --export-onnx` does: weights
// given as `dense_resource` blobs of the wrong size are caught there.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "loom/Target/ONNX/ONNXExport.h"

#include "mlir/IR/Verifier.h"
#include "llvm/Support/MemoryBuffer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto context = loom::fuzz::makeContext();
  loom::fuzz::QuietDiagnostics quiet(*context);
  loom::LoadedModel model = loom::loadMLIRBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size),
          "model.mlir"),
      context.get());
  if (!model || mlir::failed(mlir::verify(*model.module)))
    return 0;
  (void)loom::exportONNXFile(*model.module,
                             loom::fuzz::scratchPath("out.onnx"));
  return 0;
}
