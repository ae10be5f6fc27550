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
  ListOption<std::string> freeze{
      *this, "freeze",
      llvm::cl::desc("Freeze the parameters these globs match (loom-freeze "
                     "patterns)")};
  Option<std::string> freezeUntil{
      *this, "freeze-until",
      llvm::cl::desc("Freeze every parameter read before this layer "
                     "(loom-freeze until)"),
      llvm::cl::init("")};
  Option<bool> freezeAll{*this, "freeze-all",
                         llvm::cl::desc("Freeze every parameter"),
                         llvm::cl::init(false)};
  ListOption<std::string> unfreeze{
      *this, "unfreeze",
      llvm::cl::desc("Then make the parameters these globs match trainable "
                     "again")};
  Option<bool> freezeVerbose{
      *this, "freeze-verbose",
      llvm::cl::desc("Name every weight whose frozen state changes"),
      llvm::cl::init(false)};
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
/// input), then freezing (when any freeze option is given), then, with
/// `tie`, weight tying. Folding (`loom-fold-frozen`) evaluates through the
/// JIT, which this library does not link: a tool adds it after these.
void buildLoomCompressPipeline(mlir::OpPassManager &pm,
                               const LoomCompressPipelineOptions &options);

/// How `buildLoomCPUPipeline` compiles.
struct LoomCPUPipelineOptions
    : public mlir::PassPipelineOptions<LoomCPUPipelineOptions> {
  Option<bool> fuse{*this, "fuse",
                    llvm::cl::desc("Fuse elementwise producers into their "
                                   "consumers (linalg-fuse-elementwise-ops)"),
                    llvm::cl::init(true)};
  Option<bool> loopOrder{
      *this, "loop-order",
      llvm::cl::desc("Order loops for LLVM's vectorizer: reductions outside "
                     "the output's innermost dimension, FMA contraction "
                     "(loom-linalg-loop-order)"),
      llvm::cl::init(true)};
  Option<bool> vectorize{
      *this, "vectorize",
      llvm::cl::desc("Register-blocked vector code for 2-D convolutions "
                     "(loom-linalg-vectorize-convs, "
                     "loom-hoist-vector-transfers)"),
      llvm::cl::init(true)};
  Option<bool> approximateMath{
      *this, "approximate-math",
      llvm::cl::desc("Polynomial approximations of erf, tanh, exp, log, ... "
                     "instead of scalar libm calls (loom-math-approximation)"),
      llvm::cl::init(true)};
  Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Split large ops into chunks run by OpenMP threads "
                     "(loom-linalg-distribute, scf-to-openmp); the code then "
                     "needs libomp"),
      llvm::cl::init(true)};
};

/// From typed Loom ops to the LLVM dialect, for the host CPU: weights bound
/// to function arguments, the Loom-to-linalg lowering, elementwise fusion,
/// one-shot bufferization (identity layouts at function boundaries, buffers
/// freed by the ownership-based deallocation pipeline), loops, and the LLVM
/// dialect. `loom.weight` ops stay in the module (the evaluator reads their
/// data); the functions are ready for translation to LLVM IR.
void buildLoomCPUPipeline(mlir::OpPassManager &pm,
                          const LoomCPUPipelineOptions &options);

/// Registers every named pipeline above with the pass registry.
void registerLoomPipelines();

} // namespace loom

#endif // LOOM_PIPELINES_PIPELINES_H
