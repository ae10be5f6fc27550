//===- LoweringUtils.cpp - helpers shared by the Loom-to-linalg patterns --===//

#include "LoweringUtils.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/AffineMap.h"
#include "llvm/ADT/APFloat.h"

using namespace mlir;

namespace loom::linalg_lowering {

FailureOr<Value> createEmptyLike(OpBuilder &b, Location loc,
                                 RankedTensorType type, ValueRange sources) {
  SmallVector<Value> dynamicSizes;
  int64_t rank = type.getRank();
  for (int64_t d = 0; d < rank; ++d) {
    if (!type.isDynamicDim(d))
      continue;
    Value size;
    for (Value source : sources) {
      auto sourceType = rankedType(source);
      if (!sourceType)
        continue;
      int64_t sd = d - (rank - sourceType.getRank());
      if (sd < 0 || sourceType.getDimSize(sd) == 1)
        continue;
      size = b.createOrFold<tensor::DimOp>(loc, source, sd);
      break;
    }
    if (!size)
      return failure();
    dynamicSizes.push_back(size);
  }
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType(), dynamicSizes)
      .getResult();
}

FailureOr<Value> createFilledLike(OpBuilder &b, Location loc,
                                  RankedTensorType type, ValueRange sources,
                                  Value value) {
  FailureOr<Value> empty = createEmptyLike(b, loc, type, sources);
  if (failed(empty))
    return failure();
  return linalg::FillOp::create(b, loc, value, *empty).getResult(0);
}

SmallVector<utils::IteratorType> parallelIterators(int64_t n) {
  return SmallVector<utils::IteratorType>(n, utils::IteratorType::parallel);
}

FailureOr<Value> buildElementwise(OpBuilder &b, Location loc,
                                  RankedTensorType resultType,
                                  ValueRange operands, ScalarBody body) {
  int64_t rank = resultType.getRank();
  SmallVector<AffineMap> maps;
  for (Value operand : operands) {
    auto type = rankedType(operand);
    if (!type || type.getRank() > rank)
      return failure();
    SmallVector<AffineExpr> exprs;
    int64_t offset = rank - type.getRank();
    for (int64_t d = 0; d < type.getRank(); ++d) {
      int64_t resultSize = resultType.getDimSize(d + offset);
      bool broadcast = type.getDimSize(d) == 1 && resultSize != 1;
      if (!broadcast && !ShapedType::isDynamic(type.getDimSize(d)) &&
          !ShapedType::isDynamic(resultSize) &&
          type.getDimSize(d) != resultSize)
        return failure();
      exprs.push_back(broadcast ? b.getAffineConstantExpr(0)
                                : b.getAffineDimExpr(d + offset));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, b.getContext()));
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  FailureOr<Value> init = createEmptyLike(b, loc, resultType, operands);
  if (failed(init))
    return failure();
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, operands, *init, maps, parallelIterators(rank),
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

FailureOr<Value> reshapeTo(OpBuilder &b, Location loc, Value value,
                           RankedTensorType target) {
  auto source = rankedType(value);
  if (!source)
    return failure();
  if (source == target)
    return value;
  if (source.hasStaticShape() && target.hasStaticShape() &&
      source.getNumElements() != target.getNumElements())
    return failure();
  // Rank 0 <-> rank 1 of one element, or any shape to any other through
  // one dimension.
  Value flat = value;
  if (source.getRank() != 1) {
    SmallVector<ReassociationIndices> all;
    if (source.getRank() > 0) {
      ReassociationIndices dims;
      for (int64_t d = 0; d < source.getRank(); ++d)
        dims.push_back(d);
      all.push_back(dims);
    }
    if (source.getRank() == 0) {
      auto oneType = RankedTensorType::get({1}, source.getElementType());
      flat = tensor::ExpandShapeOp::create(b, loc, oneType, value,
                                           ArrayRef<ReassociationIndices>{},
                                           ArrayRef<OpFoldResult>{
                                               b.getIndexAttr(1)});
    } else {
      flat = tensor::CollapseShapeOp::create(b, loc, value, all);
    }
  }
  if (target.getRank() == 1) {
    if (rankedType(flat) == target)
      return flat;
    return tensor::CastOp::create(b, loc, target, flat).getResult();
  }
  if (target.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, target, flat,
                                           ArrayRef<ReassociationIndices>{})
        .getResult();
  // Dynamic target sizes: the one dynamic dimension is the element count
  // divided by the static ones (an ONNX reshape has at most one inferred
  // dimension; more than one cannot be expanded from a flat tensor).
  SmallVector<OpFoldResult> sizes;
  int64_t staticProduct = 1, dynamicCount = 0;
  for (int64_t size : target.getShape()) {
    if (ShapedType::isDynamic(size))
      ++dynamicCount;
    else
      staticProduct *= size;
  }
  if (dynamicCount > 1)
    return failure();
  Value total;
  if (dynamicCount == 1) {
    total = tensor::DimOp::create(b, loc, flat, 0);
    total = arith::DivUIOp::create(
        b, loc, total, arith::ConstantIndexOp::create(b, loc, staticProduct));
  }
  for (int64_t size : target.getShape())
    sizes.push_back(ShapedType::isDynamic(size) ? OpFoldResult(total)
                                                : OpFoldResult(b.getIndexAttr(
                                                      size)));
  ReassociationIndices dims;
  for (int64_t d = 0; d < target.getRank(); ++d)
    dims.push_back(d);
  return tensor::ExpandShapeOp::create(b, loc, target, flat,
                                       ArrayRef<ReassociationIndices>{dims},
                                       sizes)
      .getResult();
}

Value castTo(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(b, loc, type, value);
}

Value createScalar(OpBuilder &b, Location loc, Type type, double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(floatType, value));
  if (type.isInteger(1))
    return arith::ConstantOp::create(b, loc,
                                     b.getIntegerAttr(type, value != 0));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value createLowest(OpBuilder &b, Location loc, Type type) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics(),
                                                  /*Negative=*/true)));
  auto intType = cast<IntegerType>(type);
  APInt lowest = intType.isUnsigned()
                     ? APInt::getMinValue(intType.getWidth())
                     : APInt::getSignedMinValue(intType.getWidth());
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, lowest));
}

