//===- TensorToLinalg.cpp - data movement ops to tensor and linalg --------===//
//
// Reshapes (Reshape, Flatten, Squeeze, Unsqueeze: the result type says the
// shape), Transpose, Concat, Split, Slice (constant starts/ends/axes/steps,
// ONNX's clamping, negative steps), Gather (negative indices wrap; indices
// out of range are clamped, never read outside the tensor), Expand, Shape,
// and the leaves: constants and weights.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "LoweringUtils.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/ShapeInference.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;

namespace loom::linalg_lowering {
namespace {

/// Ops whose result is their first operand with the result type's shape.
template <typename OpTy> struct ReshapeLikeLowering : LoweringPattern<OpTy> {
  using LoweringPattern<OpTy>::LoweringPattern;
  using Adaptor = typename OpTy::Adaptor;
  FailureOr<SmallVector<Value>>
  lower(OpTy op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    FailureOr<Value> result = reshapeTo(
        rewriter, op.getLoc(), adaptor.getOperands().front(), resultType);
    if (failed(result))
      return refuse(op, "more than one dynamic dimension in the result "
                        "(give the input shapes)");
    return SmallVector<Value>{*result};
  }
};

struct TransposeLowering : LoweringPattern<TransposeOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(TransposeOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    Location loc = op.getLoc();
    Value input = adaptor.getData();
    auto type = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank();
    SmallVector<int64_t> perm;
    if (auto given = op.getPerm())
      perm.assign(given->begin(), given->end());
    else
      for (int64_t d = rank - 1; d >= 0; --d)
        perm.push_back(d);
    if (static_cast<int64_t>(perm.size()) != rank)
      return refuse(op, "perm does not match the rank");
    SmallVector<OpFoldResult> sizes;
    for (int64_t d : perm) {
      if (d < 0 || d >= rank)
        return refuse(op, "perm out of range");
      sizes.push_back(
          type.isDynamicDim(d)
              ? OpFoldResult(
                    rewriter.createOrFold<tensor::DimOp>(loc, input, d))
              : OpFoldResult(rewriter.getIndexAttr(type.getDimSize(d))));
    }
    Value init =
        tensor::EmptyOp::create(rewriter, loc, sizes, type.getElementType());
    Value result = linalg::TransposeOp::create(rewriter, loc, input, init, perm)
                       .getResult()
                       .front();
    result = castTo(rewriter, loc, result, op.getType());
    return SmallVector<Value>{result};
  }
};

struct ConcatLowering : LoweringPattern<ConcatOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(ConcatOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    int64_t axis = op.getAxis();
    if (axis < -rank || axis >= rank)
      return refuse(op, "axis out of range");
    axis = normalizeAxis(axis, rank);
    Location loc = op.getLoc();
    Value result;
    if (adaptor.getInputs().size() == 1)
      result = adaptor.getInputs().front();
    else
      result =
          tensor::ConcatOp::create(rewriter, loc, axis, adaptor.getInputs());
    result = castTo(rewriter, loc, result, type);
    return SmallVector<Value>{result};
  }
};

/// Extracts `sizes` at `offsets` with `steps` (all per dimension), the
/// unsliced dimensions whole.
Value extract(OpBuilder &b, Location loc, Value input,
              ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
              ArrayRef<int64_t> steps, RankedTensorType resultType) {
  // An empty result reads nothing (and its offsets may equal the size).
  if (resultType.hasStaticShape() && resultType.getNumElements() == 0)
    return tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                   resultType.getElementType());
  SmallVector<OpFoldResult> o, s, t;
  for (size_t d = 0; d < offsets.size(); ++d) {
    o.push_back(b.getIndexAttr(offsets[d]));
    s.push_back(ShapedType::isDynamic(sizes[d])
                    ? OpFoldResult(b.createOrFold<tensor::DimOp>(loc, input, d))
                    : OpFoldResult(b.getIndexAttr(sizes[d])));
    t.push_back(b.getIndexAttr(steps[d]));
  }
  return tensor::ExtractSliceOp::create(b, loc, resultType, input, o, s, t);
}

struct SplitLowering : LoweringPattern<SplitOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(SplitOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank();
    int64_t axis = op.getAxis();
    if (axis < -rank || axis >= rank)
      return refuse(op, "axis out of range");
    axis = normalizeAxis(axis, rank);
    SmallVector<Value> results;
    int64_t offset = 0;
    for (Value output : op.getOutputs()) {
      auto outputType = cast<RankedTensorType>(output.getType());
      int64_t size = outputType.getDimSize(axis);
      if (ShapedType::isDynamic(size))
        return refuse(op, "dynamic split sizes");
      SmallVector<int64_t> offsets(rank, 0), sizes(type.getShape()),
          steps(rank, 1);
      offsets[axis] = offset;
      sizes[axis] = size;
      results.push_back(extract(rewriter, op.getLoc(), input, offsets, sizes,
                                steps, outputType));
      offset += size;
    }
    return results;
  }
};

