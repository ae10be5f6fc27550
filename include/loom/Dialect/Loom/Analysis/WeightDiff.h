//===- WeightDiff.h - what changed between two models -----------*- C++ -*-===//
//
// The analysis behind `loomc diff`: two models' weights matched by name
// (aliases and copies included) and, where names differ, by content through
// the fingerprints tying uses (a tensor renamed, also when it was
// transposed, cast or scaled); every matched pair compared element by
// element (bit-exact, within a tolerance, or changed with max abs, relative
// L2, cosine and the fraction of elements changed); per layer and totals;
// and the graph's structural changes (ops added, removed, changed). Reads
// every weight byte once, in parallel chunks.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_ANALYSIS_WEIGHTDIFF_H
#define LOOM_DIALECT_LOOM_ANALYSIS_WEIGHTDIFF_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace loom {

/// What happened to one tensor, from the base model to the other.
enum class TensorChange {
  Identical,       // bit-exact, same dtype and shape
  WithinTolerance, // every element within atol + rtol * |base|
  Changed,         // some element outside the tolerance
  Reshaped,        // another shape (values compared when counts agree)
  Renamed,         // found under another name, by content
  Added,           // only in the other model
  Removed,         // only in the base model
};
llvm::StringRef stringifyTensorChange(TensorChange change);

struct TensorDiff {
  /// The name in the base model (the other's for an added tensor).
  std::string name;
  /// Renamed: the name in the other model, and how its value relates to the
  /// base tensor's ("exact", "transpose, perm [1, 0]", ...).
  std::string otherName, view;
  TensorChange change = TensorChange::Identical;
  /// A layer (node) that reads it, in the base model (the other's if added).
  std::string layer;
  std::string dtype, shape, otherDtype, otherShape;
  int64_t count = 0;
  bool frozen = true;
  /// The value comparison, where there is one (same element count, numeric
  /// types): `changedElements` are outside the tolerance.
  bool compared = false;
  double maxAbs = 0, relL2 = 0, cosine = 1;
  uint64_t changedElements = 0;
  double fractionChanged() const {
    return count ? double(changedElements) / double(count) : 0.0;
  }
  /// Unchanged for the totals and --expect-frozen: identical, within
  /// tolerance, or renamed holding the same values (exactly, permuted, or
  /// in another float type that holds them exactly).
  bool unchanged() const {
    llvm::StringRef how(view);
    return change == TensorChange::Identical ||
           change == TensorChange::WithinTolerance ||
           (change == TensorChange::Renamed &&
            (how == "exact" || how.starts_with("transpose") ||
             how.starts_with("cast")));
  }
};

/// One op that reads weights, and how its tensors fared.
struct LayerDiff {
  std::string name, op;
  unsigned tensors = 0, unchanged = 0;
  int64_t params = 0, changedParams = 0;
};

/// A structural change of the graph.
struct OpDiff {
  enum Kind { Added, Removed, Changed } kind;
  /// The node name (or `<op kind>#<ordinal>` for an unnamed op).
  std::string name, op, otherOp;
  /// Changed: what differs ("op Conv -> ConvTranspose", "attribute
  /// strides", "inputs", "outputs").
  std::vector<std::string> what;
};

struct WeightDiffOptions {
  /// Tolerance of "within tolerance": |other - base| <= atol + rtol * |base|.
  double atol = 0, rtol = 0;
};

struct WeightDiffReport {
  std::string base, other; // the models' paths, for the report's header
  double atol = 0, rtol = 0;
  std::vector<TensorDiff> tensors;
  std::vector<LayerDiff> layers;
  std::vector<OpDiff> ops;
  /// Parameters (elements) of base tensors unchanged / changed (changed,
  /// reshaped, removed), and of tensors only in the other model.
  int64_t unchangedParams = 0, changedParams = 0, addedParams = 0;
  unsigned counts[7] = {0, 0, 0, 0, 0, 0, 0}; // by TensorChange
  uint64_t bytesCompared = 0;
  unsigned opsBase = 0, opsOther = 0;
};

/// Compares `other` against `base`. Both must live in one MLIRContext (the
/// content matching compares types by identity).
WeightDiffReport diffModels(mlir::ModuleOp base, mlir::ModuleOp other,
                            const WeightDiffOptions &options = {});

/// The terminal report: changed tensors, per layer, graph changes, totals.
void printWeightDiffText(const WeightDiffReport &report, llvm::raw_ostream &os);
/// One JSON object (every tensor, every layer, every op change).
void printWeightDiffJSON(const WeightDiffReport &report, llvm::raw_ostream &os);
/// GitHub-flavoured Markdown tables.
void printWeightDiffMarkdown(const WeightDiffReport &report,
                             llvm::raw_ostream &os);

} // namespace loom

#endif // LOOM_DIALECT_LOOM_ANALYSIS_WEIGHTDIFF_H
