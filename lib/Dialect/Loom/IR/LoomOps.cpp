//===- LoomOps.cpp - Loom op definitions ----------------------------------===//
//
// Hand-written parts of the ops that ODS cannot express: the weight op's
// assembly and verifier, symbol checks of `loom.weight_ref`, the generic op's
// verifier, and the `RefinedType` custom directive. Folders live in
// LoomFolds.cpp and shape rules in *Shapes.cpp.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/WeightData.h"

#include "mlir/IR/DialectResourceBlobManager.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace loom;

//===----------------------------------------------------------------------===//
// Custom directives
//===----------------------------------------------------------------------===//

/// `: T` when operand and result types are equal, `: T -> U` otherwise.
static ParseResult parseRefinedType(OpAsmParser &parser, Type &operandType,
                                    Type &resultType) {
  if (parser.parseType(operandType))
    return failure();
  resultType = operandType;
  if (succeeded(parser.parseOptionalArrow()))
    return parser.parseType(resultType);
  return success();
}

static void printRefinedType(OpAsmPrinter &printer, Operation *,
                             Type operandType, Type resultType) {
  printer << operandType;
  if (resultType != operandType)
    printer << " -> " << resultType;
}

//===----------------------------------------------------------------------===//
// WeightOp
//===----------------------------------------------------------------------===//

/// An optional role keyword: `role` keeps its value when there is none.
static ParseResult parseOptionalRole(OpAsmParser &parser, WeightRole &role) {
  StringRef keyword;
  SMLoc loc = parser.getCurrentLocation();
  if (failed(parser.parseOptionalKeyword(&keyword,
                                         {"parameter", "buffer", "constant"})))
    return success();
  std::optional<WeightRole> parsed = symbolizeWeightRole(keyword);
  if (!parsed)
    return parser.emitError(loc, "unknown weight role '") << keyword << "'";
  role = *parsed;
  return success();
}

// loom.weight @name [parameter|buffer|constant] [frozen] [input N]
//     [aliases ["a", ...]] [copies ["b" buffer, ...]] : type = value attr-dict
ParseResult WeightOp::parse(OpAsmParser &parser, OperationState &result) {
  Builder &builder = parser.getBuilder();
  StringAttr name;
  if (parser.parseSymbolName(name))
    return failure();
  result.getOrAddProperties<Properties>().sym_name = name;

  WeightRole role = WeightRole::Parameter;
  if (parseOptionalRole(parser, role))
    return failure();
  result.getOrAddProperties<Properties>().role =
      WeightRoleAttr::get(builder.getContext(), role);
  if (succeeded(parser.parseOptionalKeyword("frozen")))
    result.getOrAddProperties<Properties>().frozen = builder.getUnitAttr();
  if (succeeded(parser.parseOptionalKeyword("input"))) {
    int64_t index;
    if (parser.parseInteger(index))
      return failure();
    result.getOrAddProperties<Properties>().input_index =
        builder.getI64IntegerAttr(index);
  }
  if (succeeded(parser.parseOptionalKeyword("aliases"))) {
    SmallVector<Attribute> aliases;
    if (parser.parseCommaSeparatedList(
            OpAsmParser::Delimiter::Square, [&]() -> ParseResult {
              std::string alias;
              if (parser.parseString(&alias))
                return failure();
              aliases.push_back(builder.getStringAttr(alias));
              return success();
            }))
      return failure();
    result.getOrAddProperties<Properties>().aliases =
        builder.getArrayAttr(aliases);
  }
  if (succeeded(parser.parseOptionalKeyword("copies"))) {
    SmallVector<Attribute> copies;
    if (parser.parseCommaSeparatedList(
            OpAsmParser::Delimiter::Square, [&]() -> ParseResult {
              std::string copy;
              if (parser.parseString(&copy))
                return failure();
              WeightRole role = WeightRole::Parameter;
              if (parseOptionalRole(parser, role))
                return failure();
              copies.push_back(WeightCopyAttr::get(
                  builder.getContext(), builder.getStringAttr(copy), role));
              return success();
            }))
      return failure();
    result.getOrAddProperties<Properties>().copies =
        builder.getArrayAttr(copies);
  }

  Type type;
  Attribute value;
  SMLoc valueLoc;
  if (parser.parseColonType(type) || parser.parseEqual() ||
      (valueLoc = parser.getCurrentLocation(), false) ||
      parser.parseAttribute(value, type))
    return failure();
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements)
    return parser.emitError(valueLoc, "weight value must be an elements "
                                      "attribute (dense, dense_resource, "
                                      "sparse)");
  result.getOrAddProperties<Properties>().value = elements;
  return parser.parseOptionalAttrDict(result.attributes);
}

void WeightOp::print(OpAsmPrinter &printer) {
  printer << ' ';
  printer.printSymbolName(getSymName());
  if (getRole() != WeightRole::Parameter)
    printer << ' ' << stringifyWeightRole(getRole());
  if (getFrozen())
    printer << " frozen";
  if (std::optional<int64_t> input = getInputIndex())
    printer << " input " << *input;
  if (std::optional<ArrayAttr> aliases = getAliases()) {
    printer << " aliases [";
    llvm::interleaveComma(
        aliases->getAsRange<StringAttr>(), printer,
        [&](StringAttr alias) { printer.printString(alias.getValue()); });
    printer << ']';
  }
  if (std::optional<ArrayAttr> copies = getCopies()) {
    printer << " copies [";
    llvm::interleaveComma(copies->getAsRange<WeightCopyAttr>(), printer,
                          [&](WeightCopyAttr copy) {
                            printer.printString(copy.getName().getValue());
                            if (copy.getRole() != WeightRole::Parameter)
                              printer << ' '
                                      << stringifyWeightRole(copy.getRole());
                          });
    printer << ']';
  }
  printer << " : " << getType() << " = ";
  printer.printAttributeWithoutType(getValue());
  printer.printOptionalAttrDict((*this)->getAttrs(),
                                {getSymNameAttrName(), getValueAttrName(),
                                 getRoleAttrName(), getFrozenAttrName(),
                                 getInputIndexAttrName(), getAliasesAttrName(),
                                 getCopiesAttrName()});
}

