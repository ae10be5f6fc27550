//===- ExportONNX.cpp - the Loom dialect to an ONNX ModelProto ------------===//
//
// Writes every `loom.weight` once as an initializer (or into an external data
// file), the function's arguments and results as graph inputs and outputs,
// each op as a node (typed ops through ExportONNXOps.cpp, generic ones
// unchanged, regions as subgraphs), and result types as value_info. Output
// files are written under a temporary name and renamed into place.
//
//===----------------------------------------------------------------------===//

#include "loom/Target/ONNX/ONNXExport.h"

#include "ExportONNX.h"
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
using namespace loom;
namespace names = loom::onnx_names;

namespace {

constexpr int64_t kDefaultOpset = 21;
constexpr int64_t kDefaultIrVersion = 10;
/// Protobuf cannot write messages of 2 GB or more; stay clear of it.
constexpr uint64_t kProtobufLimit = (1ull << 31) - (64ull << 20);
/// Initializers at least this large are streamed from their blobs.
constexpr uint64_t kStreamThreshold = 64 * 1024;
// Wire-format tags (field number << 3 | length-delimited) of the fields the
// streamed initializers are written under.
constexpr uint32_t kModelGraphTag = (7 << 3) | 2; // ModelProto.graph
constexpr uint32_t kGraphInitializerTag =
    (5 << 3) | 2;                                    // GraphProto.initializer
constexpr uint32_t kTensorRawDataTag = (9 << 3) | 2; // TensorProto.raw_data

class Exporter {
public:
  Exporter(ModuleOp module, StringRef path, const ONNXExportOptions &options)
      : module(module), symbols(module), path(path.str()), options(options) {}

  LogicalResult run();

private:
  LogicalResult writeTensor(ElementsAttr value, onnx::TensorProto *tensor);
  LogicalResult writeType(Type type, ArrayAttr dimNames, Location loc,
                          onnx::TypeProto *proto);
  LogicalResult writeAttribute(Operation *op, StringRef name, Attribute value,
                               onnx::AttributeProto *attr);
  LogicalResult writeBlock(Block &block, onnx::GraphProto *graph);
  LogicalResult writeOp(Operation *op, onnx::GraphProto *graph);
  LogicalResult writeSubgraph(Region &region, StringRef name,
                              onnx::GraphProto *graph);
  std::string freshName(StringRef hint);
  std::string nameOf(Value value);
  std::string nodeName(Operation *op);
  void addValueInfo(Value value, onnx::GraphProto *graph);

  ModuleOp module;
  /// Weights by name: one table, not a scan of the module per read (which
  /// made export quadratic in the number of weights).
  SymbolTable symbols;
  std::string path;
  ONNXExportOptions options;
  onnx::ModelProto model;
  int64_t opset = kDefaultOpset;
  llvm::DenseMap<Value, std::string> names;
  llvm::StringSet<> used;
  /// Output names import recorded; fresh names avoid them.
  llvm::StringSet<> reserved;
  llvm::StringSet<> nodeNames;
  /// Constants that typed ops may have written as attributes instead.
  llvm::StringSet<> foldableConstants;
  void dropUnreadConstants(onnx::GraphProto *graph);
  onnx::GraphProto *currentGraph = nullptr;
  /// Tensors that go to the external data file, in order.
  std::vector<std::pair<onnx::TensorProto *, ArrayRef<char>>> externalTensors;
  bool useExternal = false;
  /// Initializers whose raw data is streamed from their blobs into the file
  /// after the rest of the model (see writeModel).
  std::vector<std::pair<std::unique_ptr<onnx::TensorProto>, ArrayRef<char>>>
      streamed;
  bool streamRawData = false;
  std::optional<ArrayRef<char>> streamedData;

  LogicalResult writeModel(int fd);
  uint64_t streamedBytes() const;
};

} // namespace

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
// Tensors, types, attributes
//===----------------------------------------------------------------------===//

/// The raw bytes of a dense attribute in ONNX's layout (bools one byte each).
/// Once a model is in place, the data files of the models it replaced
/// (`<model>.<16 hex digits>.data` beside it, other than its own) are read
/// by nothing: removes them.
static void removeSupersededData(StringRef folder, StringRef modelName,
                                 StringRef keep) {
  std::error_code ec;
  std::string prefix = (modelName + ".").str();
  for (llvm::sys::fs::directory_iterator it(folder.empty() ? "." : folder, ec),
       end;
       !ec && it != end; it.increment(ec)) {
    StringRef name = llvm::sys::path::filename(it->path());
    if (name == keep || !name.consume_front(prefix) ||
        !name.consume_back(".data") || name.size() != 16 ||
        !llvm::all_of(name, [](char c) { return llvm::isHexDigit(c); }))
      continue;
    llvm::sys::fs::remove(it->path());
  }
}

