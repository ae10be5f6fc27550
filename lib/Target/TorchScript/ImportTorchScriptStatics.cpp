//===- ImportTorchScriptStatics.cpp - values known at import time ---------===//
//
// TorchScript graphs compute shapes, sizes and flags with Python numbers,
// lists and strings (`aten::size`, `prim::ListConstruct`, arithmetic on
// ints). The importer evaluates such nodes when their inputs are known, so
// that the tensor ops reading them become typed Loom ops with static
// attributes; what it cannot evaluate stays a value of the graph.
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
      "aten::add",      "aten::sub",          "aten::mul", "aten::div",
      "aten::floordiv", "aten::floor_divide", "aten::pow", "aten::remainder",
      "aten::__and__",  "aten::eq",           "aten::ne",  "aten::lt",
      "aten::gt",       "aten::le",           "aten::ge"};
  if (llvm::is_contained(binary, kind) && node->inputs().size() >= 2 && in(0) &&
      in(1) && in(0)->isNumber() && in(1)->isNumber()) {
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
