//===- ImportONNX.cpp - ONNX ModelProto to the Loom dialect ---------------===//
//
// Parses the model with Debian's protobuf/ONNX libraries, runs ONNX's shape
// inference so that every value has a type, then builds one `loom.weight` per
// initializer (data handed over without a copy, external data mapped) and a
// `func.func` whose body holds the nodes in topological order. Known
// operators become typed ops (ImportONNXOps.cpp), all others `loom.onnx`.
// This file: graphs, nodes and the model; ImportONNXTensors.cpp: types and
// tensors; ImportONNXFile.cpp: reading the file.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "ONNXCommon.h"

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/WeightReads.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InterleavedRange.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/shape_inference/implementation.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/wire_format_lite.h>

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlir;
using namespace loom;
using namespace loom::onnx_import;
namespace names = loom::onnx_names;

//===----------------------------------------------------------------------===//
// Nodes
//===----------------------------------------------------------------------===//

std::string loom::describeNode(const onnx::NodeProto &node) {
  std::string text = "node '";
  text += node.name().empty()
              ? (node.output_size() ? node.output(0) : std::string("?"))
              : node.name();
  text += "' (";
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    text += node.domain() + ".";
  text += node.op_type() + ")";
  return text;
}

std::string Importer::describe(const onnx::NodeProto &node) const {
  return describeNode(node);
}

/// PyTorch's exporter merges equal tensors (a BatchNorm weight of ones and
/// another layer's running variance) into one initializer and gives the
/// other names back through `Identity` nodes. Each such name becomes a copy
/// of the weight (`#loom.copy`), so that statistics still count the source's
/// tensors, and each name's role comes from its use: a name BatchNorm reads
/// as its running mean or variance (inputs 3 and 4) is a buffer.
void Importer::foldWeightIdentities(const onnx::GraphProto &graph) {
  llvm::StringSet<> graphOutputs, produced;
  for (const onnx::ValueInfoProto &output : graph.output())
    graphOutputs.insert(output.name());
  for (const onnx::NodeProto &node : graph.node())
    for (const std::string &output : node.output())
      if (!output.empty() && !produced.insert(output).second)
        produced.erase(output); // defined twice: the importer reports it
  // Chains of Identity resolve in as many rounds as they are long.
  SmallVector<std::string> copyNames;
  for (bool changed = true; changed;) {
    changed = false;
    for (const onnx::NodeProto &node : graph.node()) {
      if (node.op_type() != "Identity" ||
          !(node.domain().empty() || node.domain() == "ai.onnx") ||
          node.input_size() != 1 || node.output_size() != 1 ||
          foldedIdentities.contains(&node))
        continue;
      const std::string &output = node.output(0);
      auto source = weights.find(node.input(0));
      if (source == weights.end() || output.empty() ||
          graphOutputs.contains(output) || !produced.contains(output) ||
          weights.count(output))
        continue;
      weights[output] = source->second;
      foldedIdentities.insert(&node);
      copyNames.push_back(output);
      changed = true;
    }
  }

  // Roles by use: running statistics are buffers.
  llvm::StringSet<> statistics, otherUse;
  for (const onnx::NodeProto &node : graph.node()) {
    if (foldedIdentities.contains(&node))
      continue;
    bool batchNorm = node.op_type() == "BatchNormalization" &&
                     (node.domain().empty() || node.domain() == "ai.onnx");
    for (auto [index, input] : llvm::enumerate(node.input()))
      (batchNorm && (index == 3 || index == 4) ? statistics : otherUse)
          .insert(input);
  }
  auto roleOf = [&](StringRef name, WeightRole fallback) {
    if (fallback == WeightRole::Parameter && statistics.contains(name) &&
        !otherUse.contains(name))
      return WeightRole::Buffer;
    return fallback;
  };
  for (WeightOp weight : module.getOps<WeightOp>())
    weight.setRole(roleOf(weight.getSymName(), weight.getRole()));
  llvm::MapVector<Operation *, SmallVector<Attribute>> copies;
  for (const std::string &name : copyNames) {
    WeightOp weight = weights[name];
    // A copy of a float tensor is a parameter unless used as statistics.
    WeightRole fallback =
        isa<FloatType, ComplexType>(weight.getType().getElementType())
            ? WeightRole::Parameter
            : WeightRole::Constant;
    copies[weight].push_back(WeightCopyAttr::get(
        context, builder.getStringAttr(name), roleOf(name, fallback)));
  }
  for (auto &[op, list] : copies)
    cast<WeightOp>(op).setCopiesAttr(builder.getArrayAttr(list));
}

