//===- ONNXTensorFile.h - one TensorProto in a .pb file ---------*- C++ -*-===//
//
// Reads the files ONNX's test data uses for inputs and outputs (a serialized
// TensorProto, `input_0.pb`): name, element type, shape and the element
// bytes (raw_data or the typed fields), checked against each other.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_ONNX_ONNXTENSORFILE_H
#define LOOM_TARGET_ONNX_ONNXTENSORFILE_H

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Types.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <string>

namespace loom {

struct ONNXTensorFile {
  std::string name;
  mlir::Type elementType; // Loom's element type of the ONNX data type
  llvm::SmallVector<int64_t> shape;
  std::string bytes; // little-endian, row-major
};

/// Reads `path`; an error names the file and what is wrong (not a
/// TensorProto, a type Loom has no element type for, external data, bytes
/// that do not match the shape).
llvm::Expected<ONNXTensorFile> readONNXTensorFile(llvm::StringRef path,
                                                  mlir::MLIRContext *context);

} // namespace loom

#endif // LOOM_TARGET_ONNX_ONNXTENSORFILE_H
