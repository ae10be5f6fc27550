//===- ImportTorchScript.cpp - TorchScript archives to Loom IR ------------===//
//
// torch::jit::load, then:
//  1. parameters and buffers (every module path) become `loom.weight`s; a
//     tensor reached through several paths (a shared submodule, a tied head)
//     comes in once, the other paths as aliases; the data stays in libtorch's
//     tensors (the blobs keep them alive), nothing is copied;
//  2. `forward` is copied and inlined; `prim::GetAttr` chains resolve to the
//     weights by their dotted names;
//  3. values that are not tensors (ints, floats, lists, `aten::size` of a
//     known shape and the arithmetic on them) are evaluated here, so shapes
//     are static where the inputs' are;
//  4. each aten op becomes typed Loom ops with ONNX semantics; an op without
//     a mapping (or whose mapping Loom's shape rules refuse) becomes a
//     generic op named by its schema (`aten::foo`, domain
//     `org.pytorch.aten`), its static arguments as attributes.
// Control flow (prim::If, prim::Loop) that does not resolve statically is an
// error naming the node and its Python source line.
//
//===----------------------------------------------------------------------===//
#include "ImportTorchScript.h"
#include "loom/Support/Contained.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"

#include "llvm/Support/FileSystem.h"

#include <c10/core/CPUAllocator.h>
#include <torch/csrc/jit/passes/inliner.h>

#include <memory>
#include <mutex>

using namespace mlir;
using namespace loom;
using namespace loom::torchscript;
namespace tj = torch::jit;

Type loom::torchscript::elementTypeOf(c10::ScalarType type,
                                      MLIRContext *context) {
  Builder b(context);
  switch (type) {
  case c10::ScalarType::Float:
    return b.getF32Type();
  case c10::ScalarType::Double:
    return b.getF64Type();
  case c10::ScalarType::Half:
    return b.getF16Type();
  case c10::ScalarType::BFloat16:
    return b.getBF16Type();
  case c10::ScalarType::Long:
    return b.getI64Type();
  case c10::ScalarType::Int:
    return b.getI32Type();
  case c10::ScalarType::Short:
    return b.getI16Type();
  case c10::ScalarType::Char:
    return b.getI8Type();
  case c10::ScalarType::Byte:
    return IntegerType::get(context, 8, IntegerType::Unsigned);
  case c10::ScalarType::Bool:
    return b.getI1Type();
  default:
    return nullptr;
  }
}

