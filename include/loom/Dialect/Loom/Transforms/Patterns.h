//===- Patterns.h - rewrite patterns on Loom ops ----------------*- C++ -*-===//
//
// Named rewrite patterns that passes (and pipelines) apply, collected by
// populate...Patterns functions so that each can be reused alone.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_TRANSFORMS_PATTERNS_H
#define LOOM_DIALECT_LOOM_TRANSFORMS_PATTERNS_H

#include "mlir/IR/PatternMatch.h"

namespace loom {

/// `loom.matmul(A, loom.transpose(W) {perm = [1, 0]})` of a 2-D weight `W`
/// becomes `loom.gemm(A, W) {transB = 1}` (with A reshaped to 2-D and the
/// result back when A has more, static, dimensions): a runtime folds the
/// Transpose of an initializer into a second copy in memory, while Gemm
/// reads the weight as it is. loom-tie-weights applies it to the reads it
/// turns into transposed views.
void populateTransposedWeightMatMulToGemmPatterns(
    mlir::RewritePatternSet &patterns);

} // namespace loom

#endif // LOOM_DIALECT_LOOM_TRANSFORMS_PATTERNS_H
