//===- ExportONNX.cpp - the Loom dialect to an ONNX ModelProto ------------===//
//
// Writes every `loom.weight` once as an initializer (or into an external data
// file), the function's arguments and results as graph inputs and outputs,
// each op as a node (typed ops through ExportONNXOps.cpp, generic ones
// unchanged, regions as subgraphs), and result types as value_info. Output
// files are written under a temporary name and renamed into place.
//
//===----------------------------------------------------------------------===//

#include "Exporter.h"
#include "ONNXCommon.h"

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/WeightData.h"
#include "loom/Support/FileOutput.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <unistd.h>
#include <xxhash.h>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>

using namespace mlir;

/// The opset the quantization ops in `module` need: 13 for per-axis scales,
/// 21 for blocked scales, 4-bit integers or output_dtype; 0 when none do.
static int64_t requiredOpset(ModuleOp module) {
  int64_t needed = 0;
  auto isFour = [](Type type) {
    auto shaped = dyn_cast<ShapedType>(type);
    return shaped && shaped.getElementType().isInteger(4);
  };
  module.walk([&](Operation *op) {
    if (!isa<loom::DequantizeLinearOp, loom::QuantizeLinearOp>(op))
      return;
    auto block = op->getAttrOfType<IntegerAttr>("block_size");
    auto quantize = dyn_cast<loom::QuantizeLinearOp>(op);
    bool outputDtype =
        quantize && !quantize.getYZeroPoint() &&
        !getElementTypeOrSelf(quantize.getY().getType()).isUnsignedInteger(8);
    if ((block && block.getInt() != 0) || outputDtype ||
        llvm::any_of(op->getOperandTypes(), isFour) ||
        llvm::any_of(op->getResultTypes(), isFour)) {
      needed = std::max<int64_t>(needed, 21);
      return;
    }
    auto scale = dyn_cast<ShapedType>(op->getOperand(1).getType());
    if (scale && scale.hasRank() && scale.getRank() >= 1 &&
        scale.getNumElements() != 1)
      needed = std::max<int64_t>(needed, 13);
  });
  return needed;
}
using namespace loom;
using namespace loom::onnx_export;
namespace names = loom::onnx_names;

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

std::string Exporter::freshName(StringRef hint) {
  // Original names recorded on ops are kept for those ops' results.
  auto take = [&](const std::string &name) {
    return !reserved.count(name) && used.insert(name).second;
  };
  std::string base = hint.empty() ? std::string("v") : hint.str();
  if (take(base))
    return base;
  for (unsigned i = 1;; ++i) {
    std::string candidate = base + "_" + std::to_string(i);
    if (take(candidate))
      return candidate;
  }
}

static StringAttr findOutputName(Operation *op, unsigned index);

std::string Exporter::nameOf(Value value) {
  if (!value || isa<NoneType>(value.getType()))
    return "";
  auto it = names.find(value);
  if (it != names.end())
    return it->second;
  // A value named by nobody yet: its original name where import recorded
  // one and it is still free, else a fresh name after its producer.
  std::string hint;
  if (auto result = dyn_cast<OpResult>(value)) {
    Operation *op = result.getOwner();
    StringAttr original = findOutputName(op, result.getResultNumber());
    if (original && !original.getValue().empty() &&
        used.insert(original.getValue()).second) {
      names[value] = original.str();
      return original.str();
    }
    hint = nodeName(op);
    if (op->getNumResults() > 1)
      hint += ":" + std::to_string(result.getResultNumber());
  }
  std::string name = freshName(hint);
  names[value] = name;
  return name;
}

/// The node name an op's location carries, if any.
static NameLoc findNameLoc(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name;
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (NameLoc name = findNameLoc(inner))
        return name;
  return nullptr;
}

/// What import recorded about an op's node (its location's metadata).
static DictionaryAttr findNodeInfo(Operation *op) {
  auto fused = dyn_cast<FusedLoc>(op->getLoc());
  return fused ? dyn_cast_or_null<DictionaryAttr>(fused.getMetadata())
               : DictionaryAttr();
}

/// The original name of result `index`, if import recorded one.
static StringAttr findOutputName(Operation *op, unsigned index) {
  DictionaryAttr meta = findNodeInfo(op);
  auto all = meta ? meta.getAs<ArrayAttr>(names::kOutputs) : ArrayAttr();
  if (!all || index >= all.size())
    return nullptr;
  return dyn_cast<StringAttr>(all[index]);
}