/// Reverses `value` along `dims`.
Value reverse(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> dims) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rank = type.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d) {
    AffineExpr dim = b.getAffineDimExpr(d);
    exprs.push_back(llvm::is_contained(dims, d)
                        ? b.getAffineConstantExpr(type.getDimSize(d) - 1) - dim
                        : dim);
  }
  FailureOr<Value> init = createEmptyLike(b, loc, type, value);
  return linalg::GenericOp::create(
             b, loc, type, value, *init,
             ArrayRef<AffineMap>{AffineMap::get(rank, 0, exprs, b.getContext()),
                                 b.getMultiDimIdentityMap(rank)},
             parallelIterators(rank),
             [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               linalg::YieldOp::create(nested, nestedLoc, args[0]);
             })
      .getResult(0);
}

struct SliceLowering : LoweringPattern<SliceOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(SliceOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    Value input = adaptor.getData();
    auto type = cast<RankedTensorType>(input.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    std::optional<SmallVector<int64_t>> starts =
        getConstantInts(op.getStarts());
    std::optional<SmallVector<int64_t>> ends = getConstantInts(op.getEnds());
    if (!starts || !ends)
      return refuse(op, "starts or ends is not a constant");
    SmallVector<int64_t> axes, steps(starts->size(), 1);
    if (Value value = op.getAxes()) {
      std::optional<SmallVector<int64_t>> given = getConstantInts(value);
      if (!given)
        return refuse(op, "axes is not a constant");
      axes = *given;
    } else {
      for (size_t i = 0; i < starts->size(); ++i)
        axes.push_back(i);
    }
    if (Value value = op.getSteps()) {
      std::optional<SmallVector<int64_t>> given = getConstantInts(value);
      if (!given)
        return refuse(op, "steps is not a constant");
      steps = *given;
    }
    if (ends->size() != starts->size() || axes.size() != starts->size() ||
        steps.size() != starts->size())
      return refuse(op, "starts, ends, axes and steps differ in length");
    SmallVector<int64_t> offsets(rank, 0), sizes(type.getShape()),
        strides(rank, 1), reversed;
    for (size_t i = 0; i < axes.size(); ++i) {
      if (axes[i] < -rank || axes[i] >= rank)
        return refuse(op, "axis out of range");
      int64_t axis = normalizeAxis(axes[i], rank);
      int64_t dim = type.getDimSize(axis);
      int64_t step = steps[i];
      if (step == 0)
        return refuse(op, "a step of 0");
      int64_t start = (*starts)[i], end = (*ends)[i];
      if (ShapedType::isDynamic(dim)) {
        // A whole dynamic dimension (start 0, end past any size) is fine.
        if (step == 1 && start == 0 && end >= (int64_t(1) << 31))
          continue;
        return refuse(op, "slicing a dynamic dimension (give the input shape)");
      }
      if (start < 0)
        start += dim;
      if (end < 0)
        end += dim;
      int64_t size;
      if (step > 0) {
        start = std::clamp<int64_t>(start, 0, dim);
        end = std::clamp<int64_t>(end, 0, dim);
        size = end > start ? (end - start + step - 1) / step : 0;
        offsets[axis] = start;
      } else {
        start = std::clamp<int64_t>(start, 0, dim - 1);
        end = std::clamp<int64_t>(end, -1, dim - 1);
        size = start > end ? (start - end - step - 1) / -step : 0;
        // The same elements in increasing order, reversed afterwards.
        offsets[axis] = size > 0 ? start + (size - 1) * step : 0;
        reversed.push_back(axis);
      }
      sizes[axis] = size;
      strides[axis] = std::abs(step);
    }
    SmallVector<int64_t> shape(sizes);
    auto sliceType = RankedTensorType::get(shape, type.getElementType());
    Value result = extract(rewriter, op.getLoc(), input, offsets, sizes,
                           strides, sliceType);
    if (!reversed.empty())
      result = reverse(rewriter, op.getLoc(), result, reversed);
    result = castTo(rewriter, op.getLoc(), result, resultType);
    return SmallVector<Value>{result};
  }
};