namespace {

/// `1x3x224x224xf32` -> tensor<1x3x224x224xf32>.
Type parseInputType(StringRef text, MLIRContext *context) {
  SmallVector<StringRef> parts;
  text.trim().split(parts, 'x');
  if (parts.empty())
    return nullptr;
  StringRef element = parts.pop_back_val();
  Builder b(context);
  Type type =
      llvm::StringSwitch<Type>(element)
          .Case("f32", b.getF32Type())
          .Case("f64", b.getF64Type())
          .Case("f16", b.getF16Type())
          .Case("bf16", b.getBF16Type())
          .Case("i64", b.getI64Type())
          .Case("i32", b.getI32Type())
          .Case("i8", b.getI8Type())
          .Case("ui8", IntegerType::get(context, 8, IntegerType::Unsigned))
          .Case("i1", b.getI1Type())
          .Default(nullptr);
  if (!type)
    return nullptr;
  SmallVector<int64_t> dims;
  for (StringRef part : parts) {
    int64_t dim;
    if (part == "?")
      dim = ShapedType::kDynamic;
    else if (part.getAsInteger(10, dim) || dim < 0)
      return nullptr;
    dims.push_back(dim);
  }
  return RankedTensorType::get(dims, type);
}

/// Records the size of every CPU allocation made while it is installed.
/// libtorch's loader allocates each storage record (`archive/data/N`) at the
/// record's real size but gives the storage the size the pickle declares: a
/// record cut short leaves a storage larger than its memory. Installed around
/// `torch::jit::load`, this tells the real size of each storage's memory.
///
/// An allocation freed again is forgotten (its deleter is wrapped): a
/// corrupt pickle that allocates and frees millions of times must not grow
/// the record (it did, to 2 GB from a few kilobytes; found by fuzzing). The
/// record outlives the allocator: tensors made during the load are freed
/// long after it is uninstalled.
class RecordingAllocator final : public c10::Allocator {
public:
  RecordingAllocator()
      : base(c10::GetCPUAllocator()), record(std::make_shared<Record>()) {
    c10::SetCPUAllocator(this, kPriority);
  }
  ~RecordingAllocator() override { c10::SetCPUAllocator(base, kPriority); }
  c10::DataPtr allocate(size_t n) const override {
    c10::DataPtr inner = base->allocate(n);
    void *data = inner.get();
    c10::Device device = inner.device();
    {
      std::lock_guard<std::mutex> lock(record->mutex);
      record->sizes[data] = n;
    }
    auto *tracked = new Tracked{std::move(inner), record};
    return c10::DataPtr(data, tracked, &Tracked::release, device);
  }
  // Allocations carry their own context: no raw deleter.
  c10::DeleterFnPtr raw_deleter() const override { return nullptr; }
  llvm::DenseMap<const void *, uint64_t> take() {
    std::lock_guard<std::mutex> lock(record->mutex);
    record->live = false;
    return std::move(record->sizes);
  }

private:
  struct Record {
    std::mutex mutex;
    llvm::DenseMap<const void *, uint64_t> sizes;
    bool live = true;
  };
  struct Tracked {
    c10::DataPtr inner;
    std::shared_ptr<Record> record;
    static void release(void *context) {
      auto *tracked = static_cast<Tracked *>(context);
      {
        std::lock_guard<std::mutex> lock(tracked->record->mutex);
        if (tracked->record->live)
          tracked->record->sizes.erase(tracked->inner.get());
      }
      delete tracked; // frees `inner` through the base allocator's deleter
    }
  };
  static constexpr uint8_t kPriority = 255;
  c10::Allocator *base;
  std::shared_ptr<Record> record;
};

} // namespace

/// Why `t`'s sizes and strides reach past its storage's memory, or nothing.
std::optional<std::string> loom::torchscript::storageOverrun(
    const at::Tensor &t,
    const llvm::DenseMap<const void *, uint64_t> &allocated) {
  if (!t.has_storage())
    return std::string("has no storage");
  uint64_t storageBytes = t.storage().nbytes();
  if (auto it = allocated.find(t.storage().data()); it != allocated.end())
    storageBytes = std::min(storageBytes, it->second);
  if (t.numel() == 0)
    return std::nullopt;
  // The last element's index: offset + sum((size - 1) * stride), in checked
  // arithmetic (sizes and strides come from the archive).
  uint64_t last = 0, end = 0;
  bool overflow = t.storage_offset() < 0;
  last = static_cast<uint64_t>(t.storage_offset());
  for (auto [size, stride] : llvm::zip_equal(t.sizes(), t.strides())) {
    uint64_t step;
    overflow |= stride < 0 ||
                __builtin_mul_overflow(static_cast<uint64_t>(size - 1),
                                       static_cast<uint64_t>(stride), &step) ||
                __builtin_add_overflow(last, step, &last);
  }
  overflow |= __builtin_add_overflow(last, uint64_t(1), &end) ||
              __builtin_mul_overflow(
                  end, static_cast<uint64_t>(t.element_size()), &end);
  if (overflow)
    return std::string("its sizes and strides overflow (a corrupted archive)");
  if (end > storageBytes)
    return "its sizes and strides reach byte " + std::to_string(end) +
           " of a storage of " + std::to_string(storageBytes) +
           " bytes (a truncated or corrupted archive)";
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

/// The Python source of a node: the original line where the archive's debug
/// information records it, else the serialized code's.
static std::optional<std::tuple<std::string, size_t, size_t>>
pythonSource(tj::Node *node) {
  const tj::SourceRange &range = node->sourceRange();
  if (c10::optional<tj::SourceRange> original =
          range.findSourceRangeThatGenerated())
    if (auto where = original->file_line_col())
      return *where;
  if (auto where = range.file_line_col())
    return *where;
  return std::nullopt;
}

Location Importer::nodeLoc(tj::Node *node) {
  std::string name = node->kind().toQualString();
  if (node->outputs().size() && node->output(0)->hasDebugName())
    name = node->output(0)->debugName();
  // A node that reads a module's weights is that module (`layer1.0.conv1`):
  // the name a PyTorch user knows, where the archive has only `input.20`.
  for (tj::Value *input : node->inputs())
    if (auto it = weightPaths.find(input); it != weightPaths.end()) {
      size_t dot = it->second.rfind('.');
      name = dot == std::string::npos ? it->second : it->second.substr(0, dot);
      break;
    }
  // The node by name in the archive, then its Python source line.
  Location named = NameLoc::get(builder.getStringAttr(name), fileLoc);
  if (auto where = pythonSource(node))
    return FusedLoc::get(
        context,
        {named, FileLineColLoc::get(context, std::get<0>(*where),
                                    std::get<1>(*where), std::get<2>(*where))});
  return named;
}

std::string Importer::describe(tj::Node *node) {
  std::string text = std::string(node->kind().toQualString());
  if (node->outputs().size())
    text = "%" + node->output(0)->debugName() + " = " + text;
  if (auto where = pythonSource(node))
    text += " at " + std::get<0>(*where) + ":" +
            std::to_string(std::get<1>(*where));
  return text;
}

Value Importer::tensor(tj::Value *value) {
  auto it = tensors.find(value);
  return it == tensors.end() ? Value() : it->second;
}

Value Importer::scalar(double v, Type elementType, Location loc) {
  auto type = RankedTensorType::get({}, elementType);
  Attribute element;
  if (isa<FloatType>(elementType))
    element = FloatAttr::get(elementType, v);
  else
    element = IntegerAttr::get(elementType, static_cast<int64_t>(v));
  return ConstantOp::create(builder, loc,
                            DenseElementsAttr::get(type, element));
}

Value Importer::ints(ArrayRef<int64_t> values, Location loc) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    builder.getI64Type());
  return ConstantOp::create(builder, loc,
                            DenseIntElementsAttr::get(type, values));
}

