//===- ShapeInference.cpp - shared ONNX shape rules -----------------------===//
//
// The interface's verifier and the helpers every op's inference uses:
// compatibility and refinement of types, numpy broadcasting, reductions,
// and reading constant integer operands.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/IR/ShapeInference.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace loom;

#include "loom/Dialect/Loom/IR/LoomInterfaces.cpp.inc"

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

bool loom::isCompatibleType(Type declared, Type inferred) {
  if (!inferred)
    return true;
  auto declaredShaped = dyn_cast<ShapedType>(declared);
  auto inferredShaped = dyn_cast<ShapedType>(inferred);
  if (!declaredShaped || !inferredShaped)
    return declared == inferred;
  if (declaredShaped.getElementType() != inferredShaped.getElementType())
    return false;
  if (!declaredShaped.hasRank() || !inferredShaped.hasRank())
    return true;
  return succeeded(verifyCompatibleShape(declaredShaped.getShape(),
                                         inferredShaped.getShape()));
}

Type loom::refineType(Type declared, Type inferred) {
  auto declaredTensor = dyn_cast<TensorType>(declared);
  auto inferredTensor = dyn_cast<TensorType>(inferred);
  if (!declaredTensor || !inferredTensor || !inferredTensor.hasRank())
    return declared;
  if (!declaredTensor.hasRank())
    return inferred;
  SmallVector<int64_t> shape(declaredTensor.getShape());
  for (auto [dim, other] : llvm::zip_equal(shape, inferredTensor.getShape()))
    if (ShapedType::isDynamic(dim))
      dim = other;
  // Keep an encoding the declared type carried.
  return RankedTensorType::get(
      shape, declaredTensor.getElementType(),
      cast<RankedTensorType>(declaredTensor).getEncoding());
}

TensorType loom::makeTensorType(std::optional<ArrayRef<int64_t>> shape,
                                Type elementType) {
  if (!shape)
    return UnrankedTensorType::get(elementType);
  return RankedTensorType::get(*shape, elementType);
}

LogicalResult loom::detail::verifyShapeInference(Operation *op) {
  auto inference = cast<ShapeInferenceOpInterface>(op);
  SmallVector<Type> inferred;
  if (failed(inference.inferResultTypes(inferred)))
    return failure();
  if (inferred.size() != op->getNumResults())
    return op->emitOpError("shape inference produced ")
           << inferred.size() << " type(s) for " << op->getNumResults()
           << " result(s)";
  for (auto [index, result, type] :
       llvm::enumerate(op->getResultTypes(), inferred)) {
    if (!isCompatibleType(result, type))
      return op->emitOpError("result #")
             << index << " type " << result
             << " is incompatible with the inferred type " << type;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

LogicalResult loom::inferSameAsOperand(Operation *op,
                                       SmallVectorImpl<Type> &inferred) {
  inferred.push_back(op->getOperand(0).getType());
  return success();
}

FailureOr<std::optional<SmallVector<int64_t>>>
loom::broadcastShapes(Operation *op, TypeRange types) {
  SmallVector<int64_t> shape;
  bool ranked = true;
  for (Type type : types) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor) {
      ranked = false;
      continue;
    }
    SmallVector<int64_t> next;
    if (!OpTrait::util::getBroadcastedShape(shape, tensor.getShape(), next)) {
      InFlightDiagnostic diag =
          op->emitOpError("operand shapes are not broadcast-compatible: ");
      llvm::interleave(types, diag, " vs ");
      return diag;
    }
    shape = std::move(next);
  }
  if (!ranked)
    return std::optional<SmallVector<int64_t>>();
  return std::optional<SmallVector<int64_t>>(std::move(shape));
}

LogicalResult loom::inferBroadcast(Operation *op,
                                   SmallVectorImpl<Type> &inferred,
                                   Type resultElementType) {
  Type elementType = getElementTypeOrSelf(op->getOperand(0).getType());
  for (Value operand : op->getOperands().drop_front())
    if (getElementTypeOrSelf(operand.getType()) != elementType)
      return op->emitOpError("operands must have one element type, got ")
             << elementType << " and "
             << getElementTypeOrSelf(operand.getType());
  FailureOr<std::optional<SmallVector<int64_t>>> shape =
      broadcastShapes(op, op->getOperandTypes());
  if (failed(shape))
    return failure();
  inferred.push_back(makeTensorType(
      *shape ? std::optional<ArrayRef<int64_t>>(**shape) : std::nullopt,
      resultElementType ? resultElementType : elementType));
  return success();
}

