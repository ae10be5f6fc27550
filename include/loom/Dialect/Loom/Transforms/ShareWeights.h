//===- ShareWeights.h - weights shared across models ------------*- C++ -*-===//
//
// Tying across a fleet of models (fine-tunes of one base): where a weight of
// one model is a view of a weight of an earlier model (transposed, cast,
// scaled, sliced), it becomes that view of a copy of the earlier model's
// value, so that both models hold the same bytes; equal bytes are then
// stored once (`loomc compress --share-weights` writes them into one shared
// external-data file). Exact copies need no rewrite: their bytes are already
// equal.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_TRANSFORMS_SHAREWEIGHTS_H
#define LOOM_DIALECT_LOOM_TRANSFORMS_SHAREWEIGHTS_H

#include "loom/Dialect/Loom/Utils/WeightMatcher.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"

#include <vector>

namespace loom {

struct ShareWeightsOptions {
  /// The ways a weight may derive from another model's (exact, cast,
  /// transpose, scale, slice; empty: all of those).
  llvm::SmallVector<TieMode> modes;
  /// Only weights of at least this many bytes are shared.
  uint64_t minBytes = 1024;
};

/// What sharing found, per model (indexed like the models).
struct ShareWeightsResult {
  struct Model {
    /// Weights equal to one of an earlier model, and views of one, by mode.
    unsigned exact = 0;
    unsigned views[6] = {0, 0, 0, 0, 0, 0};
    uint64_t viewBytes = 0;
  };
  std::vector<Model> models;
};

/// Ties the weights of `models` (all of one MLIRContext) across models.
ShareWeightsResult
shareWeightsAcrossModels(llvm::ArrayRef<mlir::ModuleOp> models,
                         const ShareWeightsOptions &options = {});

} // namespace loom

#endif // LOOM_DIALECT_LOOM_TRANSFORMS_SHAREWEIGHTS_H