Value Importer::operand(tj::Value *value, Value like, Location loc) {
  if (Value t = tensor(value))
    return t;
  std::optional<double> number = staticNumber(value);
  if (!number || !like)
    return nullptr;
  return scalar(*number, getElementTypeOrSelf(like.getType()), loc);
}

FailureOr<Operation *> Importer::emit(StringRef name, ValueRange operands,
                                      ArrayRef<NamedAttribute> attrs,
                                      Location loc, unsigned numResults,
                                      Type placeholderElement) {
  for (Value v : operands)
    if (!v)
      return failure();
  if (!placeholderElement)
    placeholderElement = builder.getF32Type();
  OperationState state(loc, name);
  state.addOperands(operands);
  state.addAttributes(attrs);
  return createWithInferredTypes(builder, state, numResults,
                                 placeholderElement);
}

//===----------------------------------------------------------------------===//
// Nodes
//===----------------------------------------------------------------------===//

LogicalResult Importer::importBlock(tj::Block *block) {
  for (tj::Node *node : block->nodes())
    if (failed(importNode(node)))
      return failure();
  return success();
}

LogicalResult Importer::importNode(tj::Node *node) {
  std::string kind = node->kind().toQualString();
  Location loc = nodeLoc(node);

  if (kind == "prim::GetAttr") {
    auto object = objects.find(node->input(0));
    if (object == objects.end())
      return buildGeneric(node);
    std::string name = node->s(c10::attr::name);
    std::string full =
        object->second.empty() ? name : object->second + "." + name;
    tj::Value *out = node->output();
    if (out->type()->kind() == c10::TypeKind::TensorType) {
      auto weight = weights.find(full);
      if (weight == weights.end())
        return emitError(loc) << "'" << full
                              << "' is a tensor attribute that is neither a "
                                 "parameter nor a buffer: "
                              << describe(node);
      tensors[out] = weightReads.get(builder, weight->second, full, fileLoc);
      weightPaths[out] = full;
      return success();
    }
    if (out->type()->kind() == c10::TypeKind::ClassType) {
      objects[out] = full;
      return success();
    }
    // A plain attribute of a module (a flag, a size): its value now.
    c10::IValue value = *root;
    SmallVector<StringRef> parts;
    StringRef(full).split(parts, '.');
    for (StringRef part : parts) {
      if (!value.isObject() ||
          !value.toObject()->type()->hasAttribute(part.str()))
        return buildGeneric(node);
      value = value.toObject()->getAttr(part.str());
    }
    Static s;
    if (value.isBool())
      s = Static::ofBool(value.toBool());
    else if (value.isInt())
      s = Static::ofInt(value.toInt());
    else if (value.isDouble())
      s = Static::ofFloat(value.toDouble());
    else if (value.isString())
      s.kind = Static::Str, s.s = value.toStringRef();
    else if (value.isIntList()) {
      s.kind = Static::List;
      for (int64_t e : value.toIntVector())
        s.list.push_back(Static::ofInt(e));
    } else if (!value.isNone()) {
      return buildGeneric(node);
    }
    statics[out] = s;
    return success();
  }

  if (kind == "prim::ListUnpack" || kind == "prim::TupleUnpack") {
    if (auto list = tensorLists.find(node->input(0));
        list != tensorLists.end()) {
      if (list->second.size() != node->outputs().size())
        return emitError(loc) << "unpacks " << node->outputs().size()
                              << " values from a list of "
                              << list->second.size() << ": " << describe(node);
      for (auto [out, v] : llvm::zip_equal(node->outputs(), list->second))
        tensors[out] = v;
      return success();
    }
    const Static *s = staticOf(node->input(0));
    if (s && s->kind == Static::List &&
        s->list.size() == node->outputs().size()) {
      for (auto [out, v] : llvm::zip_equal(node->outputs(), s->list))
        statics[out] = v;
      return success();
    }
    return emitError(loc) << "cannot unpack a list that does not resolve "
                             "statically: "
                          << describe(node);
  }

  if (kind == "prim::ListConstruct" || kind == "prim::TupleConstruct") {
    bool anyTensor = false, allTensors = true;
    for (tj::Value *v : node->inputs()) {
      bool isTensor = static_cast<bool>(tensor(v));
      anyTensor |= isTensor;
      allTensors &= isTensor;
    }
    if (anyTensor && allTensors) {
      SmallVector<Value> list;
      for (tj::Value *v : node->inputs())
        list.push_back(tensor(v));
      tensorLists[node->output()] = list;
      return success();
    }
  }

  if (kind == "prim::If") {
    std::optional<int64_t> condition = staticInt(node->input(0));
    if (!condition)
      return emitError(loc) << "control flow that does not resolve statically "
                               "(the condition is computed from tensors): "
                            << describe(node);
    tj::Block *taken = node->blocks()[*condition ? 0 : 1];
    if (failed(importBlock(taken)))
      return failure();
    for (auto [out, ret] : llvm::zip_equal(node->outputs(), taken->outputs())) {
      if (Value t = tensor(ret))
        tensors[out] = t;
      else if (const Static *s = staticOf(ret))
        statics[out] = *s;
    }
    return success();
  }
  if (kind == "prim::Loop")
    return emitError(loc) << "loops are not imported (trace the model, or "
                             "unroll the loop in Python): "
                          << describe(node);
  if (kind == "prim::RaiseException")
    return success(); // only reachable in branches not taken

  // Values that are not tensors.
  bool handled = false;
  bool tensorOutputs = false;
  for (tj::Value *out : node->outputs())
    tensorOutputs |= out->type()->kind() == c10::TypeKind::TensorType;
  if (!tensorOutputs || kind == "prim::NumToTensor" || kind == "aten::size") {
    if (std::optional<Static> s = evaluate(node)) {
      if (node->outputs().size() == 1) {
        statics[node->output()] = *s;
        return success();
      }
    }
  }
  // A number computed in a 0-d tensor from numbers (traced shape math).
  if (tensorOutputs && node->outputs().size() == 1)
    if (std::optional<Static> s = evaluate(node)) {
      bool allStatic = true;
      for (tj::Value *v : node->inputs())
        allStatic &= staticOf(v) != nullptr;
      if (allStatic) {
        statics[node->output()] = *s;
        return success();
      }
    }

  // Sizes known only when the model runs (a dynamic batch): 0-d i64
  // tensors computed in the graph, so that shapes built from them stay
  // correct for every size.
  if (failed(lowerShapeMath(node, handled)))
    return failure();
  if (handled)
    return success();

  // A tensor constant the tracer recorded (not a number): its data.
  if (kind == "prim::Constant" && tensorOutputs) {
    std::optional<c10::IValue> v = tj::toIValue(node->output());
    if (v && v->isTensor()) {
      if (std::optional<std::string> bad =
              storageOverrun(v->toTensor(), allocated))
        return emitError(loc) << "tensor constant: " << *bad;
      at::Tensor t = v->toTensor().detach().contiguous();
      Type element = elementTypeOf(t.scalar_type(), context);
      std::optional<unsigned> bytes =
          element && !element.isInteger(1)
              ? std::optional<unsigned>(t.element_size())
              : std::nullopt;
      if (bytes) {
        SmallVector<int64_t> shape(t.sizes().begin(), t.sizes().end());
        auto type = RankedTensorType::get(shape, element);
        ArrayRef<char> data(static_cast<const char *>(t.data_ptr()),
                            t.nbytes());
        tensors[node->output()] = ConstantOp::create(
            builder, loc, DenseElementsAttr::getFromRawBuffer(type, data));
        return success();
      }
    }
  }

  if (failed(lowerAten(node, handled)))
    return failure();
  if (handled)
    return success();
  return buildGeneric(node);
}

