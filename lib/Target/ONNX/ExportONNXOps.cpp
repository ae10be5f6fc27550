//===- ExportONNXOps.cpp - typed Loom ops as ONNX nodes -------------------===//
//
// Writes a typed op as the node of its ONNX operator in the form of the
// model's opset: inputs in order (an absent optional operand before a present
// one as ""), every attribute that differs from its ODS default, and, for
// opsets older than the op's form, constant operands turned back into the
// attributes those opsets expect.
//
//===----------------------------------------------------------------------===//

#include "ExportONNX.h"
#include "ONNXCommon.h"
#include "ONNXOpTable.h"

#include "loom/Dialect/Loom/IR/LoomOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;
using namespace loom;

/// The ODS default of each attribute of an op (from a blank instance),
/// computed once per op kind and export (`cache`).
static DictionaryAttr
getDefaults(OperationName name,
            llvm::DenseMap<OperationName, DictionaryAttr> *cache) {
  if (cache)
    if (auto it = cache->find(name); it != cache->end())
      return it->second;
  OperationState state(UnknownLoc::get(name.getContext()), name);
  Operation *blank = Operation::create(state);
  auto defaults =
      dyn_cast_or_null<DictionaryAttr>(blank->getPropertiesAsAttribute());
  blank->destroy();
  if (!defaults)
    defaults = DictionaryAttr::get(name.getContext());
  if (cache)
    (*cache)[name] = defaults;
  return defaults;
}

/// Reads a constant operand's floats (Clip's bounds for opset < 11).
static std::optional<float> getConstantFloat(Value value) {
  Operation *def = value ? value.getDefiningOp() : nullptr;
  auto constant = dyn_cast_or_null<ConstantOp>(def);
  if (!constant)
    return std::nullopt;
  auto dense = dyn_cast<DenseFPElementsAttr>(constant.getValue());
  if (!dense || dense.getNumElements() != 1)
    return std::nullopt;
  return (*dense.getValues<APFloat>().begin()).convertToFloat();
}

static void addInts(onnx::NodeProto &node, StringRef name,
                    ArrayRef<int64_t> values) {
  onnx::AttributeProto *attr = node.add_attribute();
  attr->set_name(name.str());
  attr->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values)
    attr->add_ints(v);
}

