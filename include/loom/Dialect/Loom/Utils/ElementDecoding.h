//===- ElementDecoding.h - weight elements as numbers -----------*- C++ -*-===//
//
// Reading the little-endian element bytes of a weight (WeightData.h) as
// numbers: fp16 and bf16 decoded exactly, integers of every byte-sized width,
// unaligned loads. Shared by the passes and analyses that look at values
// (statistics, tying across dtypes).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_UTILS_ELEMENTDECODING_H
#define LOOM_DIALECT_LOOM_UTILS_ELEMENTDECODING_H

#include "loom/Dialect/Loom/IR/WeightData.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <cstring>

namespace loom {

/// IEEE binary16 to float, exactly (subnormals, Inf and NaN included).
float halfToFloat(uint16_t bits);
/// bfloat16 to float, exactly.
float bf16ToFloat(uint16_t bits);

/// A `T` from `p`, which need not be aligned.
template <typename T> T loadUnaligned(const char *p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

namespace detail {
template <typename T, typename Fn>
void visitAs(const char *p, int64_t count, Fn &fn) {
  for (int64_t i = 0; i < count; ++i, p += sizeof(T))
    fn(static_cast<double>(loadUnaligned<T>(p)));
}
} // namespace detail

/// Calls `fn(double)` on each of the `count` elements of `bytes` read as
/// `elementType` (floats of 16 to 64 bits, integers of 8 to 64); false,
/// without calling it, for other types (strings, complex, sub-byte) or a
/// size that does not match.
template <typename Fn>
bool visitElements(mlir::Type elementType, llvm::ArrayRef<char> bytes,
                   int64_t count, Fn &&fn) {
  std::optional<unsigned> bytesPer = getElementByteSize(elementType);
  if (!bytesPer || bytes.size() != uint64_t(count) * *bytesPer)
    return false;
  const char *p = bytes.data();
  if (elementType.isF32())
    return detail::visitAs<float>(p, count, fn), true;
  if (elementType.isF64())
    return detail::visitAs<double>(p, count, fn), true;
  if (elementType.isF16() || elementType.isBF16()) {
    bool half = elementType.isF16();
    for (int64_t i = 0; i < count; ++i, p += 2) {
      uint16_t bits = loadUnaligned<uint16_t>(p);
      fn(static_cast<double>(half ? halfToFloat(bits) : bf16ToFloat(bits)));
    }
    return true;
  }
  auto integer = llvm::dyn_cast<mlir::IntegerType>(elementType);
  if (!integer)
    return false;
  bool isUnsigned = integer.isUnsigned();
  switch (integer.getWidth()) {
  case 8:
    return isUnsigned ? detail::visitAs<uint8_t>(p, count, fn)
                      : detail::visitAs<int8_t>(p, count, fn),
           true;
  case 16:
    return isUnsigned ? detail::visitAs<uint16_t>(p, count, fn)
                      : detail::visitAs<int16_t>(p, count, fn),
           true;
  case 32:
    return isUnsigned ? detail::visitAs<uint32_t>(p, count, fn)
                      : detail::visitAs<int32_t>(p, count, fn),
           true;
  case 64:
    return isUnsigned ? detail::visitAs<uint64_t>(p, count, fn)
                      : detail::visitAs<int64_t>(p, count, fn),
           true;
  default:
    return false;
  }
}

} // namespace loom

#endif // LOOM_DIALECT_LOOM_UTILS_ELEMENTDECODING_H
