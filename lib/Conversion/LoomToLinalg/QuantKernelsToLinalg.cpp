//===- QuantKernelsToLinalg.cpp - integer matmuls and convolutions --------===//
//
// MatMulInteger, ConvInteger, QLinearMatMul and QLinearConv. Each operand
// is widened to i32 with its zero point subtracted (one elementwise
// generic), then the float kernels' own lowerings (Kernels.h) run on i32:
// padding with 0 after the shift equals padding with the zero point
// before it. The QLinear ops then requantize the i32 accumulator as ONNX
// Runtime does: `acc * (scale_a * scale_b / scale_y)` in f32, rounded half
// to even, plus the output zero point, saturated.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "Kernels.h"
#include "LoweringUtils.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;

namespace loom::linalg_lowering {
namespace {

/// `perAxis` (a scalar, a 1-D tensor of one value per index of `axis`, or
/// a tensor of `target`'s rank) shaped to broadcast against `target`
/// numpy-style: a 1-D one gets trailing 1s after `axis`. Null stays null.
FailureOr<Value> alignTo(OpBuilder &b, Location loc, Value perAxis,
                         RankedTensorType target, int64_t axis) {
  if (!perAxis)
    return Value();
  auto type = rankedType(perAxis);
  if (!type)
    return failure();
  if (type.getRank() != 1 || target.getRank() <= 1 ||
      axis == target.getRank() - 1)
    return perAxis;
  SmallVector<int64_t> shape(target.getRank() - axis, 1);
  shape[0] = type.getDimSize(0);
  return reshapeTo(b, loc, perAxis,
                   RankedTensorType::get(shape, type.getElementType()));
}

/// `value - zeroPoint` as i32 (`value` widened when there is none).
FailureOr<Value> shifted(OpBuilder &b, Location loc, Value value,
                         Value zeroPoint) {
  auto type = cast<RankedTensorType>(value.getType());
  auto resultType = type.clone(b.getI32Type());
  SmallVector<Value> operands{value};
  if (zeroPoint)
    operands.push_back(zeroPoint);
  return buildElementwise(
      b, loc, resultType, operands,
      [](OpBuilder &b, Location loc, ValueRange args) {
        Value wide = widenToI32(b, loc, args[0]);
        if (args.size() == 1)
          return wide;
        return arith::SubIOp::create(b, loc, wide, widenToI32(b, loc, args[1]))
            .getResult();
      });
}

/// The i32 product of MatMulInteger's or QLinearMatMul's operands. A
/// zero point (and a scale) per row of A is a 1-D [M], reshaped to [M, 1].
FailureOr<Value> integerMatMul(Operation *op, OpBuilder &b, Value a,
                               Value aZero, Value bMatrix, Value bZero,
                               ArrayRef<int64_t> shape) {
  Location loc = op->getLoc();
  auto aType = cast<RankedTensorType>(a.getType());
  FailureOr<Value> aAligned =
      alignTo(b, loc, aZero, aType, aType.getRank() - 2);
  if (failed(aAligned))
    return refuse(op, "an unranked zero point");
  FailureOr<Value> lhs = shifted(b, loc, a, *aAligned);
  FailureOr<Value> rhs = shifted(b, loc, bMatrix, bZero);
  if (failed(lhs) || failed(rhs))
    return refuse(op, "zero points that do not broadcast to their operand");
  return lowerMatMul(op, b, *lhs, *rhs,
                     RankedTensorType::get(shape, b.getI32Type()));
}

/// The i32 convolution of ConvInteger's or QLinearConv's operands; the
/// weight's zero point may be one per output channel.
template <typename ConvLikeOp>
FailureOr<Value> integerConv(ConvLikeOp op, OpBuilder &b, Value x, Value xZero,
                             Value w, Value wZero, ArrayRef<int64_t> shape) {
  Location loc = op.getLoc();
  FailureOr<Value> wAligned =
      alignTo(b, loc, wZero, cast<RankedTensorType>(w.getType()), 0);
  if (failed(wAligned))
    return refuse(op, "an unranked zero point");
  FailureOr<Value> input = shifted(b, loc, x, xZero);
  FailureOr<Value> kernel = shifted(b, loc, w, *wAligned);
  if (failed(input) || failed(kernel))
    return refuse(op, "zero points that do not broadcast to their operand");
  return lowerConvolution(op, b, *input, *kernel, ConvAttributes::of(op),
                          RankedTensorType::get(shape, b.getI32Type()));
}

/// `saturate(round(acc * (scaleA * scaleB / scaleY)) + zeroY)` into
/// `resultType`; the scales and zero point already broadcast to `acc`.
FailureOr<Value> requantize(Operation *op, OpBuilder &b, Value acc,
                            Value scaleA, Value scaleB, Value scaleY,
                            Value zeroY, RankedTensorType resultType) {
  auto element = cast<IntegerType>(resultType.getElementType());
  FailureOr<Value> y = buildElementwise(
      b, op->getLoc(), resultType, {acc, scaleA, scaleB, scaleY, zeroY},
      [&](OpBuilder &b, Location loc, ValueRange args) {
        // In the scales' type (f16 scales: as the reference computes), then
        // in f32.
        Value multiplier = arith::DivFOp::create(
            b, loc, arith::MulFOp::create(b, loc, args[1], args[2]), args[3]);
        if (!multiplier.getType().isF32())
          multiplier =
              arith::ExtFOp::create(b, loc, b.getF32Type(), multiplier);
        Value value = arith::MulFOp::create(
            b, loc, arith::SIToFPOp::create(b, loc, b.getF32Type(), args[0]),
            multiplier);
        return quantizeScalar(b, loc, value, args[4], element);
      });
  if (failed(y))
    return refuse(op, "scales or zero points that do not broadcast to the "
                      "result");
  return y;
}

/// The scales share one type of at most 32 bits (f32, f16, bf16).
LogicalResult requireScales(Operation *op, ValueRange scales) {
  Type type = getElementTypeOrSelf(scales.front().getType());
  for (Value scale : scales)
    if (getElementTypeOrSelf(scale.getType()) != type ||
        type.getIntOrFloatBitWidth() > 32)
      return refuse(op, "scales of different or 64-bit types");
  return success();
}

struct MatMulIntegerLowering : LoweringPattern<MatMulIntegerOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(MatMulIntegerOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    FailureOr<Value> y =
        integerMatMul(op, rewriter, adaptor.getA(), adaptor.getAZeroPoint(),
                      adaptor.getB(), adaptor.getBZeroPoint(),
                      cast<RankedTensorType>(op.getType()).getShape());
    if (failed(y))
      return failure();
    return SmallVector<Value>{*y};
  }
};

struct ConvIntegerLowering : LoweringPattern<ConvIntegerOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(ConvIntegerOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    FailureOr<Value> y =
        integerConv(op, rewriter, adaptor.getX(), adaptor.getXZeroPoint(),
                    adaptor.getW(), adaptor.getWZeroPoint(),
                    cast<RankedTensorType>(op.getType()).getShape());
    if (failed(y))
      return failure();
    return SmallVector<Value>{*y};
  }
};

