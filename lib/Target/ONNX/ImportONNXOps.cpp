//===- ImportONNXOps.cpp - known ONNX operators to typed Loom ops ---------===//
//
// Maps a node of the default domain to its typed Loom op when the node's form
// has one: attributes by name (INT -> i64, FLOAT -> f32, INTS -> dense i64
// array, enum strings -> enum attributes), operands in order. Older opsets'
// attribute forms that later became operands (Squeeze's axes, Clip's bounds,
// ...) are upgraded to constant operands. Result types are the more precise
// of the declared types and Loom's inference. Anything that does not fit
// (an unknown attribute, a training-mode output, a non-tensor operand, a
// verifier complaint) leaves the node to the generic op, so the mapping can
// only make import more precise, never refuse a model.
//
//===----------------------------------------------------------------------===//

#include "ImportONNX.h"
#include "ONNXCommon.h"
#include "ONNXOpTable.h"

#include "loom/Dialect/Loom/IR/LoomOps.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

#include <cfloat>

using namespace mlir;
using namespace loom;

namespace {

/// Builds one typed op, or gives up and erases everything it built.
class TypedOpBuilder {
public:
  TypedOpBuilder(OpBuilder &builder, const NodeContext &ctx)
      : builder(builder), ctx(ctx), node(ctx.node) {}

  Operation *build(const ONNXOpMapping &mapping);

private:
  /// Gives up: the node becomes a generic op.
  Operation *fail() {
    for (Operation *op : llvm::reverse(created))
      op->erase();
    created.clear();
    return nullptr;
  }
  Value constant(ElementsAttr value) {
    // Named apart from the node, whose name its typed op keeps.
    std::string name = node.name().empty() ? node.op_type() : node.name();
    auto op = ConstantOp::create(
        builder,
        NameLoc::get(builder.getStringAttr(name + ":attribute"), ctx.loc),
        value);
    created.push_back(op);
    return op;
  }
  Value intsConstant(const onnx::AttributeProto &attr) {
    SmallVector<int64_t> values(attr.ints().begin(), attr.ints().end());
    auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                      builder.getI64Type());
    return constant(DenseIntElementsAttr::get(type, values));
  }
  Attribute convertAttribute(const onnx::AttributeProto &attr);
  LogicalResult upgrade(const onnx::AttributeProto &attr, bool &consumed);

  OpBuilder &builder;
  const NodeContext &ctx;
  const onnx::NodeProto &node;
  SmallVector<Operation *> created;
  SmallVector<Value> operands;
  NamedAttrList attributes;
  /// The element type of the result of Cast (`to`) or QuantizeLinear
  /// (`output_dtype`).
  Type castTarget;
  StringRef opType;
};

} // namespace

Attribute TypedOpBuilder::convertAttribute(const onnx::AttributeProto &attr) {
  switch (attr.type()) {
  case onnx::AttributeProto::INT:
    return builder.getI64IntegerAttr(attr.i());
  case onnx::AttributeProto::FLOAT:
    return builder.getF32FloatAttr(attr.f());
  case onnx::AttributeProto::INTS:
    return builder.getDenseI64ArrayAttr(
        SmallVector<int64_t>(attr.ints().begin(), attr.ints().end()));
  case onnx::AttributeProto::STRING:
    if (attr.name() == "auto_pad") {
      std::optional<AutoPad> pad = symbolizeAutoPad(attr.s());
      return pad ? AutoPadAttr::get(builder.getContext(), *pad) : Attribute();
    }
    if (attr.name() == "approximate") {
      std::optional<GeluApproximation> approx =
          symbolizeGeluApproximation(attr.s());
      return approx ? GeluApproximationAttr::get(builder.getContext(), *approx)
                    : Attribute();
    }
    // Other strings (Resize's modes) stay strings; the op's verifier checks
    // their values.
    return builder.getStringAttr(attr.s());
  default:
    return nullptr;
  }
}

