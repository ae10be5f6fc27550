//===- TensorShapes.cpp - shape rules of data-movement ops ----------------===//
//
// Reshape, Transpose, Concat, Split, Slice, Gather, Flatten, Squeeze,
// Unsqueeze, Expand, Shape and Cast. Constant shape operands (a
// `loom.constant` or a weight) make the result shapes static.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/ShapeInference.h"
#include "loom/Dialect/Loom/IR/WeightData.h"

#include "mlir/Dialect/Traits.h"

using namespace mlir;
using namespace loom;

static constexpr int64_t kDynamic = ShapedType::kDynamic;

/// Requires `value` to be a 1-D tensor, if ranked (or, with `allowScalar`,
/// a scalar standing for one entry, as ONNX Runtime accepts for axes).
static LogicalResult check1D(Operation *op, Value value, StringRef name,
                             bool allowScalar = false) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (type && type.getRank() != 1 && !(allowScalar && type.getRank() == 0))
    return op->emitOpError() << name << " must be 1-D, got " << type;
  return success();
}

static std::optional<ArrayRef<int64_t>> shapeOf(Type type) {
  if (auto ranked = dyn_cast<RankedTensorType>(type))
    return ranked.getShape();
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Reshape
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  if (failed(check1D(*this, getShape(), "shape")))
    return failure();
  if (getAllowzero() != 0 && getAllowzero() != 1)
    return emitOpError("allowzero must be 0 or 1");
  Type elementType = getData().getType().getElementType();
  std::optional<SmallVector<int64_t>> target = getConstantInts(getShape());
  if (!target) {
    std::optional<int64_t> rank = getStaticLength(getShape());
    inferred.push_back(
        rank ? Type(RankedTensorType::get(SmallVector<int64_t>(*rank, kDynamic),
                                          elementType))
             : Type(UnrankedTensorType::get(elementType)));
    return success();
  }
  auto input = dyn_cast<RankedTensorType>(getData().getType());
  SmallVector<int64_t> shape;
  int64_t inferIndex = -1, known = 1;
  bool knownStatic = true;
  // Dynamic input dimensions a 0 copies to the same place: they cancel out
  // of the -1 (a dynamic batch kept by `0`).
  SmallVector<bool> copiedDynamic(input ? input.getRank() : 0, false);
  for (auto [i, dim] : llvm::enumerate(*target)) {
    if (dim == -1) {
      if (inferIndex >= 0)
        return emitOpError("shape has more than one -1");
      inferIndex = i;
      shape.push_back(kDynamic);
      continue;
    }
    if (dim < -1)
      return emitOpError("shape entry ") << dim << " is invalid";
    if (dim == 0 && !getAllowzero()) {
      if (!input) {
        shape.push_back(kDynamic);
        knownStatic = false;
        continue;
      }
      if (static_cast<int64_t>(i) >= input.getRank())
        return emitOpError("shape entry 0 at position ")
               << i << " copies a dimension the input (rank " << input.getRank()
               << ") does not have";
      dim = input.getDimSize(i);
      if (ShapedType::isDynamic(dim)) {
        copiedDynamic[i] = true;
        shape.push_back(kDynamic);
        continue;
      }
    }
    if (ShapedType::isDynamic(dim))
      knownStatic = false;
    else if (__builtin_mul_overflow(known, dim, &known))
      return emitOpError("shape has more elements than int64 can count");
    shape.push_back(dim);
  }
  if (inferIndex >= 0 && getAllowzero() && llvm::is_contained(*target, 0))
    return emitOpError("shape may not hold both 0 and -1 when allowzero = 1");
  bool cancels =
      input && knownStatic &&
      llvm::all_of(llvm::seq<int64_t>(0, input.getRank()), [&](int64_t d) {
        return !input.isDynamicDim(d) || copiedDynamic[d];
      });
  bool anyCopied = llvm::is_contained(copiedDynamic, true);
  if (cancels && (!anyCopied || inferIndex >= 0)) {
    SmallVector<int64_t> staticDims;
    for (auto [d, size] : llvm::enumerate(input.getShape()))
      if (!copiedDynamic[d])
        staticDims.push_back(size);
    std::optional<int64_t> count = getCheckedNumElements(staticDims);
    if (!count)
      return emitOpError("input has more elements than int64 can count");
    int64_t total = *count;
    if (inferIndex >= 0) {
      if (known == 0 || total % known != 0)
        return emitOpError("cannot reshape ")
               << input << " to shape with " << known
               << " elements per -1 entry";
      shape[inferIndex] = total / known;
    } else if (known != total) {
      return emitOpError("cannot reshape ")
             << total << " elements into " << known;
    }
  }
  inferred.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

//===----------------------------------------------------------------------===//
// Transpose
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  auto input = dyn_cast<RankedTensorType>(getData().getType());
  if (!input) {
    inferred.push_back(getData().getType());
    return success();
  }
  int64_t rank = input.getRank();
  SmallVector<int64_t> perm;
  if (std::optional<ArrayRef<int64_t>> attr = getPerm())
    perm.assign(attr->begin(), attr->end());
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  if (static_cast<int64_t>(perm.size()) != rank)
    return emitOpError("perm has ")
           << perm.size() << " entries for an input of rank " << rank;
  SmallVector<bool> seen(rank, false);
  SmallVector<int64_t> shape;
  for (int64_t axis : perm) {
    if (axis < 0 || axis >= rank || seen[axis])
      return emitOpError("perm is not a permutation of [0, ") << rank << ")";
    seen[axis] = true;
    shape.push_back(input.getDimSize(axis));
  }
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Concat, Split
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  Type elementType = getElementTypeOrSelf(getInputs().front().getType());
  std::optional<SmallVector<int64_t>> shape;
  int64_t axis = 0;
  for (Value input : getInputs()) {
    auto type = cast<TensorType>(input.getType());
    if (type.getElementType() != elementType)
      return emitOpError("inputs must have one element type, got ")
             << elementType << " and " << type.getElementType();
    if (!type.hasRank())
      continue;
    if (!shape) {
      if (failed(verifyAxis(*this, type, getAxis(), "axis")))
        return failure();
      axis = normalizeAxis(getAxis(), type.getRank());
      shape.emplace(type.getShape());
      continue;
    }
    if (type.getRank() != static_cast<int64_t>(shape->size()))
      return emitOpError("inputs must have one rank, got ")
             << shape->size() << " and " << type.getRank();
    for (int64_t i = 0, e = type.getRank(); i < e; ++i) {
      int64_t dim = type.getDimSize(i);
      int64_t &acc = (*shape)[i];
      if (i == axis) {
        acc = ShapedType::isDynamic(acc) || ShapedType::isDynamic(dim)
                  ? kDynamic
                  : acc + dim;
      } else if (ShapedType::isDynamic(acc)) {
        acc = dim;
      } else if (!ShapedType::isDynamic(dim) && dim != acc) {
        return emitOpError("inputs differ in dimension ")
               << i << " (" << acc << " vs " << dim
               << "), which is not the concatenation axis";
      }
    }
  }
  // With an unranked input among ranked ones the axis size is unknown.
  if (shape && llvm::any_of(getInputs(), [](Value v) {
        return !cast<TensorType>(v.getType()).hasRank();
      }))
    (*shape)[axis] = kDynamic;
  inferred.push_back(makeTensorType(
      shape ? std::optional<ArrayRef<int64_t>>(*shape) : std::nullopt,
      elementType));
  return success();
}

