//===- WeightDiffReport.cpp - printing a WeightDiffReport -----------------===//
//
// The text, JSON and Markdown forms of `loomc diff`'s report. The text and
// Markdown forms list what changed (identical tensors are counted, not
// listed); JSON lists every tensor.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/Analysis/ParamStats.h"
#include "loom/Dialect/Loom/Analysis/WeightDiff.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace loom;

static std::string num(double v) {
  if (std::isinf(v))
    return v > 0 ? "inf" : "-inf";
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.4g", v);
  return buffer;
}

static std::string percent(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.2f%%", 100 * fraction);
  return buffer;
}

static std::string typeOf(StringRef dtype, StringRef shape) {
  return shape.empty() ? dtype.str() : (shape + "x" + dtype).str();
}

/// "f32 512x1000" or "f32 512x1000 -> f16 1000x512".
static std::string typeChange(const TensorDiff &d) {
  std::string before = typeOf(d.dtype, d.shape),
              after = typeOf(d.otherDtype, d.otherShape);
  if (d.change == TensorChange::Added)
    return after;
  if (d.change == TensorChange::Removed || before == after)
    return before;
  return before + " -> " + after;
}

static std::string summaryLine(const WeightDiffReport &r) {
  std::vector<std::string> parts;
  for (int c = 0; c < 7; ++c)
    parts.push_back(std::to_string(r.counts[c]) + " " +
                    stringifyTensorChange(TensorChange(c)).str());
  return llvm::join(parts, ", ");
}

static std::string opLine(const OpDiff &op) {
  switch (op.kind) {
  case OpDiff::Added:
    return "+ " + op.name + " (" + op.otherOp + ")";
  case OpDiff::Removed:
    return "- " + op.name + " (" + op.op + ")";
  case OpDiff::Changed:
    return "~ " + op.name + " (" + op.op + "): " + llvm::join(op.what, ", ");
  }
  return "";
}

void loom::printWeightDiffText(const WeightDiffReport &r, raw_ostream &os) {
  os << "loomc diff: " << r.base << " -> " << r.other << "\n";
  os << "tensors: " << summaryLine(r) << "\n";
  os << "parameters: " << formatGrouped(r.unchangedParams) << " unchanged, "
     << formatGrouped(r.changedParams) << " changed, "
     << formatGrouped(r.addedParams) << " added";
  if (r.atol || r.rtol)
    os << " (tolerance atol " << num(r.atol) << ", rtol " << num(r.rtol) << ")";
  os << "\n";
  bool any = false;
  for (const TensorDiff &d : r.tensors) {
    if (d.change == TensorChange::Identical)
      continue;
    if (!any)
      os << llvm::formatv("\n  {0,-40} {1,-16} {2,-24} {3,10} {4,10} {5,9} "
                          "{6,9}\n",
                          "tensor", "change", "type", "max abs", "rel L2",
                          "cosine", "changed");
    any = true;
    std::string name = d.name;
    if (d.change == TensorChange::Renamed)
      name += " -> " + d.otherName;
    std::string change = stringifyTensorChange(d.change).str();
    if (d.change == TensorChange::Renamed)
      change += " (" + d.view + ")";
    if (d.compared)
      os << llvm::formatv("  {0,-40} {1,-16} {2,-24} {3,10} {4,10} {5,9} "
                          "{6,9}\n",
                          name, change, typeChange(d), num(d.maxAbs),
                          num(d.relL2), num(d.cosine),
                          percent(d.fractionChanged()));
    else
      os << llvm::formatv("  {0,-40} {1,-16} {2,-24}\n", name, change,
                          typeChange(d));
  }
  bool anyLayer = false;
  for (const LayerDiff &l : r.layers) {
    if (l.unchanged == l.tensors)
      continue;
    if (!anyLayer)
      os << llvm::formatv("\n  {0,-40} {1,-16} {2,8} {3,10} {4,16}\n", "layer",
                          "op", "tensors", "unchanged", "changed params");
    anyLayer = true;
    os << llvm::formatv("  {0,-40} {1,-16} {2,8} {3,10} {4,16}\n", l.name, l.op,
                        l.tensors, l.unchanged, formatGrouped(l.changedParams));
  }
  os << "\ngraph: " << r.opsBase << " ops -> " << r.opsOther << " ops";
  if (r.ops.empty()) {
    os << ", no structural change\n";
    return;
  }
  unsigned added = 0, removed = 0, changed = 0;
  for (const OpDiff &op : r.ops)
    (op.kind == OpDiff::Added     ? added
     : op.kind == OpDiff::Removed ? removed
                                  : changed)++;
  os << "; " << added << " added, " << removed << " removed, " << changed
     << " changed\n";
  for (const OpDiff &op : r.ops)
    os << "  " << opLine(op) << "\n";
}