/// The symbolic dimension names import recorded for result `index`.
static ArrayAttr findDimNames(Operation *op, unsigned index) {
  DictionaryAttr meta = findNodeInfo(op);
  auto all = meta ? meta.getAs<ArrayAttr>(LoomDialect::getDimsAttrName())
                  : ArrayAttr();
  if (!all || index >= all.size())
    return nullptr;
  auto dims = dyn_cast<ArrayAttr>(all[index]);
  return dims && !dims.empty() ? dims : nullptr;
}

std::string Exporter::nodeName(Operation *op) {
  if (NameLoc loc = findNameLoc(op->getLoc()))
    return loc.getName().str();
  return op->getName().stripDialect().str();
}

//===----------------------------------------------------------------------===//
// Graphs
//===----------------------------------------------------------------------===//

void Exporter::addValueInfo(Value value, onnx::GraphProto *graph) {
  Type type = value.getType();
  if (isa<NoneType, UnknownType>(type))
    return;
  onnx::ValueInfoProto info;
  info.set_name(nameOf(value));
  ArrayAttr dims;
  if (auto result = dyn_cast<OpResult>(value))
    dims = findDimNames(result.getOwner(), result.getResultNumber());
  if (failed(writeType(type, dims, value.getLoc(), info.mutable_type())))
    return;
  *graph->add_value_info() = std::move(info);
}

LogicalResult Exporter::writeOp(Operation *op, onnx::GraphProto *graph) {
  if (isa<WeightRefOp, NoneOp, YieldOp, func::ReturnOp>(op))
    return success();
  onnx::NodeProto node;
  if (auto generic = dyn_cast<OnnxOp>(op)) {
    node.set_op_type(generic.getOpType().str());
    node.set_domain(generic.getDomain().str());
    for (Value operand : generic.getInputs())
      node.add_input(nameOf(operand));
    if (std::optional<DictionaryAttr> attrs = generic.getOnnxAttributes())
      for (NamedAttribute attr : *attrs)
        if (failed(writeAttribute(op, attr.getName().getValue(),
                                  attr.getValue(), node.add_attribute())))
          return failure();
  } else if (auto constant = dyn_cast<ConstantOp>(op)) {
    // Its users may take it as an attribute (older opsets' forms): if no
    // node ends up reading it, it is dropped (see dropUnreadConstants).
    if (!constant->use_empty())
      foldableConstants.insert(nameOf(constant.getResult()));
    node.set_op_type("Constant");
    if (failed(writeAttribute(op, "value", constant.getValue(),
                              node.add_attribute())))
      return failure();
  } else {
    NodeWriter writer{opset, [&](Value v) { return nameOf(v); },
                      [&](ElementsAttr value, StringRef hint) {
                        onnx::NodeProto *c = graph->add_node();
                        std::string name = freshName(hint);
                        c->set_op_type("Constant");
                        c->set_name(name);
                        c->add_output(name);
                        (void)writeAttribute(op, "value", value,
                                             c->add_attribute());
                        return name;
                      },
                      [&](ElementsAttr value, onnx::TensorProto *t) {
                        return writeTensor(value, t);
                      }};
    writer.defaults = &opDefaults;
    if (failed(exportTypedOp(op, writer, node)))
      return failure();
    if (node.op_type().empty())
      return op->emitOpError("has no ONNX form; only Loom ops export");
  }
  std::string name = nodeName(op);
  if (!nodeNames.insert(name).second)
    for (unsigned i = 1;; ++i)
      if (nodeNames.insert(name + "_" + std::to_string(i)).second) {
        name += "_" + std::to_string(i);
        break;
      }
  node.set_name(name);
  for (Value result : op->getResults())
    node.add_output(nameOf(result));
  *graph->add_node() = std::move(node);
  for (Value result : op->getResults())
    addValueInfo(result, graph);
  return success();
}

LogicalResult Exporter::writeBlock(Block &block, onnx::GraphProto *graph) {
  onnx::GraphProto *saved = currentGraph;
  currentGraph = graph;
  for (Operation &op : block)
    if (failed(writeOp(&op, graph)))
      return failure();
  currentGraph = saved;
  return success();
}