Value convertScalar(OpBuilder &b, Location loc, Value value, Type to) {
  Type from = value.getType();
  if (from == to)
    return value;
  bool fromFloat = isa<FloatType>(from), toFloat = isa<FloatType>(to);
  bool fromUnsigned = from.isUnsignedInteger() || from.isInteger(1);
  if (to.isInteger(1)) {
    Value zero = createScalar(b, loc, from, 0);
    if (fromFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value,
                                   zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, value, zero);
  }
  if (fromFloat && toFloat) {
    if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
      return arith::ExtFOp::create(b, loc, to, value);
    return arith::TruncFOp::create(b, loc, to, value);
  }
  if (fromFloat) {
    // Truncates toward zero; out of range is undefined in ONNX (and
    // poison here).
    if (to.isUnsignedInteger())
      return arith::FPToUIOp::create(b, loc, to, value);
    return arith::FPToSIOp::create(b, loc, to, value);
  }
  if (toFloat) {
    if (fromUnsigned)
      return arith::UIToFPOp::create(b, loc, to, value);
    return arith::SIToFPOp::create(b, loc, to, value);
  }
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  // Signless arith types: the tensors' signed/unsigned element types are
  // reinterpreted by width.
  if (fromWidth == toWidth)
    return arith::BitcastOp::create(b, loc, to, value);
  if (fromWidth > toWidth)
    return arith::TruncIOp::create(b, loc, to, value);
  if (fromUnsigned)
    return arith::ExtUIOp::create(b, loc, to, value);
  return arith::ExtSIOp::create(b, loc, to, value);
}

