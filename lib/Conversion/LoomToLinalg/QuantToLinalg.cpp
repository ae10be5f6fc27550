//===- QuantToLinalg.cpp - linear quantization to linalg.generic ----------===//
//
// QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear as
// `linalg.generic`s. A scale (and zero point) is read through an indexing
// map that picks the element's group: one scale, one per index along
// `axis`, or one per block of `block_size` along it (`d floordiv
// block_size`). Integers are 8 or 16 bits, signed or unsigned (unsigned
// ones are computed on as signless: toSignless); 4-bit ones are refused
// until the runtime binds them. Rounding is half to even, as ONNX and ONNX
// Runtime round.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "Kernels.h"
#include "LoweringUtils.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace loom::linalg_lowering {

LogicalResult requireQuantInteger(Operation *op, Type type) {
  auto integer = dyn_cast<IntegerType>(type);
  if (integer && (integer.getWidth() == 8 || integer.getWidth() == 16))
    return success();
  if (integer && integer.getWidth() == 4)
    return refuse(op, "4-bit integers (the runtime binds no 4-bit tensor "
                      "yet)");
  return refuse(op, "element types other than 8- and 16-bit integers");
}

Value saturateTo(OpBuilder &b, Location loc, Value value, IntegerType type) {
  unsigned width = type.getWidth();
  double lowest = type.isUnsigned() ? 0.0 : -std::ldexp(1.0, width - 1);
  double highest = type.isUnsigned() ? std::ldexp(1.0, width) - 1.0
                                     : std::ldexp(1.0, width - 1) - 1.0;
  Type floatType = value.getType();
  // NaN becomes the lowest value (num: the non-NaN operand wins).
  // (One statement each: argument order would make the IR compiler-
  // dependent.)
  Value low = createScalar(b, loc, floatType, lowest);
  Value high = createScalar(b, loc, floatType, highest);
  Value clamped = arith::MaxNumFOp::create(b, loc, value, low);
  clamped = arith::MinNumFOp::create(b, loc, clamped, high);
  Value wide = arith::FPToSIOp::create(b, loc, b.getI32Type(), clamped);
  Value narrow =
      width == 32
          ? wide
          : arith::TruncIOp::create(b, loc, b.getIntegerType(width), wide)
                .getResult();
  return fromSignless(b, loc, narrow, type);
}

Value quantizeScalar(OpBuilder &b, Location loc, Value value, Value zeroPoint,
                     IntegerType type) {
  Value rounded = math::RoundEvenOp::create(b, loc, value);
  if (zeroPoint)
    rounded = arith::AddFOp::create(
        b, loc, rounded,
        arith::SIToFPOp::create(b, loc, value.getType(),
                                widenToI32(b, loc, zeroPoint)));
  return saturateTo(b, loc, rounded, type);
}

namespace {

/// The scale's indexing map for an element of `xType`: () per tensor,
/// (d_axis) per axis, the identity with d_axis floordiv block when blocked.
FailureOr<AffineMap> groupMap(Operation *op, RankedTensorType xType,
                              RankedTensorType scaleType, int64_t axis,
                              int64_t block) {
  int64_t rank = xType.getRank();
  MLIRContext *context = op->getContext();
  if (axis < 0)
    axis += rank;
  if (scaleType.getRank() == 0)
    return AffineMap::get(rank, 0, {}, context);
  if (scaleType.getRank() == 1 && scaleType.getDimSize(0) == 1 && block == 0)
    return AffineMap::get(rank, 0, {getAffineConstantExpr(0, context)},
                          context);
  if (block == 0 && scaleType.getRank() == 1 && axis >= 0 && axis < rank)
    return AffineMap::get(rank, 0, {getAffineDimExpr(axis, context)}, context);
  if (block > 0 && scaleType.getRank() == rank && axis >= 0 && axis < rank) {
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d)
      exprs.push_back(d == axis ? getAffineDimExpr(d, context).floorDiv(block)
                                : getAffineDimExpr(d, context));
    return AffineMap::get(rank, 0, exprs, context);
  }
  return refuse(op, "scales of a shape that matches no granularity");
}