LogicalResult loom::verifyAxis(Operation *op, Type type, int64_t axis,
                               StringRef name) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return success();
  // Every caller indexes a dimension with the axis: a scalar has none.
  int64_t rank = tensor.getRank();
  if (rank == 0)
    return op->emitOpError()
           << name << " " << axis << " names a dimension of a scalar (rank 0)";
  if (axis < -rank || axis >= rank)
    return op->emitOpError()
           << name << " " << axis << " is out of range for rank " << rank
           << " (expected in [" << -rank << ", " << rank - 1 << "])";
  return success();
}

std::optional<int64_t> loom::getStaticLength(Value value) {
  auto tensor = dyn_cast<RankedTensorType>(value.getType());
  // A scalar counts as one entry: ONNX Runtime accepts scalar `axes`.
  if (tensor && tensor.getRank() == 0)
    return 1;
  if (!tensor || tensor.getRank() != 1 || tensor.isDynamicDim(0))
    return std::nullopt;
  return tensor.getDimSize(0);
}

/// Integer contents of an elements attribute, dense or dense_resource.
static std::optional<SmallVector<int64_t>> readInts(ElementsAttr elements) {
  if (!isa<IntegerType>(elements.getElementType()))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(elements)) {
    SmallVector<int64_t> values;
    values.reserve(dense.getNumElements());
    for (const APInt &value : dense.getValues<APInt>())
      values.push_back(value.getSExtValue());
    return values;
  }
  if (auto resource = dyn_cast<DenseI64ResourceElementsAttr>(elements)) {
    if (std::optional<ArrayRef<int64_t>> data = resource.tryGetAsArrayRef())
      return SmallVector<int64_t>(*data);
    return std::nullopt;
  }
  if (auto resource = dyn_cast<DenseI32ResourceElementsAttr>(elements)) {
    if (std::optional<ArrayRef<int32_t>> data = resource.tryGetAsArrayRef())
      return SmallVector<int64_t>(data->begin(), data->end());
  }
  return std::nullopt;
}

std::optional<SmallVector<int64_t>> loom::getConstantInts(Value value) {
  Operation *def = value.getDefiningOp();
  if (!def)
    return std::nullopt;
  if (auto ref = dyn_cast<WeightRefOp>(def)) {
    auto weight = dyn_cast_or_null<WeightOp>(
        SymbolTable::lookupNearestSymbolFrom(ref, ref.getNameAttr()));
    if (!weight)
      return std::nullopt;
    return readInts(weight.getValue());
  }
  Attribute attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  if (auto elements = dyn_cast<ElementsAttr>(attr))
    return readInts(elements);
  return std::nullopt;
}

std::optional<SmallVector<float>> loom::getConstantFloats(Value value) {
  Operation *def = value.getDefiningOp();
  if (!def)
    return std::nullopt;
  ElementsAttr elements;
  if (auto ref = dyn_cast<WeightRefOp>(def)) {
    auto weight = dyn_cast_or_null<WeightOp>(
        SymbolTable::lookupNearestSymbolFrom(ref, ref.getNameAttr()));
    if (!weight)
      return std::nullopt;
    elements = weight.getValue();
  } else {
    Attribute attr;
    if (!matchPattern(value, m_Constant(&attr)))
      return std::nullopt;
    elements = dyn_cast<ElementsAttr>(attr);
  }
  if (!elements || !elements.getElementType().isF32())
    return std::nullopt;
  if (auto dense = dyn_cast<DenseFPElementsAttr>(elements)) {
    SmallVector<float> values;
    for (const APFloat &v : dense.getValues<APFloat>())
      values.push_back(v.convertToFloat());
    return values;
  }
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(elements))
    if (std::optional<ArrayRef<float>> data = resource.tryGetAsArrayRef())
      return SmallVector<float>(*data);
  return std::nullopt;
}

