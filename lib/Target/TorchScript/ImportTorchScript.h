//===- ImportTorchScript.h - the TorchScript importer's state ---*- C++ -*-===//
//
// Shared by ImportTorchScript.cpp (weights, the graph walk, values that are
// not tensors, the module) and ImportTorchScriptOps.cpp (aten ops to Loom
// ops, run-time sizes). Internal to the plugin: libtorch types appear here.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_TARGET_TORCHSCRIPT_IMPORTTORCHSCRIPT_H
#define LOOM_LIB_TARGET_TORCHSCRIPT_IMPORTTORCHSCRIPT_H

#include "loom/Target/TorchScript/TorchScriptImport.h"

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/ShapeInference.h"
#include "loom/Dialect/Loom/IR/WeightReads.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <torch/script.h>

#include <map>
#include <optional>
#include <unordered_map>
#include <variant>

namespace loom::torchscript {

namespace tj = torch::jit;

/// The most elements a constant computed at import (`aten::arange` of static
/// bounds) may have: each is built as an attribute, and a forward that asks
/// for `arange(10**12)` must not make the importer build 10^12 of them.
constexpr int64_t kMaxFoldedElements = int64_t(1) << 24;
// Internal to the plugin's two files: MLIR's names unqualified, as in a .cpp.
using namespace mlir;

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

/// The MLIR element type of a libtorch dtype; null for those Loom lacks.
mlir::Type elementTypeOf(c10::ScalarType type, mlir::MLIRContext *context);

/// Why `t`'s sizes and strides reach past its storage's memory (the smaller
/// of the storage's declared size and, when `allocated` knows the storage's
/// address, the bytes really allocated for it), or nothing. libtorch trusts
/// an archive: a `data/0` record cut short still loads, and reading the
/// tensor would read the heap.
std::optional<std::string>
storageOverrun(const at::Tensor &t,
               const llvm::DenseMap<const void *, uint64_t> &allocated);

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
  /// The real size of each allocation libtorch made while loading (storage
  /// records), by address: see storageOverrun.
  llvm::DenseMap<const void *, uint64_t> allocated;
  WeightReads weightReads;
  /// Module objects by their dotted path ("" is self).
  std::unordered_map<tj::Value *, std::string> objects;
  std::unordered_map<tj::Value *, Value> tensors;
  /// Weights read through GetAttr, by their dotted names.
  std::unordered_map<tj::Value *, std::string> weightPaths;
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

} // namespace loom::torchscript

#endif // LOOM_LIB_TARGET_TORCHSCRIPT_IMPORTTORCHSCRIPT_H
