//===- ReductionToLinalg.cpp - reductions and normalizations to linalg ----===//
//
// ReduceSum/Mean/Max, Softmax, LogSoftmax, LayerNormalization and
// BatchNormalization (inference form): reductions in keepdims form
// (`reduce`) followed by elementwise generics that broadcast them back, so
// that the CPU pipeline can fuse the elementwise halves. Softmax subtracts
// the maximum first, as ONNX Runtime does.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "LoweringUtils.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/ShapeInference.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

namespace loom::linalg_lowering {
namespace {

/// Drops the reduced (size-1) dimensions of a keepdims result when the op's
/// result has fewer dimensions.
FailureOr<Value> matchResult(OpBuilder &b, Location loc, Value value,
                             RankedTensorType resultType) {
  return reshapeTo(b, loc, value, resultType);
}

template <typename OpTy>
struct ReduceLowering : LoweringPattern<OpTy> {
  using LoweringPattern<OpTy>::LoweringPattern;
  using Adaptor = typename OpTy::Adaptor;

  FailureOr<SmallVector<Value>>
  lower(OpTy op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    Location loc = op.getLoc();
    Value data = adaptor.getData();
    auto type = cast<RankedTensorType>(data.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    if (element.isUnsignedInteger())
      return refuse(op, "unsigned integer reduction");
    int64_t rank = type.getRank();
    SmallVector<int64_t> axes;
    if (Value axesValue = op.getAxes()) {
      std::optional<SmallVector<int64_t>> values = getConstantInts(axesValue);
      if (!values)
        return refuse(op, "axes is not a constant");
      for (int64_t axis : *values) {
        if (axis < -rank || axis >= rank)
          return refuse(op, "axis out of range");
        axes.push_back(normalizeAxis(axis, rank));
      }
    }
    if (axes.empty()) {
      if (op.getNoopWithEmptyAxes())
        return SmallVector<Value>{data};
      for (int64_t d = 0; d < rank; ++d)
        axes.push_back(d);
    }
    llvm::sort(axes);
    axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
    constexpr bool isMax = std::is_same_v<OpTy, ReduceMaxOp>;
    constexpr bool isMean = std::is_same_v<OpTy, ReduceMeanOp>;
    if (isMean && !isa<FloatType>(element))
      return refuse(op, "integer ReduceMean");
    FailureOr<Value> reduced =
        reduce(rewriter, loc, data, axes, isMax ? ReduceKind::Max : ReduceKind::Sum);
    if (failed(reduced))
      return failure();
    Value result = *reduced;
    if (isMean) {
      Value count = countOver(rewriter, loc, data, axes, element);
      FailureOr<Value> mean = buildElementwise(
          rewriter, loc, cast<RankedTensorType>(result.getType()), result,
          [&](OpBuilder &b, Location bodyLoc, ValueRange args) -> Value {
            return arith::DivFOp::create(b, bodyLoc, args[0], count);
          });
      if (failed(mean))
        return failure();
      result = *mean;
    }
    FailureOr<Value> shaped = matchResult(rewriter, loc, result, resultType);
    if (failed(shaped))
      return refuse(op, "result shape");
    return SmallVector<Value>{*shaped};
  }
};

/// Softmax and LogSoftmax along one axis (the opset-13 form).
template <typename OpTy>
struct SoftmaxLowering : LoweringPattern<OpTy> {
  using LoweringPattern<OpTy>::LoweringPattern;
  using Adaptor = typename OpTy::Adaptor;

