//===- ElementwiseShapes.cpp - shape rules of the irregular elementwise ops
//===//
//
// Pow, Clip and Where; the regular unary, binary and comparison ops get their
// rules from their ODS base classes.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/ShapeInference.h"
#include "loom/Dialect/Loom/IR/WeightData.h"

using namespace mlir;
using namespace loom;

LogicalResult PowOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  FailureOr<std::optional<SmallVector<int64_t>>> shape =
      broadcastShapes(*this, getOperandTypes());
  if (failed(shape))
    return failure();
  inferred.push_back(makeTensorType(
      *shape ? std::optional<ArrayRef<int64_t>>(**shape) : std::nullopt,
      getX().getType().getElementType()));
  return success();
}

LogicalResult ClipOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  Type elementType = getInput().getType().getElementType();
  for (auto [bound, name] :
       {std::make_pair(getMin(), "min"), std::make_pair(getMax(), "max")}) {
    if (!bound)
      continue;
    auto type = cast<TensorType>(bound.getType());
    if (type.getElementType() != elementType)
      return emitOpError() << name << " must have the input's element type "
                           << elementType << ", got " << type;
    if (type.hasRank() && type.hasStaticShape() &&
        getCheckedNumElements(type.getShape()) != int64_t(1))
      return emitOpError() << name << " must be a scalar, got " << type;
    if (type.hasRank() && type.getRank() > 1)
      return emitOpError() << name << " must be a scalar, got " << type;
  }
  inferred.push_back(getInput().getType());
  return success();
}

LogicalResult WhereOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  Type elementType = getX().getType().getElementType();
  if (getY().getType().getElementType() != elementType)
    return emitOpError("X and Y must have one element type, got ")
           << elementType << " and " << getY().getType().getElementType();
  FailureOr<std::optional<SmallVector<int64_t>>> shape =
      broadcastShapes(*this, getOperandTypes());
  if (failed(shape))
    return failure();
  inferred.push_back(makeTensorType(
      *shape ? std::optional<ArrayRef<int64_t>>(**shape) : std::nullopt,
      elementType));
  return success();
}
