//===- TieWeights.h - the engine of --loom-tie-weights ----------*- C++ -*-===//
//
// The rewriting half of weight tying: a duplicate's reads become a view of
// its master (WeightMatcher.h finds the pairs), the duplicate is erased and
// its names become the master's aliases. Used by the pass on one module and
// by `shareWeightsAcrossModels` (ShareWeights.cpp) on each model of a fleet.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_DIALECT_LOOM_TRANSFORMS_TIEWEIGHTS_H
#define LOOM_LIB_DIALECT_LOOM_TRANSFORMS_TIEWEIGHTS_H

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"
#include "loom/Dialect/Loom/Utils/WeightMatcher.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

#include <vector>

namespace loom::tie {

using Mode = TieMode;
using View = WeightView;

/// The pass's options, as the engine reads them.
struct TieOptions {
  llvm::SmallVector<Mode> modes; // empty: all
  uint64_t minBytes = 1024;
  double rtol = 0, atol = 0;
  bool report = false;
};

/// Ties the duplicated weights of one module.
class Tier : public WeightMatcher {
public:
  Tier(mlir::ModuleOp module, const TieOptions &options);

  /// Fingerprints every weight (in parallel), then runs the enabled modes.
  void run();

  /// Makes `dup`'s reads read `view` of `master` (both weights of this
  /// module) and erases `dup`, without matching: the pair is known.
  void tieKnown(WeightOp dup, WeightOp master, const View &view);

  /// Ties per mode (indexed by Mode) and the weight bytes removed.
  uint64_t counts[6] = {0, 0, 0, 0, 0, 0};
  uint64_t saved = 0;

protected:
  bool onMatch(unsigned dup, unsigned master, const View &view) override {
    tie(dup, master, view);
    return true;
  }
  bool onPartial(unsigned dup, unsigned master, int64_t dupStart,
                 int64_t masterStart, int64_t length) override {
    tiePartial(dup, master, dupStart, masterStart, length);
    return true;
  }

private:
  void collect();
  void tie(unsigned dup, unsigned master, const View &view);
  mlir::Value buildView(mlir::OpBuilder &builder, mlir::Location loc,
                        mlir::Value master, const MatchEntry &dup,
                        const View &view);
  void tiePartial(unsigned dup, unsigned master, int64_t dupStart,
                  int64_t masterStart, int64_t length);
  void rewriteTransposedMatMuls();

  mlir::ModuleOp module;
  mlir::MLIRContext *context;
  bool report;
  llvm::StringMap<llvm::SmallVector<WeightRefOp>> refs;
  /// MatMuls that now read a transposed view of a 2-D master.
  llvm::SmallVector<mlir::Operation *> transposedReads;
};

} // namespace loom::tie

#endif // LOOM_LIB_DIALECT_LOOM_TRANSFORMS_TIEWEIGHTS_H