Location Importer::nodeLoc(const onnx::NodeProto &node) {
  std::string name = node.name();
  if (name.empty())
    name = node.op_type() + ":" +
           (node.output_size() ? node.output(0) : std::string());
  return NameLoc::get(builder.getStringAttr(name), fileLoc);
}

Value Importer::lookup(StringRef name) {
  for (auto &scope : llvm::reverse(scopes)) {
    auto it = scope.find(name);
    if (it != scope.end())
      return it->second;
  }
  auto weight = weights.find(name);
  if (weight == weights.end())
    return nullptr;
  return weightReads.get(builder, weight->second, name, fileLoc);
}

Value Importer::getNone() {
  if (!none) {
    OpBuilder::InsertionGuard guard(builder);
    setInsertionPointDominatingAll(builder, &func.front());
    none = NoneOp::create(builder, fileLoc, builder.getNoneType());
  }
  return none;
}

FailureOr<Attribute>
Importer::convertAttribute(onnx::AttributeProto &attr, StringRef nodeName,
                           SmallVectorImpl<onnx::GraphProto *> &graphs) {
  std::string what = nodeName.str() + ", attribute '" + attr.name() + "'";
  auto tensorAttr = [&](onnx::TensorProto &tensor) -> FailureOr<Attribute> {
    FailureOr<ElementsAttr> value = convertTensor(tensor, what);
    if (failed(value))
      return failure();
    return Attribute(*value);
  };
  auto graphAttr = [&](onnx::GraphProto &graph) {
    graphs.push_back(&graph);
    return GraphAttr::get(context, graphs.size() - 1);
  };
  if (!attr.ref_attr_name().empty())
    return error() << what << " refers to function attribute '"
                   << attr.ref_attr_name()
                   << "', which only model-local functions may do";
  switch (attr.type()) {
  case onnx::AttributeProto::FLOAT:
    return Attribute(builder.getF32FloatAttr(attr.f()));
  case onnx::AttributeProto::INT:
    return Attribute(builder.getI64IntegerAttr(attr.i()));
  case onnx::AttributeProto::STRING:
    return Attribute(builder.getStringAttr(attr.s()));
  case onnx::AttributeProto::TENSOR:
    return tensorAttr(*attr.mutable_t());
  case onnx::AttributeProto::GRAPH:
    return Attribute(graphAttr(*attr.mutable_g()));
  case onnx::AttributeProto::SPARSE_TENSOR: {
    FailureOr<ElementsAttr> value =
        convertSparseTensor(*attr.mutable_sparse_tensor(), what);
    if (failed(value))
      return failure();
    return Attribute(*value);
  }
  case onnx::AttributeProto::TYPE_PROTO: {
    FailureOr<Type> type = convertType(attr.tp(), what);
    if (failed(type))
      return failure();
    return Attribute(TypeAttr::get(*type));
  }
  case onnx::AttributeProto::FLOATS:
    return Attribute(builder.getDenseF32ArrayAttr(
        SmallVector<float>(attr.floats().begin(), attr.floats().end())));
  case onnx::AttributeProto::INTS:
    return Attribute(builder.getDenseI64ArrayAttr(
        SmallVector<int64_t>(attr.ints().begin(), attr.ints().end())));
  case onnx::AttributeProto::STRINGS: {
    SmallVector<Attribute> values;
    for (const std::string &s : attr.strings())
      values.push_back(builder.getStringAttr(s));
    return Attribute(builder.getArrayAttr(values));
  }
  case onnx::AttributeProto::TENSORS: {
    SmallVector<Attribute> values;
    for (onnx::TensorProto &tensor : *attr.mutable_tensors()) {
      FailureOr<Attribute> value = tensorAttr(tensor);
      if (failed(value))
        return failure();
      values.push_back(*value);
    }
    return Attribute(builder.getArrayAttr(values));
  }
  case onnx::AttributeProto::GRAPHS: {
    SmallVector<Attribute> values;
    for (onnx::GraphProto &graph : *attr.mutable_graphs())
      values.push_back(graphAttr(graph));
    return Attribute(builder.getArrayAttr(values));
  }
  case onnx::AttributeProto::SPARSE_TENSORS: {
    SmallVector<Attribute> values;
    for (onnx::SparseTensorProto &tensor : *attr.mutable_sparse_tensors()) {
      FailureOr<ElementsAttr> value = convertSparseTensor(tensor, what);
      if (failed(value))
        return failure();
      values.push_back(*value);
    }
    return Attribute(builder.getArrayAttr(values));
  }
  case onnx::AttributeProto::TYPE_PROTOS: {
    SmallVector<Attribute> values;
    for (const onnx::TypeProto &tp : attr.type_protos()) {
      FailureOr<Type> type = convertType(tp, what);
      if (failed(type))
        return failure();
      values.push_back(TypeAttr::get(*type));
    }
    return Attribute(builder.getArrayAttr(values));
  }
  default:
    return error() << what << " has unknown attribute type " << attr.type();
  }
}