struct QLinearMatMulLowering : LoweringPattern<QLinearMatMulOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(QLinearMatMulOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)) ||
        failed(requireScales(op,
                             {op.getAScale(), op.getBScale(), op.getYScale()})))
      return failure();
    auto resultType = cast<RankedTensorType>(op.getType());
    FailureOr<Value> acc = integerMatMul(
        op, rewriter, adaptor.getA(), adaptor.getAZeroPoint(), adaptor.getB(),
        adaptor.getBZeroPoint(), resultType.getShape());
    if (failed(acc))
      return failure();
    auto accType = cast<RankedTensorType>(acc->getType());
    FailureOr<Value> aScale =
        alignTo(rewriter, op.getLoc(), adaptor.getAScale(), accType,
                accType.getRank() - 2);
    if (failed(aScale))
      return refuse(op, "an unranked scale");
    FailureOr<Value> y =
        requantize(op, rewriter, *acc, *aScale, adaptor.getBScale(),
                   adaptor.getYScale(), adaptor.getYZeroPoint(), resultType);
    if (failed(y))
      return failure();
    return SmallVector<Value>{*y};
  }
};

struct QLinearConvLowering : LoweringPattern<QLinearConvOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(QLinearConvOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)) ||
        failed(requireScales(op,
                             {op.getXScale(), op.getWScale(), op.getYScale()})))
      return failure();
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    FailureOr<Value> acc = integerConv(
        op, rewriter, adaptor.getX(), adaptor.getXZeroPoint(), adaptor.getW(),
        adaptor.getWZeroPoint(), resultType.getShape());
    if (failed(acc))
      return failure();
    auto accType = cast<RankedTensorType>(acc->getType());
    // The bias and the weight's scales: one per output channel (axis 1).
    FailureOr<Value> bias = alignTo(rewriter, loc, adaptor.getB(), accType, 1);
    FailureOr<Value> wScale =
        alignTo(rewriter, loc, adaptor.getWScale(), accType, 1);
    if (failed(bias) || failed(wScale))
      return refuse(op, "an unranked bias or scale");
    if (*bias) {
      acc = buildElementwise(
          rewriter, loc, accType, {*acc, *bias},
          [](OpBuilder &b, Location loc, ValueRange args) {
            return arith::AddIOp::create(b, loc, args[0], args[1]).getResult();
          });
      if (failed(acc))
        return refuse(op, "a bias that does not match the output channels");
    }
    FailureOr<Value> y =
        requantize(op, rewriter, *acc, adaptor.getXScale(), *wScale,
                   adaptor.getYScale(), adaptor.getYZeroPoint(), resultType);
    if (failed(y))
      return failure();
    return SmallVector<Value>{*y};
  }
};

} // namespace

void populateQuantKernelPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulIntegerLowering, ConvIntegerLowering,
               QLinearMatMulLowering, QLinearConvLowering>(
      patterns.getContext());
}

} // namespace loom::linalg_lowering
