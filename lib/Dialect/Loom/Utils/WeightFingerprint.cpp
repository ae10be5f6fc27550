//===- WeightFingerprint.cpp - content fingerprints of weights ------------===//

#include "loom/Dialect/Loom/Utils/WeightFingerprint.h"
#include "loom/Dialect/Loom/IR/WeightData.h"
#include "loom/Dialect/Loom/Utils/ElementDecoding.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace loom;

bool loom::readWeightBytes(ElementsAttr value, WeightBytes &out) {
  std::optional<ArrayRef<char>> bytes = getWeightBytes(value, out.storage);
  if (!bytes)
    return false;
  out.type = cast<RankedTensorType>(value.getType());
  out.elemBytes = *getElementByteSize(out.type.getElementType());
  out.bytes = *bytes;
  return true;
}

static uint64_t mix(uint64_t x) { // splitmix64's finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// Rows of a weight for hashing: dimension 0 from rank 2 on.
int64_t loom::numHashRows(ArrayRef<int64_t> shape) {
  return shape.size() >= 2 ? shape[0] : 1;
}

uint64_t loom::contentHashOf(ArrayRef<char> bytes, int64_t rows,
                             std::vector<uint64_t> *rowHashes) {
  if (rows <= 1 || bytes.empty())
    return XXH3_64bits(bytes.data(), bytes.size());
  size_t rowBytes = bytes.size() / rows;
  std::vector<uint64_t> local;
  std::vector<uint64_t> &hashes = rowHashes ? *rowHashes : local;
  hashes.resize(rows);
  for (int64_t r = 0; r < rows; ++r)
    hashes[r] = XXH3_64bits(bytes.data() + r * rowBytes, rowBytes);
  return XXH3_64bits(hashes.data(), hashes.size() * sizeof(uint64_t));
}

/// Order-free fingerprint of one row: two sums over the elements' bits
/// (plain and squared), which any permutation leaves unchanged and which
/// compilers vectorize.
template <typename Bits>
static void sumRow(const char *data, int64_t count, uint64_t &sum,
                   uint64_t &squares) {
  uint64_t s = 0, q = 0;
  for (int64_t i = 0; i < count; ++i) {
    uint64_t bits = loadUnaligned<Bits>(data + i * sizeof(Bits));
    s += bits;
    q += bits * bits;
  }
  sum += s;
  squares += q;
}

/// Scale-free fingerprint: the zero/sign pattern at up to 256 positions
/// chosen by the shape alone (the same for every weight of that shape),
/// relative to the first non-zero among them.
template <typename T> static uint64_t sampledSigns(const WeightBytes &e) {
  int64_t n = e.count();
  int64_t samples = std::min<int64_t>(n, 256);
  uint8_t codes[256];
  int firstSign = 0;
  for (int64_t k = 0; k < samples; ++k) {
    int64_t index = samples == n ? k : (k * 2654435761LL) % n;
    T v = loadUnaligned<T>(e.bytes.data() + index * sizeof(T));
    uint8_t code = 0;
    if (v != 0) {
      int sign = std::signbit(v) ? -1 : 1;
      if (!firstSign)
        firstSign = sign;
      code = sign == firstSign ? 1 : 2;
    }
    codes[k] = code;
  }
  return XXH3_64bits(codes, samples);
}

/// Computes every fingerprint with one read of the bytes (row by row, so the
/// sums find the row in cache).
WeightFingerprints loom::computeFingerprints(const WeightBytes &e,
                                             bool orderFree, bool signs) {
  WeightFingerprints f;
  int64_t rows = numHashRows(e.type.getShape());
  std::vector<uint64_t> *rowHashes = e.type.getRank() >= 2 ? &f.rows : nullptr;
  if (!orderFree) {
    f.content = contentHashOf(e.bytes, rows, rowHashes);
  } else {
    // Hash and sum each row while it is in cache.
    size_t rowBytes = e.bytes.size() / std::max<int64_t>(rows, 1);
    std::vector<uint64_t> local;
    std::vector<uint64_t> &hashes = rowHashes ? *rowHashes : local;
    hashes.resize(rows);
    uint64_t sum = 0, squares = 0;
    int64_t perRow = rowBytes / e.elemBytes;
    for (int64_t r = 0; r < rows; ++r) {
      const char *row = e.bytes.data() + r * rowBytes;
      hashes[r] = XXH3_64bits(row, rowBytes);
      switch (e.elemBytes) {
      case 1:
        sumRow<uint8_t>(row, perRow, sum, squares);
        break;
      case 2:
        sumRow<uint16_t>(row, perRow, sum, squares);
        break;
      case 4:
        sumRow<uint32_t>(row, perRow, sum, squares);
        break;
      default:
        sumRow<uint64_t>(row, rowBytes / 8, sum, squares);
        break;
      }
    }
    f.content = rows <= 1 ? XXH3_64bits(e.bytes.data(), e.bytes.size())
                          : XXH3_64bits(hashes.data(), hashes.size() * 8);
    f.orderFree = mix(sum) ^ mix(squares + 0x9e3779b97f4a7c15ULL);
  }
  Type element = e.type.getElementType();
  if (signs && element.isF32())
    f.signPattern = sampledSigns<float>(e);
  else if (signs && element.isF64())
    f.signPattern = sampledSigns<double>(e);
  return f;
}
