//===- Passes.td - constant evaluation passes -------------*- tablegen -*-===//
//
// The passes that compute, at compile time, what depends only on frozen
// data. They evaluate through the CPU back end (lib/Runtime), which is why
// they live apart from LoomTransforms.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_CONSTEVAL_PASSES_TD
#define LOOM_CONSTEVAL_PASSES_TD

include "mlir/Pass/PassBase.td"

def LoomFoldFrozen : Pass<"loom-fold-frozen", "::mlir::ModuleOp"> {
  let summary = "Compute once everything that depends only on frozen weights and constants";
  let description = [{
    First, where shapes are static, shape chains become constants
    (loom-fold-shapes and loom-infer-shapes until nothing changes). Then
    consecutive Transposes and Reshapes collapse, and rewrites move work
    onto frozen weights: BatchNormalization
    (inference form) after Conv, ConvTranspose (scale on axis 1, per
    group), Gemm and 2-D MatMul folds into the weight and a bias; so do Mul
    and Add by a per-channel or scalar frozen value after them. Then every
    op whose operands all depend only on frozen weights (`loom.weight ...
    frozen`) and constants is evaluated, through the CPU back end (the
    evaluator of `loomc run`: one definition of each op's meaning), all of a
    module's foldable ops in one compiled function, and its result replaces
    it as a new frozen weight whose data lives in a blob resource. A value
    that depends on a trainable parameter or a model input is never folded.

    **Size guard.** Foldable ops that share inputs are decided together. A
    group is folded only if the model's unique weight bytes grow by at most
    `max-growth` bytes (default 0): its results are added, the weights only
    it reads are freed, weights that other ops still read stay. So a
    transposed copy of a tied embedding (the head reads `Transpose(E)`,
    the embedding lookup reads `E`) is refused and reported, and BatchNorm
    folding, which replaces a Conv weight by one of the same size, is taken.

    A folded result takes the name of a weight of the same type that it
    replaces (so `conv1.weight` keeps its name after BatchNorm folding),
    else `<input>.folded`. Ops the back end cannot compile are left alone.
    With `summary`, one remark gives the counts and bytes added and
    removed; `report` adds one remark per group folded or refused.
  }];
  let options = [
    Option<"maxGrowth", "max-growth", "int64_t", /*default=*/"0",
      "Largest increase of the unique weight bytes a folded group may cause "
      "(bytes; negative: a group must shrink the model)">,
    Option<"rewrite", "rewrite", "bool", /*default=*/"true",
      "Fold BatchNorm, Mul and Add into the weights of Conv, ConvTranspose, "
      "Gemm and MatMul before evaluating">,
    Option<"summary", "summary", "bool", /*default=*/"false",
      "Emit one remark with folded ops, new weights and bytes">,
    Option<"report", "report", "bool", /*default=*/"false",
      "Emit one remark per group folded or refused, with its bytes">,
  ];
  let statistics = [
    Statistic<"numFolded", "num-folded", "Ops folded">,
    Statistic<"numRefused", "num-refused", "Groups refused by the size guard">,
  ];
  let dependentDialects = ["::loom::LoomDialect"];
}

#endif // LOOM_CONSTEVAL_PASSES_TD
