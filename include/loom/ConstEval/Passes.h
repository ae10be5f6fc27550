//===- Passes.h - constant evaluation passes --------------------*- C++ -*-===//
//
// Declares `loom-fold-frozen` (generated from Passes.td), the rewrites it
// starts with, and the test of what it may fold.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_CONSTEVAL_PASSES_H
#define LOOM_CONSTEVAL_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace loom {

/// Whether `value` depends only on frozen weights (`loom.weight ... frozen`,
/// or constant-role weights that are not model inputs) and `loom.constant`s,
/// through typed Loom ops without regions.
bool isFrozenValue(mlir::Value value);

/// BatchNormalization (inference form), and Mul/Add by a per-channel or
/// scalar frozen value, after Conv, ConvTranspose, Gemm and 2-D MatMul whose
/// weights are frozen: rewritten into new weight and bias expressions on
/// frozen values (which the fold pass then evaluates).
void populateFoldIntoProducerPatterns(mlir::RewritePatternSet &patterns);

/// Transpose(Transpose(x)) and Reshape(Reshape(x)) into one view.
void populateCollapseViewPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_DECL
#include "loom/ConstEval/Passes.h.inc"

/// What one run of `loom-fold-frozen` did, for a tool's report.
struct FoldFrozenSummary {
  uint64_t foldedOps = 0, groups = 0, newWeights = 0, refusedGroups = 0;
  int64_t bytesAdded = 0, bytesFreed = 0;
};

/// `loom-fold-frozen` that also fills `summary` (which must outlive it).
std::unique_ptr<mlir::Pass>
createLoomFoldFrozen(const LoomFoldFrozenOptions &options,
                     FoldFrozenSummary *summary);

#define GEN_PASS_REGISTRATION
#include "loom/ConstEval/Passes.h.inc"

} // namespace loom

#endif // LOOM_CONSTEVAL_PASSES_H