static std::string denseBytes(DenseElementsAttr dense) {
  std::string bytes;
  auto type = cast<ShapedType>(dense.getType());
  if (type.getElementType().isInteger(1)) {
    for (bool value : dense.getValues<bool>())
      bytes.push_back(value ? 1 : 0);
    return bytes;
  }
  ArrayRef<char> raw = dense.getRawData();
  if (!dense.isSplat())
    return std::string(raw.data(), raw.size());
  for (int64_t i = 0, e = type.getNumElements(); i < e; ++i)
    bytes.append(raw.data(), raw.size());
  return bytes;
}

LogicalResult Exporter::writeTensor(ElementsAttr value,
                                    onnx::TensorProto *tensor) {
  auto type = cast<ShapedType>(value.getType());
  std::optional<int32_t> dataType = getONNXDataType(type.getElementType());
  if (!dataType || !type.hasStaticShape())
    return emitError(module.getLoc())
           << "tensor '" << tensor->name() << "' of type " << type
           << " has no ONNX form";
  tensor->set_data_type(*dataType);
  for (int64_t dim : type.getShape())
    tensor->add_dims(dim);
  // A splat's bytes are not in the IR: bound what writing it out may claim.
  if (auto dense = dyn_cast<DenseElementsAttr>(value);
      dense && dense.isSplat()) {
    std::optional<int64_t> count = getCheckedNumElements(type.getShape());
    uint64_t elementBytes = 1;
    if (auto strings = dyn_cast<DenseStringElementsAttr>(value))
      elementBytes =
          std::max<uint64_t>(1, strings.getRawStringData().front().size());
    else if (std::optional<unsigned> bytes =
                 getElementByteSize(type.getElementType()))
      elementBytes = *bytes;
    uint64_t total;
    if (!count ||
        __builtin_mul_overflow(uint64_t(*count), elementBytes, &total) ||
        total > kMaxSplatExpansionBytes)
      return emitError(module.getLoc())
             << "tensor '" << tensor->name() << "' is one value repeated "
             << "over " << type << "; written out it would take more than "
             << (kMaxSplatExpansionBytes >> 30)
             << " GiB, more than export expands";
  }
  if (auto strings = dyn_cast<DenseStringElementsAttr>(value)) {
    for (StringRef s : strings.getRawStringData())
      tensor->add_string_data(s.str());
    if (strings.isSplat())
      for (int64_t i = 1; i < type.getNumElements(); ++i)
        tensor->add_string_data(strings.getRawStringData().front().str());
    return success();
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return emitError(module.getLoc())
             << "tensor '" << tensor->name() << "' refers to resource '"
             << resource.getRawHandle().getKey() << "', which holds no data";
    ArrayRef<char> data = blob->getData();
    if (useExternal && data.size() >= options.externalDataThreshold) {
      externalTensors.emplace_back(tensor, data);
      return success();
    }
    if (streamRawData && data.size() >= kStreamThreshold) {
      // Written straight from the blob when the file is (no copy).
      streamedData = data;
      return success();
    }
    tensor->set_raw_data(data.data(), data.size());
    return success();
  }
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    tensor->set_raw_data(denseBytes(dense));
    return success();
  }
  return emitError(module.getLoc()) << "tensor '" << tensor->name() << "' is a "
                                    << value << ", which export does not write";
}