/// value_info must not repeat a graph's inputs or outputs.
static void pruneValueInfo(onnx::GraphProto *graph) {
  llvm::StringSet<> ioNames;
  for (const auto *list : {&graph->input(), &graph->output()})
    for (const onnx::ValueInfoProto &info : *list)
      ioNames.insert(info.name());
  auto *infos = graph->mutable_value_info();
  infos->erase(std::remove_if(infos->begin(), infos->end(),
                              [&](const onnx::ValueInfoProto &info) {
                                return ioNames.count(info.name()) > 0;
                              }),
               infos->end());
}

LogicalResult Exporter::writeSubgraph(Region &region, StringRef name,
                                      onnx::GraphProto *graph) {
  Block &block = region.front();
  graph->set_name(name.str());
  for (BlockArgument arg : block.getArguments()) {
    onnx::ValueInfoProto *input = graph->add_input();
    input->set_name(nameOf(arg));
    if (failed(writeType(arg.getType(), nullptr, arg.getLoc(),
                         input->mutable_type())))
      return failure();
  }
  auto yield = cast<YieldOp>(block.getTerminator());
  // Name yielded values after their position before the body names them.
  llvm::SmallPtrSet<Operation *, 8> inside;
  for (Operation &op : block)
    inside.insert(&op);
  llvm::DenseSet<Value> claimed;
  SmallVector<bool> needsIdentity;
  for (Value value : yield.getValues()) {
    Operation *def = value.getDefiningOp();
    bool own = def && inside.contains(def) && !isa<WeightRefOp>(def) &&
               claimed.insert(value).second;
    needsIdentity.push_back(!own);
  }
  if (failed(writeBlock(block, graph)))
    return failure();
  for (auto [value, identity] :
       llvm::zip_equal(yield.getValues(), needsIdentity)) {
    std::string name = nameOf(value);
    if (identity) {
      onnx::NodeProto *node = graph->add_node();
      std::string out = freshName(name + "_out");
      node->set_op_type("Identity");
      node->set_name(out);
      node->add_input(name);
      node->add_output(out);
      name = out;
    }
    onnx::ValueInfoProto *output = graph->add_output();
    output->set_name(name);
    if (failed(writeType(value.getType(), nullptr, value.getLoc(),
                         output->mutable_type())))
      return failure();
  }
  pruneValueInfo(graph);
  return success();
}