/// Gather: out[i..., j..., k...] = data[i..., wrap(indices[j...]), k...].
struct GatherLowering : LoweringPattern<GatherOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(GatherOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    Location loc = op.getLoc();
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    auto dataType = cast<RankedTensorType>(data.getType());
    auto indicesType = cast<RankedTensorType>(indices.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = dataType.getRank(), q = indicesType.getRank();
    int64_t axis = op.getAxis();
    if (axis < -rank || axis >= rank)
      return refuse(op, "axis out of range");
    axis = normalizeAxis(axis, rank);
    int64_t resultRank = resultType.getRank();
    // Dynamic result sizes: from data before and after the axis, from the
    // indices in between.
    SmallVector<Value> dynamicSizes;
    for (int64_t d = 0; d < resultRank; ++d) {
      if (!resultType.isDynamicDim(d))
        continue;
      if (d < axis)
        dynamicSizes.push_back(tensor::DimOp::create(rewriter, loc, data, d));
      else if (d < axis + q)
        dynamicSizes.push_back(
            tensor::DimOp::create(rewriter, loc, indices, d - axis));
      else
        dynamicSizes.push_back(
            tensor::DimOp::create(rewriter, loc, data, d - q + 1));
    }
    Value init =
        tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                resultType.getElementType(), dynamicSizes);
    SmallVector<AffineExpr> indexExprs;
    for (int64_t j = 0; j < q; ++j)
      indexExprs.push_back(rewriter.getAffineDimExpr(axis + j));
    AffineMap indicesMap =
        AffineMap::get(resultRank, 0, indexExprs, rewriter.getContext());
    Value axisSize = rewriter.createOrFold<tensor::DimOp>(loc, data, axis);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, indices, init,
        ArrayRef<AffineMap>{indicesMap,
                            rewriter.getMultiDimIdentityMap(resultRank)},
        parallelIterators(resultRank),
        [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
          Value index =
              arith::IndexCastOp::create(b, bodyLoc, b.getIndexType(), args[0]);
          Value zero = arith::ConstantIndexOp::create(b, bodyLoc, 0);
          Value one = arith::ConstantIndexOp::create(b, bodyLoc, 1);
          Value negative = arith::CmpIOp::create(
              b, bodyLoc, arith::CmpIPredicate::slt, index, zero);
          Value wrapped = arith::AddIOp::create(b, bodyLoc, index, axisSize);
          index = arith::SelectOp::create(b, bodyLoc, negative, wrapped, index);
          // Out of range is an error in ONNX; here it reads the nearest
          // element rather than memory outside the tensor.
          Value last = arith::SubIOp::create(b, bodyLoc, axisSize, one);
          index = arith::MaxSIOp::create(b, bodyLoc, index, zero);
          index = arith::MinSIOp::create(b, bodyLoc, index, last);
          SmallVector<Value> coordinates;
          for (int64_t d = 0; d < axis; ++d)
            coordinates.push_back(linalg::IndexOp::create(b, bodyLoc, d));
          coordinates.push_back(index);
          for (int64_t d = axis + 1; d < rank; ++d)
            coordinates.push_back(
                linalg::IndexOp::create(b, bodyLoc, d + q - 1));
          Value element =
              tensor::ExtractOp::create(b, bodyLoc, data, coordinates);
          linalg::YieldOp::create(b, bodyLoc, element);
        });
    return SmallVector<Value>{generic.getResult(0)};
  }
};

struct ExpandLowering : LoweringPattern<ExpandOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(ExpandOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    auto resultType = cast<RankedTensorType>(op.getType());
    FailureOr<Value> result = buildElementwise(
        rewriter, op.getLoc(), resultType, adaptor.getInput(),
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    if (failed(result))
      return refuse(op, "a dynamic result dimension that the input broadcasts "
                        "(give the input shapes)");
    return SmallVector<Value>{*result};
  }
};

struct ShapeLowering : LoweringPattern<ShapeOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(ShapeOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = rankedType(adaptor.getData());
    if (!type)
      return refuse(op, "unranked input");
    auto [start, end] =
        getShapeRange(type.getRank(), op.getStart(), op.getEnd());
    SmallVector<Value> dims;
    for (int64_t d = start; d < end; ++d) {
      Value dim =
          rewriter.createOrFold<tensor::DimOp>(loc, adaptor.getData(), d);
      dims.push_back(arith::IndexCastOp::create(rewriter, loc,
                                                rewriter.getI64Type(), dim));
    }
    auto resultType = RankedTensorType::get({static_cast<int64_t>(dims.size())},
                                            rewriter.getI64Type());
    Value result =
        tensor::FromElementsOp::create(rewriter, loc, resultType, dims);
    result = castTo(rewriter, loc, result, op.getType());
    return SmallVector<Value>{result};
  }
};