LogicalResult Importer::buildGeneric(tj::Node *node) {
  std::string kind = node->kind().toQualString();
  ++genericKinds[kind];
  Location loc = nodeLoc(node);
  SmallVector<Value> operands;
  SmallVector<NamedAttribute> attrs;
  const c10::FunctionSchema *schema = node->maybeSchema();
  for (auto [index, input] : llvm::enumerate(node->inputs())) {
    std::string argName = schema && index < schema->arguments().size()
                              ? schema->arguments()[index].name()
                              : "arg" + std::to_string(index);
    if (Value t = tensor(input)) {
      operands.push_back(t);
      continue;
    }
    if (auto list = tensorLists.find(input); list != tensorLists.end()) {
      llvm::append_range(operands, list->second);
      continue;
    }
    const Static *s = staticOf(input);
    if (!s)
      continue;
    Attribute attr;
    switch (s->kind) {
    case Static::Int:
    case Static::Bool:
      attr = builder.getI64IntegerAttr(s->i);
      break;
    case Static::Float:
      attr = builder.getF32FloatAttr(s->f);
      break;
    case Static::Str:
      attr = builder.getStringAttr(s->s);
      break;
    case Static::List:
      if (std::optional<std::vector<int64_t>> v = s->ints())
        attr = builder.getDenseI64ArrayAttr(*v);
      break;
    default:
      break;
    }
    if (attr)
      attrs.push_back(builder.getNamedAttr(argName, attr));
  }
  SmallVector<Type> resultTypes;
  for (tj::Value *out : node->outputs()) {
    Type element = builder.getF32Type();
    if (auto t = out->type()->cast<c10::TensorType>())
      if (c10::optional<c10::ScalarType> st = t->scalarType())
        if (Type e = elementTypeOf(*st, context))
          element = e;
    resultTypes.push_back(out->type()->kind() == c10::TypeKind::TensorType
                              ? Type(UnrankedTensorType::get(element))
                              : Type(UnknownType::get(context)));
  }
  auto op = OnnxOp::create(
      builder, loc, resultTypes, builder.getStringAttr(kind),
      builder.getStringAttr("org.pytorch.aten"), IntegerAttr(),
      attrs.empty() ? DictionaryAttr() : builder.getDictionaryAttr(attrs),
      operands, 0);
  for (auto [out, result] : llvm::zip_equal(node->outputs(), op->getResults()))
    if (isa<TensorType>(result.getType()))
      tensors[out] = result;
  return success();
}