LogicalResult WeightOp::verify() {
  if (!isa<TensorType>(getValue().getType()))
    return emitOpError("value must have a tensor type, got ")
           << getValue().getType();
  // A blob read from a file must hold exactly the bytes its type needs
  // (export and every analysis read them as such). A missing blob is left to
  // whoever reads the data: IR printed with elided resources still parses.
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(getValue()))
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob()) {
      auto type = cast<ShapedType>(resource.getType());
      std::optional<unsigned> elemBytes =
          getElementByteSize(type.getElementType());
      std::optional<int64_t> count =
          type.hasStaticShape() ? getCheckedNumElements(type.getShape())
                                : std::nullopt;
      uint64_t need;
      if (elemBytes && count &&
          (__builtin_mul_overflow(uint64_t(*count), *elemBytes, &need) ||
           blob->getData().size() != need))
        return emitOpError("value: resource '")
               << resource.getRawHandle().getKey() << "' holds "
               << blob->getData().size() << " bytes, but " << type << " needs "
               << uint64_t(*count) * *elemBytes;
    }
  // Every name (the symbol, aliases, copies) appears once.
  llvm::SmallDenseSet<StringAttr> seen;
  seen.insert(getSymNameAttr());
  if (std::optional<ArrayAttr> aliases = getAliases()) {
    for (StringAttr alias : aliases->getAsRange<StringAttr>()) {
      if (alias == getSymNameAttr())
        return emitOpError("lists its own name '")
               << alias.getValue() << "' as an alias";
      if (!seen.insert(alias).second)
        return emitOpError("lists alias '")
               << alias.getValue() << "' more than once";
    }
  }
  if (std::optional<ArrayAttr> copies = getCopies())
    for (WeightCopyAttr copy : copies->getAsRange<WeightCopyAttr>())
      if (!seen.insert(copy.getName()).second)
        return emitOpError("lists name '")
               << copy.getName().getValue()
               << "' as a copy and as its own name or another alias or copy";
  return success();
}

//===----------------------------------------------------------------------===//
// WeightRefOp
//===----------------------------------------------------------------------===//

LogicalResult
WeightRefOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  Operation *symbol = symbolTable.lookupNearestSymbolFrom(*this, getNameAttr());
  auto weight = dyn_cast_or_null<WeightOp>(symbol);
  if (!weight)
    return emitOpError("'") << getNameAttr() << "' does not name a loom.weight";
  if (weight.getType() != getType())
    return emitOpError("result type ")
           << getType() << " does not match the type " << weight.getType()
           << " of weight '" << getNameAttr() << "'";
  return success();
}

//===----------------------------------------------------------------------===//
// OnnxOp
//===----------------------------------------------------------------------===//

/// Collects every `#loom.graph<N>` in an ONNX attribute value.
static void collectGraphRefs(Attribute value,
                             SmallVectorImpl<GraphAttr> &graphs) {
  if (auto graph = dyn_cast<GraphAttr>(value)) {
    graphs.push_back(graph);
    return;
  }
  if (auto array = dyn_cast<ArrayAttr>(value))
    for (Attribute element : array)
      collectGraphRefs(element, graphs);
}

LogicalResult OnnxOp::verify() {
  if (getOpType().empty())
    return emitOpError("needs a non-empty op_type");
  if (std::optional<int64_t> version = getVersion(); version && *version < 1)
    return emitOpError("opset version must be positive, got ") << *version;
  return success();
}

LogicalResult OnnxOp::verifyRegions() {
  // Every region is the body of exactly one graph attribute.
  llvm::SmallBitVector used(getNumRegions());
  if (std::optional<DictionaryAttr> attributes = getOnnxAttributes()) {
    for (NamedAttribute attribute : *attributes) {
      SmallVector<GraphAttr> graphs;
      collectGraphRefs(attribute.getValue(), graphs);
      for (GraphAttr graph : graphs) {
        if (graph.getRegion() >= getNumRegions())
          return emitOpError("graph attribute '")
                 << attribute.getName().getValue() << "' names region "
                 << graph.getRegion() << " but the op has " << getNumRegions()
                 << " region(s)";
        if (used.test(graph.getRegion()))
          return emitOpError("region ")
                 << graph.getRegion()
                 << " is named by more than one graph attribute";
        used.set(graph.getRegion());
      }
    }
  }
  if (!used.all())
    return emitOpError("region ")
           << used.find_first_unset() << " is not named by any graph attribute";
  for (Region &region : getGraphs())
    if (region.front().empty() || !isa<YieldOp>(region.front().back()))
      return emitOpError("graph regions must end in loom.yield");
  return success();
}

//===----------------------------------------------------------------------===//
// Generated definitions
//===----------------------------------------------------------------------===//

#define GET_OP_CLASSES
#include "loom/Dialect/Loom/IR/LoomOps.cpp.inc"