/// One elementwise generic over `resultType` reading `x` by the identity
/// and the scale (and zero point) by `group`.
template <typename Body>
FailureOr<Value> buildGrouped(ConversionPatternRewriter &rewriter,
                              Operation *op, RankedTensorType resultType,
                              Value x, Value scale, Value zeroPoint,
                              AffineMap group, Body body) {
  int64_t rank = resultType.getRank();
  Location loc = op->getLoc();
  FailureOr<Value> init = createEmptyLike(rewriter, loc, resultType, {x});
  if (failed(init))
    return refuse(op, "a dynamic size with nothing to read it from");
  SmallVector<Value> inputs{x, scale};
  SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank), group};
  if (zeroPoint) {
    inputs.push_back(zeroPoint);
    maps.push_back(group);
  }
  maps.push_back(rewriter.getMultiDimIdentityMap(rank));
  return linalg::GenericOp::create(
             rewriter, loc, TypeRange{resultType}, inputs, ValueRange{*init},
             maps, parallelIterators(rank),
             [&](OpBuilder &b, Location loc, ValueRange args) {
               Value zero = zeroPoint ? args[2] : Value();
               linalg::YieldOp::create(
                   b, loc, ValueRange{body(b, loc, args[0], args[1], zero)});
             })
      .getResult(0);
}

struct DequantizeLinearLowering : LoweringPattern<DequantizeLinearOp> {
  using LoweringPattern::LoweringPattern;

  FailureOr<SmallVector<Value>>
  lower(DequantizeLinearOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    auto xType = cast<RankedTensorType>(op.getX().getType());
    auto resultType = cast<RankedTensorType>(op.getY().getType());
    auto element = dyn_cast<IntegerType>(xType.getElementType());
    if (!element || element.getWidth() != 32)
      if (failed(requireQuantInteger(op, xType.getElementType())))
        return failure();
    Type resultElement = resultType.getElementType();
    if (!resultElement.isF32() && !resultElement.isF16() &&
        !resultElement.isBF16())
      return refuse(op, "results other than f32, f16 and bf16");
    FailureOr<AffineMap> group =
        groupMap(op, xType, cast<RankedTensorType>(op.getXScale().getType()),
                 op.getAxis(), op.getBlockSize());
    if (failed(group))
      return failure();
    FailureOr<Value> y = buildGrouped(
        rewriter, op, resultType, adaptor.getX(), adaptor.getXScale(),
        adaptor.getXZeroPoint(), *group,
        [&](OpBuilder &b, Location loc, Value x, Value scale, Value zero) {
          Value value = widenToI32(b, loc, x);
          if (zero)
            value =
                arith::SubIOp::create(b, loc, value, widenToI32(b, loc, zero));
          Value f = arith::SIToFPOp::create(b, loc, b.getF32Type(), value);
          // A 16-bit scale: the product in f32 is exact for 8-bit integers,
          // so one rounding to the result type is what a 16-bit multiply
          // gives.
          if (!resultElement.isF32())
            scale = arith::ExtFOp::create(b, loc, b.getF32Type(), scale);
          Value y = arith::MulFOp::create(b, loc, f, scale);
          if (!resultElement.isF32())
            y = arith::TruncFOp::create(b, loc, resultElement, y);
          return y;
        });
    if (failed(y))
      return failure();
    return SmallVector<Value>{*y};
  }
};

struct QuantizeLinearLowering : LoweringPattern<QuantizeLinearOp> {
  using LoweringPattern::LoweringPattern;

  FailureOr<SmallVector<Value>>
  lower(QuantizeLinearOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    auto xType = cast<RankedTensorType>(op.getX().getType());
    auto resultType = cast<RankedTensorType>(op.getY().getType());
    if (failed(requireQuantInteger(op, resultType.getElementType())))
      return failure();
    if (!xType.getElementType().isF32())
      return refuse(op, "only f32 inputs");
    auto element = cast<IntegerType>(resultType.getElementType());
    FailureOr<AffineMap> group =
        groupMap(op, xType, cast<RankedTensorType>(op.getYScale().getType()),
                 op.getAxis(), op.getBlockSize());
    if (failed(group))
      return failure();
    // The result's element type is the unsigned or signed one; the generic
    // yields it through fromSignless.
    FailureOr<Value> y = buildGrouped(
        rewriter, op, resultType, adaptor.getX(), adaptor.getYScale(),
        adaptor.getYZeroPoint(), *group,
        [&](OpBuilder &b, Location loc, Value x, Value scale, Value zero) {
          return quantizeScalar(b, loc, arith::DivFOp::create(b, loc, x, scale),
                                zero, element);
        });
    if (failed(y))
      return failure();
    return SmallVector<Value>{*y};
  }
};