void loom::printWeightDiffJSON(const WeightDiffReport &r, raw_ostream &os) {
  auto number = [](double v) -> llvm::json::Value {
    if (std::isnan(v))
      return nullptr;
    if (std::isinf(v))
      return v > 0 ? "inf" : "-inf";
    return v;
  };
  llvm::json::Array tensors;
  for (const TensorDiff &d : r.tensors) {
    llvm::json::Object t{
        {"name", d.name},     {"change", stringifyTensorChange(d.change)},
        {"layer", d.layer},   {"count", d.count},
        {"frozen", d.frozen}, {"unchanged", d.unchanged()},
    };
    if (d.change != TensorChange::Added)
      t["dtype"] = d.dtype, t["shape"] = d.shape;
    if (d.change != TensorChange::Removed)
      t["other_dtype"] = d.otherDtype, t["other_shape"] = d.otherShape;
    if (d.change == TensorChange::Renamed)
      t["other_name"] = d.otherName, t["view"] = d.view;
    if (d.compared) {
      t["max_abs"] = number(d.maxAbs);
      t["rel_l2"] = number(d.relL2);
      t["cosine"] = number(d.cosine);
      t["changed_elements"] = static_cast<int64_t>(d.changedElements);
      t["fraction_changed"] = d.fractionChanged();
    }
    tensors.push_back(std::move(t));
  }
  llvm::json::Array layers;
  for (const LayerDiff &l : r.layers)
    layers.push_back(llvm::json::Object{
        {"name", l.name},
        {"op", l.op},
        {"tensors", l.tensors},
        {"unchanged", l.unchanged},
        {"params", l.params},
        {"changed_params", l.changedParams},
    });
  llvm::json::Array ops;
  for (const OpDiff &op : r.ops) {
    llvm::json::Array what;
    for (const std::string &w : op.what)
      what.push_back(w);
    ops.push_back(llvm::json::Object{
        {"kind", op.kind == OpDiff::Added     ? "added"
                 : op.kind == OpDiff::Removed ? "removed"
                                              : "changed"},
        {"name", op.name},
        {"op", op.kind == OpDiff::Added ? op.otherOp : op.op},
        {"what", std::move(what)},
    });
  }
  llvm::json::Object counts;
  for (int c = 0; c < 7; ++c)
    counts[stringifyTensorChange(TensorChange(c))] = r.counts[c];
  llvm::json::Object root{
      {"base", r.base},
      {"other", r.other},
      {"atol", r.atol},
      {"rtol", r.rtol},
      {"counts", std::move(counts)},
      {"unchanged_params", r.unchangedParams},
      {"changed_params", r.changedParams},
      {"added_params", r.addedParams},
      {"bytes_compared", static_cast<int64_t>(r.bytesCompared)},
      {"ops_base", r.opsBase},
      {"ops_other", r.opsOther},
      {"tensors", std::move(tensors)},
      {"layers", std::move(layers)},
      {"graph", std::move(ops)},
  };
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
}

void loom::printWeightDiffMarkdown(const WeightDiffReport &r, raw_ostream &os) {
  os << "## `" << r.base << "` → `" << r.other << "`\n\n";
  os << "- tensors: " << summaryLine(r) << "\n";
  os << "- parameters: " << formatGrouped(r.unchangedParams) << " unchanged, "
     << formatGrouped(r.changedParams) << " changed, "
     << formatGrouped(r.addedParams) << " added\n";
  os << "- graph: " << r.opsBase << " ops → " << r.opsOther << " ops, "
     << r.ops.size() << " structural change(s)\n\n";
  bool any = false;
  for (const TensorDiff &d : r.tensors) {
    if (d.change == TensorChange::Identical)
      continue;
    if (!any)
      os << "| tensor | change | type | max abs | rel L2 | cosine | changed "
            "|\n|---|---|---|---:|---:|---:|---:|\n";
    any = true;
    std::string name = "`" + d.name + "`";
    if (d.change == TensorChange::Renamed)
      name += " → `" + d.otherName + "`";
    std::string change = stringifyTensorChange(d.change).str();
    if (d.change == TensorChange::Renamed)
      change += " (" + d.view + ")";
    os << "| " << name << " | " << change << " | " << typeChange(d) << " | "
       << (d.compared ? num(d.maxAbs) : "") << " | "
       << (d.compared ? num(d.relL2) : "") << " | "
       << (d.compared ? num(d.cosine) : "") << " | "
       << (d.compared ? percent(d.fractionChanged()) : "") << " |\n";
  }
  if (any)
    os << "\n";
  bool anyLayer = false;
  for (const LayerDiff &l : r.layers) {
    if (l.unchanged == l.tensors)
      continue;
    if (!anyLayer)
      os << "| layer | op | tensors | unchanged | changed params "
            "|\n|---|---|---:|---:|---:|\n";
    anyLayer = true;
    os << "| `" << l.name << "` | " << l.op << " | " << l.tensors << " | "
       << l.unchanged << " | " << formatGrouped(l.changedParams) << " |\n";
  }
  if (anyLayer)
    os << "\n";
  for (const OpDiff &op : r.ops)
    os << "- `" << opLine(op) << "`\n";
}
