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
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace loom {

struct ONNXExportOptions {
  enum class ExternalData { Auto, Always, Never };
  /// Auto: external data when the model would pass protobuf's 2 GB limit.
  ExternalData externalData = ExternalData::Auto;
  /// With external data, tensors smaller than this stay inside the model.
  uint64_t externalDataThreshold = 1024;

  /// Bytes already stored in a file beside the model for several models
  /// (`loomc compress --share-weights`): the file's name (relative to the
  /// model's folder) and where the bytes start in it.
  struct SharedTensor {
    std::string location;
    uint64_t offset = 0;
  };
  /// Given the bytes of an initializer of at least externalDataThreshold
  /// bytes, where they are shared, if they are: the initializer then refers
  /// to them there instead of holding or writing them again.
  std::function<std::optional<SharedTensor>(llvm::ArrayRef<char>)> findShared;
};

/// The choices of ExternalData by name ("auto", "always", "never"), with a
/// line of help each: the one list the tools' options are built from.
struct ExternalDataChoice {
  ONNXExportOptions::ExternalData value;
  llvm::StringLiteral name, help;
};
llvm::ArrayRef<ExternalDataChoice> getExternalDataChoices();
std::optional<ONNXExportOptions::ExternalData>
symbolizeExternalData(llvm::StringRef name);

/// What an export wrote besides the model.
struct ONNXExportResult {
  /// The external data file (`path`.<content hash>.data), or empty.
  std::string dataPath;
};

/// Writes `module` to `path` (and, with external data, a data file beside
/// it, named after its content: `path`.<xxh3-64>.data).
llvm::LogicalResult exportONNXFile(mlir::ModuleOp module, llvm::StringRef path,
                                   const ONNXExportOptions &options = {},
                                   ONNXExportResult *result = nullptr);

} // namespace loom

#endif // LOOM_TARGET_ONNX_ONNXEXPORT_H
