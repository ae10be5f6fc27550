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

#include "loom/Target/TorchScript/TorchScriptImport.h"

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/ShapeInference.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

#include <torch/csrc/jit/passes/inliner.h>
#include <torch/script.h>

#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>
#include <variant>

using namespace mlir;
using namespace loom;
namespace tj = torch::jit;

namespace {

/// A value of the TorchScript graph that is not a tensor, evaluated here.
struct Static {
  enum Kind { None, Int, Float, Bool, Str, List, Device } kind = None;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<Static> list;

  static Static ofInt(int64_t v) {
    Static s;
    s.kind = Int, s.i = v;
    return s;
  }
  static Static ofFloat(double v) {
    Static s;
    s.kind = Float, s.f = v;
    return s;
  }
  static Static ofBool(bool v) {
    Static s;
    s.kind = Bool, s.i = v;
    return s;
  }
  bool isNumber() const { return kind == Int || kind == Float || kind == Bool; }
  double number() const { return kind == Float ? f : static_cast<double>(i); }
  std::optional<std::vector<int64_t>> ints() const {
    if (kind == Int)
      return std::vector<int64_t>{i};
    if (kind != List)
      return std::nullopt;
    std::vector<int64_t> out;
    for (const Static &e : list) {
      if (e.kind != Int)
        return std::nullopt;
      out.push_back(e.i);
    }
    return out;
  }
};

Type elementTypeOf(c10::ScalarType type, MLIRContext *context) {
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

/// `1x3x224x224xf32` -> tensor<1x3x224x224xf32>.
Type parseInputType(StringRef text, MLIRContext *context) {
  SmallVector<StringRef> parts;
  text.trim().split(parts, 'x');
  if (parts.empty())
    return nullptr;
  StringRef element = parts.pop_back_val();
  Builder b(context);
  Type type = llvm::StringSwitch<Type>(element)
                  .Case("f32", b.getF32Type())
                  .Case("f64", b.getF64Type())
                  .Case("f16", b.getF16Type())
                  .Case("bf16", b.getBF16Type())
                  .Case("i64", b.getI64Type())
                  .Case("i32", b.getI32Type())
                  .Case("i8", b.getI8Type())
                  .Case("ui8", IntegerType::get(context, 8,
                                                IntegerType::Unsigned))
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

class Importer {
public:
  Importer(MLIRContext *context, StringRef path)
      : context(context), builder(context), path(path.str()),
        fileLoc(FileLineColLoc::get(context, path, 0, 0)) {}

  OwningOpRef<ModuleOp> run(const TorchScriptImportOptions &options);

private:
  InFlightDiagnostic error() { return emitError(fileLoc); }

  // Weights
  LogicalResult importWeights(tj::Module &module);
  // The graph
  Location nodeLoc(tj::Node *node);
  std::string describe(tj::Node *node);
  LogicalResult importBlock(tj::Block *block);
  LogicalResult importNode(tj::Node *node);
  LogicalResult lowerAten(tj::Node *node, bool &handled);
  LogicalResult lowerShapeMath(tj::Node *node, bool &handled);
  /// A list of ints some of which are known only at run time: a 1-D i64
  /// tensor (static entries as constants).
  Value dynamicInts(tj::Value *list, Location loc);
  LogicalResult buildGeneric(tj::Node *node);
  std::optional<Static> evaluate(tj::Node *node);

  // Values
  Value tensor(tj::Value *value);
  const Static *staticOf(tj::Value *value) {
    auto it = statics.find(value);
    return it == statics.end() ? nullptr : &it->second;
  }
  std::optional<int64_t> staticInt(tj::Value *value) {
    const Static *s = staticOf(value);
    if (!s || (s->kind != Static::Int && s->kind != Static::Bool))
      return std::nullopt;
    return s->i;
  }
  std::optional<double> staticNumber(tj::Value *value) {
    const Static *s = staticOf(value);
    if (!s || !s->isNumber())
      return std::nullopt;
    return s->number();
  }
  std::optional<std::vector<int64_t>> staticInts(tj::Value *value) {
    const Static *s = staticOf(value);
    return s ? s->ints() : std::nullopt;
  }
  bool isNone(tj::Value *value) {
    const Static *s = staticOf(value);
    return s && s->kind == Static::None;
  }
  /// A tensor operand, or a number made a 0-d tensor of `like`'s type.
  Value operand(tj::Value *value, Value like, Location loc);
  Value scalar(double v, Type elementType, Location loc);
  Value ints(ArrayRef<int64_t> values, Location loc);

  /// Builds a typed Loom op; result types from Loom's shape rules. Fails
  /// (erasing it) when the rules refuse it.
  FailureOr<Operation *> emit(StringRef name, ValueRange operands,
                              ArrayRef<NamedAttribute> attrs, Location loc,
                              unsigned numResults = 1,
                              Type placeholderElement = {});
  Value emit1(StringRef name, ValueRange operands,
              ArrayRef<NamedAttribute> attrs, Location loc) {
    FailureOr<Operation *> op = emit(name, operands, attrs, loc);
    return failed(op) ? Value() : (*op)->getResult(0);
  }
  std::optional<int64_t> rankOf(Value value) {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    return type ? std::optional<int64_t>(type.getRank()) : std::nullopt;
  }
  NamedAttribute i64(StringRef name, int64_t v) {
    return builder.getNamedAttr(
        name, IntegerAttr::get(builder.getIntegerType(64), v));
  }
  NamedAttribute i64s(StringRef name, ArrayRef<int64_t> v) {
    return builder.getNamedAttr(name, builder.getDenseI64ArrayAttr(v));
  }
  NamedAttribute f32(StringRef name, double v) {
    return builder.getNamedAttr(name, builder.getF32FloatAttr(v));
  }

  MLIRContext *context;
  OpBuilder builder;
  std::string path;
  Location fileLoc;
  ModuleOp module;
  func::FuncOp func;
  /// Weights by every name they go by.
  llvm::StringMap<WeightOp> weights;
  llvm::StringMap<Value> weightRefs;
  Block::iterator refInsertPoint;
  /// Module objects by their dotted path ("" is self).
  std::unordered_map<tj::Value *, std::string> objects;
  std::unordered_map<tj::Value *, Value> tensors;
  std::unordered_map<tj::Value *, Static> statics;
  std::unordered_map<tj::Value *, SmallVector<Value>> tensorLists;
  /// Lists of ints with run-time entries: each a static int or a 0-d i64.
  std::unordered_map<tj::Value *, SmallVector<std::variant<int64_t, Value>>>
      dynamicLists;
  /// The loaded module, for attributes that are not tensors.
  const c10::IValue *root = nullptr;
  /// Nodes that stayed generic, by kind.
  std::map<std::string, int> genericKinds;
};

} // namespace

//===----------------------------------------------------------------------===//
// Weights
//===----------------------------------------------------------------------===//

LogicalResult Importer::importWeights(tj::Module &module) {
  // Every path to every tensor: parameters first, then buffers.
  struct Entry {
    std::string name;
    at::Tensor tensor;
    bool buffer;
  };
  std::vector<Entry> entries;
  for (const auto &p : module.named_parameters(/*recurse=*/true))
    entries.push_back({p.name, p.value, false});
  for (const auto &b : module.named_buffers(/*recurse=*/true))
    entries.push_back({b.name, b.value, true});

  // One weight per tensor: same storage, offset, sizes, strides and dtype.
  std::map<std::string, WeightOp> byIdentity;
  builder.setInsertionPointToEnd(this->module.getBody());
  for (Entry &entry : entries) {
    at::Tensor &t = entry.tensor;
    std::string identity =
        std::to_string(reinterpret_cast<uintptr_t>(
            t.storage().unsafeGetStorageImpl())) +
        ":" + std::to_string(t.storage_offset()) + ":" +
        c10::str(t.sizes()) + ":" + c10::str(t.strides()) + ":" +
        std::string(c10::toString(t.scalar_type()));
    if (auto it = byIdentity.find(identity); it != byIdentity.end()) {
      WeightOp weight = it->second;
      SmallVector<Attribute> aliases;
      if (std::optional<ArrayAttr> old = weight.getAliases())
        llvm::append_range(aliases, *old);
      aliases.push_back(builder.getStringAttr(entry.name));
      weight.setAliasesAttr(builder.getArrayAttr(aliases));
      // Trainable if any path says so (they are one tensor).
      if (!entry.buffer && t.requires_grad())
        weight.setFrozen(false);
      weights[entry.name] = weight;
      continue;
    }
    Type elementType = elementTypeOf(t.scalar_type(), context);
    if (!elementType)
      return error() << (entry.buffer ? "buffer '" : "parameter '")
                     << entry.name << "' has dtype "
                     << c10::toString(t.scalar_type())
                     << ", which Loom does not import";
    SmallVector<int64_t> shape(t.sizes().begin(), t.sizes().end());
    auto type = RankedTensorType::get(shape, elementType);
    at::Tensor data = t.detach().contiguous();
    ElementsAttr value;
    if (elementType.isInteger(1)) {
      // Bools: one byte each in libtorch, bits in MLIR's dense form.
      SmallVector<bool> bits;
      const bool *p = data.data_ptr<bool>();
      bits.assign(p, p + data.numel());
      value = DenseElementsAttr::get(type, ArrayRef<bool>(bits));
    } else {
      // The blob reads libtorch's memory and keeps the tensor alive.
      const char *bytes = static_cast<const char *>(data.data_ptr());
      size_t size = data.nbytes();
      size_t alignment = data.element_size();
      while (alignment < 64 &&
             reinterpret_cast<uintptr_t>(bytes) % (alignment * 2) == 0)
        alignment *= 2;
      AsmResourceBlob blob(
          ArrayRef<char>(bytes, size), alignment,
          [keep = data](void *, size_t, size_t) mutable { keep.reset(); },
          /*dataIsMutable=*/false);
      value = DenseResourceElementsAttr::get(type, entry.name, std::move(blob));
    }
    bool frozen = entry.buffer || !t.requires_grad();
    auto weight = WeightOp::create(
        builder, NameLoc::get(builder.getStringAttr(entry.name), fileLoc),
        builder.getStringAttr(entry.name), value,
        WeightRoleAttr::get(context, entry.buffer ? WeightRole::Buffer
                                                  : WeightRole::Parameter),
        frozen ? builder.getUnitAttr() : UnitAttr(), ArrayAttr(), ArrayAttr());
    byIdentity[identity] = weight;
    weights[entry.name] = weight;
  }
  return success();
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
  // The node by name in the archive, then its Python source line.
  Location named = NameLoc::get(builder.getStringAttr(name), fileLoc);
  if (auto where = pythonSource(node))
    return FusedLoc::get(context,
                         {named, FileLineColLoc::get(context, std::get<0>(*where),
                                                     std::get<1>(*where),
                                                     std::get<2>(*where))});
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
  return ConstantOp::create(builder, loc, DenseElementsAttr::get(type, element));
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
  state.addTypes(SmallVector<Type>(numResults,
                                   UnrankedTensorType::get(placeholderElement)));
  Operation *op = builder.create(state);
  ScopedDiagnosticHandler silence(context,
                                  [](Diagnostic &) { return success(); });
  auto inference = dyn_cast<ShapeInferenceOpInterface>(op);
  SmallVector<Type> inferred;
  // Verified only with the inferred types: a placeholder may break the op's
  // result constraints (Shape's result is i64).
  if (!inference || failed(inference.inferResultTypes(inferred)) ||
      inferred.size() != numResults) {
    op->erase();
    return failure();
  }
  for (auto [result, type] : llvm::zip_equal(op->getResults(), inferred))
    result.setType(type);
  if (failed(verify(op, false))) {
    op->erase();
    return failure();
  }
  return op;
}

//===----------------------------------------------------------------------===//
// Statics
//===----------------------------------------------------------------------===//

/// Evaluates a node whose outputs are not tensors (or are numbers PyTorch
/// holds in 0-d tensors, as `prim::NumToTensor` makes) from static inputs.
std::optional<Static> Importer::evaluate(tj::Node *node) {
  std::string kind = node->kind().toQualString();
  auto in = [&](size_t i) { return staticOf(node->input(i)); };
  auto allStatic = [&] {
    for (tj::Value *v : node->inputs())
      if (!staticOf(v))
        return false;
    return true;
  };
  if (kind == "prim::Constant") {
    std::optional<c10::IValue> v = tj::toIValue(node->output());
    if (!v)
      return std::nullopt;
    if (v->isNone())
      return Static();
    if (v->isInt())
      return Static::ofInt(v->toInt());
    if (v->isDouble())
      return Static::ofFloat(v->toDouble());
    if (v->isBool())
      return Static::ofBool(v->toBool());
    if (v->isString()) {
      Static s;
      s.kind = Static::Str, s.s = v->toStringRef();
      return s;
    }
    if (v->isDevice()) {
      Static s;
      s.kind = Static::Device;
      return s;
    }
    if (v->isIntList()) {
      Static s;
      s.kind = Static::List;
      for (int64_t e : v->toIntVector())
        s.list.push_back(Static::ofInt(e));
      return s;
    }
    if (v->isDoubleList()) {
      Static s;
      s.kind = Static::List;
      for (double e : v->toDoubleVector())
        s.list.push_back(Static::ofFloat(e));
      return s;
    }
    if (v->isTensor()) {
      // Traced constants: a 0-d number stays a number.
      at::Tensor t = v->toTensor();
      if (t.dim() == 0) {
        if (t.is_floating_point())
          return Static::ofFloat(t.item<double>());
        return Static::ofInt(t.item<int64_t>());
      }
    }
    return std::nullopt;
  }
  if (kind == "prim::ListConstruct" || kind == "prim::TupleConstruct") {
    if (!allStatic())
      return std::nullopt;
    Static s;
    s.kind = Static::List;
    for (size_t i = 0; i < node->inputs().size(); ++i)
      s.list.push_back(*in(i));
    return s;
  }
  if (kind == "prim::NumToTensor" || kind == "aten::Int" ||
      kind == "aten::Float" || kind == "aten::ScalarImplicit" ||
      kind == "aten::detach" || kind == "aten::clone") {
    const Static *s = node->inputs().size() ? in(0) : nullptr;
    if (!s || !s->isNumber())
      return std::nullopt;
    if (kind == "aten::Int")
      return Static::ofInt(static_cast<int64_t>(s->number()));
    if (kind == "aten::Float")
      return Static::ofFloat(s->number());
    return *s;
  }
  if (kind == "aten::size") {
    Value t = tensor(node->input(0));
    auto type = t ? dyn_cast<RankedTensorType>(t.getType()) : nullptr;
    if (!type)
      return std::nullopt;
    if (node->inputs().size() == 1) {
      if (!type.hasStaticShape())
        return std::nullopt;
      Static s;
      s.kind = Static::List;
      for (int64_t d : type.getShape())
        s.list.push_back(Static::ofInt(d));
      return s;
    }
    std::optional<int64_t> dim = staticInt(node->input(1));
    if (!dim)
      return std::nullopt;
    int64_t axis = *dim < 0 ? *dim + type.getRank() : *dim;
    if (axis < 0 || axis >= type.getRank() || type.isDynamicDim(axis))
      return std::nullopt;
    return Static::ofInt(type.getDimSize(axis));
  }
  if (kind == "aten::dim") {
    Value t = tensor(node->input(0));
    std::optional<int64_t> rank = t ? rankOf(t) : std::nullopt;
    return rank ? std::optional<Static>(Static::ofInt(*rank)) : std::nullopt;
  }
  // Arithmetic on numbers.
  static const char *const binary[] = {
      "aten::add",    "aten::sub", "aten::mul", "aten::div",
      "aten::floordiv", "aten::floor_divide", "aten::pow", "aten::remainder",
      "aten::__and__", "aten::eq",  "aten::ne", "aten::lt", "aten::gt",
      "aten::le",     "aten::ge"};
  if (llvm::is_contained(binary, kind) && node->inputs().size() >= 2 &&
      in(0) && in(1) && in(0)->isNumber() && in(1)->isNumber()) {
    const Static &a = *in(0), &b = *in(1);
    bool integral = a.kind != Static::Float && b.kind != Static::Float;
    double x = a.number(), y = b.number();
    if (kind == "aten::add" || kind == "aten::sub") {
      double alpha = 1;
      if (node->inputs().size() > 2)
        if (std::optional<double> s = staticNumber(node->input(2)))
          alpha = *s;
      double r = kind == "aten::add" ? x + alpha * y : x - alpha * y;
      return integral ? Static::ofInt(static_cast<int64_t>(r))
                      : Static::ofFloat(r);
    }
    if (kind == "aten::mul")
      return integral ? Static::ofInt(a.i * b.i) : Static::ofFloat(x * y);
    if (kind == "aten::div")
      return Static::ofFloat(x / y); // true division
    if (kind == "aten::floordiv" || kind == "aten::floor_divide") {
      if (y == 0)
        return std::nullopt;
      double r = std::floor(x / y);
      return integral ? Static::ofInt(static_cast<int64_t>(r))
                      : Static::ofFloat(r);
    }
    if (kind == "aten::remainder") {
      if (y == 0)
        return std::nullopt;
      double r = x - std::floor(x / y) * y;
      return integral ? Static::ofInt(static_cast<int64_t>(r))
                      : Static::ofFloat(r);
    }
    if (kind == "aten::pow")
      return integral && y >= 0
                 ? Static::ofInt(static_cast<int64_t>(std::pow(x, y)))
                 : Static::ofFloat(std::pow(x, y));
    if (kind == "aten::__and__")
      return Static::ofBool(a.i && b.i);
    if (kind == "aten::eq")
      return Static::ofBool(x == y);
    if (kind == "aten::ne")
      return Static::ofBool(x != y);
    if (kind == "aten::lt")
      return Static::ofBool(x < y);
    if (kind == "aten::gt")
      return Static::ofBool(x > y);
    if (kind == "aten::le")
      return Static::ofBool(x <= y);
    if (kind == "aten::ge")
      return Static::ofBool(x >= y);
  }
  if (kind == "aten::neg" && in(0) && in(0)->isNumber())
    return in(0)->kind == Static::Float ? Static::ofFloat(-in(0)->f)
                                        : Static::ofInt(-in(0)->i);
  if (kind == "aten::len" && in(0) && in(0)->kind == Static::List)
    return Static::ofInt(in(0)->list.size());
  if (kind == "aten::__getitem__" && in(0) && in(0)->kind == Static::List) {
    std::optional<int64_t> index = staticInt(node->input(1));
    int64_t n = in(0)->list.size();
    if (!index || *index < -n || *index >= n)
      return std::nullopt;
    return in(0)->list[*index < 0 ? *index + n : *index];
  }
  return std::nullopt;
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
    std::string full = object->second.empty() ? name
                                              : object->second + "." + name;
    tj::Value *out = node->output();
    if (out->type()->kind() == c10::TypeKind::TensorType) {
      auto weight = weights.find(full);
      if (weight == weights.end())
        return emitError(loc) << "'" << full
                              << "' is a tensor attribute that is neither a "
                                 "parameter nor a buffer: "
                              << describe(node);
      Value &ref = weightRefs[full];
      if (!ref) {
        OpBuilder::InsertionGuard guard(builder);
        builder.setInsertionPoint(&func.front(), refInsertPoint);
        ref = WeightRefOp::create(
            builder, NameLoc::get(builder.getStringAttr(full), fileLoc),
            weight->second.getType(),
            FlatSymbolRefAttr::get(weight->second.getSymNameAttr()));
      }
      tensors[out] = ref;
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
// Run-time sizes
//===----------------------------------------------------------------------===//

/// Whether `v` is a 0-d integer tensor: a size computed in the graph.
static bool isRuntimeInt(Value v) {
  auto type = v ? dyn_cast<RankedTensorType>(v.getType()) : nullptr;
  return type && type.getRank() == 0 && isa<IntegerType>(type.getElementType());
}

LogicalResult Importer::lowerShapeMath(tj::Node *node, bool &handled) {
  std::string kind = node->kind().toQualString();
  Location loc = nodeLoc(node);
  auto in = [&](size_t i) -> Value {
    return i < node->inputs().size() ? tensor(node->input(i)) : Value();
  };
  if (kind == "aten::size" && node->inputs().size() == 2) {
    // size(x, d) of a dynamic dimension: Shape, then Gather.
    Value x = in(0);
    std::optional<int64_t> dim = staticInt(node->input(1));
    std::optional<int64_t> rank = x ? rankOf(x) : std::nullopt;
    if (!x || !dim || !rank)
      return success();
    int64_t axis = *dim < 0 ? *dim + *rank : *dim;
    Value shape = emit1("loom.shape", {x}, {}, loc);
    auto scalarType = RankedTensorType::get({}, builder.getI64Type());
    Value index = ConstantOp::create(
        builder, loc,
        DenseIntElementsAttr::get(scalarType, ArrayRef<int64_t>{axis}));
    Value size = emit1("loom.gather", {shape, index}, {i64("axis", 0)}, loc);
    if (size) {
      tensors[node->output()] = size;
      handled = true;
    }
    return success();
  }
  if (kind == "prim::NumToTensor" || kind == "aten::Int" ||
      kind == "aten::ScalarImplicit") {
    Value v = in(0);
    if (!isRuntimeInt(v))
      return success();
    if (getElementTypeOrSelf(v.getType()) != builder.getI64Type()) {
      FailureOr<Operation *> cast =
          emit("loom.cast", {v}, {}, loc, 1, builder.getI64Type());
      if (failed(cast))
        return success();
      v = (*cast)->getResult(0);
    }
    tensors[node->output()] = v;
    handled = true;
    return success();
  }
  if (kind == "aten::floordiv" || kind == "aten::floor_divide") {
    // Sizes are not negative: ONNX's truncating integer Div is the floor.
    Value a = in(0), b = in(1);
    Value like = isRuntimeInt(a) ? a : isRuntimeInt(b) ? b : Value();
    if (!like)
      return success();
    Value x = operand(node->input(0), like, loc),
          y = operand(node->input(1), like, loc);
    if (Value q = emit1("loom.div", {x, y}, {}, loc)) {
      tensors[node->output()] = q;
      handled = true;
    }
    return success();
  }
  if (kind == "prim::ListConstruct") {
    SmallVector<std::variant<int64_t, Value>> entries;
    bool runtime = false;
    for (tj::Value *v : node->inputs()) {
      if (std::optional<int64_t> i = staticInt(v)) {
        entries.push_back(*i);
      } else if (Value t = tensor(v); isRuntimeInt(t)) {
        entries.push_back(t);
        runtime = true;
      } else {
        return success();
      }
    }
    if (!runtime)
      return success();
    dynamicLists[node->output()] = std::move(entries);
    handled = true;
  }
  return success();
}

Value Importer::dynamicInts(tj::Value *list, Location loc) {
  auto it = dynamicLists.find(list);
  if (it == dynamicLists.end())
    return nullptr;
  SmallVector<Value> parts;
  for (auto &entry : it->second) {
    if (auto *i = std::get_if<int64_t>(&entry)) {
      parts.push_back(ints({*i}, loc));
      continue;
    }
    Value v = std::get<Value>(entry);
    parts.push_back(emit1("loom.unsqueeze", {v, ints({0}, loc)}, {}, loc));
  }
  return emit1("loom.concat", parts, {i64("axis", 0)}, loc);
}

//===----------------------------------------------------------------------===//
// Aten ops
//===----------------------------------------------------------------------===//

LogicalResult Importer::lowerAten(tj::Node *node, bool &handled) {
  std::string kind = node->kind().toQualString();
  if (StringRef(kind).ends_with("_") && !StringRef(kind).ends_with("__"))
    kind.pop_back(); // in-place forms: relu_, add_, hardtanh_
  Location loc = nodeLoc(node);
  auto input = [&](size_t i) -> tj::Value * {
    return i < node->inputs().size() ? node->input(i) : nullptr;
  };
  auto in = [&](size_t i) -> Value {
    return i < node->inputs().size() ? tensor(node->input(i)) : Value();
  };
  auto set = [&](Value v) {
    if (!v)
      return false;
    tensors[node->output()] = v;
    handled = true;
    return true;
  };
  auto unary = [&](StringRef name) { return set(emit1(name, {in(0)}, {}, loc)); };
  auto normAxis = [](int64_t axis, int64_t rank) {
    return axis < 0 ? axis + rank : axis;
  };

  // Pass-throughs in inference.
  if (kind == "aten::contiguous" || kind == "aten::detach" ||
      kind == "aten::clone" || kind == "aten::dropout" ||
      kind == "aten::feature_dropout" || kind == "aten::alpha_dropout" ||
      kind == "aten::lift_fresh") {
    if (kind.find("dropout") != std::string::npos) {
      std::optional<int64_t> train = staticInt(input(2));
      if (!train || *train)
        return success(); // training-mode dropout: generic
    }
    set(in(0));
    return success();
  }
  if (kind == "aten::to" || kind == "aten::type_as") {
    // The target dtype: the `dtype` argument, or `other`'s element type.
    Value x = in(0);
    if (!x)
      return success();
    Type target;
    if (kind == "aten::type_as") {
      if (Value other = in(1))
        target = getElementTypeOrSelf(other.getType());
    } else if (const c10::FunctionSchema *schema = node->maybeSchema()) {
      for (auto [index, arg] : llvm::enumerate(schema->arguments())) {
        if (arg.name() == "other")
          if (Value other = in(index))
            target = getElementTypeOrSelf(other.getType());
        if (arg.name() == "dtype") {
          if (std::optional<int64_t> code = staticInt(input(index)))
            target = elementTypeOf(static_cast<c10::ScalarType>(*code),
                                   context);
          else if (isNone(input(index)))
            target = getElementTypeOrSelf(x.getType()); // device moves only
        }
      }
    }
    if (!target)
      return success();
    if (target == getElementTypeOrSelf(x.getType())) {
      set(x);
      return success();
    }
    FailureOr<Operation *> cast = emit("loom.cast", {x}, {}, loc, 1, target);
    if (succeeded(cast))
      set((*cast)->getResult(0));
    return success();
  }

  if (kind == "aten::relu")
    return unary("loom.relu"), success();
  if (kind == "aten::sigmoid")
    return unary("loom.sigmoid"), success();
  if (kind == "aten::tanh")
    return unary("loom.tanh"), success();
  if (kind == "aten::exp")
    return unary("loom.exp"), success();
  if (kind == "aten::sqrt")
    return unary("loom.sqrt"), success();
  if (kind == "aten::neg")
    return unary("loom.neg"), success();
  if (kind == "aten::erf")
    return unary("loom.erf"), success();
  if (kind == "aten::gelu") {
    const Static *approx = staticOf(input(1));
    std::string mode = approx && approx->kind == Static::Str ? approx->s
                                                             : "none";
    auto gelu = symbolizeGeluApproximation(mode);
    if (!gelu)
      return success();
    set(emit1("loom.gelu", {in(0)},
              {builder.getNamedAttr(
                  "approximate", GeluApproximationAttr::get(context, *gelu))},
              loc));
    return success();
  }
  if (kind == "aten::silu") {
    Value s = emit1("loom.sigmoid", {in(0)}, {}, loc);
    set(emit1("loom.mul", {in(0), s}, {}, loc));
    return success();
  }
  if (kind == "aten::hardtanh" || kind == "aten::relu6" ||
      kind == "aten::clamp") {
    Value x = in(0);
    if (!x)
      return success();
    std::optional<double> lo = kind == "aten::relu6" ? 0.0
                                                     : staticNumber(input(1));
    std::optional<double> hi = kind == "aten::relu6" ? 6.0
                                                     : staticNumber(input(2));
    Type element = getElementTypeOrSelf(x);
    Value min = lo ? scalar(*lo, element, loc) : Value();
    Value max = hi ? scalar(*hi, element, loc) : Value();
    SmallVector<Value> operands = {x};
    if (min)
      operands.push_back(min);
    if (max)
      operands.push_back(max);
    auto segments = builder.getNamedAttr(
        "operandSegmentSizes",
        builder.getDenseI32ArrayAttr({1, min ? 1 : 0, max ? 1 : 0}));
    set(emit1("loom.clip", operands, {segments}, loc));
    return success();
  }
  if (kind == "aten::hardswish" || kind == "aten::hardsigmoid") {
    Value x = in(0);
    if (!x)
      return success();
    Type element = getElementTypeOrSelf(x);
    Value shifted =
        emit1("loom.add", {x, scalar(3.0, element, loc)}, {}, loc);
    Value clipped = emit1(
        "loom.clip",
        {shifted, scalar(0.0, element, loc), scalar(6.0, element, loc)},
        {builder.getNamedAttr("operandSegmentSizes",
                              builder.getDenseI32ArrayAttr({1, 1, 1}))},
        loc);
    Value gate =
        emit1("loom.div", {clipped, scalar(6.0, element, loc)}, {}, loc);
    set(kind == "aten::hardsigmoid" ? gate
                                    : emit1("loom.mul", {x, gate}, {}, loc));
    return success();
  }

  // Arithmetic: tensors with tensors or numbers (a number takes the tensor's
  // dtype, as PyTorch's type promotion does for Python scalars).
  if (kind == "aten::add" || kind == "aten::sub" || kind == "aten::rsub" ||
      kind == "aten::mul" || kind == "aten::div" || kind == "aten::pow") {
    Value a = in(0), b = in(1);
    Value like = a ? a : b;
    if (!like)
      return success();
    Value x = operand(input(0), like, loc), y = operand(input(1), like, loc);
    if (!x || !y)
      return success();
    if (kind == "aten::div" && node->inputs().size() > 2 &&
        !isNone(input(2)))
      return success(); // rounding modes: generic
    if ((kind == "aten::add" || kind == "aten::sub" || kind == "aten::rsub") &&
        node->inputs().size() > 2) {
      std::optional<double> alpha = staticNumber(input(2));
      if (!alpha)
        return success();
      if (*alpha != 1)
        y = emit1("loom.mul",
                  {y, scalar(*alpha, getElementTypeOrSelf(y), loc)}, {}, loc);
    }
    StringRef name = llvm::StringSwitch<StringRef>(kind)
                         .Case("aten::add", "loom.add")
                         .Case("aten::mul", "loom.mul")
                         .Case("aten::div", "loom.div")
                         .Case("aten::pow", "loom.pow")
                         .Default("loom.sub");
    if (kind == "aten::rsub")
      std::swap(x, y);
    set(emit1(name, {x, y}, {}, loc));
    return success();
  }

  if (kind == "aten::_convolution" || kind == "aten::conv2d" ||
      kind == "aten::conv1d" || kind == "aten::conv3d") {
    Value x = in(0), w = in(1), b = in(2);
    bool full = kind == "aten::_convolution";
    std::optional<std::vector<int64_t>> stride = staticInts(input(3)),
                                        padding = staticInts(input(4)),
                                        dilation = staticInts(input(5));
    std::optional<int64_t> transposed = full ? staticInt(input(6)) : 0;
    std::optional<int64_t> groups = staticInt(input(full ? 8 : 6));
    std::optional<int64_t> rank = w ? rankOf(w) : std::nullopt;
    if (!x || !w || !stride || !padding || !dilation || !transposed ||
        *transposed || !groups || !rank)
      return success();
    size_t spatial = *rank - 2;
    auto expand = [&](std::vector<int64_t> v) {
      if (v.size() == 1)
        v.assign(spatial, v[0]);
      return v;
    };
    std::vector<int64_t> pads = expand(*padding);
    pads.insert(pads.end(), pads.begin(), pads.end());
    SmallVector<Value> operands = {x, w};
    if (b)
      operands.push_back(b);
    set(emit1("loom.conv", operands,
              {i64s("strides", expand(*stride)), i64s("pads", pads),
               i64s("dilations", expand(*dilation)), i64("group", *groups)},
              loc));
    return success();
  }

  if (kind == "aten::batch_norm") {
    Value x = in(0), scale = in(1), bias = in(2), mean = in(3), var = in(4);
    std::optional<int64_t> training = staticInt(input(5));
    std::optional<double> eps = staticNumber(input(7));
    if (!x || !mean || !var || !training || *training || !eps)
      return success();
    auto channels = cast<ShapedType>(mean.getType());
    auto fill = [&](double v) {
      return ConstantOp::create(
          builder, loc,
          DenseElementsAttr::get(
              channels, FloatAttr::get(channels.getElementType(), v)));
    };
    set(emit1("loom.batch_norm",
              {x, scale ? scale : fill(1.0), bias ? bias : fill(0.0), mean,
               var},
              {f32("epsilon", *eps)}, loc));
    return success();
  }

  if (kind == "aten::layer_norm") {
    Value x = in(0), scale = in(2), bias = in(3);
    std::optional<std::vector<int64_t>> shape = staticInts(input(1));
    std::optional<double> eps = staticNumber(input(4));
    if (!x || !shape || !eps)
      return success();
    if (!scale) {
      auto type = RankedTensorType::get(*shape, getElementTypeOrSelf(x));
      scale = ConstantOp::create(
          builder, loc,
          DenseElementsAttr::get(type, FloatAttr::get(type.getElementType(),
                                                      1.0)));
    }
    SmallVector<Value> operands = {x, scale};
    if (bias)
      operands.push_back(bias);
    set(emit1("loom.layer_norm", operands,
              {i64("axis", -static_cast<int64_t>(shape->size())),
               f32("epsilon", *eps)},
              loc));
    return success();
  }

  if (kind == "aten::linear") {
    Value x = in(0), w = in(1), b = in(2);
    std::optional<int64_t> rank = x ? rankOf(x) : std::nullopt;
    if (!x || !w)
      return success();
    if (rank == 2) {
      SmallVector<Value> operands = {x, w};
      if (b)
        operands.push_back(b);
      set(emit1("loom.gemm", operands, {i64("transB", 1)}, loc));
      return success();
    }
    Value wt = emit1("loom.transpose", {w}, {i64s("perm", {1, 0})}, loc);
    Value y = emit1("loom.matmul", {x, wt}, {}, loc);
    set(b ? emit1("loom.add", {y, b}, {}, loc) : y);
    return success();
  }
  if (kind == "aten::addmm") {
    Value c = in(0), a = in(1), b = in(2);
    std::optional<double> beta = node->inputs().size() > 3
                                     ? staticNumber(input(3))
                                     : std::optional<double>(1.0);
    std::optional<double> alpha = node->inputs().size() > 4
                                      ? staticNumber(input(4))
                                      : std::optional<double>(1.0);
    if (!a || !b || !c || !alpha || !beta)
      return success();
    set(emit1("loom.gemm", {a, b, c},
              {f32("alpha", *alpha), f32("beta", *beta)}, loc));
    return success();
  }
  if (kind == "aten::matmul" || kind == "aten::mm" || kind == "aten::bmm") {
    set(emit1("loom.matmul", {in(0), in(1)}, {}, loc));
    return success();
  }

  if (kind == "aten::max_pool2d" || kind == "aten::avg_pool2d" ||
      kind == "aten::max_pool1d" || kind == "aten::avg_pool1d") {
    bool isMax = StringRef(kind).starts_with("aten::max");
    Value x = in(0);
    std::optional<std::vector<int64_t>> kernel = staticInts(input(1)),
                                        stride = staticInts(input(2)),
                                        padding = staticInts(input(3));
    std::optional<std::vector<int64_t>> dilation =
        isMax ? staticInts(input(4)) : std::vector<int64_t>{1};
    std::optional<int64_t> ceil = staticInt(input(isMax ? 5 : 4));
    std::optional<int64_t> countPad =
        isMax ? std::optional<int64_t>(0) : staticInt(input(5));
    if (!x || !kernel || !stride || !padding || !dilation || !ceil ||
        !countPad)
      return success();
    if (!isMax && node->inputs().size() > 6 && !isNone(input(6)))
      return success(); // divisor_override
    size_t spatial = StringRef(kind).ends_with("1d") ? 1 : 2;
    auto expand = [&](std::vector<int64_t> v) {
      if (v.size() == 1)
        v.assign(spatial, v[0]);
      return v;
    };
    std::vector<int64_t> k = expand(*kernel);
    std::vector<int64_t> s = stride->empty() ? k : expand(*stride);
    std::vector<int64_t> pads = expand(*padding);
    pads.insert(pads.end(), pads.begin(), pads.end());
    SmallVector<NamedAttribute> attrs = {i64s("kernel_shape", k),
                                         i64s("strides", s),
                                         i64s("pads", pads),
                                         i64("ceil_mode", *ceil)};
    if (isMax)
      attrs.push_back(i64s("dilations", expand(*dilation)));
    else
      attrs.push_back(i64("count_include_pad", *countPad));
    set(emit1(isMax ? "loom.max_pool" : "loom.average_pool", {x}, attrs, loc));
    return success();
  }
  if (kind == "aten::adaptive_avg_pool2d" ||
      kind == "aten::adaptive_avg_pool1d") {
    Value x = in(0);
    std::optional<std::vector<int64_t>> size = staticInts(input(1));
    auto type = x ? dyn_cast<RankedTensorType>(x.getType()) : nullptr;
    if (!x || !size)
      return success();
    if (llvm::all_of(*size, [](int64_t d) { return d == 1; })) {
      set(emit1("loom.global_average_pool", {x}, {}, loc));
      return success();
    }
    // An output that divides the input: a plain average pool.
    if (!type || !type.hasStaticShape())
      return success();
    std::vector<int64_t> kernel;
    for (auto [i, out] : llvm::enumerate(*size)) {
      int64_t in = type.getDimSize(type.getRank() - size->size() + i);
      if (out <= 0 || in % out)
        return success();
      kernel.push_back(in / out);
    }
    set(emit1("loom.average_pool", {x},
              {i64s("kernel_shape", kernel), i64s("strides", kernel)}, loc));
    return success();
  }

  if (kind == "aten::softmax" || kind == "aten::log_softmax") {
    std::optional<int64_t> dim = staticInt(input(1));
    if (!dim || (node->inputs().size() > 2 && !isNone(input(2))))
      return success();
    set(emit1(kind == "aten::softmax" ? "loom.softmax" : "loom.log_softmax",
              {in(0)}, {i64("axis", *dim)}, loc));
    return success();
  }

  if (kind == "aten::flatten") {
    Value x = in(0);
    std::optional<int64_t> start = staticInt(input(1)), end = staticInt(input(2));
    std::optional<int64_t> rank = x ? rankOf(x) : std::nullopt;
    if (!x || !start || !end || !rank)
      return success();
    int64_t s = normAxis(*start, *rank), e = normAxis(*end, *rank);
    if (e == *rank - 1 && s == 1) {
      set(emit1("loom.flatten", {x}, {i64("axis", 1)}, loc));
      return success();
    }
    // Otherwise a reshape: kept dims as 0 (copy), the flattened run as -1.
    std::vector<int64_t> shape;
    for (int64_t i = 0; i < s; ++i)
      shape.push_back(0);
    shape.push_back(-1);
    for (int64_t i = e + 1; i < *rank; ++i)
      shape.push_back(0);
    set(emit1("loom.reshape", {x, ints(shape, loc)}, {}, loc));
    return success();
  }
  if (kind == "aten::reshape" || kind == "aten::view") {
    if (!in(0))
      return success();
    if (std::optional<std::vector<int64_t>> shape = staticInts(input(1)))
      set(emit1("loom.reshape", {in(0), ints(*shape, loc)}, {}, loc));
    else if (Value shape = dynamicInts(input(1), loc))
      set(emit1("loom.reshape", {in(0), shape}, {}, loc));
    return success();
  }
  if (kind == "aten::transpose" || kind == "aten::t" ||
      kind == "aten::permute") {
    Value x = in(0);
    std::optional<int64_t> rank = x ? rankOf(x) : std::nullopt;
    if (!x || !rank)
      return success();
    std::vector<int64_t> perm(*rank);
    for (int64_t i = 0; i < *rank; ++i)
      perm[i] = i;
    if (kind == "aten::permute") {
      std::optional<std::vector<int64_t>> dims = staticInts(input(1));
      if (!dims || dims->size() != size_t(*rank))
        return success();
      for (int64_t i = 0; i < *rank; ++i)
        perm[i] = normAxis((*dims)[i], *rank);
    } else if (kind == "aten::transpose") {
      std::optional<int64_t> a = staticInt(input(1)), b = staticInt(input(2));
      if (!a || !b)
        return success();
      std::swap(perm[normAxis(*a, *rank)], perm[normAxis(*b, *rank)]);
    } else if (*rank == 2) {
      std::swap(perm[0], perm[1]);
    }
    set(emit1("loom.transpose", {x}, {i64s("perm", perm)}, loc));
    return success();
  }
  if (kind == "aten::unsqueeze" || kind == "aten::squeeze") {
    Value x = in(0);
    if (!x)
      return success();
    if (node->inputs().size() < 2) {
      set(emit1("loom.squeeze", {x}, {}, loc));
      return success();
    }
    std::optional<int64_t> dim = staticInt(input(1));
    if (!dim)
      return success();
    set(emit1(kind == "aten::unsqueeze" ? "loom.unsqueeze" : "loom.squeeze",
              {x, ints({*dim}, loc)}, {}, loc));
    return success();
  }
  if (kind == "aten::cat" || kind == "aten::concat" || kind == "aten::stack") {
    auto list = tensorLists.find(input(0));
    std::optional<int64_t> dim = staticInt(input(1));
    if (list == tensorLists.end() || !dim)
      return success();
    SmallVector<Value> parts = list->second;
    if (kind == "aten::stack") {
      std::optional<int64_t> rank = rankOf(parts.front());
      if (!rank)
        return success();
      int64_t axis = *dim < 0 ? *dim + *rank + 1 : *dim;
      for (Value &p : parts)
        p = emit1("loom.unsqueeze", {p, ints({axis}, loc)}, {}, loc);
      set(emit1("loom.concat", parts, {i64("axis", axis)}, loc));
      return success();
    }
    set(emit1("loom.concat", parts, {i64("axis", *dim)}, loc));
    return success();
  }
  if (kind == "aten::split" || kind == "aten::chunk" ||
      kind == "aten::split_with_sizes") {
    Value x = in(0);
    auto type = x ? dyn_cast<RankedTensorType>(x.getType()) : nullptr;
    std::optional<int64_t> dim = staticInt(input(2));
    if (!type || !dim)
      return success();
    int64_t axis = normAxis(*dim, type.getRank());
    if (axis < 0 || axis >= type.getRank() || type.isDynamicDim(axis))
      return success();
    int64_t total = type.getDimSize(axis);
    std::vector<int64_t> sizes;
    if (kind == "aten::split_with_sizes" ||
        (kind == "aten::split" && staticOf(input(1)) &&
         staticOf(input(1))->kind == Static::List)) {
      std::optional<std::vector<int64_t>> given = staticInts(input(1));
      if (!given)
        return success();
      sizes = *given;
    } else {
      std::optional<int64_t> n = staticInt(input(1));
      if (!n || *n <= 0)
        return success();
      int64_t piece = kind == "aten::chunk" ? (total + *n - 1) / *n : *n;
      for (int64_t left = total; left > 0; left -= piece)
        sizes.push_back(std::min(piece, left));
    }
    FailureOr<Operation *> op =
        emit("loom.split", {x, ints(sizes, loc)}, {i64("axis", axis)}, loc,
             sizes.size());
    if (failed(op))
      return success();
    tensorLists[node->output()] = SmallVector<Value>((*op)->getResults());
    handled = true;
    return success();
  }
  if (kind == "aten::slice") {
    Value x = in(0);
    std::optional<int64_t> dim = staticInt(input(1));
    std::optional<int64_t> start =
        isNone(input(2)) ? std::optional<int64_t>(0) : staticInt(input(2));
    std::optional<int64_t> end =
        isNone(input(3)) ? std::optional<int64_t>(
                               std::numeric_limits<int64_t>::max())
                         : staticInt(input(3));
    std::optional<int64_t> step = staticInt(input(4));
    if (!x || !dim || !start || !end || !step)
      return success();
    set(emit1("loom.slice",
              {x, ints({*start}, loc), ints({*end}, loc), ints({*dim}, loc),
               ints({*step}, loc)},
              {builder.getNamedAttr("operandSegmentSizes",
                                    builder.getDenseI32ArrayAttr(
                                        {1, 1, 1, 1, 1}))},
              loc));
    return success();
  }
  if (kind == "aten::select") {
    Value x = in(0);
    std::optional<int64_t> dim = staticInt(input(1)), index = staticInt(input(2));
    if (!x || !dim || !index)
      return success();
    auto type = RankedTensorType::get({}, builder.getI64Type());
    Value idx = ConstantOp::create(
        builder, loc, DenseIntElementsAttr::get(type, ArrayRef<int64_t>{*index}));
    set(emit1("loom.gather", {x, idx}, {i64("axis", *dim)}, loc));
    return success();
  }
  if (kind == "aten::ones" || kind == "aten::zeros" || kind == "aten::full" ||
      kind == "aten::ones_like" || kind == "aten::zeros_like" ||
      kind == "aten::full_like") {
    // A tensor of one value: a splat constant of static shape and dtype.
    bool like = StringRef(kind).ends_with("_like");
    bool full = StringRef(kind).starts_with("aten::full");
    std::optional<std::vector<int64_t>> shape;
    Type element;
    if (like) {
      auto type = in(0) ? dyn_cast<RankedTensorType>(in(0).getType()) : nullptr;
      if (!type || !type.hasStaticShape())
        return success();
      shape = std::vector<int64_t>(type.getShape().begin(),
                                   type.getShape().end());
      element = type.getElementType();
    } else {
      shape = staticInts(input(0));
    }
    std::optional<double> fill =
        full ? staticNumber(input(1))
             : std::optional<double>(kind.find("ones") != std::string::npos);
    size_t dtypeIndex = full ? 2 : 1;
    if (std::optional<int64_t> code = staticInt(input(dtypeIndex)))
      element = elementTypeOf(static_cast<c10::ScalarType>(*code), context);
    else if (!isNone(input(dtypeIndex)))
      return success();
    if (!element)
      element = builder.getF32Type();
    if (!shape || !fill)
      return success();
    auto type = RankedTensorType::get(*shape, element);
    Attribute value = isa<FloatType>(element)
                          ? Attribute(FloatAttr::get(element, *fill))
                          : Attribute(IntegerAttr::get(
                                element, static_cast<int64_t>(*fill)));
    set(ConstantOp::create(builder, loc,
                           DenseElementsAttr::get(type, value)));
    return success();
  }
  if (kind == "aten::arange") {
    // arange(end, dtype, ...), arange(start, end, dtype, ...),
    // arange(start, end, step, dtype, ...): a constant.
    size_t n = node->inputs().size();
    size_t numbers = n == 5 ? 1 : n == 6 ? 2 : n == 7 ? 3 : 0;
    if (!numbers)
      return success();
    std::vector<const Static *> args;
    for (size_t i = 0; i < numbers; ++i) {
      const Static *a = staticOf(input(i));
      if (!a || !a->isNumber())
        return success();
      args.push_back(a);
    }
    double start = numbers > 1 ? args[0]->number() : 0;
    double end = args[numbers > 1 ? 1 : 0]->number();
    double step = numbers > 2 ? args[2]->number() : 1;
    bool integral = llvm::all_of(
        args, [](const Static *a) { return a->kind != Static::Float; });
    Type element = integral ? Type(builder.getI64Type())
                            : Type(builder.getF32Type());
    if (std::optional<int64_t> code = staticInt(input(numbers)))
      element = elementTypeOf(static_cast<c10::ScalarType>(*code), context);
    if (!element || step == 0)
      return success();
    int64_t count = std::max<int64_t>(
        0, static_cast<int64_t>(std::ceil((end - start) / step)));
    auto type = RankedTensorType::get({count}, element);
    SmallVector<Attribute> values;
    for (int64_t i = 0; i < count; ++i) {
      double v = start + i * step;
      values.push_back(isa<FloatType>(element)
                           ? Attribute(FloatAttr::get(element, v))
                           : Attribute(IntegerAttr::get(
                                 element, static_cast<int64_t>(v))));
    }
    set(ConstantOp::create(builder, loc, DenseElementsAttr::get(type, values)));
    return success();
  }
  if (kind == "aten::embedding") {
    set(emit1("loom.gather", {in(0), in(1)}, {i64("axis", 0)}, loc));
    return success();
  }
  if (kind == "aten::mean" || kind == "aten::sum") {
    Value x = in(0);
    std::optional<std::vector<int64_t>> dims = staticInts(input(1));
    std::optional<int64_t> keep = staticInt(input(2));
    if (!x || !dims || !keep ||
        (node->inputs().size() > 3 && !isNone(input(3))))
      return success();
    set(emit1(kind == "aten::mean" ? "loom.reduce_mean" : "loom.reduce_sum",
              {x, ints(*dims, loc)}, {i64("keepdims", *keep)}, loc));
    return success();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// The module
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> Importer::run(const TorchScriptImportOptions &options) {
  tj::Module torchModule;
  tj::ExtraFilesMap extra{{"loom_inputs.txt", ""}};
  try {
    torchModule = tj::load(path, c10::nullopt, extra);
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
  module->setAttr("loom.source", builder.getStringAttr("torchscript"));
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
    if (size_t dot = name.rfind('.'); dot != std::string::npos &&
                                      llvm::all_of(name.substr(dot + 1),
                                                   llvm::isDigit))
      name = name.substr(0, dot);
    if (input->type()->kind() != c10::TypeKind::TensorType) {
      error() << "forward() input '" << name
              << "' is not a tensor (" << input->type()->str()
              << "); Loom imports tensor inputs only";
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
        "loom.name", builder.getStringAttr(name))));
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
  refInsertPoint = entry->begin();
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
    error() << "forward() returns '" << out->debugName()
            << "', which is not a tensor or a list of tensors";
    return nullptr;
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setFunctionType(
      builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (unsigned i = 0; i < results.size(); ++i)
    func.setResultAttr(i, "loom.name",
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