LogicalResult Exporter::run() {
  // The model's function: `main`, or the only one with a body.
  func::FuncOp func;
  for (auto f : module.getOps<func::FuncOp>()) {
    if (f.isExternal())
      continue;
    if (!func || f.getName() == "main")
      func = f;
  }
  if (!func)
    return emitError(module.getLoc()) << "module has no function to export";

  // Model fields.
  if (auto opsets =
          module->getAttrOfType<DictionaryAttr>(names::kOpsetImport)) {
    for (NamedAttribute entry : opsets) {
      auto version = dyn_cast<IntegerAttr>(entry.getValue());
      if (!version)
        return emitError(module.getLoc())
               << names::kOpsetImport << " must map domains to integers";
      StringRef domain = entry.getName().getValue();
      if (domain == "ai.onnx")
        domain = "";
      onnx::OperatorSetIdProto *id = model.add_opset_import();
      id->set_domain(domain.str());
      id->set_version(version.getInt());
      if (domain.empty())
        opset = id->version();
    }
  }
  if (!llvm::any_of(model.opset_import(),
                    [](const auto &id) { return id.domain().empty(); })) {
    onnx::OperatorSetIdProto *id = model.add_opset_import();
    id->set_domain("");
    id->set_version(opset);
  }
  // Quantized forms a pass added may need a newer opset than the model's:
  // per-axis scales 13, blocks and 4-bit integers 21 (with IR version 10).
  int64_t needed = requiredOpset(module);
  bool raised = needed > opset;
  if (raised) {
    for (onnx::OperatorSetIdProto &id : *model.mutable_opset_import())
      if (id.domain().empty())
        id.set_version(needed);
    opset = needed;
  }
  auto getInt = [&](StringRef name, int64_t fallback) {
    auto attr = module->getAttrOfType<IntegerAttr>(name);
    return attr ? attr.getInt() : fallback;
  };
  auto getString = [&](StringRef name) {
    auto attr = module->getAttrOfType<StringAttr>(name);
    return attr ? attr.getValue().str() : std::string();
  };
  model.set_ir_version(getInt(names::kIrVersion, kDefaultIrVersion));
  // A raised opset needs the IR version it came with (onnx/helper.py's
  // table).
  int64_t minIr = opset >= 21 ? 10 : opset >= 19 ? 9 : opset >= 15 ? 8 : 7;
  if (raised && model.ir_version() < minIr)
    model.set_ir_version(minIr);
  std::string producer = getString(names::kProducerName);
  model.set_producer_name(producer.empty() ? "loom" : producer);
  model.set_producer_version(getString(names::kProducerVersion));
  model.set_domain(getString(names::kDomain));
  model.set_doc_string(getString(names::kDocString));
  if (int64_t version = getInt(names::kModelVersion, 0))
    model.set_model_version(version);
  if (auto props = module->getAttrOfType<DictionaryAttr>(names::kMetadataProps))
    for (NamedAttribute prop : props) {
      onnx::StringStringEntryProto *entry = model.add_metadata_props();
      entry->set_key(prop.getName().str());
      entry->set_value(cast<StringAttr>(prop.getValue()).getValue().str());
    }
  if (auto functions = module->getAttrOfType<ArrayAttr>(names::kFunctions))
    for (Attribute function : functions)
      if (!model.add_functions()->ParseFromString(
              cast<StringAttr>(function).getValue().str()))
        return emitError(module.getLoc())
               << "a model-local function in " << names::kFunctions
               << " is not a serialized FunctionProto";

  onnx::GraphProto *graph = model.mutable_graph();
  auto graphName = func->getAttrOfType<StringAttr>(names::kGraphName);
  graph->set_name(graphName ? graphName.getValue().str() : "main");
  if (auto doc = func->getAttrOfType<StringAttr>(names::kDocString))
    graph->set_doc_string(doc.getValue().str());

  module.walk([&](Operation *op) {
    if (DictionaryAttr meta = findNodeInfo(op))
      if (auto outputs = meta.getAs<ArrayAttr>(names::kOutputs))
        for (Attribute name : outputs)
          if (auto s = dyn_cast<StringAttr>(name); s && !s.getValue().empty())
            reserved.insert(s.getValue());
  });
  // Weights: every name is taken before any value is named.
  SmallVector<WeightOp> weights(module.getOps<WeightOp>());
  uint64_t totalBytes = 0;
  for (WeightOp weight : weights) {
    used.insert(weight.getSymName());
    if (std::optional<ArrayAttr> copies = weight.getCopies())
      for (WeightCopyAttr copy : copies->getAsRange<WeightCopyAttr>())
        used.insert(copy.getName().getValue());
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(weight.getValue()))
      if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
        totalBytes += blob->getData().size();
  }
  useExternal =
      options.externalData == ONNXExportOptions::ExternalData::Always ||
      (options.externalData == ONNXExportOptions::ExternalData::Auto &&
       totalBytes >= kProtobufLimit);
  for (BlockArgument arg : func.getArguments()) {
    auto name = func.getArgAttrOfType<StringAttr>(
        arg.getArgNumber(), LoomDialect::getNameAttrName());
    names[arg] = freshName(
        name ? name.getValue() : "input_" + std::to_string(arg.getArgNumber()));
  }
  // A read under a copy's name (its location) reads the copy: the exporter's
  // Identity node of the weight, written back below.
  func.walk([&](WeightRefOp ref) {
    names[ref] = ref.getName().str();
    auto nameLoc = dyn_cast<NameLoc>(ref.getLoc());
    auto weight = symbols.lookup<WeightOp>(ref.getNameAttr().getAttr());
    if (!nameLoc || !weight || !weight.getCopies())
      return;
    for (WeightCopyAttr copy : weight.getCopies()->getAsRange<WeightCopyAttr>())
      if (copy.getName() == nameLoc.getName())
        names[ref] = copy.getName().str();
  });

  // Graph inputs: arguments, with initializer-inputs at their old positions.
  SmallVector<std::pair<int64_t, WeightOp>> weightInputs;
  for (WeightOp weight : weights)
    if (std::optional<int64_t> index = weight.getInputIndex())
      weightInputs.emplace_back(*index, weight);
  llvm::sort(weightInputs, [](auto &a, auto &b) { return a.first < b.first; });
  unsigned nextArg = 0, nextWeight = 0;
  unsigned totalInputs = func.getNumArguments() + weightInputs.size();
  for (unsigned position = 0; position < totalInputs; ++position) {
    onnx::ValueInfoProto *input = graph->add_input();
    bool takeWeight = nextWeight < weightInputs.size() &&
                      (weightInputs[nextWeight].first <= position ||
                       nextArg == func.getNumArguments());
    if (takeWeight) {
      WeightOp weight = weightInputs[nextWeight++].second;
      input->set_name(weight.getSymName().str());
      if (failed(writeType(weight.getType(), nullptr, weight.getLoc(),
                           input->mutable_type())))
        return failure();
      continue;
    }
    BlockArgument arg = func.getArgument(nextArg++);
    input->set_name(names[arg]);
    auto dims = func.getArgAttrOfType<ArrayAttr>(
        arg.getArgNumber(), LoomDialect::getDimsAttrName());
    if (auto doc = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                     names::kDocString))
      input->set_doc_string(doc.getValue().str());
    if (failed(writeType(arg.getType(), dims, arg.getLoc(),
                         input->mutable_type())))
      return failure();
  }

  for (WeightOp weight : weights) {
    std::string doc = weightDocString(weight.getRole(), weight.getFrozen(),
                                      weight.getType().getElementType(),
                                      weight.getInputIndex().has_value());
    if (auto sparse = dyn_cast<SparseElementsAttr>(weight.getValue())) {
      onnx::SparseTensorProto *proto = graph->add_sparse_initializer();
      proto->mutable_values()->set_name(weight.getSymName().str());
      if (!doc.empty())
        proto->mutable_values()->set_doc_string(doc);
      if (failed(writeSparse(sparse, proto,
                             [&](ElementsAttr e, onnx::TensorProto *t) {
                               return writeTensor(e, t);
                             })))
        return failure();
      continue;
    }
    onnx::TensorProto *tensor = graph->add_initializer();
    tensor->set_name(weight.getSymName().str());
    if (!doc.empty())
      tensor->set_doc_string(doc);
    streamRawData = true;
    LogicalResult written = writeTensor(weight.getValue(), tensor);
    streamRawData = false;
    if (failed(written))
      return failure();
    if (streamedData) {
      streamed.emplace_back(graph->mutable_initializer()->ReleaseLast(),
                            *streamedData);
      streamedData.reset();
    }
  }

  // Outputs take their names before the body names anything.
  auto ret = cast<func::ReturnOp>(func.front().getTerminator());
  SmallVector<std::string> outputNames;
  SmallVector<bool> needsIdentity;
  for (auto [index, value] : llvm::enumerate(ret.getOperands())) {
    auto name = func.getResultAttrOfType<StringAttr>(
        index, LoomDialect::getNameAttrName());
    std::string wanted =
        name ? name.getValue().str() : "output_" + std::to_string(index);
    auto it = names.find(value);
    if (it == names.end() && !used.count(wanted)) {
      used.insert(wanted);
      names[value] = wanted;
      needsIdentity.push_back(false);
    } else {
      needsIdentity.push_back(it == names.end() || it->second != wanted);
    }
    outputNames.push_back(wanted);
  }
  // Copies: separate tensors of the source that hold the weight's values,
  // given back as PyTorch's exporter writes them, Identity nodes.
  for (WeightOp weight : weights)
    if (std::optional<ArrayAttr> copies = weight.getCopies())
      for (WeightCopyAttr copy : copies->getAsRange<WeightCopyAttr>()) {
        onnx::NodeProto *node = graph->add_node();
        node->set_op_type("Identity");
        node->add_input(weight.getSymName().str());
        node->add_output(copy.getName().str());
      }
  if (failed(writeBlock(func.front(), graph)))
    return failure();
  for (auto [index, value] : llvm::enumerate(ret.getOperands())) {
    std::string name = outputNames[index];
    if (needsIdentity[index]) {
      if (used.count(name) && names.lookup(value) != name)
        name = freshName(name);
      used.insert(name);
      onnx::NodeProto *node = graph->add_node();
      node->set_op_type("Identity");
      node->set_name(name);
      node->add_input(nameOf(value));
      node->add_output(name);
    }
    onnx::ValueInfoProto *output = graph->add_output();
    output->set_name(name);
    auto dims = func.getResultAttrOfType<ArrayAttr>(
        index, LoomDialect::getDimsAttrName());
    if (auto doc =
            func.getResultAttrOfType<StringAttr>(index, names::kDocString))
      output->set_doc_string(doc.getValue().str());
    if (failed(writeType(func.getResultTypes()[index], dims, func.getLoc(),
                         output->mutable_type())))
      return failure();
  }
  dropUnreadConstants(graph);
  hoistConstants(graph);
  pruneValueInfo(graph);

  return writeFiles();
}

