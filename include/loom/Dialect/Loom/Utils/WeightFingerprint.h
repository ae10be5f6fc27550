//===- WeightFingerprint.h - content fingerprints of weights ----*- C++ -*-===//
//
// Hashes of a weight's bytes that survive a transformation, so that passes
// find duplicates by bucketing instead of comparing all pairs:
//
// - content: XXH3 of the row hashes (exact copies, and casts after upcasting);
// - order-free: sums of the elements' bits and their squares (any
//   permutation of the elements: transposes);
// - sign pattern: zero/sign pattern at sampled positions relative to the
//   first non-zero (scaling by c != 0);
// - row hashes: XXH3 of each row along dimension 0 (slices).
//
// Every fingerprint of a weight comes from one read of its bytes.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_UTILS_WEIGHTFINGERPRINT_H
#define LOOM_DIALECT_LOOM_UTILS_WEIGHTFINGERPRINT_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace loom {

/// A weight's value as plain little-endian element bytes.
struct WeightBytes {
  mlir::RankedTensorType type;
  llvm::ArrayRef<char> bytes;
  std::vector<char> storage; // a splat, expanded
  size_t elemBytes = 0;

  int64_t count() const { return type.getNumElements(); }
};

/// Fills `out` with `value`'s bytes when they are plain elements of a
/// byte-sized type (not strings, sub-byte or bit-packed bools, sparse).
bool readWeightBytes(mlir::ElementsAttr value, WeightBytes &out);

struct WeightFingerprints {
  uint64_t content = 0;
  /// Only when asked for (orderFree).
  uint64_t orderFree = 0;
  /// Only when asked for (signs) and the type is f32 or f64.
  uint64_t signPattern = 0;
  /// Rank >= 2 only.
  std::vector<uint64_t> rows;
};

/// The rows a weight is hashed by: dimension 0 from rank 2 on, else one.
int64_t numHashRows(llvm::ArrayRef<int64_t> shape);

/// The content fingerprint of `bytes` split into `rows` equal rows (and the
/// row hashes, when `rowHashes` is given and rows > 1).
uint64_t contentHashOf(llvm::ArrayRef<char> bytes, int64_t rows,
                       std::vector<uint64_t> *rowHashes = nullptr);

/// Every fingerprint of `w` with one read of its bytes, row by row.
WeightFingerprints computeFingerprints(const WeightBytes &w, bool orderFree,
                                       bool signs);

} // namespace loom

#endif // LOOM_DIALECT_LOOM_UTILS_WEIGHTFINGERPRINT_H
