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

/// The element bytes of `value` (static shape, byte-sized elements), or
/// nullopt. A splat is expanded into `storage`, which must outlive the result.
std::optional<llvm::ArrayRef<char>> getWeightBytes(mlir::ElementsAttr value,
                                                   std::vector<char> &storage);

} // namespace loom

#endif // LOOM_DIALECT_LOOM_IR_WEIGHTDATA_H