void Exporter::hoistConstants(onnx::GraphProto *graph) {
  // A top-level Constant node becomes an initializer, as ONNX Runtime's and
  // onnxslim's outputs have them: data, not a node to run. Not before IR
  // version 4 (initializers had to be graph inputs then), not in subgraphs
  // (some runtimes reject subgraph initializers). The doc_string says
  // "constant" where import would infer otherwise (float data), as for
  // weights (weightDocString).
  if (model.ir_version() < 4)
    return;
  llvm::StringSet<> outputs;
  for (const onnx::ValueInfoProto &output : graph->output())
    outputs.insert(output.name());
  auto *nodes = graph->mutable_node();
  std::vector<onnx::TensorProto> hoisted;
  nodes->erase(
      std::remove_if(
          nodes->begin(), nodes->end(),
          [&](onnx::NodeProto &node) {
            if (node.op_type() != "Constant" || !node.domain().empty() ||
                node.output_size() != 1 || node.attribute_size() != 1 ||
                node.attribute(0).name() != "value" ||
                !node.attribute(0).has_t() || outputs.count(node.output(0)))
              return false;
            onnx::TensorProto tensor = node.attribute(0).t();
            tensor.set_name(node.output(0));
            if (Type element =
                    getElementType(module.getContext(), tensor.data_type())) {
              std::string doc = weightDocString(WeightRole::Constant,
                                                /*frozen=*/true, element,
                                                /*isGraphInput=*/false);
              if (!doc.empty())
                tensor.set_doc_string(doc);
            }
            hoisted.push_back(std::move(tensor));
            return true;
          }),
      nodes->end());
  for (onnx::TensorProto &tensor : hoisted)
    *graph->add_initializer() = std::move(tensor);
}

