//===- Quantization.h - linear quantization of weights ----------*- C++ -*-===//
//
// The arithmetic of ONNX's linear quantization, shared by `loom-quantize`
// and its tests: per-tensor, per-axis or blocked scales (and zero points
// when asymmetric) for 8- or 4-bit integers, values rounded half to even as
// QuantizeLinear does, 4-bit values packed two to a byte as ONNX stores
// them (the first in the low nibble).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_UTILS_QUANTIZATION_H
#define LOOM_DIALECT_LOOM_UTILS_QUANTIZATION_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <vector>

namespace loom {

struct QuantScheme {
  unsigned bits = 8; // 8 or 4
  /// Signed integers in [-(2^(b-1) - 1), 2^(b-1) - 1], zero point 0;
  /// otherwise unsigned in [0, 2^b - 1] with a zero point.
  bool symmetric = true;
  /// The axis scales run along (per-axis or blocked); -1: one scale.
  int64_t axis = -1;
  /// Non-zero: blocks of this many elements along `axis` share a scale.
  int64_t blockSize = 0;
  /// Scales rounded to float16 (stored as such): the integers are computed
  /// with the rounded scale, so dequantization gives what was measured.
  bool halfScales = false;
  /// Also return every element's dequantized value (QuantizedTensor::
  /// dequantized), for simulations.
  bool keepDequantized = false;
};

struct QuantizedTensor {
  /// One byte per element for 8 bits; two elements per byte for 4.
  std::vector<char> data;
  std::vector<float> scales;
  /// Unsigned zero points (asymmetric only), one per scale, one byte each
  /// for 8 bits, packed like `data` for 4.
  std::vector<char> zeroPoints;
  /// The scales' (and zero points') shape: [] per tensor, [D] per axis, the
  /// tensor's shape with ceil(D / block) along the axis when blocked.
  llvm::SmallVector<int64_t> scaleShape;
  /// Per element: the value dequantization gives back, and the largest
  /// absolute error, for reports.
  double maxAbsError = 0, sumSquaredError = 0, sumSquared = 0;
  /// With QuantScheme::keepDequantized: (q - zero point) * scale per
  /// element, in float.
  std::vector<float> dequantized;
};

/// Quantizes `values` of `shape` (row-major) with `scheme`.
QuantizedTensor quantizeLinear(llvm::ArrayRef<float> values,
                               llvm::ArrayRef<int64_t> shape,
                               const QuantScheme &scheme);

/// The integer `i` of a packed 4-bit or 8-bit buffer.
int32_t quantizedAt(llvm::ArrayRef<char> data, int64_t i, unsigned bits,
                    bool isSigned);

} // namespace loom

#endif // LOOM_DIALECT_LOOM_UTILS_QUANTIZATION_H
