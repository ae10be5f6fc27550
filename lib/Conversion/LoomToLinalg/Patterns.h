//===- Patterns.h - the lowering's pattern groups ---------------*- C++ -*-===//
//
// One function per source file of the lowering; populateLoomToLinalgPatterns
// calls them all.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_CONVERSION_LOOMTOLINALG_PATTERNS_H
#define LOOM_LIB_CONVERSION_LOOMTOLINALG_PATTERNS_H

#include "mlir/IR/PatternMatch.h"

namespace loom::linalg_lowering {
void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
void populateContractionPatterns(mlir::RewritePatternSet &patterns);
void populateWindowPatterns(mlir::RewritePatternSet &patterns);
void populateReductionPatterns(mlir::RewritePatternSet &patterns);
void populateTensorPatterns(mlir::RewritePatternSet &patterns);
void populateResizePatterns(mlir::RewritePatternSet &patterns);
void populateQuantPatterns(mlir::RewritePatternSet &patterns);
void populateQuantKernelPatterns(mlir::RewritePatternSet &patterns);
} // namespace loom::linalg_lowering

#endif // LOOM_LIB_CONVERSION_LOOMTOLINALG_PATTERNS_H