LogicalResult SplitOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  int64_t count = getNumResults();
  if (count == 0)
    return emitOpError("needs at least one result");
  if (getSplit() && getNumOutputs())
    return emitOpError("split and num_outputs must not both be given");
  if (std::optional<int64_t> numOutputs = getNumOutputs();
      numOutputs && *numOutputs != count)
    return emitOpError("num_outputs is ")
           << *numOutputs << " but the op has " << count << " results";
  if (getSplit() && failed(check1D(*this, getSplit(), "split")))
    return failure();
  auto input = dyn_cast<RankedTensorType>(getInput().getType());
  Type elementType = getInput().getType().getElementType();
  if (!input) {
    inferred.append(count, UnrankedTensorType::get(elementType));
    return success();
  }
  if (failed(verifyAxis(*this, input, getAxis(), "axis")))
    return failure();
  int64_t axis = normalizeAxis(getAxis(), input.getRank());
  int64_t size = input.getDimSize(axis);
  SmallVector<int64_t> sizes(count, kDynamic);
  if (getSplit()) {
    if (std::optional<int64_t> length = getStaticLength(getSplit());
        length && *length != count)
      return emitOpError("split has ")
             << *length << " entries but the op has " << count << " results";
    if (std::optional<SmallVector<int64_t>> values =
            getConstantInts(getSplit())) {
      int64_t sum = 0;
      for (int64_t value : *values) {
        if (value < 0)
          return emitOpError("split sizes must be >= 0, got ") << value;
        sum += value;
      }
      if (!ShapedType::isDynamic(size) && sum != size)
        return emitOpError("split sizes sum to ")
               << sum << " but axis " << axis << " has size " << size;
      sizes.assign(values->begin(), values->end());
    }
  } else if (!ShapedType::isDynamic(size)) {
    // Equal parts, the last one smaller when count does not divide size.
    int64_t part = llvm::divideCeil(size, count);
    if (!getNumOutputs() && size % count != 0)
      return emitOpError("axis size ")
             << size << " does not split evenly into " << count << " parts";
    for (int64_t i = 0; i < count; ++i)
      sizes[i] = std::max<int64_t>(0, std::min(part, size - i * part));
  }
  for (int64_t part : sizes) {
    SmallVector<int64_t> shape(input.getShape());
    shape[axis] = part;
    inferred.push_back(RankedTensorType::get(shape, elementType));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Slice, Gather
//===----------------------------------------------------------------------===//

/// numpy/ONNX slice length along one dimension of static size `dim`.
static int64_t sliceLength(int64_t dim, int64_t start, int64_t end,
                           int64_t step) {
  auto clamp = [](int64_t v, int64_t lo, int64_t hi) {
    return std::max(lo, std::min(v, hi));
  };
  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  if (step > 0) {
    start = clamp(start, 0, dim);
    end = clamp(end, 0, dim);
    return end > start ? llvm::divideCeil(end - start, step) : 0;
  }
  start = clamp(start, 0, dim - 1);
  end = clamp(end, -1, dim - 1);
  return start > end ? llvm::divideCeil(start - end, -step) : 0;
}

LogicalResult SliceOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  Value params[] = {getStarts(), getEnds(), getAxes(), getSteps()};
  StringRef names[] = {"starts", "ends", "axes", "steps"};
  std::optional<int64_t> length;
  for (auto [param, name] : llvm::zip_equal(params, names)) {
    if (!param)
      continue;
    if (failed(check1D(*this, param, name)))
      return failure();
    std::optional<int64_t> l = getStaticLength(param);
    if (l && length && *l != *length)
      return emitOpError("starts, ends, axes and steps must have one length");
    if (l)
      length = l;
  }
  if (getStarts().getType().getElementType() !=
      getEnds().getType().getElementType())
    return emitOpError("starts and ends must have one element type");
  auto input = dyn_cast<RankedTensorType>(getData().getType());
  Type elementType = getData().getType().getElementType();
  if (!input) {
    inferred.push_back(UnrankedTensorType::get(elementType));
    return success();
  }
  int64_t rank = input.getRank();
  std::optional<SmallVector<int64_t>> starts = getConstantInts(getStarts());
  std::optional<SmallVector<int64_t>> ends = getConstantInts(getEnds());
  std::optional<SmallVector<int64_t>> axes =
      getAxes() ? getConstantInts(getAxes()) : std::nullopt;
  std::optional<SmallVector<int64_t>> steps =
      getSteps() ? getConstantInts(getSteps()) : std::nullopt;
  if (getAxes() && !axes) {
    // Any dimension may be sliced.
    inferred.push_back(RankedTensorType::get(
        SmallVector<int64_t>(rank, kDynamic), elementType));
    return success();
  }
  int64_t n = length ? *length : (axes ? axes->size() : rank);
  if (!axes) {
    if (n > rank)
      return emitOpError("slices ")
             << n << " axes of a rank-" << rank << " input";
    axes.emplace();
    for (int64_t i = 0; i < n; ++i)
      axes->push_back(i);
  }
  if (steps)
    for (int64_t step : *steps)
      if (step == 0)
        return emitOpError("steps must not be 0");
  SmallVector<int64_t> shape(input.getShape());
  SmallVector<bool> seen(rank, false);
  for (auto [i, axis] : llvm::enumerate(*axes)) {
    if (failed(verifyAxis(*this, input, axis, "axis")))
      return failure();
    int64_t a = normalizeAxis(axis, rank);
    if (seen[a])
      return emitOpError("axis ") << axis << " is sliced more than once";
    seen[a] = true;
    int64_t dim = input.getDimSize(a);
    if (!starts || !ends || (getSteps() && !steps) ||
        ShapedType::isDynamic(dim)) {
      shape[a] = kDynamic;
      continue;
    }
    int64_t step = steps ? (*steps)[i] : 1;
    shape[a] = sliceLength(dim, (*starts)[i], (*ends)[i], step);
  }
  inferred.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

LogicalResult GatherOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  auto data = dyn_cast<RankedTensorType>(getData().getType());
  auto indices = dyn_cast<RankedTensorType>(getIndices().getType());
  Type elementType = getData().getType().getElementType();
  if (data && data.getRank() == 0)
    return emitOpError("data must have rank >= 1");
  if (data && failed(verifyAxis(*this, data, getAxis(), "axis")))
    return failure();
  if (!data || !indices) {
    inferred.push_back(UnrankedTensorType::get(elementType));
    return success();
  }
  int64_t axis = normalizeAxis(getAxis(), data.getRank());
  SmallVector<int64_t> shape(data.getShape().take_front(axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, data.getShape().drop_front(axis + 1));
  inferred.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

//===----------------------------------------------------------------------===//
// Flatten, Squeeze, Unsqueeze, Expand
//===----------------------------------------------------------------------===//

/// The product of `dims`: kDynamic if one is, nullopt if it overflows.
static std::optional<int64_t> product(ArrayRef<int64_t> dims) {
  int64_t result = 1;
  for (int64_t dim : dims)
    if (ShapedType::isDynamic(dim))
      return kDynamic;
  for (int64_t dim : dims)
    if (__builtin_mul_overflow(result, dim, &result))
      return std::nullopt;
  return result;
}

LogicalResult FlattenOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  Type elementType = getInput().getType().getElementType();
  auto input = dyn_cast<RankedTensorType>(getInput().getType());
  if (!input) {
    inferred.push_back(
        RankedTensorType::get({kDynamic, kDynamic}, elementType));
    return success();
  }
  int64_t rank = input.getRank();
  if (getAxis() < -rank || getAxis() > rank)
    return emitOpError("axis ")
           << getAxis() << " is out of range for rank " << rank
           << " (expected in [" << -rank << ", " << rank << "])";
  int64_t axis = normalizeAxis(getAxis(), rank);
  std::optional<int64_t> outer = product(input.getShape().take_front(axis));
  std::optional<int64_t> inner = product(input.getShape().drop_front(axis));
  if (!outer || !inner)
    return emitOpError("input has more elements than int64 can count");
  inferred.push_back(RankedTensorType::get({*outer, *inner}, elementType));
  return success();
}

LogicalResult SqueezeOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  if (getAxes() && failed(check1D(*this, getAxes(), "axes", true)))
    return failure();
  Type elementType = getData().getType().getElementType();
  auto input = dyn_cast<RankedTensorType>(getData().getType());
  if (!input) {
    inferred.push_back(UnrankedTensorType::get(elementType));
    return success();
  }
  int64_t rank = input.getRank();
  SmallVector<bool> drop(rank, false);
  if (!getAxes()) {
    for (int64_t i = 0; i < rank; ++i) {
      // A dynamic dimension may or may not be 1: the rank is unknown.
      if (input.isDynamicDim(i)) {
        inferred.push_back(UnrankedTensorType::get(elementType));
        return success();
      }
      drop[i] = input.getDimSize(i) == 1;
    }
  } else if (std::optional<SmallVector<int64_t>> axes =
                 getConstantInts(getAxes())) {
    for (int64_t axis : *axes) {
      if (failed(verifyAxis(*this, input, axis, "axis")))
        return failure();
      int64_t a = normalizeAxis(axis, rank);
      int64_t dim = input.getDimSize(a);
      if (!ShapedType::isDynamic(dim) && dim != 1)
        return emitOpError("cannot squeeze axis ")
               << axis << " of size " << dim;
      drop[a] = true;
    }
  } else {
    std::optional<int64_t> count = getStaticLength(getAxes());
    inferred.push_back(
        count ? Type(RankedTensorType::get(
                    SmallVector<int64_t>(rank - *count, kDynamic), elementType))
              : Type(UnrankedTensorType::get(elementType)));
    return success();
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i)
    if (!drop[i])
      shape.push_back(input.getDimSize(i));
  inferred.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

LogicalResult UnsqueezeOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  if (failed(check1D(*this, getAxes(), "axes", true)))
    return failure();
  Type elementType = getData().getType().getElementType();
  auto input = dyn_cast<RankedTensorType>(getData().getType());
  std::optional<int64_t> count = getStaticLength(getAxes());
  if (!input || !count) {
    inferred.push_back(UnrankedTensorType::get(elementType));
    return success();
  }
  int64_t rank = input.getRank() + *count;
  std::optional<SmallVector<int64_t>> axes = getConstantInts(getAxes());
  if (!axes) {
    inferred.push_back(RankedTensorType::get(
        SmallVector<int64_t>(rank, kDynamic), elementType));
    return success();
  }
  SmallVector<bool> inserted(rank, false);
  for (int64_t axis : *axes) {
    if (axis < -rank || axis >= rank)
      return emitOpError("axis ")
             << axis << " is out of range for output rank " << rank;
    int64_t a = normalizeAxis(axis, rank);
    if (inserted[a])
      return emitOpError("axis ") << axis << " is listed more than once";
    inserted[a] = true;
  }
  SmallVector<int64_t> shape;
  ArrayRef<int64_t> dims = input.getShape();
  for (int64_t i = 0; i < rank; ++i) {
    if (inserted[i]) {
      shape.push_back(1);
    } else {
      shape.push_back(dims.front());
      dims = dims.drop_front();
    }
  }
  inferred.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

LogicalResult ExpandOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  if (failed(check1D(*this, getShape(), "shape")))
    return failure();
  Type elementType = getInput().getType().getElementType();
  auto input = dyn_cast<RankedTensorType>(getInput().getType());
  std::optional<SmallVector<int64_t>> target = getConstantInts(getShape());
  std::optional<int64_t> length = getStaticLength(getShape());
  if (!input || (!target && !length)) {
    inferred.push_back(UnrankedTensorType::get(elementType));
    return success();
  }
  SmallVector<int64_t> targetShape;
  if (target) {
    for (int64_t dim : *target) {
      if (dim < 0)
        return emitOpError("shape entries must be >= 0, got ") << dim;
      targetShape.push_back(dim);
    }
  } else {
    // Unknown target: each dimension is unknown, the rank is the larger.
    int64_t rank = std::max<int64_t>(*length, input.getRank());
    inferred.push_back(RankedTensorType::get(
        SmallVector<int64_t>(rank, kDynamic), elementType));
    return success();
  }
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(input.getShape(), targetShape, shape))
    return emitOpError("input ")
           << input << " does not broadcast to the target shape";
  inferred.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