Operation *Importer::buildGeneric(onnx::NodeProto &node, const NodeContext &ctx,
                                  SmallVectorImpl<Type> &resultTypes) {
  SmallVector<onnx::GraphProto *> graphs;
  SmallVector<NamedAttribute> attributes;
  for (onnx::AttributeProto &attr : *node.mutable_attribute()) {
    FailureOr<Attribute> value = convertAttribute(attr, describe(node), graphs);
    if (failed(value))
      return nullptr;
    attributes.emplace_back(builder.getStringAttr(attr.name()), *value);
  }
  SmallVector<Value> operands;
  for (Value operand : ctx.operands)
    operands.push_back(operand ? operand : getNone());
  for (Type &type : resultTypes)
    if (!type)
      type = UnknownType::get(context);

  std::optional<int64_t> version;
  if (auto it = opsets.find(node.domain() == "ai.onnx" ? "" : node.domain());
      it != opsets.end())
    version = it->second;
  auto op = OnnxOp::create(
      builder, ctx.loc, resultTypes, builder.getStringAttr(node.op_type()),
      builder.getStringAttr(node.domain()),
      version ? builder.getI64IntegerAttr(*version) : IntegerAttr(),
      attributes.empty() ? DictionaryAttr()
                         : builder.getDictionaryAttr(attributes),
      operands, graphs.size());

  // Nested graphs: block arguments are the graph's inputs; the body may read
  // any value of the enclosing graphs.
  for (auto [index, graph] : llvm::enumerate(graphs)) {
    Region &region = op->getRegion(index);
    Block *block = new Block();
    region.push_back(block);
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(block);
    scopes.emplace_back();
    for (const onnx::ValueInfoProto &input : graph->input()) {
      FailureOr<Type> type =
          convertType(input.type(), "subgraph input '" + input.name() + "'");
      if (failed(type)) {
        scopes.pop_back();
        return nullptr;
      }
      scopes.back()[input.name()] = block->addArgument(*type, ctx.loc);
    }
    // A subgraph's own initializers are constants of its body.
    for (onnx::TensorProto &tensor : *graph->mutable_initializer()) {
      FailureOr<ElementsAttr> value =
          convertTensor(tensor, "subgraph initializer '" + tensor.name() + "'");
      if (failed(value)) {
        scopes.pop_back();
        return nullptr;
      }
      scopes.back()[tensor.name()] =
          ConstantOp::create(builder, ctx.loc, *value);
    }
    if (failed(importGraphBody(*graph))) {
      scopes.pop_back();
      return nullptr;
    }
    SmallVector<Value> results;
    for (const onnx::ValueInfoProto &output : graph->output()) {
      Value value = lookup(output.name());
      if (!value) {
        error() << describe(node) << ": subgraph output '" << output.name()
                << "' is produced by nothing";
        scopes.pop_back();
        return nullptr;
      }
      results.push_back(value);
    }
    YieldOp::create(builder, ctx.loc, results);
    scopes.pop_back();
  }
  return op;
}

