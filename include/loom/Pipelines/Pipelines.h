//===- Pipelines.h - Loom's named pass pipelines ----------------*- C++ -*-===//
//
// Pipelines that tools build in C++ with typed options and that loom-opt
// offers by name (`--loom-compress-pipeline="tie=true tie-modes=exact"`).
// The CPU and GPU compilation pipelines join them here.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PIPELINES_PIPELINES_H
#define LOOM_PIPELINES_PIPELINES_H

#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace loom {

/// What `loomc compress` runs before a user's own pipeline.
struct LoomCompressPipelineOptions
    : public mlir::PassPipelineOptions<LoomCompressPipelineOptions> {
  Option<bool> tie{*this, "tie",
                   llvm::cl::desc("Tie duplicated weights (loom-tie-weights)"),
                   llvm::cl::init(false)};
  ListOption<TieMode> tieModes{
      *this, "tie-modes",
      llvm::cl::desc("With tie: the modes to apply (default: all)")};
  Option<uint64_t> tieMinBytes{
      *this, "tie-min-bytes",
      llvm::cl::desc("With tie: only tie duplicates of at least this many "
                     "bytes"),
      llvm::cl::init(1024)};
};

/// Shape inference (no remarks: a model with dynamic shapes is normal
/// input), then, with `tie`, weight tying.
void buildLoomCompressPipeline(mlir::OpPassManager &pm,
                               const LoomCompressPipelineOptions &options);

/// Registers every named pipeline above with the pass registry.
void registerLoomPipelines();

} // namespace loom

#endif // LOOM_PIPELINES_PIPELINES_H