LogicalResult loom::exportTypedOp(Operation *op, const NodeWriter &writer,
                                  onnx::NodeProto &node) {
  StringRef opName = op->getName().getStringRef();
  const ONNXOpMapping *mapping = nullptr;
  for (const ONNXOpMapping &row : getONNXOpTable())
    if (row.loomName == opName)
      mapping = &row;
  if (!mapping)
    return success();
  StringRef opType = mapping->onnxName;
  int64_t opset = writer.opset;
  // These write older forms themselves; the rest need the table's opset.
  static const StringRef downgradable[] = {
      "Squeeze", "Unsqueeze", "ReduceSum", "ReduceMean", "ReduceMax",
      "Split",   "Slice",     "Clip",      "Softmax",    "LogSoftmax"};
  if (opset < mapping->minOpset && !llvm::is_contained(downgradable, opType))
    return op->emitOpError("has no form in opset ")
           << opset << " (ONNX " << opType << " needs opset "
           << mapping->minOpset << ")";
  node.set_op_type(opType.str());

  // Operands, per ODS group; `asAttribute` marks operands older opsets take
  // as attributes instead.
  DictionaryAttr props =
      dyn_cast_or_null<DictionaryAttr>(op->getPropertiesAsAttribute());
  SmallVector<SmallVector<Value, 1>> groups;
  if (auto sizes = props ? props.getAs<DenseI32ArrayAttr>("operandSegmentSizes")
                         : DenseI32ArrayAttr()) {
    unsigned start = 0;
    for (int32_t size : sizes.asArrayRef()) {
      groups.emplace_back(op->getOperands().slice(start, size));
      start += size;
    }
  } else {
    for (Value operand : op->getOperands())
      groups.push_back({operand});
  }
  auto asAttribute = [&](unsigned group, StringRef attrName) -> LogicalResult {
    if (group >= groups.size() || groups[group].empty())
      return success();
    std::optional<SmallVector<int64_t>> values =
        getConstantInts(groups[group].front());
    if (!values)
      return op->emitOpError("operand #")
             << group << " must be a constant to be written as the '"
             << attrName << "' attribute of opset " << opset;
    addInts(node, attrName, *values);
    groups[group].clear();
    return success();
  };
  if (opType == "Slice" && opset < 10 && groups.size() > 4 &&
      !groups[4].empty()) {
    std::optional<SmallVector<int64_t>> steps = getConstantInts(groups[4][0]);
    if (!steps || llvm::any_of(*steps, [](int64_t s) { return s != 1; }))
      return op->emitOpError("steps other than 1 need opset 10");
    groups[4].clear();
  }
  for (const AttributeOperandRule &rule : getAttributeOperandRules()) {
    if (rule.opType != opType || opset >= rule.untilOpset)
      continue;
    if (!rule.isFloat) {
      if (failed(asAttribute(rule.operand, rule.attribute)))
        return failure();
      continue;
    }
    if (rule.operand >= groups.size() || groups[rule.operand].empty())
      continue;
    std::optional<float> value = getConstantFloat(groups[rule.operand][0]);
    if (!value)
      return op->emitOpError() << opType << "'s " << rule.attribute
                               << " must be a constant for opset " << opset;
    onnx::AttributeProto *attr = node.add_attribute();
    attr->set_name(rule.attribute.str());
    attr->set_type(onnx::AttributeProto::FLOAT);
    attr->set_f(*value);
    groups[rule.operand].clear();
  }
  // Absent groups before a present one are written as "".
  unsigned last = groups.size();
  while (last && groups[last - 1].empty())
    --last;
  for (unsigned i = 0; i < last; ++i) {
    if (groups[i].empty())
      node.add_input("");
    for (Value operand : groups[i])
      node.add_input(writer.nameOf(operand));
  }

  // Attributes that differ from their defaults.
  DictionaryAttr defaults = getDefaults(op->getName(), writer.defaults);
  bool alwaysAxis =
      (opType == "Softmax" || opType == "LogSoftmax") && opset < 13;
  if (props) {
    for (NamedAttribute attr : props) {
      StringRef name = attr.getName().getValue();
      if (name == "operandSegmentSizes" || name == "resultSegmentSizes")
        continue;
      if (attr.getValue() == defaults.get(name) &&
          !(alwaysAxis && name == "axis"))
        continue;
      onnx::AttributeProto *proto = node.add_attribute();
      proto->set_name(name.str());
      Attribute value = attr.getValue();
      if (writeSimpleAttribute(value, proto)) {
        continue;
      } else if (auto pad = dyn_cast<AutoPadAttr>(value)) {
        proto->set_type(onnx::AttributeProto::STRING);
        proto->set_s(stringifyAutoPad(pad.getValue()).str());
      } else if (auto gelu = dyn_cast<GeluApproximationAttr>(value)) {
        proto->set_type(onnx::AttributeProto::STRING);
        proto->set_s(stringifyGeluApproximation(gelu.getValue()).str());
      } else {
        return op->emitOpError("attribute '") << name << "' has no ONNX form";
      }
    }
  }
  if (auto cast = dyn_cast<CastOp>(op)) {
    std::optional<int32_t> to =
        getONNXDataType(getElementTypeOrSelf(cast.getOutput().getType()));
    if (!to)
      return op->emitOpError("casts to a type ONNX does not have");
    onnx::AttributeProto *attr = node.add_attribute();
    attr->set_name("to");
    attr->set_type(onnx::AttributeProto::INT);
    attr->set_i(*to);
  }
  // Without a zero point, QuantizeLinear's result type is uint8 unless
  // output_dtype (opset 21) says otherwise.
  if (auto quantize = dyn_cast<QuantizeLinearOp>(op)) {
    Type element = getElementTypeOrSelf(quantize.getY().getType());
    if (!quantize.getYZeroPoint() && !element.isUnsignedInteger(8)) {
      std::optional<int32_t> dtype = getONNXDataType(element);
      if (!dtype)
        return op->emitOpError("quantizes to a type ONNX does not have");
      onnx::AttributeProto *attr = node.add_attribute();
      attr->set_name("output_dtype");
      attr->set_type(onnx::AttributeProto::INT);
      attr->set_i(*dtype);
    }
  }
  return success();
}