/// Two passes over `x`: its range (with 0) in one reduction, then the
/// quantization by the scale and zero point computed from it. ONNX
/// Runtime's rules are kept: a range of 0 gives scale 1, NaNs are left out
/// of the range and quantize to 0.
struct DynamicQuantizeLinearLowering
    : LoweringPattern<DynamicQuantizeLinearOp> {
  using LoweringPattern::LoweringPattern;

  FailureOr<SmallVector<Value>>
  lower(DynamicQuantizeLinearOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    Location loc = op.getLoc();
    Value x = adaptor.getX();
    auto xType = cast<RankedTensorType>(x.getType());
    auto resultType = cast<RankedTensorType>(op.getY().getType());
    auto u8 = cast<IntegerType>(resultType.getElementType());
    int64_t rank = xType.getRank();
    Type f32 = rewriter.getF32Type();
    auto scalarF32 = RankedTensorType::get({}, f32);
    auto scalarU8 = RankedTensorType::get({}, u8);
    MLIRContext *context = op.getContext();
    AffineMap toScalar = AffineMap::get(rank, 0, {}, context);

    // lo = min(0, min x), hi = max(0, max x): both start at 0.
    Value zero = createScalar(rewriter, loc, f32, 0.0);
    Value empty =
        tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{}, f32);
    Value init =
        linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
    SmallVector<utils::IteratorType> reduction(rank,
                                               utils::IteratorType::reduction);
    auto range = linalg::GenericOp::create(
        rewriter, loc, TypeRange{scalarF32, scalarF32}, ValueRange{x},
        ValueRange{init, init},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank), toScalar,
                            toScalar},
        reduction, [](OpBuilder &b, Location loc, ValueRange args) {
          linalg::YieldOp::create(
              b, loc,
              ValueRange{arith::MinNumFOp::create(b, loc, args[1], args[0]),
                         arith::MaxNumFOp::create(b, loc, args[2], args[0])});
        });

    // scale = (hi - lo) / 255 (1 when the range is 0); zero point =
    // saturate(round(-lo / scale)).
    AffineMap scalar = AffineMap::get(0, 0, {}, context);
    auto params = linalg::GenericOp::create(
        rewriter, loc, TypeRange{scalarF32, scalarU8},
        ValueRange{range.getResult(0), range.getResult(1)},
        ValueRange{empty, tensor::EmptyOp::create(rewriter, loc,
                                                  ArrayRef<int64_t>{}, u8)
                              .getResult()},
        ArrayRef<AffineMap>{scalar, scalar, scalar, scalar},
        ArrayRef<utils::IteratorType>{},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value span = arith::SubFOp::create(b, loc, args[1], args[0]);
          Value scale = arith::DivFOp::create(b, loc, span,
                                              createScalar(b, loc, f32, 255.0));
          Value isZero =
              arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, span,
                                    createScalar(b, loc, f32, 0.0));
          scale = arith::SelectOp::create(
              b, loc, isZero, createScalar(b, loc, f32, 1.0), scale);
          Value shifted = arith::DivFOp::create(
              b, loc, arith::NegFOp::create(b, loc, args[0]), scale);
          linalg::YieldOp::create(
              b, loc,
              ValueRange{scale, quantizeScalar(b, loc, shifted, Value(), u8)});
        });

    FailureOr<Value> y = buildGrouped(
        rewriter, op, resultType, x, params.getResult(0), params.getResult(1),
        toScalar,
        [&](OpBuilder &b, Location loc, Value value, Value scale, Value zp) {
          return quantizeScalar(
              b, loc, arith::DivFOp::create(b, loc, value, scale), zp, u8);
        });
    if (failed(y))
      return failure();
    return SmallVector<Value>{*y, params.getResult(0), params.getResult(1)};
  }
};

} // namespace

void populateQuantPatterns(RewritePatternSet &patterns) {
  patterns.add<DequantizeLinearLowering, QuantizeLinearLowering,
               DynamicQuantizeLinearLowering>(patterns.getContext());
}

} // namespace loom::linalg_lowering