FailureOr<Value> reduce(OpBuilder &b, Location loc, Value value,
                        ArrayRef<int64_t> axes, ReduceKind kind) {
  auto type = rankedType(value);
  if (!type)
    return failure();
  int64_t rank = type.getRank();
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<Value> dynamicSizes;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = llvm::is_contained(axes, d);
    if (reduced)
      shape[d] = 1;
    else if (type.isDynamicDim(d))
      dynamicSizes.push_back(b.createOrFold<tensor::DimOp>(loc, value, d));
    outExprs.push_back(reduced ? b.getAffineConstantExpr(0)
                               : b.getAffineDimExpr(d));
    iterators.push_back(reduced ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
  }
  Type element = type.getElementType();
  auto resultType = RankedTensorType::get(shape, element);
  Value empty =
      tensor::EmptyOp::create(b, loc, shape, element, dynamicSizes);
  Value initValue = kind == ReduceKind::Sum ? createScalar(b, loc, element, 0)
                                            : createLowest(b, loc, element);
  Value init = linalg::FillOp::create(b, loc, initValue, empty).getResult(0);
  SmallVector<AffineMap> maps{
      b.getMultiDimIdentityMap(rank),
      AffineMap::get(rank, 0, outExprs, b.getContext())};
  bool isFloat = isa<FloatType>(element);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, value, init, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value combined;
        if (kind == ReduceKind::Sum)
          combined = isFloat ? Value(arith::AddFOp::create(nested, nestedLoc,
                                                           args[0], args[1]))
                             : Value(arith::AddIOp::create(nested, nestedLoc,
                                                           args[0], args[1]));
        else
          combined = isFloat ? Value(arith::MaximumFOp::create(
                                   nested, nestedLoc, args[0], args[1]))
                             : Value(arith::MaxSIOp::create(
                                   nested, nestedLoc, args[0], args[1]));
        linalg::YieldOp::create(nested, nestedLoc, combined);
      });
  return generic.getResult(0);
}

Value countOver(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> axes,
                Type elementType) {
  auto type = rankedType(value);
  int64_t staticCount = 1;
  Value dynamicCount;
  for (int64_t axis : axes) {
    if (!type.isDynamicDim(axis)) {
      staticCount *= type.getDimSize(axis);
      continue;
    }
    Value dim = tensor::DimOp::create(b, loc, value, axis);
    dynamicCount =
        dynamicCount ? arith::MulIOp::create(b, loc, dynamicCount, dim) : dim;
  }
  if (!dynamicCount)
    return createScalar(b, loc, elementType, static_cast<double>(staticCount));
  Value total = arith::MulIOp::create(
      b, loc, dynamicCount, arith::ConstantIndexOp::create(b, loc, staticCount));
  Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), total);
  return convertScalar(b, loc, asInt, elementType);
}

Value pad(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> low,
          ArrayRef<int64_t> high, Value padValue) {
  if (llvm::all_of(low, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(high, [](int64_t v) { return v == 0; }))
    return value;
  auto type = rankedType(value);
  SmallVector<int64_t> shape(type.getShape());
  for (size_t d = 0; d < shape.size(); ++d)
    if (!ShapedType::isDynamic(shape[d]))
      shape[d] += low[d] + high[d];
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  SmallVector<OpFoldResult> lowSizes, highSizes;
  for (size_t d = 0; d < low.size(); ++d) {
    lowSizes.push_back(b.getIndexAttr(low[d]));
    highSizes.push_back(b.getIndexAttr(high[d]));
  }
  return tensor::PadOp::create(b, loc, resultType, value, lowSizes, highSizes,
                               padValue);
}

LogicalResult refuse(Operation *op, const Twine &reason) {
  op->emitError() << "unsupported op '" << op->getName().getStringRef()
                  << "': " << reason;
  return failure();
}

LogicalResult requireRanked(Operation *op) {
  for (Type type : op->getOperandTypes())
    if (isa<UnrankedTensorType>(type))
      return refuse(op, "an operand has an unranked type (run "
                        "--loom-infer-shapes first)");
  for (Type type : op->getResultTypes())
    if (isa<UnrankedTensorType>(type))
      return refuse(op, "a result has an unranked type (run "
                        "--loom-infer-shapes first)");
  return success();
}


Value toSignless(OpBuilder &b, Location loc, Value value) {
  auto type = dyn_cast<IntegerType>(value.getType());
  if (!type || type.isSignless())
    return value;
  return UnrealizedConversionCastOp::create(
             b, loc, b.getIntegerType(type.getWidth()), value)
      .getResult(0);
}

Value fromSignless(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type || !type.isUnsignedInteger())
    return value;
  return UnrealizedConversionCastOp::create(b, loc, type, value).getResult(0);
}

Value widenToI32(OpBuilder &b, Location loc, Value value) {
  Type type = value.getType();
  Value signless = toSignless(b, loc, value);
  if (type.getIntOrFloatBitWidth() == 32)
    return signless;
  if (type.isUnsignedInteger())
    return arith::ExtUIOp::create(b, loc, b.getI32Type(), signless);
  return arith::ExtSIOp::create(b, loc, b.getI32Type(), signless);
}

} // namespace loom::linalg_lowering