LogicalResult Importer::importNode(onnx::NodeProto &node) {
  // An Identity of a weight became a copy name of that weight (see
  // foldWeightIdentities): its output reads the weight under that name.
  if (foldedIdentities.contains(&node)) {
    Value ref = lookup(node.output(0));
    scopes.back()[node.output(0)] = ref;
    return success();
  }
  NodeContext ctx{
      node, 0, {}, {}, nodeLoc(node), [&](const onnx::TensorProto &tensor) {
        onnx::TensorProto copy = tensor;
        return convertTensor(copy, describe(node));
      }};
  // Not a ?: of "" and the std::string: that makes a temporary string.
  StringRef domain = node.domain();
  if (domain == "ai.onnx")
    domain = "";
  if (auto it = opsets.find(domain); it != opsets.end())
    ctx.opset = it->second;
  for (const std::string &input : node.input()) {
    if (input.empty()) {
      ctx.operands.push_back(nullptr);
      continue;
    }
    Value value = lookup(input);
    if (!value)
      return error() << describe(node) << " reads '" << input
                     << "', which no node, graph input or initializer "
                        "produces";
    ctx.operands.push_back(value);
  }
  for (const std::string &output : node.output())
    ctx.resultTypes.push_back(output.empty() ? Type() : valueType(output));

  Operation *op = nullptr;
  if (options.typedOps)
    op = importTypedOp(builder, ctx);
  if (!op) {
    SmallVector<Type> types;
    for (auto [name, type] : llvm::zip_equal(node.output(), ctx.resultTypes))
      types.push_back(name.empty() ? Type(builder.getNoneType()) : type);
    op = buildGeneric(node, ctx, types);
    if (!op)
      return failure();
  }
  // Typed ops may have fewer results than the node has outputs (trailing
  // optional outputs left out).
  for (auto [index, name] : llvm::enumerate(node.output())) {
    if (name.empty())
      continue;
    if (index >= op->getNumResults())
      return error() << describe(node) << ": output '" << name
                     << "' has no counterpart in " << op->getName();
    if (!scopes.back().try_emplace(name, op->getResult(index)).second ||
        weights.count(name))
      return error() << describe(node) << " writes '" << name
                     << "', which another node, input or initializer "
                        "already defines";
  }
  recordNodeInfo(op, node);
  return success();
}

void Importer::recordNodeInfo(Operation *op, const onnx::NodeProto &node) {
  // The outputs' names and symbolic dimension names (ONNX Runtime matches
  // shapes by them when it fuses) travel in the location's metadata; export
  // writes them back.
  SmallVector<Attribute> dims, outputs;
  bool anyDims = false;
  for (const std::string &name : node.output()) {
    ArrayAttr dimNames;
    auto it = declaredTypes.find(name);
    if (!name.empty() && it != declaredTypes.end() &&
        it->second->has_tensor_type())
      (void)convertTensorType(it->second->tensor_type(), name, &dimNames);
    anyDims |= static_cast<bool>(dimNames);
    dims.push_back(dimNames ? dimNames : builder.getArrayAttr({}));
    outputs.push_back(builder.getStringAttr(name));
  }
  SmallVector<NamedAttribute> meta = {
      builder.getNamedAttr(names::kOutputs, builder.getArrayAttr(outputs))};
  if (anyDims)
    meta.push_back(builder.getNamedAttr(LoomDialect::getDimsAttrName(),
                                        builder.getArrayAttr(dims)));
  op->setLoc(
      FusedLoc::get(context, {op->getLoc()}, builder.getDictionaryAttr(meta)));
}

