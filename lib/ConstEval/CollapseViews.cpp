//===- CollapseViews.cpp - consecutive Transposes and Reshapes ------------===//
//
// Exporters chain views: Transpose(Transpose(x)), Reshape(Reshape(x)). The
// chain computes what one view computes, on any data (frozen or not), so
// loom-fold-frozen collapses them before it evaluates: fewer nodes, and a
// frozen chain folds into one new weight instead of intermediate ones.
//
//===----------------------------------------------------------------------===//

#include "loom/ConstEval/Passes.h"

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/ShapeInference.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace loom;

namespace {

/// The explicit permutation of a Transpose (none: reversed axes).
std::optional<SmallVector<int64_t>> permutationOf(TransposeOp op) {
  if (std::optional<ArrayRef<int64_t>> perm = op.getPerm())
    return SmallVector<int64_t>(perm->begin(), perm->end());
  auto type = dyn_cast<RankedTensorType>(op.getData().getType());
  if (!type)
    return std::nullopt;
  SmallVector<int64_t> reversed;
  for (int64_t i = type.getRank() - 1; i >= 0; --i)
    reversed.push_back(i);
  return reversed;
}

/// Transpose(Transpose(x, p), q) -> Transpose(x, p[q[i]]).
struct CollapseTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp outer,
                                PatternRewriter &rewriter) const override {
    auto inner = outer.getData().getDefiningOp<TransposeOp>();
    if (!inner)
      return failure();
    std::optional<SmallVector<int64_t>> p = permutationOf(inner);
    std::optional<SmallVector<int64_t>> q = permutationOf(outer);
    if (!p || !q || p->size() != q->size())
      return failure();
    SmallVector<int64_t> composed;
    for (int64_t axis : *q)
      composed.push_back((*p)[axis]);
    rewriter.replaceOpWithNewOp<TransposeOp>(
        outer, outer.getType(), inner.getData(),
        rewriter.getDenseI64ArrayAttr(composed));
    return success();
  }
};

/// Reshape(Reshape(x, s1), s2) -> Reshape(x, s2), when s2 is a constant
/// without 0 (a 0 copies a dimension of the Reshape's own input, which the
/// collapse would change).
struct CollapseReshapes : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp outer,
                                PatternRewriter &rewriter) const override {
    auto inner = outer.getData().getDefiningOp<ReshapeOp>();
    if (!inner)
      return failure();
    std::optional<SmallVector<int64_t>> shape =
        getConstantInts(outer.getShape());
    if (!shape || llvm::is_contained(*shape, 0))
      return failure();
    rewriter.modifyOpInPlace(
        outer, [&] { outer.getDataMutable().assign(inner.getData()); });
    return success();
  }
};

} // namespace

void loom::populateCollapseViewPatterns(RewritePatternSet &patterns) {
  patterns.add<CollapseTransposes, CollapseReshapes>(patterns.getContext());
}