/// Every name a graph's nodes (and their subgraphs) read or output.
static void collectReads(const onnx::GraphProto &graph,
                         llvm::StringSet<> &reads) {
  for (const onnx::ValueInfoProto &output : graph.output())
    reads.insert(output.name());
  for (const onnx::NodeProto &node : graph.node()) {
    for (const std::string &input : node.input())
      reads.insert(input);
    for (const onnx::AttributeProto &attr : node.attribute()) {
      if (attr.has_g())
        collectReads(attr.g(), reads);
      for (const onnx::GraphProto &sub : attr.graphs())
        collectReads(sub, reads);
    }
  }
}

void Exporter::dropUnreadConstants(onnx::GraphProto *graph) {
  if (foldableConstants.empty())
    return;
  llvm::StringSet<> reads;
  collectReads(*graph, reads);
  auto dropNodes = [&](onnx::GraphProto *g, auto &self) -> void {
    auto *nodes = g->mutable_node();
    nodes->erase(std::remove_if(nodes->begin(), nodes->end(),
                                [&](const onnx::NodeProto &node) {
                                  return node.op_type() == "Constant" &&
                                         node.output_size() == 1 &&
                                         foldableConstants.count(
                                             node.output(0)) &&
                                         !reads.count(node.output(0));
                                }),
                 nodes->end());
    for (onnx::NodeProto &node : *nodes)
      for (onnx::AttributeProto &attr : *node.mutable_attribute()) {
        if (attr.has_g())
          self(attr.mutable_g(), self);
        for (onnx::GraphProto &sub : *attr.mutable_graphs())
          self(&sub, self);
      }
    auto *infos = g->mutable_value_info();
    infos->erase(std::remove_if(infos->begin(), infos->end(),
                                [&](const onnx::ValueInfoProto &info) {
                                  return foldableConstants.count(info.name()) &&
                                         !reads.count(info.name());
                                }),
                 infos->end());
  };
  dropNodes(graph, dropNodes);
}

/// Bytes a length-delimited field takes with its tag.