//===----------------------------------------------------------------------===//
// The module
//===----------------------------------------------------------------------===//

/// libtorch 1.13's loader trusts the archive: a corrupt pickle can make
/// `torch::jit::Unpickler` dereference a wild pointer, and declared sizes can
/// make it allocate gigabytes (both found by the torchscript-import fuzzer).
/// So `torch::jit::load`, and the lazy reads the importer makes after it,
/// run first in a contained child, bounded to 1 GB plus twice the file and
/// 10 s plus 1 s per 100 MB; a child that dies or overruns is a refusal,
/// before this process loads anything. Costs one more load (the archive is
/// then in the page cache). Returns why the archive is refused, or nullopt.
static std::optional<std::string> probeLoad(const std::string &path) {
  uint64_t fileBytes = 0;
  if (std::error_code ec = llvm::sys::fs::file_size(path, fileBytes))
    return std::nullopt; // the real load reports it
  loom::ContainedLimits limits;
  limits.maxResidentBytes = (uint64_t(1) << 30) + 2 * fileBytes;
  limits.seconds = 10 + fileBytes / (100u << 20);
  loom::ContainedResult probe = loom::runContained(
      [&](int) {
        try {
          tj::ExtraFilesMap extra;
          tj::Module module = tj::load(path, c10::nullopt, extra);
          // What the importer reads lazily: forward's graph, and the debug
          // pickle behind each node's Python source line (a corrupt one made
          // libtorch allocate until the process died).
          std::shared_ptr<tj::Graph> graph =
              module.get_method("forward").graph()->copy();
          tj::Inline(*graph);
          std::function<void(tj::Block *)> visit = [&](tj::Block *block) {
            for (tj::Node *node : block->nodes()) {
              (void)pythonSource(node);
              for (tj::Block *inner : node->blocks())
                visit(inner);
            }
          };
          visit(graph->block());
        } catch (...) {
          return 1; // an error the real load reports with its message
        }
        return 0;
      },
      limits);
  using Outcome = loom::ContainedResult::Outcome;
  if (probe.outcome == Outcome::NotRun || probe.outcome == Outcome::Exited)
    return std::nullopt;
  if (probe.outcome == Outcome::Crashed)
    return std::string("libtorch's loader crashes on it");
  return "torch::jit::load " + probe.describe(limits) + " for it" +
         (probe.outcome == Outcome::OutOfMemory ? " (1 GB plus twice the file)"
                                                : "");
}