/// `value` as a DenseElementsAttr when it is a resource blob (folded and
/// imported weights are): upstream folders (tensor.extract's, arith's)
/// iterate constants' elements, which a DenseResourceElementsAttr cannot.
/// Only small values reach here (larger weights are function arguments).
TypedAttr inlineConstant(TypedAttr value) {
  auto resource = dyn_cast<DenseResourceElementsAttr>(value);
  auto type = resource ? dyn_cast<RankedTensorType>(resource.getType())
                       : RankedTensorType();
  AsmResourceBlob *blob =
      resource ? resource.getRawHandle().getBlob() : nullptr;
  if (!blob || !type || type.getElementType().isInteger(1) ||
      !type.getElementType().isIntOrFloat() ||
      type.getElementType().getIntOrFloatBitWidth() % 8)
    return value;
  ArrayRef<char> data = blob->getData();
  bool splat = false;
  if (!DenseElementsAttr::isValidRawBuffer(type, data, splat))
    return value;
  return DenseElementsAttr::getFromRawBuffer(type, data);
}

/// A tensor constant of `value`. arith takes signless integers only: an
/// unsigned one is the same bits as signless, each element then read as
/// the unsigned type (toSignless's casts, reconciled by the LLVM lowering).
FailureOr<Value> materializeConstant(OpBuilder &b, Location loc,
                                     TypedAttr value) {
  value = inlineConstant(value);
  auto type = cast<RankedTensorType>(value.getType());
  auto integer = dyn_cast<IntegerType>(type.getElementType());
  if (!integer || integer.isSignless())
    return arith::ConstantOp::create(b, loc, value).getResult();
  Type signless = b.getIntegerType(integer.getWidth());
  TypedAttr bits;
  if (auto dense = dyn_cast<DenseElementsAttr>(value))
    bits = dense.bitcast(signless);
  else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    bits = DenseResourceElementsAttr::get(type.clone(signless),
                                          resource.getRawHandle());
  if (!bits)
    return failure();
  Value constant = arith::ConstantOp::create(b, loc, bits);
  return buildElementwise(b, loc, type, {constant},
                          [&](OpBuilder &b, Location loc, ValueRange args) {
                            return fromSignless(b, loc, args[0], integer);
                          });
}

struct ConstantLowering : LoweringPattern<ConstantOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(ConstantOp op, Adaptor,
        ConversionPatternRewriter &rewriter) const override {
    auto value = dyn_cast<TypedAttr>(op.getValue());
    if (!value || !isa<RankedTensorType>(value.getType()))
      return refuse(op, "a constant that is not a ranked tensor");
    FailureOr<Value> result = materializeConstant(rewriter, op.getLoc(), value);
    if (failed(result))
      return refuse(op, "an unsigned constant of an unknown kind");
    return SmallVector<Value>{*result};
  }
};

/// A weight read where it is used: its value as a constant. The CPU
/// pipeline first binds weights to function arguments
/// (--loom-weights-to-arguments), so that their data is never copied into
/// the compiled code.
struct WeightRefLowering : LoweringPattern<WeightRefOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(WeightRefOp op, Adaptor,
        ConversionPatternRewriter &rewriter) const override {
    auto weight =
        SymbolTable::lookupNearestSymbolFrom<WeightOp>(op, op.getNameAttr());
    if (!weight)
      return refuse(op, "the weight it names does not exist");
    auto value = dyn_cast<TypedAttr>(weight.getValue());
    if (!value)
      return refuse(op, "a weight value that is not typed");
    FailureOr<Value> constant =
        materializeConstant(rewriter, op.getLoc(), value);
    if (failed(constant))
      return refuse(op, "an unsigned weight of an unknown kind");
    Value result = castTo(rewriter, op.getLoc(), *constant, op.getType());
    return SmallVector<Value>{result};
  }
};

} // namespace

void populateTensorPatterns(RewritePatternSet &patterns) {
  patterns.add<ReshapeLikeLowering<ReshapeOp>, ReshapeLikeLowering<FlattenOp>,
               ReshapeLikeLowering<SqueezeOp>, ReshapeLikeLowering<UnsqueezeOp>,
               TransposeLowering, ConcatLowering, SplitLowering, SliceLowering,
               GatherLowering, ExpandLowering, ShapeLowering, ConstantLowering,
               WeightRefLowering>(patterns.getContext());
}

} // namespace loom::linalg_lowering
