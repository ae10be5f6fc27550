//===- ONNXExport.h - Loom modules back to ONNX -----------------*- C++ -*-===//
//
// Writes a module of `loom.weight`s and one function as an ONNX model: each
// weight once as an initializer, typed ops as the ONNX nodes of the model's
// opset, generic ops unchanged. Files are written to a temporary name and
// renamed, so a failed export never leaves a half-written model.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_ONNX_ONNXEXPORT_H
#define LOOM_TARGET_ONNX_ONNXEXPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace loom {

struct ONNXExportOptions {
  enum class ExternalData { Auto, Always, Never };
  /// Auto: external data when the model would pass protobuf's 2 GB limit.
  ExternalData externalData = ExternalData::Auto;
  /// With external data, tensors smaller than this stay inside the model.
  uint64_t externalDataThreshold = 1024;
};

/// Writes `module` to `path` (and, with external data, `path`.data beside it).
llvm::LogicalResult exportONNXFile(mlir::ModuleOp module, llvm::StringRef path,
                                   const ONNXExportOptions &options = {});

} // namespace loom

#endif // LOOM_TARGET_ONNX_ONNXEXPORT_H