LogicalResult loom::inferReduction(Operation *op, Value data, Value axes,
                                   bool keepdims, bool noopWithEmptyAxes,
                                   SmallVectorImpl<Type> &inferred) {
  auto dataType = cast<TensorType>(data.getType());
  Type elementType = dataType.getElementType();
  if (axes) {
    auto axesType = cast<TensorType>(axes.getType());
    if (axesType.hasRank() && axesType.getRank() > 1)
      return op->emitOpError("axes must be 1-D, got ") << axesType;
  }
  auto ranked = dyn_cast<RankedTensorType>(dataType);
  if (!ranked) {
    inferred.push_back(UnrankedTensorType::get(elementType));
    return success();
  }
  int64_t rank = ranked.getRank();
  SmallVector<bool> reduced(rank, false);
  if (!axes || getStaticLength(axes) == 0) {
    if (noopWithEmptyAxes) {
      inferred.push_back(dataType);
      return success();
    }
    reduced.assign(rank, true);
  } else if (std::optional<SmallVector<int64_t>> values =
                 getConstantInts(axes)) {
    for (int64_t axis : *values) {
      if (failed(verifyAxis(op, dataType, axis, "reduction axis")))
        return failure();
      int64_t normalized = normalizeAxis(axis, rank);
      if (reduced[normalized])
        return op->emitOpError("reduction axis ")
               << axis << " is listed more than once";
      reduced[normalized] = true;
    }
  } else {
    // Unknown axes: with keepdims the rank survives, without it nothing does.
    if (!keepdims) {
      inferred.push_back(UnrankedTensorType::get(elementType));
      return success();
    }
    inferred.push_back(RankedTensorType::get(
        SmallVector<int64_t>(rank, ShapedType::kDynamic), elementType));
    return success();
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced[i])
      shape.push_back(ranked.getDimSize(i));
    else if (keepdims)
      shape.push_back(1);
  }
  inferred.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

FailureOr<Operation *> loom::createWithInferredTypes(OpBuilder &builder,
                                                     OperationState &state,
                                                     unsigned numResults,
                                                     Type placeholderElement,
                                                     ArrayRef<Type> declared) {
  // A result whose type is declared gets a placeholder of its element type;
  // the others one of `placeholderElement`, or, when the op's result
  // constraints refuse that (Equal's i1, Shape's i64, MatMulInteger's i32),
  // the first other candidate they accept.
  auto declaredElement = [&](unsigned i) -> Type {
    if (i < declared.size())
      if (auto tensor = dyn_cast_or_null<TensorType>(declared[i]))
        return tensor.getElementType();
    return nullptr;
  };
  auto placeholders = [&](Type element) {
    SmallVector<Type> types;
    for (unsigned i = 0; i < numResults; ++i) {
      Type known = declaredElement(i);
      types.push_back(UnrankedTensorType::get(known ? known : element));
    }
    return types;
  };
  state.types.assign(placeholders(placeholderElement));
  SmallVector<NamedAttribute> given(state.attributes.begin(),
                                    state.attributes.end());
  Operation *op = builder.create(state);
  auto fail = [&]() -> FailureOr<Operation *> {
    op->erase();
    return failure();
  };
  MLIRContext *context = op->getContext();
  ScopedDiagnosticHandler silence(context,
                                  [](Diagnostic &) { return success(); });
  // An inherent attribute of the wrong kind is dropped silently when it is
  // stored in the op's properties (a float `axis` becomes a null IntegerAttr
  // that a default-valued getter dereferences): it must read back as given.
  for (const NamedAttribute &attr : given)
    if (op->getAttr(attr.getName()) != attr.getValue())
      return fail();
  // Inference reads attributes through their typed getters, so the op's
  // invariants (operand count, required attributes, attribute kinds) are
  // checked first, with placeholders its result constraints accept.
  Builder b(context);
  Type candidates[] = {placeholderElement, b.getI64Type(), b.getI1Type(),
                       b.getI32Type()};
  bool valid = false;
  for (Type element : candidates) {
    for (auto [result, type] :
         llvm::zip_equal(op->getResults(), placeholders(element)))
      result.setType(type);
    if (succeeded(op->getName().verifyInvariants(op))) {
      valid = true;
      break;
    }
  }
  if (!valid)
    return fail();
  auto inference = dyn_cast<ShapeInferenceOpInterface>(op);
  SmallVector<Type> inferred;
  if (!inference || failed(inference.inferResultTypes(inferred)) ||
      inferred.size() != numResults)
    return fail();
  for (unsigned i = 0; i < numResults; ++i) {
    Type type = inferred[i];
    Type known = i < declared.size() ? declared[i] : Type();
    if (known && isa<TensorType>(known)) {
      if (!isCompatibleType(known, type))
        return fail();
      type = refineType(known, type);
    }
    op->getResult(i).setType(type);
  }
  // Verified again with the inferred types.
  if (failed(verify(op, /*verifyRecursively=*/false)))
    return fail();
  return op;
}