/// Attribute forms of old opsets that are operands in Loom's (newest) form.
LogicalResult TypedOpBuilder::upgrade(const onnx::AttributeProto &attr,
                                      bool &consumed) {
  consumed = false;
  int64_t opset = ctx.opset;
  StringRef name = attr.name();
  auto isInts = attr.type() == onnx::AttributeProto::INTS;
  for (const AttributeOperandRule &rule : getAttributeOperandRules()) {
    if (rule.opType != opType || opset >= rule.untilOpset ||
        rule.attribute != name)
      continue;
    if (operands.empty() ||
        (operands.size() > rule.operand && operands[rule.operand]))
      return failure(); // the operand is there too
    Value value;
    if (rule.isFloat) {
      auto floatType =
          dyn_cast<FloatType>(getElementTypeOrSelf(operands[0].getType()));
      if (attr.type() != onnx::AttributeProto::FLOAT || !floatType)
        return failure();
      value = constant(
          DenseElementsAttr::get(RankedTensorType::get({}, floatType),
                                 builder.getFloatAttr(floatType, attr.f())));
    } else {
      if (!isInts)
        return failure();
      value = intsConstant(attr);
    }
    operands.resize(std::max<size_t>(operands.size(), rule.operand + 1));
    operands[rule.operand] = value;
    consumed = true;
    return success();
  }
  if (opType == "BatchNormalization" && name == "training_mode") {
    // Inference form only.
    consumed = attr.i() == 0;
    return success(consumed);
  }
  if (opType == "QuantizeLinear" && name == "output_dtype") {
    // The result type without a zero point (0: uint8, or the zero point's).
    consumed = true;
    if (attr.i() == 0)
      return success();
    castTarget = getElementType(builder.getContext(), attr.i());
    return success(castTarget != nullptr);
  }
  if (opType == "Cast" && name == "to") {
    castTarget = getElementType(builder.getContext(), attr.i());
    consumed = true;
    return success(castTarget != nullptr);
  }
  return success();
}

