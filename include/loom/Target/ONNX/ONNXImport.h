//===- ONNXImport.h - ONNX models into the Loom dialect ---------*- C++ -*-===//
//
// Reads an ONNX model (`.onnx`, with its external data files) into a module of
// `loom.weight`s and one `func.func`. Known operators become typed Loom ops,
// every other node a generic `loom.onnx`; nothing is refused for an unknown
// op. Initializer bytes are handed to `dense_resource` blobs without another
// copy, and external data is memory-mapped.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_ONNX_ONNXIMPORT_H
#define LOOM_TARGET_ONNX_ONNXIMPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>

namespace loom {

struct ONNXImportOptions {
  /// Run ONNX's own shape inference first, so that every value has an element
  /// type (and a shape where ONNX knows it).
  bool onnxShapeInference = true;
  /// Map known operators to typed Loom ops (otherwise everything is generic).
  bool typedOps = true;
};

/// Imports the model at `path`. External data files are resolved relative to
/// its folder. Errors go to the context's diagnostic handler, each naming the
/// file and the node or tensor; the result is null then.
mlir::OwningOpRef<mlir::ModuleOp>
importONNXFile(llvm::StringRef path, mlir::MLIRContext *context,
               const ONNXImportOptions &options = {});

/// Imports a model held in memory. `path` names it in diagnostics and is
/// where external data is looked up (beside it). Initializers reference
/// `buffer`'s bytes, which the returned module keeps alive.
mlir::OwningOpRef<mlir::ModuleOp>
importONNXBuffer(std::shared_ptr<llvm::MemoryBuffer> buffer,
                 llvm::StringRef path, mlir::MLIRContext *context,
                 const ONNXImportOptions &options = {});

} // namespace loom

#endif // LOOM_TARGET_ONNX_ONNXIMPORT_H
