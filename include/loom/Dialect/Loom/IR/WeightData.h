//===- WeightData.h - the bytes of a weight's value -------------*- C++ -*-===//
//
// One way for every pass to read a weight's data: the little-endian element
// bytes of a `dense_resource` blob (where it lies, mapped or owned) or of a
// dense attribute (a splat expanded into caller-owned storage).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_IR_WEIGHTDATA_H
#define LOOM_DIALECT_LOOM_IR_WEIGHTDATA_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "llvm/ADT/ArrayRef.h"

#include <optional>
#include <vector>

namespace loom {

/// Bytes per element of a byte-sized element type (complex counts both
/// parts), or nullopt for strings, bools in dense form, and sub-byte types.
std::optional<unsigned> getElementByteSize(mlir::Type elementType);

/// The most bytes a splat (one value standing for a whole tensor, as in
/// `dense<1.0> : tensor<1000000x1000000xf32>`) is expanded to: its bytes are
/// not in the file, so a few bytes of IR must not claim terabytes of memory.
constexpr uint64_t kMaxSplatExpansionBytes = uint64_t(1) << 31;

/// The number of elements of a static shape, or nullopt when it overflows
/// int64 (a shape written in a file is untrusted).
std::optional<int64_t> getCheckedNumElements(llvm::ArrayRef<int64_t> shape);

/// The element bytes of `value` (static shape, byte-sized elements), or
/// nullopt. A splat is expanded into `storage`, which must outlive the result
/// (nullopt past kMaxSplatExpansionBytes).
std::optional<llvm::ArrayRef<char>> getWeightBytes(mlir::ElementsAttr value,
                                                   std::vector<char> &storage);

} // namespace loom

#endif // LOOM_DIALECT_LOOM_IR_WEIGHTDATA_H