LogicalResult Importer::importGraphBody(onnx::GraphProto &graph) {
  // sortGraphs (ImportONNXValidate.cpp) put the nodes in topological order.
  for (onnx::NodeProto &node : *graph.mutable_node())
    if (failed(importNode(node)))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

/// Records every type the graph declares, subgraphs included.
static void
collectDeclaredTypes(const onnx::GraphProto &graph,
                     llvm::StringMap<const onnx::TypeProto *> &types) {
  for (const auto *list :
       {&graph.input(), &graph.output(), &graph.value_info()})
    for (const onnx::ValueInfoProto &info : *list)
      if (info.has_type())
        types[info.name()] = &info.type();
  for (const onnx::NodeProto &node : graph.node())
    for (const onnx::AttributeProto &attr : node.attribute()) {
      if (attr.has_g())
        collectDeclaredTypes(attr.g(), types);
      for (const onnx::GraphProto &sub : attr.graphs())
        collectDeclaredTypes(sub, types);
    }
}

OwningOpRef<ModuleOp> Importer::run(onnx::ModelProto &model) {
  context->loadDialect<LoomDialect, func::FuncDialect>();
  OwningOpRef<ModuleOp> owned = ModuleOp::create(fileLoc);
  module = *owned;
  builder.setInsertionPointToEnd(module.getBody());

  // Model-level fields, written back by the exporter.
  SmallVector<NamedAttribute> opsetAttrs;
  for (const onnx::OperatorSetIdProto &opset : model.opset_import()) {
    std::string domain = opset.domain() == "ai.onnx" ? "" : opset.domain();
    opsets[domain] = opset.version();
    // MLIR cannot parse an empty attribute name: the default domain is
    // recorded under its long name.
    opsetAttrs.emplace_back(
        builder.getStringAttr(domain.empty() ? "ai.onnx" : domain),
        builder.getI64IntegerAttr(opset.version()));
  }
  module->setAttr(names::kOpsetImport, builder.getDictionaryAttr(opsetAttrs));
  module->setAttr(names::kIrVersion,
                  builder.getI64IntegerAttr(model.ir_version()));
  auto setString = [&](StringRef name, const std::string &value) {
    if (!value.empty())
      module->setAttr(name, builder.getStringAttr(value));
  };
  setString(names::kProducerName, model.producer_name());
  setString(names::kProducerVersion, model.producer_version());
  setString(names::kDomain, model.domain());
  setString(names::kDocString, model.doc_string());
  if (model.model_version())
    module->setAttr(names::kModelVersion,
                    builder.getI64IntegerAttr(model.model_version()));
  if (model.metadata_props_size()) {
    SmallVector<NamedAttribute> props;
    for (const onnx::StringStringEntryProto &prop : model.metadata_props())
      props.emplace_back(builder.getStringAttr(prop.key()),
                         builder.getStringAttr(prop.value()));
    module->setAttr(names::kMetadataProps, builder.getDictionaryAttr(props));
  }
  if (model.functions_size()) {
    // Model-local functions travel unchanged, as serialized FunctionProtos.
    SmallVector<Attribute> functions;
    for (const onnx::FunctionProto &function : model.functions())
      functions.push_back(builder.getStringAttr(function.SerializeAsString()));
    module->setAttr(names::kFunctions, builder.getArrayAttr(functions));
  }

  onnx::GraphProto &graph = *model.mutable_graph();
  if (std::optional<std::string> invalid = prepareForShapeInference(model)) {
    error() << *invalid;
    return nullptr;
  }
  if (options.onnxShapeInference) {
    // Best effort: nodes ONNX's (1.12) schemas do not know keep no types,
    // and neither does a model ONNX's inference crashes on.
    if (!inferShapesIsolated(model, /*seconds=*/30))
      emitWarning(fileLoc) << "ONNX's shape inference failed on this model "
                              "(crashed or ran past 30 s); imported with the "
                              "types it declares";
  }
  collectDeclaredTypes(graph, declaredTypes);

  // Initializers become weights; initializers that are also graph inputs are
  // trainable parameters (a caller may override them).
  llvm::StringMap<int> inputIndex;
  for (auto [index, input] : llvm::enumerate(graph.input()))
    inputIndex[input.name()] = index;
  llvm::StringSet<> symbolNames;
  auto addWeight = [&](const std::string &name, ElementsAttr value,
                       StringRef doc) -> LogicalResult {
    if (name.empty())
      return error() << "an initializer has no name";
    if (!symbolNames.insert(name).second)
      return error() << "initializer '" << name << "' is defined twice";
    auto it = inputIndex.find(name);
    bool isInput = it != inputIndex.end();
    Type elementType = cast<ShapedType>(value.getType()).getElementType();
    WeightRole role = isa<FloatType, ComplexType>(elementType)
                          ? WeightRole::Parameter
                          : WeightRole::Constant;
    bool frozen = !isInput;
    // What Loom wrote where ONNX has no word for it (a buffer, a trainable
    // parameter that is no graph input).
    parseWeightDocString(doc, role, frozen);
    auto weight = WeightOp::create(
        builder, NameLoc::get(builder.getStringAttr(name), fileLoc),
        builder.getStringAttr(name), value, WeightRoleAttr::get(context, role),
        frozen ? builder.getUnitAttr() : UnitAttr(),
        isInput ? builder.getI64IntegerAttr(it->second) : IntegerAttr(),
        ArrayAttr(), ArrayAttr());
    weights[name] = weight;
    return success();
  };
  for (onnx::TensorProto &tensor : *graph.mutable_initializer()) {
    FailureOr<ElementsAttr> value =
        convertTensor(tensor, "initializer '" + tensor.name() + "'");
    if (failed(value) ||
        failed(addWeight(tensor.name(), *value, tensor.doc_string())))
      return nullptr;
  }
  for (onnx::SparseTensorProto &sparse : *graph.mutable_sparse_initializer()) {
    std::string name = sparse.values().name();
    FailureOr<ElementsAttr> value =
        convertSparseTensor(sparse, "sparse initializer '" + name + "'");
    if (failed(value) ||
        failed(addWeight(name, *value, sparse.values().doc_string())))
      return nullptr;
  }

  foldWeightIdentities(graph);

  // The function: graph inputs that are not initializers, graph outputs.
  SmallVector<Type> argTypes, resultTypes;
  SmallVector<DictionaryAttr> argAttrs, resultAttrs;
  llvm::StringSet<> seenInputs;
  auto infoAttrs = [&](const onnx::ValueInfoProto &info, Type &type,
                       StringRef kind) -> FailureOr<DictionaryAttr> {
    std::string what = kind.str() + " '" + info.name() + "'";
    if (!info.has_type())
      return error() << what << " has no type";
    ArrayAttr dimNames;
    FailureOr<Type> converted =
        info.type().has_tensor_type()
            ? convertTensorType(info.type().tensor_type(), what, &dimNames)
            : convertType(info.type(), what);
    if (failed(converted))
      return failure();
    type = *converted;
    SmallVector<NamedAttribute> attrs = {builder.getNamedAttr(
        LoomDialect::getNameAttrName(), builder.getStringAttr(info.name()))};
    if (dimNames)
      attrs.push_back(
          builder.getNamedAttr(LoomDialect::getDimsAttrName(), dimNames));
    if (!info.doc_string().empty())
      attrs.push_back(builder.getNamedAttr(
          names::kDocString, builder.getStringAttr(info.doc_string())));
    return builder.getDictionaryAttr(attrs);
  };
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (weights.count(input.name()))
      continue;
    if (!seenInputs.insert(input.name()).second) {
      error() << "graph input '" << input.name() << "' is declared twice";
      return nullptr;
    }
    Type type;
    FailureOr<DictionaryAttr> attrs = infoAttrs(input, type, "graph input");
    if (failed(attrs))
      return nullptr;
    // A caller must know what to feed: ONNX requires an input's type.
    if (isa<UnknownType>(type) ||
        (isa<TensorType>(type) &&
         isa<UnknownType>(cast<TensorType>(type).getElementType()))) {
      error() << "graph input '" << input.name()
              << "' has no type (elem_type 0 or no type at all)";
      return nullptr;
    }
    argTypes.push_back(type);
    argAttrs.push_back(*attrs);
  }
  for (const onnx::ValueInfoProto &output : graph.output()) {
    Type type;
    FailureOr<DictionaryAttr> attrs = infoAttrs(output, type, "graph output");
    if (failed(attrs))
      return nullptr;
    resultTypes.push_back(type);
    resultAttrs.push_back(*attrs);
  }

  std::string funcName = "main";
  while (symbolNames.count(funcName))
    funcName += "_";
  func = func::FuncOp::create(builder, fileLoc, funcName,
                              builder.getFunctionType(argTypes, resultTypes));
  func.setAllArgAttrs(argAttrs);
  func.setAllResultAttrs(resultAttrs);
  if (!graph.name().empty())
    func->setAttr(names::kGraphName, builder.getStringAttr(graph.name()));
  if (!graph.doc_string().empty())
    func->setAttr(names::kDocString, builder.getStringAttr(graph.doc_string()));
  Block *entry = func.addEntryBlock();
  weightReads.setBlock(entry);
  builder.setInsertionPointToEnd(entry);
  scopes.emplace_back();
  unsigned argIndex = 0;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (weights.count(input.name()))
      continue;
    scopes.back()[input.name()] = entry->getArgument(argIndex++);
  }

  if (failed(importGraphBody(graph)))
    return nullptr;

  SmallVector<Value> results;
  for (auto [index, output] : llvm::enumerate(graph.output())) {
    Value value = lookup(output.name());
    if (!value) {
      error() << "graph output '" << output.name()
              << "' is produced by no node, input or initializer";
      return nullptr;
    }
    // The declared output type may be less precise than what the graph
    // computes; the function returns the declared type.
    results.push_back(value);
  }
  auto ret = func::ReturnOp::create(builder, fileLoc, results);
  // Output types: the more precise of declared and computed.
  SmallVector<Type> finalResults;
  for (auto [declaredType, value] :
       llvm::zip_equal(resultTypes, ret.getOperands())) {
    Type computed = value.getType();
    finalResults.push_back(
        isCompatibleType(computed, declaredType) ? computed : declaredType);
  }
  func.setFunctionType(builder.getFunctionType(argTypes, finalResults));
  for (auto [index, type] : llvm::enumerate(finalResults))
    if (ret.getOperand(index).getType() != type) {
      error() << "graph output '" << graph.output(index).name()
              << "' is declared " << resultTypes[index]
              << " but its producer yields " << ret.getOperand(index).getType();
      return nullptr;
    }
  if (failed(verify(module)))
    return nullptr;
  return owned;
}