//===----------------------------------------------------------------------===//
// Shape, Cast
//===----------------------------------------------------------------------===//

std::pair<int64_t, int64_t> loom::getShapeRange(int64_t rank,
                                                std::optional<int64_t> start,
                                                std::optional<int64_t> end) {
  auto normalize = [&](int64_t v) {
    if (v < 0)
      v += rank;
    return std::max<int64_t>(0, std::min(v, rank));
  };
  int64_t s = normalize(start.value_or(0));
  int64_t e = normalize(end.value_or(rank));
  return {s, std::max(s, e)};
}

LogicalResult ShapeOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  Type i64 = IntegerType::get(getContext(), 64);
  auto input = dyn_cast<RankedTensorType>(getData().getType());
  if (!input) {
    inferred.push_back(RankedTensorType::get({kDynamic}, i64));
    return success();
  }
  auto [start, end] = getShapeRange(input.getRank(), getStart(), getEnd());
  inferred.push_back(RankedTensorType::get({end - start}, i64));
  return success();
}

LogicalResult CastOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  if (getSaturate() != 0 && getSaturate() != 1)
    return emitOpError("saturate must be 0 or 1");
  inferred.push_back(
      getInput().getType().clone(getOutput().getType().getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

LogicalResult ResizeOp::verify() {
  StringRef mode = getMode();
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return emitOpError("mode must be nearest, linear or cubic, got '")
           << mode << "'";
  StringRef transform = getCoordinateTransformationMode();
  if (!llvm::is_contained({"half_pixel", "half_pixel_symmetric",
                           "pytorch_half_pixel", "align_corners", "asymmetric",
                           "tf_half_pixel_for_nn", "tf_crop_and_resize"},
                          transform))
    return emitOpError("unknown coordinate_transformation_mode '")
           << transform << "'";
  StringRef nearest = getNearestMode();
  if (!llvm::is_contained(
          {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"},
          nearest))
    return emitOpError("unknown nearest_mode '") << nearest << "'";
  return success();
}

LogicalResult ResizeOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  Type elementType = getX().getType().getElementType();
  auto input = dyn_cast<RankedTensorType>(getX().getType());
  if (!input) {
    inferred.push_back(UnrankedTensorType::get(elementType));
    return success();
  }
  int64_t rank = input.getRank();
  SmallVector<int64_t> shape(rank, kDynamic);
  std::optional<SmallVector<int64_t>> sizes =
      getSizes() ? getConstantInts(getSizes()) : std::nullopt;
  std::optional<SmallVector<float>> scales =
      getScales() ? getConstantFloats(getScales()) : std::nullopt;
  if (sizes && !sizes->empty()) {
    if (static_cast<int64_t>(sizes->size()) != rank)
      return emitOpError("sizes has ")
             << sizes->size() << " values for rank " << rank;
    for (int64_t size : *sizes)
      if (size < 0 || size > (int64_t(1) << 40))
        return emitOpError("sizes entry ") << size << " out of range";
    shape.assign(sizes->begin(), sizes->end());
  } else if (scales && !scales->empty()) {
    if (static_cast<int64_t>(scales->size()) != rank)
      return emitOpError("scales has ")
             << scales->size() << " values for rank " << rank;
    for (int64_t d = 0; d < rank; ++d) {
      float scale = (*scales)[d];
      if (!(scale > 0) || scale > 65536)
        return emitOpError("scales entry ") << scale << " out of range";
      if (!input.isDynamicDim(d))
        shape[d] = static_cast<int64_t>(
            std::floor(double(input.getDimSize(d)) * double(scale)));
    }
  }
  inferred.push_back(RankedTensorType::get(shape, elementType));
  return success();
}