Operation *TypedOpBuilder::build(const ONNXOpMapping &mapping) {
  MLIRContext *context = builder.getContext();
  opType = node.op_type();
  std::optional<RegisteredOperationName> opName =
      RegisteredOperationName::lookup(mapping.loomName, context);
  if (!opName)
    return nullptr;
  for (Value operand : ctx.operands)
    if (operand && !isa<TensorType>(operand.getType()))
      return nullptr;

  // Results: trailing optional outputs may be absent, middle ones may not.
  unsigned numResults = node.output_size();
  while (numResults && node.output(numResults - 1).empty())
    --numResults;
  if (numResults == 0 || numResults > mapping.maxResults)
    return nullptr;
  for (unsigned i = 0; i < numResults; ++i)
    if (node.output(i).empty())
      return nullptr;

  operands.assign(ctx.operands.begin(), ctx.operands.end());
  if (opType == "Dropout" && operands.size() > 2 && operands[2])
    return nullptr; // a training_mode input may switch training on

  // Constant: its value attribute in any of ONNX's spellings.
  if (opType == "Constant") {
    if (node.attribute_size() != 1)
      return nullptr;
    const onnx::AttributeProto &attr = node.attribute(0);
    ElementsAttr value;
    auto scalarOr1D = [&](Type elementType, auto values, bool scalar) {
      SmallVector<int64_t> shape;
      if (!scalar)
        shape.push_back(values.size());
      return ElementsAttr(DenseElementsAttr::get(
          RankedTensorType::get(shape, elementType), ArrayRef(values)));
    };
    if (attr.name() == "value" && attr.type() == onnx::AttributeProto::TENSOR) {
      ScopedDiagnosticHandler silence(builder.getContext(),
                                      [](Diagnostic &) { return success(); });
      FailureOr<ElementsAttr> converted = ctx.convertTensor(attr.t());
      if (failed(converted))
        return nullptr;
      value = *converted;
    } else if (attr.name() == "value_float")
      value =
          scalarOr1D(builder.getF32Type(), SmallVector<float>{attr.f()}, true);
    else if (attr.name() == "value_floats")
      value = scalarOr1D(
          builder.getF32Type(),
          SmallVector<float>(attr.floats().begin(), attr.floats().end()),
          false);
    else if (attr.name() == "value_int")
      value = scalarOr1D(builder.getI64Type(), SmallVector<int64_t>{attr.i()},
                         true);
    else if (attr.name() == "value_ints")
      value = scalarOr1D(
          builder.getI64Type(),
          SmallVector<int64_t>(attr.ints().begin(), attr.ints().end()), false);
    if (!value)
      return nullptr;
    return ConstantOp::create(builder, ctx.loc, value);
  }

  for (const onnx::AttributeProto &attr : node.attribute()) {
    bool consumed;
    if (failed(upgrade(attr, consumed)))
      return fail();
    if (consumed)
      continue;
    Attribute value = convertAttribute(attr);
    StringAttr name = builder.getStringAttr(attr.name());
    if (!value || !llvm::is_contained(opName->getAttributeNames(), name))
      return fail();
    attributes.set(name, value);
  }
  if (opType == "Cast" && !castTarget)
    return fail();
  if ((opType == "Softmax" || opType == "LogSoftmax") && ctx.opset < 13) {
    // Before opset 13 these flatten at `axis` (default 1); that equals
    // Loom's per-axis form only when the axis is the last one.
    auto type = dyn_cast<RankedTensorType>(operands[0].getType());
    auto axisAttr = attributes.get("axis");
    int64_t axis = axisAttr ? cast<IntegerAttr>(axisAttr).getInt() : 1;
    if (!type || normalizeAxis(axis, type.getRank()) != type.getRank() - 1)
      return fail();
    attributes.set("axis", builder.getI64IntegerAttr(axis));
  }
  if (opType == "Clip" && ctx.opset < 11) {
    // Clip-6 clips to +-FLT_MAX when a bound is left out: keep that exact.
    operands.resize(3);
    auto floatType = dyn_cast<FloatType>(getElementTypeOrSelf(operands[0]));
    if (!floatType)
      return fail();
    auto type = RankedTensorType::get({}, floatType);
    for (int i : {1, 2})
      if (!operands[i])
        operands[i] = constant(DenseElementsAttr::get(
            type,
            builder.getFloatAttr(floatType, i == 1 ? -FLT_MAX : FLT_MAX)));
  }

  // Operand groups: ops with several optional operands take segment sizes;
  // the others accept only trailing absent operands.
  SmallVector<Value> flat;
  if (opName->hasTrait<OpTrait::AttrSizedOperandSegments>()) {
    unsigned groups = llvm::StringSwitch<unsigned>(opType)
                          .Case("Clip", 3)
                          .Case("Slice", 5)
                          .Case("Dropout", 3)
                          .Case("MatMulInteger", 4)
                          .Case("ConvInteger", 4)
                          .Case("Resize", 4)
                          .Default(0);
    if (!groups || operands.size() > groups)
      return fail();
    SmallVector<int32_t> sizes;
    for (unsigned i = 0; i < groups; ++i) {
      bool present = i < operands.size() && operands[i];
      sizes.push_back(present);
      if (present)
        flat.push_back(operands[i]);
    }
    attributes.set("operandSegmentSizes", builder.getDenseI32ArrayAttr(sizes));
  } else {
    while (!operands.empty() && !operands.back())
      operands.pop_back();
    for (Value operand : operands) {
      if (!operand)
        return fail();
      flat.push_back(operand);
    }
  }

  // Placeholder result types, replaced by inference below.
  Type placeholderElement = builder.getF32Type();
  if (opType == "Cast")
    placeholderElement = castTarget;
  if (opType == "QuantizeLinear")
    placeholderElement =
        flat.size() > 2 ? getElementTypeOrSelf(flat[2])
        : castTarget    ? castTarget
                        : IntegerType::get(context, 8, IntegerType::Unsigned);
  OperationState state(ctx.loc, *opName);
  state.addOperands(flat);
  state.addAttributes(attributes);
  // Loom's own rules decide; a complaint means the node stays generic.
  FailureOr<Operation *> op = createWithInferredTypes(
      builder, state, numResults, placeholderElement,
      ArrayRef<Type>(ctx.resultTypes).take_front(numResults));
  if (failed(op))
    return fail();
  return *op;
}

Operation *loom::importTypedOp(OpBuilder &builder, const NodeContext &ctx) {
  const onnx::NodeProto &node = ctx.node;
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return nullptr;
  for (const ONNXOpMapping &mapping : getONNXOpTable()) {
    if (mapping.onnxName != node.op_type())
      continue;
    if (ctx.opset < mapping.minOpset)
      return nullptr;
    TypedOpBuilder typed(builder, ctx);
    return typed.build(mapping);
  }
  return nullptr;
}
