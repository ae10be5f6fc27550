//===- TieWeights.h - the engine of --loom-tie-weights ----------*- C++ -*-===//
//
// Private to the pass: the weights under consideration, their fingerprints
// and the reads to rewrite. TieWeights.cpp holds the pass and the rewriting
// (a duplicate's reads become a view of its master), TieWeightsMatchers.cpp
// the six ways of finding duplicates.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_DIALECT_LOOM_TRANSFORMS_TIEWEIGHTS_H
#define LOOM_LIB_DIALECT_LOOM_TRANSFORMS_TIEWEIGHTS_H

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"
#include "loom/Dialect/Loom/Utils/WeightFingerprint.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

#include <vector>

namespace loom::tie {

using Mode = TieMode;

/// One weight and a view of its bytes.
struct Entry : WeightBytes {
  WeightOp op;
  bool alive = true;

  bool frozen() { return op.getFrozen(); }
};

/// How a duplicate reads its master.
struct View {
  Mode mode;
  llvm::SmallVector<int64_t> perm; // transpose
  double scale = 1.0;              // scale
  int64_t sliceStart = 0;          // slice: first index along sliceAxis
  int64_t sliceAxis = 0;
};

/// The pass's options, as the engine reads them.
struct TieOptions {
  llvm::SmallVector<Mode> modes; // empty: all
  uint64_t minBytes = 1024;
  double rtol = 0, atol = 0;
  bool report = false;
};

/// Ties the duplicated weights of one module.
class Tier {
public:
  Tier(mlir::ModuleOp module, const TieOptions &options);

  /// Fingerprints every weight (in parallel), then runs the enabled modes.
  void run();

  /// Ties per mode (indexed by Mode) and the weight bytes removed.
  uint64_t counts[6] = {0, 0, 0, 0, 0, 0};
  uint64_t saved = 0;

private:
  bool enabled(Mode mode) const {
    return options.modes.empty() || llvm::is_contained(options.modes, mode);
  }
  bool large(const Entry &e) const {
    return e.bytes.size() >= options.minBytes && e.bytes.size() > 0;
  }

  // Rewriting (TieWeights.cpp).
  void tie(unsigned dup, unsigned master, const View &view);
  mlir::Value buildView(mlir::OpBuilder &builder, mlir::Location loc,
                        mlir::Value master, const Entry &dup, const View &view);
  void tiePartial(unsigned dup, unsigned master, int64_t dupStart,
                  int64_t masterStart, int64_t length);

  // Matchers (TieWeightsMatchers.cpp).
  void runExact();
  void runCast();
  void runTranspose();
  void runScale();
  void runSlice();
  void runPartial();

  mlir::ModuleOp module;
  mlir::MLIRContext *context;
  TieOptions options;
  std::vector<Entry> entries;
  llvm::StringMap<llvm::SmallVector<WeightRefOp>> refs;
  /// Fingerprints of each entry, from one parallel sweep.
  std::vector<WeightFingerprints> prints;
  /// MatMuls that now read a transposed view of a 2-D master.
  llvm::SmallVector<mlir::Operation *> transposedReads;
};

} // namespace loom::tie

#endif // LOOM_LIB_DIALECT_LOOM_TRANSFORMS_TIEWEIGHTS_H
