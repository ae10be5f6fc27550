//===- Passes.h - Loom dialect passes ---------------------------*- C++ -*-===//
//
// Declares the passes on the `loom` dialect (generated from Passes.td) and
// the function that registers them all with the pass registry.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_TRANSFORMS_PASSES_H
#define LOOM_DIALECT_LOOM_TRANSFORMS_PASSES_H

#include "loom/Dialect/Loom/Analysis/ParamStats.h"
#include "loom/Dialect/Loom/IR/LoomDialect.h"
#include "loom/Dialect/Loom/Utils/WeightMatcher.h" // TieMode

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"

#include <optional>

/// Parses a tie mode by name. A parser of its own rather than `cl::values`:
/// MLIR's ListOption parses elements with a copy of the parser that does not
/// see values added to the option (LLVM 22), so the names live here.
template <>
class llvm::cl::parser<loom::TieMode>
    : public llvm::cl::basic_parser<loom::TieMode> {
public:
  using basic_parser::basic_parser;
  bool parse(Option &option, StringRef argName, StringRef arg,
             loom::TieMode &value) {
    if (std::optional<loom::TieMode> mode = loom::symbolizeTieMode(arg)) {
      value = *mode;
      return false;
    }
    return option.error("unknown mode '" + arg +
                        "' (modes: " + loom::tieModeNames() + ")");
  }
  StringRef getValueName() const override { return loom::tieModeNames(); }
};

namespace loom {

#define GEN_PASS_DECL
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"

/// Shapes computed at run time (Shape -> Gather -> Concat -> Reshape)
/// become constants where shapes are static (loom-fold-shapes), which makes
/// more shapes static (loom-infer-shapes, no remarks), which makes more
/// shape computations constant: repeated until neither the count of dynamic
/// dimensions nor that of shape-computing ops falls, at most `maxRounds`
/// times. `run` runs a pipeline on the
/// module (PassManager::run from a tool, Pass::runPipeline from a pass).
mlir::LogicalResult
settleShapes(mlir::ModuleOp module,
             llvm::function_ref<mlir::LogicalResult(mlir::OpPassManager &)> run,
             unsigned maxRounds = 16);

/// What one run of `loom-prune` did, per weight pruned, for a tool's
/// report.
struct PruneSummary {
  struct Weight {
    std::string name, layer;
    int64_t count = 0;
    uint64_t zerosBefore = 0, zerosAfter = 0;
  };
  std::vector<Weight> weights;
  /// granularity=channel: each group of coupled producers, the channels it
  /// kept, and why it was left whole (empty when pruned).
  struct Group {
    std::string producers, why;
    int64_t channels = 0, kept = 0;
    /// Non-zero: `channels` and `kept` count attention heads of this many
    /// channels.
    int64_t headSize = 0;
  };
  std::vector<Group> groups;
};

/// `loom-prune` that also fills `summary` (which must outlive it).
std::unique_ptr<mlir::Pass> createLoomPrune(const LoomPruneOptions &options,
                                            PruneSummary *summary);

/// What one run of `loom-quantize` did, per weight, for a tool's report.
struct QuantizeSummary {
  struct Weight {
    std::string name, layer, granularity;
    int64_t count = 0, scales = 0;
    unsigned bits = 8;
    bool symmetric = true;
    /// Bytes before (float) and after (integers, scales, zero points).
    uint64_t bytesBefore = 0, bytesAfter = 0;
    /// Signal-to-quantization-noise ratio in dB, and the largest error.
    double sqnr = 0, maxAbsError = 0;
  };
  std::vector<Weight> weights;
};

/// `loom-quantize` that also fills `summary` (which must outlive it).
std::unique_ptr<mlir::Pass>
createLoomQuantize(const LoomQuantizeOptions &options,
                   QuantizeSummary *summary);

#define GEN_PASS_REGISTRATION
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"

} // namespace loom

#endif // LOOM_DIALECT_LOOM_TRANSFORMS_PASSES_H