LogicalResult Exporter::writeType(Type type, ArrayAttr dimNames, Location loc,
                                  onnx::TypeProto *proto) {
  if (isa<UnknownType>(type))
    return success();
  if (auto tensor = dyn_cast<TensorType>(type)) {
    std::optional<int32_t> dataType = getONNXDataType(tensor.getElementType());
    if (!dataType)
      return emitError(loc) << "type " << type << " has no ONNX form";
    onnx::TypeProto::Tensor *t = proto->mutable_tensor_type();
    t->set_elem_type(*dataType);
    if (auto ranked = dyn_cast<RankedTensorType>(tensor)) {
      onnx::TensorShapeProto *shape = t->mutable_shape();
      for (auto [index, dim] : llvm::enumerate(ranked.getShape())) {
        onnx::TensorShapeProto::Dimension *d = shape->add_dim();
        if (!ShapedType::isDynamic(dim)) {
          d->set_dim_value(dim);
        } else if (dimNames && index < dimNames.size()) {
          StringRef name = cast<StringAttr>(dimNames[index]).getValue();
          if (!name.empty())
            d->set_dim_param(name.str());
        }
      }
    }
    return success();
  }
  if (auto seq = dyn_cast<SequenceType>(type))
    return writeType(seq.getElementType(), nullptr, loc,
                     proto->mutable_sequence_type()->mutable_elem_type());
  if (auto opt = dyn_cast<OptionalType>(type))
    return writeType(opt.getElementType(), nullptr, loc,
                     proto->mutable_optional_type()->mutable_elem_type());
  if (auto map = dyn_cast<MapType>(type)) {
    std::optional<int32_t> key = getONNXDataType(map.getKeyType());
    if (!key)
      return emitError(loc)
             << "map key type " << map.getKeyType() << " has no ONNX form";
    proto->mutable_map_type()->set_key_type(*key);
    return writeType(map.getValueType(), nullptr, loc,
                     proto->mutable_map_type()->mutable_value_type());
  }
  if (auto sparse = dyn_cast<SparseTensorType>(type)) {
    onnx::TypeProto dense;
    if (failed(writeType(sparse.getTensorType(), dimNames, loc, &dense)))
      return failure();
    onnx::TypeProto::SparseTensor *s = proto->mutable_sparse_tensor_type();
    s->set_elem_type(dense.tensor_type().elem_type());
    if (dense.tensor_type().has_shape())
      *s->mutable_shape() = dense.tensor_type().shape();
    return success();
  }
  return emitError(loc) << "type " << type << " has no ONNX form";
}

/// Writes a SparseElementsAttr as a SparseTensorProto with [NNZ, rank]
/// coordinates.
static LogicalResult
writeSparse(Exporter &, SparseElementsAttr sparse,
            onnx::SparseTensorProto *proto,
            llvm::function_ref<LogicalResult(ElementsAttr, onnx::TensorProto *)>
                write) {
  auto type = cast<ShapedType>(sparse.getType());
  for (int64_t dim : type.getShape())
    proto->add_dims(dim);
  if (failed(write(sparse.getValues(), proto->mutable_values())) ||
      failed(write(sparse.getIndices(), proto->mutable_indices())))
    return failure();
  return success();
}

