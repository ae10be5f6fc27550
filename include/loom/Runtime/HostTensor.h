//===- HostTensor.h - tensors in host memory for the evaluator --*- C++ -*-===//
//
// The values the evaluator takes and returns: an element type, a shape and
// 64-byte-aligned bytes, independent of any MLIRContext; plus .npy reading
// and writing (NumPy's format: what `loomc run` reads and writes).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_HOSTTENSOR_H
#define LOOM_RUNTIME_HOSTTENSOR_H

#include "mlir/IR/Types.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace loom::runtime {

/// Element types a tensor crossing the evaluator's boundary may have.
enum class DType {
  F16,
  BF16,
  F32,
  F64,
  I8,
  I16,
  I32,
  I64,
  U8,
  U16,
  U32,
  U64,
  Bool
};

/// Bytes per element.
unsigned getByteSize(DType dtype);
/// "float32", "int64", ...: NumPy's names.
llvm::StringRef getName(DType dtype);
/// The dtype of an MLIR element type (nullopt for others).
std::optional<DType> getDType(mlir::Type type);
/// The MLIR element type of a dtype.
mlir::Type getMLIRType(mlir::MLIRContext *context, DType dtype);
/// ONNX's TensorProto.DataType number of a dtype (the numbers of the
/// compiled models' C API, `loom_dtype`), and back (nullopt if none).
int32_t getONNXDataType(DType dtype);
std::optional<DType> getDTypeOfONNXDataType(int32_t code);

/// A dense, row-major tensor that owns its (aligned) bytes.
class HostTensor {
public:
  HostTensor() = default;
  HostTensor(DType dtype, llvm::ArrayRef<int64_t> shape);

  DType getDType() const { return dtype; }
  llvm::ArrayRef<int64_t> getShape() const { return shape; }
  int64_t getNumElements() const;
  size_t getByteSize() const { return numBytes; }
  char *data() { return bytes.get(); }
  const char *data() const { return bytes.get(); }

private:
  struct Free {
    void operator()(char *p) const;
  };
  DType dtype = DType::F32;
  llvm::SmallVector<int64_t> shape;
  size_t numBytes = 0;
  std::unique_ptr<char, Free> bytes;
};

/// Reads a .npy file (version 1-3, little-endian or byte-sized, C order).
llvm::Expected<HostTensor> readNpy(llvm::StringRef path);
/// Parses .npy bytes; `what` names them in errors.
llvm::Expected<HostTensor> parseNpy(llvm::StringRef bytes,
                                    llvm::StringRef what);
/// Writes `tensor` as a version-1 .npy file, atomically.
llvm::Error writeNpy(const HostTensor &tensor, llvm::StringRef path);

} // namespace loom::runtime

#endif // LOOM_RUNTIME_HOSTTENSOR_H
