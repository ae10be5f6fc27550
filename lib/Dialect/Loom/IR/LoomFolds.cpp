//===- LoomFolds.cpp - cheap folders of Loom ops --------------------------===//
//
// Folds that cost nothing: ops that leave their input unchanged (Identity,
// inference Dropout, a reshape to the same type, an identity transpose) and
// Shape of a static tensor. Folds that compute with tensor data belong to
// `loom-fold-frozen`, which evaluates them with the CPU back end.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/IR/LoomOps.h"

using namespace mlir;
using namespace loom;

/// The input, when the op returns it unchanged (same type: a fold must not
/// change a value's type).
static OpFoldResult foldToInput(Value input, Type resultType) {
  return input.getType() == resultType ? OpFoldResult(input) : nullptr;
}

/// The input, when a shape op returns it unchanged. A shape op whose result
/// type equals its input's type is a no-op only when that type says enough:
/// a squeeze or unsqueeze that keeps the rank removes or adds nothing, but
/// two unranked types say nothing (`Squeeze(tensor<*xf32>)` of axis 0 has the
/// same type as its input, and drops a dimension).
static OpFoldResult foldRankedToInput(Value input, Type resultType) {
  if (!isa<RankedTensorType>(resultType))
    return nullptr;
  return foldToInput(input, resultType);
}

/// A splat constant input reshaped to a static result type: no data to copy.
static OpFoldResult foldSplat(Attribute input, Type resultType) {
  auto splat = dyn_cast_or_null<SplatElementsAttr>(input);
  auto type = dyn_cast<RankedTensorType>(resultType);
  if (!splat || !type || !type.hasStaticShape() ||
      type.getElementType() != splat.getElementType())
    return nullptr;
  return SplatElementsAttr::get(type, splat.getSplatValue<Attribute>());
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult IdentityOp::fold(FoldAdaptor) {
  return foldToInput(getX(), getType());
}

LogicalResult DropoutOp::fold(FoldAdaptor,
                              SmallVectorImpl<OpFoldResult> &results) {
  if (getOutput().getType() != getData().getType())
    return failure();
  if (Value mask = getMask()) {
    auto maskType = dyn_cast<RankedTensorType>(mask.getType());
    if (!maskType || !maskType.hasStaticShape())
      return failure();
    results.push_back(getData());
    results.push_back(DenseElementsAttr::get(maskType, true));
    return success();
  }
  results.push_back(getData());
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (auto type = dyn_cast<RankedTensorType>(getType());
      type && type.hasStaticShape())
    if (OpFoldResult folded = foldToInput(getData(), getType()))
      return folded;
  return foldSplat(adaptor.getData(), getType());
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  if (std::optional<ArrayRef<int64_t>> perm = getPerm()) {
    bool identity = true;
    for (auto [i, axis] : llvm::enumerate(*perm))
      identity &= static_cast<int64_t>(i) == axis;
    if (identity)
      if (OpFoldResult folded = foldToInput(getData(), getType()))
        return folded;
  } else if (auto type = dyn_cast<RankedTensorType>(getData().getType());
             type && type.getRank() <= 1) {
    if (OpFoldResult folded = foldToInput(getData(), getType()))
      return folded;
  }
  return foldSplat(adaptor.getData(), getType());
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() != 1)
    return nullptr;
  return foldToInput(getInputs().front(), getType());
}

OpFoldResult FlattenOp::fold(FoldAdaptor adaptor) {
  // Flatten always yields rank 2: equal types of rank 2 with dynamic
  // dimensions may still regroup them ([a, b] -> [1, a*b] at axis 0).
  auto type = dyn_cast<RankedTensorType>(getType());
  if (type && (type.hasStaticShape() || getAxis() == 1))
    if (OpFoldResult folded = foldToInput(getInput(), getType()))
      return folded;
  return foldSplat(adaptor.getInput(), getType());
}

OpFoldResult SqueezeOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult folded = foldRankedToInput(getData(), getType()))
    return folded;
  return foldSplat(adaptor.getData(), getType());
}

OpFoldResult UnsqueezeOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult folded = foldRankedToInput(getData(), getType()))
    return folded;
  return foldSplat(adaptor.getData(), getType());
}

OpFoldResult ExpandOp::fold(FoldAdaptor adaptor) {
  if (auto type = dyn_cast<RankedTensorType>(getType());
      type && type.hasStaticShape())
    if (OpFoldResult folded = foldToInput(getInput(), getType()))
      return folded;
  return foldSplat(adaptor.getInput(), getType());
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto input = dyn_cast<RankedTensorType>(getData().getType());
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!input || !type || !type.hasStaticShape())
    return nullptr;
  auto [start, end] = getShapeRange(input.getRank(), getStart(), getEnd());
  ArrayRef<int64_t> dims = input.getShape().slice(start, end - start);
  if (ShapedType::isDynamicShape(dims))
    return nullptr;
  return DenseIntElementsAttr::get(type, dims);
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  return foldToInput(getInput(), getType());
}