OwningOpRef<ModuleOp> Importer::run(const TorchScriptImportOptions &options) {
  if (std::optional<std::string> refused = probeLoad(path)) {
    error() << "cannot load the TorchScript archive: " << *refused;
    return nullptr;
  }
  tj::Module torchModule;
  tj::ExtraFilesMap extra{{"loom_inputs.txt", ""}};
  try {
    RecordingAllocator recording;
    torchModule = tj::load(path, c10::nullopt, extra);
    allocated = recording.take();
    torchModule.eval();
  } catch (const std::exception &e) {
    std::string message = e.what();
    // libtorch's messages carry a C++ backtrace after the first line.
    message = message.substr(0, message.find('\n'));
    error() << "cannot load the TorchScript archive: " << message;
    return nullptr;
  }

  c10::IValue rootValue = torchModule._ivalue();
  root = &rootValue;
  module = ModuleOp::create(fileLoc);
  OwningOpRef<ModuleOp> owned(module);
  if (failed(importWeights(torchModule)))
    return nullptr;

  std::shared_ptr<tj::Graph> graph;
  try {
    graph = torchModule.get_method("forward").graph()->copy();
    tj::Inline(*graph);
  } catch (const std::exception &e) {
    std::string message = e.what();
    error() << "cannot read forward(): "
            << message.substr(0, message.find('\n'));
    return nullptr;
  }

  // Inputs: self, then tensors.
  std::vector<std::string> inputTypes = options.inputTypes;
  if (inputTypes.empty() && !extra["loom_inputs.txt"].empty()) {
    SmallVector<StringRef> parts;
    StringRef(extra["loom_inputs.txt"]).split(parts, ',', -1, false);
    for (StringRef part : parts)
      inputTypes.push_back(part.trim().str());
  }
  SmallVector<Type> argTypes;
  SmallVector<DictionaryAttr> argAttrs;
  SmallVector<tj::Value *> args;
  for (tj::Value *input : graph->inputs().slice(1)) {
    std::string name = input->hasDebugName()
                           ? input->debugName()
                           : "input_" + std::to_string(args.size());
    // TorchScript's unique names end in ".N".
    if (size_t dot = name.rfind('.');
        dot != std::string::npos &&
        llvm::all_of(name.substr(dot + 1), llvm::isDigit))
      name = name.substr(0, dot);
    if (input->type()->kind() != c10::TypeKind::TensorType) {
      error() << "forward() input '" << name << "' is not a tensor ("
              << input->type()->str() << "); Loom imports tensor inputs only";
      return nullptr;
    }
    size_t index = args.size();
    Type type = UnrankedTensorType::get(builder.getF32Type());
    if (index < inputTypes.size()) {
      type = parseInputType(inputTypes[index], context);
      if (!type) {
        error() << "bad input type '" << inputTypes[index]
                << "' (expected dims then dtype, as 1x3x224x224xf32)";
        return nullptr;
      }
    } else if (!inputTypes.empty()) {
      error() << "forward() has more inputs than the " << inputTypes.size()
              << " input type(s) given";
      return nullptr;
    }
    argTypes.push_back(type);
    argAttrs.push_back(builder.getDictionaryAttr(builder.getNamedAttr(
        LoomDialect::getNameAttrName(), builder.getStringAttr(name))));
    args.push_back(input);
  }
  if (!inputTypes.empty() && inputTypes.size() != args.size()) {
    error() << "forward() has " << args.size() << " tensor input(s), but "
            << inputTypes.size() << " input type(s) were given";
    return nullptr;
  }

  builder.setInsertionPointToEnd(module.getBody());
  func = func::FuncOp::create(builder, fileLoc, "forward",
                              builder.getFunctionType(argTypes, {}));
  func.setAllArgAttrs(argAttrs);
  Block *entry = func.addEntryBlock();
  weightReads.setBlock(entry);
  builder.setInsertionPointToEnd(entry);
  objects[graph->inputs()[0]] = "";
  for (auto [input, arg] : llvm::zip_equal(args, entry->getArguments()))
    tensors[input] = arg;

  try {
    if (failed(importBlock(graph->block())))
      return nullptr;
  } catch (const std::exception &e) {
    std::string message = e.what();
    error() << "libtorch: " << message.substr(0, message.find('\n'));
    return nullptr;
  }

  // Outputs: a tensor, or a tuple or list of tensors.
  SmallVector<Value> results;
  for (tj::Value *out : graph->outputs()) {
    if (Value t = tensor(out)) {
      results.push_back(t);
      continue;
    }
    if (auto list = tensorLists.find(out); list != tensorLists.end()) {
      llvm::append_range(results, list->second);
      continue;
    }
    error() << "forward() returns a value of type " << out->type()->str()
            << ", not a tensor or a list of tensors";
    return nullptr;
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setFunctionType(
      builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (unsigned i = 0; i < results.size(); ++i)
    func.setResultAttr(i, LoomDialect::getNameAttrName(),
                       builder.getStringAttr("output_" + std::to_string(i)));

  if (!genericKinds.empty()) {
    std::vector<std::string> kinds;
    for (auto &[kind, count] : genericKinds)
      kinds.push_back(kind + " (" + std::to_string(count) + ")");
    emitWarning(fileLoc) << "ops kept as generic ops (no Loom mapping, or "
                            "shapes unknown): "
                         << llvm::join(kinds, ", ");
  }
  if (failed(verify(module)))
    return nullptr;
  return owned;
}

/// The plugin's entry point (see TorchScriptImport.h): the module, or null
/// after emitting diagnostics. The caller owns the result.
extern "C" __attribute__((visibility("default"))) Operation *
loomImportTorchScript(const char *path, MLIRContext *context,
                      const char *const *inputTypes, size_t numInputTypes) {
  TorchScriptImportOptions options;
  for (size_t i = 0; i < numInputTypes; ++i)
    options.inputTypes.push_back(inputTypes[i]);
  context->loadDialect<LoomDialect, func::FuncDialect>();
  Importer importer(context, path);
  return importer.run(options).release();
}
