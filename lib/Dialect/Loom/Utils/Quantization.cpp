//===- Quantization.cpp - linear quantization of weights ------------------===//

#include "loom/Dialect/Loom/Utils/Quantization.h"

#include "llvm/ADT/APFloat.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace loom;

namespace {

/// Writes integer `q` as element `i` of `out` (8 bits a byte, or 4).
void store(std::vector<char> &out, int64_t i, int32_t q, unsigned bits) {
  if (bits == 8) {
    out[i] = static_cast<char>(q);
    return;
  }
  auto nibble = static_cast<uint8_t>(q & 0xF);
  auto &byte = reinterpret_cast<uint8_t &>(out[i / 2]);
  byte = (i % 2) ? static_cast<uint8_t>((byte & 0x0F) | (nibble << 4))
                 : static_cast<uint8_t>((byte & 0xF0) | nibble);
}

} // namespace

int32_t loom::quantizedAt(llvm::ArrayRef<char> data, int64_t i, unsigned bits,
                          bool isSigned) {
  if (bits == 8)
    return isSigned ? int32_t(static_cast<int8_t>(data[i]))
                    : int32_t(static_cast<uint8_t>(data[i]));
  uint8_t byte = static_cast<uint8_t>(data[i / 2]);
  int32_t nibble = (i % 2) ? (byte >> 4) : (byte & 0xF);
  return isSigned && nibble >= 8 ? nibble - 16 : nibble;
}

QuantizedTensor loom::quantizeLinear(llvm::ArrayRef<float> values,
                                     llvm::ArrayRef<int64_t> shape,
                                     const QuantScheme &scheme) {
  QuantizedTensor out;
  int64_t count = static_cast<int64_t>(values.size());
  int64_t rank = static_cast<int64_t>(shape.size());
  // Element i's group: its coordinate along the axis (divided by the
  // block), with the other coordinates when blocked.
  int64_t axis = scheme.axis, inner = 1, dim = 1, groupsAlong = 1;
  if (axis >= 0) {
    dim = shape[axis];
    for (int64_t d = axis + 1; d < rank; ++d)
      inner *= shape[d];
    groupsAlong = scheme.blockSize
                      ? (dim + scheme.blockSize - 1) / scheme.blockSize
                      : dim;
  }
  int64_t outer = axis >= 0 ? count / std::max<int64_t>(1, dim * inner) : 1;
  int64_t groups;
  if (axis < 0) {
    groups = 1;
  } else if (scheme.blockSize) {
    groups = outer * groupsAlong * inner;
    out.scaleShape.assign(shape.begin(), shape.end());
    out.scaleShape[axis] = groupsAlong;
  } else {
    groups = dim;
    out.scaleShape.push_back(dim);
  }
  auto groupOf = [&](int64_t i) -> int64_t {
    if (axis < 0)
      return 0;
    int64_t along = (i / inner) % dim;
    if (!scheme.blockSize)
      return along;
    int64_t o = i / (dim * inner), in = i % inner;
    return (o * groupsAlong + along / scheme.blockSize) * inner + in;
  };

  std::vector<float> lo(groups, 0.0f), hi(groups, 0.0f);
  for (int64_t i = 0; i < count; ++i) {
    float v = values[i];
    if (!std::isfinite(v))
      continue;
    int64_t g = groupOf(i);
    lo[g] = std::min(lo[g], v);
    hi[g] = std::max(hi[g], v);
  }
  int32_t qmin, qmax;
  if (scheme.symmetric) {
    qmax = (1 << (scheme.bits - 1)) - 1;
    qmin = -qmax;
  } else {
    qmin = 0;
    qmax = (1 << scheme.bits) - 1;
  }
  out.scales.resize(groups);
  std::vector<int32_t> zero(groups, 0);
  for (int64_t g = 0; g < groups; ++g) {
    float scale;
    if (scheme.symmetric) {
      scale = std::max(std::fabs(lo[g]), std::fabs(hi[g])) / float(qmax);
    } else {
      scale = (hi[g] - lo[g]) / float(qmax);
      if (scale > 0)
        zero[g] = std::clamp<int32_t>(
            static_cast<int32_t>(std::nearbyint(-lo[g] / scale)), 0, qmax);
    }
    // An all-zero group: any scale gives zeros back; 1 keeps it finite.
    scale = scale > 0 && std::isfinite(scale) ? scale : 1.0f;
    if (scheme.halfScales) {
      // Rounded up, so that no value lands outside the range; at least the
      // smallest normal half, at most the largest.
      llvm::APFloat half(scale);
      bool lost = false;
      half.convert(llvm::APFloat::IEEEhalf(),
                   llvm::APFloat::rmTowardPositive, &lost);
      half.convert(llvm::APFloat::IEEEsingle(),
                   llvm::APFloat::rmNearestTiesToEven, &lost);
      float rounded = half.convertToFloat();
      scale = std::clamp(std::isfinite(rounded) ? rounded : 65504.0f,
                         6.1035156e-05f, 65504.0f);
    }
    out.scales[g] = scale;
  }
  size_t bytes = scheme.bits == 8 ? size_t(count) : size_t(count + 1) / 2;
  out.data.assign(bytes, 0);
  if (scheme.keepDequantized)
    out.dequantized.resize(count);
  for (int64_t i = 0; i < count; ++i) {
    int64_t g = groupOf(i);
    // In float, as QuantizeLinear divides; +-inf saturate, NaN gives 0.
    float v = values[i], scale = out.scales[g];
    float scaled = std::isnan(v) ? 0.0f : v / scale;
    scaled = std::clamp(scaled, -1e9f, 1e9f);
    int32_t q = std::clamp<int32_t>(
        static_cast<int32_t>(std::nearbyint(scaled)) + zero[g], qmin, qmax);
    store(out.data, i, q, scheme.bits);
    double back = double(q - zero[g]) * scale;
    if (scheme.keepDequantized)
      out.dequantized[i] = static_cast<float>(back);
    if (std::isfinite(v)) {
      double err = std::fabs(back - v);
      out.maxAbsError = std::max(out.maxAbsError, err);
      out.sumSquaredError += err * err;
      out.sumSquared += double(v) * v;
    }
  }
  if (!scheme.symmetric) {
    size_t zbytes = scheme.bits == 8 ? size_t(groups) : size_t(groups + 1) / 2;
    out.zeroPoints.assign(zbytes, 0);
    for (int64_t g = 0; g < groups; ++g)
      store(out.zeroPoints, g, zero[g], scheme.bits);
  }
  return out;
}