LogicalResult Exporter::writeAttribute(Operation *op, StringRef name,
                                       Attribute value,
                                       onnx::AttributeProto *attr) {
  attr->set_name(name.str());
  auto writeGraph = [&](GraphAttr graph, onnx::GraphProto *proto) {
    return writeSubgraph(op->getRegion(graph.getRegion()), name, proto);
  };
  auto tensorWriter = [&](ElementsAttr e, onnx::TensorProto *t) {
    return writeTensor(e, t);
  };
  if (writeSimpleAttribute(value, attr))
    return success();
  if (auto sparse = dyn_cast<SparseElementsAttr>(value)) {
    attr->set_type(onnx::AttributeProto::SPARSE_TENSOR);
    return writeSparse(*this, sparse, attr->mutable_sparse_tensor(),
                       tensorWriter);
  } else if (auto e = dyn_cast<ElementsAttr>(value)) {
    attr->set_type(onnx::AttributeProto::TENSOR);
    bool saved = useExternal;
    useExternal = false; // attribute tensors stay inside the node
    LogicalResult result = writeTensor(e, attr->mutable_t());
    useExternal = saved;
    return result;
  } else if (auto g = dyn_cast<GraphAttr>(value)) {
    attr->set_type(onnx::AttributeProto::GRAPH);
    return writeGraph(g, attr->mutable_g());
  } else if (auto t = dyn_cast<TypeAttr>(value)) {
    attr->set_type(onnx::AttributeProto::TYPE_PROTO);
    return writeType(t.getValue(), nullptr, op->getLoc(), attr->mutable_tp());
  } else if (auto array = dyn_cast<ArrayAttr>(value)) {
    Attribute first = array.empty() ? Attribute() : array[0];
    if (!first || isa<StringAttr>(first)) {
      attr->set_type(onnx::AttributeProto::STRINGS);
      for (Attribute a : array)
        attr->add_strings(cast<StringAttr>(a).getValue().str());
    } else if (isa<GraphAttr>(first)) {
      attr->set_type(onnx::AttributeProto::GRAPHS);
      for (Attribute a : array)
        if (failed(writeGraph(cast<GraphAttr>(a), attr->add_graphs())))
          return failure();
    } else if (isa<TypeAttr>(first)) {
      attr->set_type(onnx::AttributeProto::TYPE_PROTOS);
      for (Attribute a : array)
        if (failed(writeType(cast<TypeAttr>(a).getValue(), nullptr,
                             op->getLoc(), attr->add_type_protos())))
          return failure();
    } else if (isa<SparseElementsAttr>(first)) {
      attr->set_type(onnx::AttributeProto::SPARSE_TENSORS);
      for (Attribute a : array)
        if (failed(writeSparse(*this, cast<SparseElementsAttr>(a),
                               attr->add_sparse_tensors(), tensorWriter)))
          return failure();
    } else if (isa<ElementsAttr>(first)) {
      attr->set_type(onnx::AttributeProto::TENSORS);
      for (Attribute a : array)
        if (failed(writeTensor(cast<ElementsAttr>(a), attr->add_tensors())))
          return failure();
    } else {
      return op->emitOpError("attribute '") << name << "' has no ONNX form";
    }
  } else {
    return op->emitOpError("attribute '") << name << "' has no ONNX form";
  }
  return success();
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
  auto getInt = [&](StringRef name, int64_t fallback) {
    auto attr = module->getAttrOfType<IntegerAttr>(name);
    return attr ? attr.getInt() : fallback;
  };
  auto getString = [&](StringRef name) {
    auto attr = module->getAttrOfType<StringAttr>(name);
    return attr ? attr.getValue().str() : std::string();
  };
  model.set_ir_version(getInt(names::kIrVersion, kDefaultIrVersion));
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
      if (failed(writeSparse(*this, sparse, proto,
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
  pruneValueInfo(graph);

  // External data: one file beside the model, each tensor 64-byte aligned,
  // named after its content (`OUT.onnx.<xxh3-64>.data`). A new model never
  // takes over the name its predecessor reads: the data is renamed into
  // place first, the model last, and a kill in between leaves the old model
  // with its old data (never a model beside data that is not its own).
  std::optional<llvm::sys::fs::TempFile> dataFile;
  std::string modelName = llvm::sys::path::filename(path).str();
  std::string dataName;
  if (!externalTensors.empty()) {
    llvm::Expected<llvm::sys::fs::TempFile> temp =
        createTempBeside(path + ".data");
    if (!temp)
      return emitError(module.getLoc())
             << "cannot create '" << path
             << ".data': " << llvm::toString(temp.takeError());
    dataFile.emplace(std::move(*temp));
    llvm::raw_fd_ostream out(dataFile->FD, /*shouldClose=*/false);
    XXH3_state_t *hash = XXH3_createState();
    XXH3_64bits_reset(hash);
    auto emit = [&](const char *bytes, size_t size) {
      out.write(bytes, size);
      XXH3_64bits_update(hash, bytes, size);
    };
    static const char zeros[64] = {};
    uint64_t offset = 0;
    std::vector<std::pair<onnx::TensorProto *, uint64_t>> offsets;
    for (auto &[tensor, data] : externalTensors) {
      uint64_t padding = llvm::alignTo(offset, 64) - offset;
      emit(zeros, padding);
      offset += padding;
      emit(data.data(), data.size());
      offsets.emplace_back(tensor, offset);
      offset += data.size();
    }
    dataName =
        llvm::formatv("{0}.{1:x-16}.data", modelName, XXH3_64bits_digest(hash))
            .str();
    XXH3_freeState(hash);
    for (auto [i, entry] : llvm::enumerate(offsets)) {
      auto [tensor, tensorOffset] = entry;
      tensor->set_data_location(onnx::TensorProto::EXTERNAL);
      auto add = [&](StringRef key, std::string value) {
        onnx::StringStringEntryProto *kv = tensor->add_external_data();
        kv->set_key(key.str());
        kv->set_value(std::move(value));
      };
      add("location", dataName);
      add("offset", std::to_string(tensorOffset));
      add("length", std::to_string(externalTensors[i].second.size()));
    }
    out.flush();
    if (out.has_error()) {
      std::string message = out.error().message();
      out.clear_error();
      consumeError(dataFile->discard());
      return emitError(module.getLoc())
             << "cannot write '" << path << ".data': " << message;
    }
  }

  if (model.ByteSizeLong() + streamedBytes() >= kProtobufLimit) {
    if (dataFile)
      consumeError(dataFile->discard());
    return emitError(module.getLoc())
           << "the model is over protobuf's 2 GB limit; export with "
              "external data";
  }
  // A device or a pipe (`-o /dev/null`) cannot be replaced by a rename (as
  // root, the rename would replace /dev/null itself): write it in place.
  if (isStreamPath(path)) {
    if (dataFile) {
      consumeError(dataFile->discard());
      return emitError(module.getLoc())
             << "'" << path
             << "' is no regular file: a model with external data needs one";
    }
    int fd;
    if (std::error_code ec = llvm::sys::fs::openFileForWrite(
            path, fd, llvm::sys::fs::CD_OpenExisting))
      return emitError(module.getLoc())
             << "cannot open '" << path << "': " << ec.message();
    LogicalResult written = writeModel(fd);
    ::close(fd);
    if (failed(written))
      return emitError(module.getLoc()) << "cannot write '" << path << "'";
    return success();
  }
  llvm::Expected<llvm::sys::fs::TempFile> temp = createTempBeside(path);
  if (!temp) {
    if (dataFile)
      consumeError(dataFile->discard());
    return emitError(module.getLoc())
           << "cannot create '" << path
           << "': " << llvm::toString(temp.takeError());
  }
  if (failed(writeModel(temp->FD))) {
    consumeError(temp->discard());
    if (dataFile)
      consumeError(dataFile->discard());
    return emitError(module.getLoc()) << "cannot write '" << path << "'";
  }
  SmallString<256> folder(path);
  llvm::sys::path::remove_filename(folder);
  if (dataFile) {
    SmallString<256> dataPath(folder);
    llvm::sys::path::append(dataPath, dataName);
    if (llvm::Error err = dataFile->keep(dataPath)) {
      consumeError(temp->discard());
      return emitError(module.getLoc())
             << "cannot write '" << dataPath
             << "': " << llvm::toString(std::move(err));
    }
  }
  if (llvm::Error err = temp->keep(path))
    return emitError(module.getLoc())
           << "cannot write '" << path
           << "': " << llvm::toString(std::move(err));
  removeSupersededData(folder, modelName, dataName);
  return success();
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
static uint64_t fieldSize(uint32_t tag, uint64_t payload) {
  using google::protobuf::io::CodedOutputStream;
  return CodedOutputStream::VarintSize32(tag) +
         CodedOutputStream::VarintSize64(payload) + payload;
}

uint64_t Exporter::streamedBytes() const {
  uint64_t total = 0;
  for (const auto &[tensor, data] : streamed) {
    uint64_t tensorSize =
        tensor->ByteSizeLong() + fieldSize(kTensorRawDataTag, data.size());
    total +=
        fieldSize(kModelGraphTag, fieldSize(kGraphInitializerTag, tensorSize));
  }
  return total;
}

/// Writes the model, then each streamed initializer as one more `graph`
/// field holding one `initializer`: protobuf merges repeated occurrences of
/// a message field, so readers see one graph with every initializer, and the
/// raw bytes go from the blob to the file without a copy in between.
LogicalResult Exporter::writeModel(int fd) {
  google::protobuf::io::FileOutputStream stream(fd);
  bool ok;
  {
    google::protobuf::io::CodedOutputStream out(&stream);
    (void)
        model.ByteSizeLong(); // caches the sizes SerializeWithCachedSizes uses
    model.SerializeWithCachedSizes(&out);
    for (const auto &[tensor, data] : streamed) {
      uint64_t header = tensor->ByteSizeLong();
      uint64_t tensorSize = header + fieldSize(kTensorRawDataTag, data.size());
      out.WriteTag(kModelGraphTag);
      out.WriteVarint64(fieldSize(kGraphInitializerTag, tensorSize));
      out.WriteTag(kGraphInitializerTag);
      out.WriteVarint64(tensorSize);
      tensor->SerializeWithCachedSizes(&out);
      out.WriteTag(kTensorRawDataTag);
      out.WriteVarint64(data.size());
      out.WriteRaw(data.data(), data.size());
    }
    ok = !out.HadError();
  }
  ok &= stream.Flush();
  return success(ok);
}

LogicalResult loom::exportONNXFile(ModuleOp module, StringRef path,
                                   const ONNXExportOptions &options) {
  Exporter exporter(module, path, options);
  return exporter.run();
}
