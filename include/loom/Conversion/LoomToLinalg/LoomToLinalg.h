//===- LoomToLinalg.h - lowering Loom's typed ops to linalg -----*- C++ -*-===//
//
// The one definition of what each typed Loom op computes: patterns that
// rewrite it into `linalg` on tensors (named ops where they exist, generics
// for elementwise ops with broadcasting and for contractions), with `tensor`,
// `arith` and `math` around them. The CPU pipeline, the evaluator and the GPU
// pipeline all start from this lowering. docs/Passes/convert-loom-to-linalg.md
// lists what it covers and what it refuses.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_CONVERSION_LOOMTOLINALG_LOOMTOLINALG_H
#define LOOM_CONVERSION_LOOMTOLINALG_LOOMTOLINALG_H

#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/DialectConversion.h"

namespace loom {

#define GEN_PASS_DECL
#include "loom/Conversion/Passes.h.inc"

/// Patterns for every typed Loom op the lowering supports. An op that cannot
/// be lowered (an unsupported attribute value, an unranked or dynamic shape
/// where the op needs a static one) is left in place with an error on it.
void populateLoomToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// The dialects the lowering produces ops of, legal in its conversion target.
void addLoomToLinalgLegalDialects(mlir::ConversionTarget &target);

/// On tensors, after vectorizing register blocks: lowers the transfers'
/// permutation maps, folds slices into the transfers, then moves
/// loop-invariant accumulator reads before and writes after every scf.for
/// inside `root` (innermost first), so that a block's accumulator is carried
/// as a vector through the reduction loops instead of being loaded and
/// stored on every step. Shared by loom-linalg-vectorize-convs and
/// loom-linalg-vectorize-contractions (VectorizeContractions.cpp);
/// `addPatterns` adds a pass's own patterns to the first, clean-up run.
void finishVectorBlocks(
    mlir::Operation *root,
    llvm::function_ref<void(mlir::RewritePatternSet &)> addPatterns = nullptr);

/// The width in bits of this machine's vector registers as LLVM's host
/// feature detection sees them: 512 with AVX-512F, 256 with AVX, else 128.
/// Register blocks are sized by it (a block made for 32 AVX-512 registers
/// spills on AVX2's 16).
int64_t hostVectorBits();

} // namespace loom

#endif // LOOM_CONVERSION_LOOMTOLINALG_LOOMTOLINALG_H