  FailureOr<SmallVector<Value>>
  lower(OpTy op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    Location loc = op.getLoc();
    Value x = adaptor.getX();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    int64_t axis = op.getAxis();
    if (axis < -rank || axis >= rank)
      return refuse(op, "axis out of range");
    axis = normalizeAxis(axis, rank);
    FailureOr<Value> max = reduce(rewriter, loc, x, axis, ReduceKind::Max);
    if (failed(max))
      return failure();
    FailureOr<Value> exp = buildElementwise(
        rewriter, loc, type, ValueRange{x, *max},
        [&](OpBuilder &b, Location bodyLoc, ValueRange args) -> Value {
          Value shifted = arith::SubFOp::create(b, bodyLoc, args[0], args[1]);
          return math::ExpOp::create(b, bodyLoc, shifted);
        });
    if (failed(exp))
      return refuse(op, "dynamic sizes");
    FailureOr<Value> sum = reduce(rewriter, loc, *exp, axis, ReduceKind::Sum);
    if (failed(sum))
      return failure();
    constexpr bool isLog = std::is_same_v<OpTy, LogSoftmaxOp>;
    FailureOr<Value> result;
    if (isLog)
      result = buildElementwise(
          rewriter, loc, type, ValueRange{x, *max, *sum},
          [&](OpBuilder &b, Location bodyLoc, ValueRange args) -> Value {
            Value shifted = arith::SubFOp::create(b, bodyLoc, args[0], args[1]);
            Value logSum = math::LogOp::create(b, bodyLoc, args[2]);
            return arith::SubFOp::create(b, bodyLoc, shifted, logSum);
          });
    else
      result = buildElementwise(
          rewriter, loc, type, ValueRange{*exp, *sum},
          [&](OpBuilder &b, Location bodyLoc, ValueRange args) -> Value {
            return arith::DivFOp::create(b, bodyLoc, args[0], args[1]);
          });
    if (failed(result))
      return refuse(op, "dynamic sizes");
    return SmallVector<Value>{*result};
  }
};

/// LayerNormalization over [axis, rank): (x - mean) / sqrt(var + eps) *
/// scale + B, with the population variance.
struct LayerNormLowering : LoweringPattern<LayerNormalizationOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(LayerNormalizationOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    if (op->getNumResults() != 1)
      return refuse(op, "Mean and InvStdDev outputs");
    Location loc = op.getLoc();
    Value x = adaptor.getX();
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    int64_t rank = type.getRank();
    int64_t axis = op.getAxis();
    if (axis < -rank || axis >= rank)
      return refuse(op, "axis out of range");
    axis = normalizeAxis(axis, rank);
    SmallVector<int64_t> axes;
    for (int64_t d = axis; d < rank; ++d)
      axes.push_back(d);
    Value count = countOver(rewriter, loc, x, axes, element);
    FailureOr<Value> sum = reduce(rewriter, loc, x, axes, ReduceKind::Sum);
    if (failed(sum))
      return failure();
    auto keptType = cast<RankedTensorType>(sum->getType());
    auto divide = [&](Value value) {
      return buildElementwise(
          rewriter, loc, keptType, value,
          [&](OpBuilder &b, Location bodyLoc, ValueRange args) -> Value {
            return arith::DivFOp::create(b, bodyLoc, args[0], count);
          });
    };
    FailureOr<Value> mean = divide(*sum);
    if (failed(mean))
      return failure();
    FailureOr<Value> squares = buildElementwise(
        rewriter, loc, type, ValueRange{x, *mean},
        [&](OpBuilder &b, Location bodyLoc, ValueRange args) -> Value {
          Value d = arith::SubFOp::create(b, bodyLoc, args[0], args[1]);
          return arith::MulFOp::create(b, bodyLoc, d, d);
        });
    if (failed(squares))
      return refuse(op, "dynamic sizes");
    FailureOr<Value> squareSum =
        reduce(rewriter, loc, *squares, axes, ReduceKind::Sum);
    if (failed(squareSum))
      return failure();
    FailureOr<Value> variance = divide(*squareSum);
    if (failed(variance))
      return failure();
    double epsilon = op.getEpsilon().convertToDouble();
    SmallVector<Value> operands{x, *mean, *variance, adaptor.getScale()};
    if (Value bias = adaptor.getB())
      operands.push_back(bias);
    FailureOr<Value> result = buildElementwise(
        rewriter, loc, type, operands,
        [&](OpBuilder &b, Location bodyLoc, ValueRange args) -> Value {
          Value eps = createScalar(b, bodyLoc, element, epsilon);
          Value centered = arith::SubFOp::create(b, bodyLoc, args[0], args[1]);
          Value stddev = math::SqrtOp::create(
              b, bodyLoc, arith::AddFOp::create(b, bodyLoc, args[2], eps));
          Value y = arith::MulFOp::create(
              b, bodyLoc, arith::DivFOp::create(b, bodyLoc, centered, stddev),
              args[3]);
          if (args.size() > 4)
            y = arith::AddFOp::create(b, bodyLoc, y, args[4]);
          return y;
        });
    if (failed(result))
      return refuse(op, "Scale or B does not broadcast to the input");
    return SmallVector<Value>{*result};
  }
};

/// BatchNormalization in inference form: per channel (axis 1),
/// (x - mean) / sqrt(var + eps) * scale + B.
struct BatchNormLowering : LoweringPattern<BatchNormalizationOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(BatchNormalizationOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    if (op->getNumResults() != 1)
      return refuse(op, "training mode (running mean and variance outputs)");
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    if (rank < 2)
      return refuse(op, "input rank below 2");
    Type element = type.getElementType();
    MLIRContext *context = rewriter.getContext();
    AffineMap channel = AffineMap::get(rank, 0, getAffineDimExpr(1, context),
                                       context);
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank), channel,
                                channel, channel, channel,
                                rewriter.getMultiDimIdentityMap(rank)};
    FailureOr<Value> init = createEmptyLike(rewriter, loc, type, adaptor.getX());
    if (failed(init))
      return refuse(op, "dynamic sizes");
    double epsilon = op.getEpsilon().convertToDouble();
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, type,
            ValueRange{adaptor.getX(), adaptor.getScale(), adaptor.getB(),
                       adaptor.getInputMean(), adaptor.getInputVar()},
            *init, maps, parallelIterators(rank),
            [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
              Value eps = createScalar(b, bodyLoc, element, epsilon);
              Value centered =
                  arith::SubFOp::create(b, bodyLoc, args[0], args[3]);
              Value stddev = math::SqrtOp::create(
                  b, bodyLoc, arith::AddFOp::create(b, bodyLoc, args[4], eps));
              Value y = arith::MulFOp::create(
                  b, bodyLoc,
                  arith::DivFOp::create(b, bodyLoc, centered, stddev), args[1]);
              linalg::YieldOp::create(
                  b, bodyLoc,
                  arith::AddFOp::create(b, bodyLoc, y, args[2]).getResult());
            })
            .getResult(0);
    return SmallVector<Value>{result};
  }
};

} // namespace

void populateReductionPatterns(RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<ReduceSumOp>, ReduceLowering<ReduceMeanOp>,
               ReduceLowering<ReduceMaxOp>, SoftmaxLowering<SoftmaxOp>,
               SoftmaxLowering<LogSoftmaxOp>, LayerNormLowering,
               BatchNormLowering>(patterns.getContext());
}

} // namespace loom::linalg_lowering
