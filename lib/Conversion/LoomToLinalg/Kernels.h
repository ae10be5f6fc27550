//===- Kernels.h - matmul, convolution and quantization helpers -*- C++ -*-===//
//
// The float kernels' lowerings as functions over already-converted
// operands, so the integer kernels (MatMulInteger, ConvInteger and the
// QLinear ops) reuse them on i32 tensors: one definition of the window
// arithmetic and of numpy's matmul broadcasting. And the scalar rules of
// quantization (QuantToLinalg.cpp), shared with the QLinear ops.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_CONVERSION_LOOMTOLINALG_KERNELS_H
#define LOOM_LIB_CONVERSION_LOOMTOLINALG_KERNELS_H

#include "loom/Dialect/Loom/IR/LoomOps.h"

#include "mlir/IR/Builders.h"

#include <optional>

namespace loom::linalg_lowering {

/// numpy.matmul of `lhs` by `rhs` (1-D promotion, batch broadcasting) into
/// `resultType`, accumulated in its element type. Refuses on `op`.
mlir::FailureOr<mlir::Value> lowerMatMul(mlir::Operation *op,
                                         mlir::OpBuilder &b, mlir::Value lhs,
                                         mlir::Value rhs,
                                         mlir::RankedTensorType resultType);

/// A Conv's window attributes, ONNX defaults not yet applied.
struct ConvAttributes {
  std::optional<llvm::ArrayRef<int64_t>> kernelShape, strides, dilations, pads;
  AutoPad autoPad = AutoPad::NOTSET;
  int64_t group = 1;

  template <typename ConvLikeOp> static ConvAttributes of(ConvLikeOp op) {
    return {op.getKernelShape(), op.getStrides(), op.getDilations(),
            op.getPads(),        op.getAutoPad(), op.getGroup()};
  }
};

/// The 1-D or 2-D convolution of `x` by `w` (no bias) into `resultType`,
/// padded with zeros of its element type. Refuses on `op`.
mlir::FailureOr<mlir::Value>
lowerConvolution(mlir::Operation *op, mlir::OpBuilder &b, mlir::Value x,
                 mlir::Value w, const ConvAttributes &attributes,
                 mlir::RankedTensorType resultType);

/// Refuses (on `op`) element types other than 8- and 16-bit integers.
mlir::LogicalResult requireQuantInteger(mlir::Operation *op, mlir::Type type);

/// A float scalar clamped to `type`'s range and converted to it (already
/// rounded: the conversion truncates).
mlir::Value saturateTo(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value value, mlir::IntegerType type);

/// `saturate(round_half_even(value) + zeroPoint)` as `type`; `zeroPoint`
/// (an integer scalar of any signedness) may be null.
mlir::Value quantizeScalar(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value value, mlir::Value zeroPoint,
                           mlir::IntegerType type);

} // namespace loom::linalg_lowering

#endif // LOOM_LIB_CONVERSION_LOOMTOLINALG_KERNELS_H
