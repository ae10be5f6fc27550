//===- LoopOrder.cpp - order linalg loops for the loop vectorizer ---------===//
//
// The first speed step of the CPU pipeline: until linalg is tiled and
// vectorized in MLIR, LLVM vectorizes the loops linalg lowers to, and it
// can only when the innermost loop is parallel and walks contiguous memory.
// This pass makes it so for every op with reduction loops.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/LoomToLinalg/LoomToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace loom {
#define GEN_PASS_DEF_LOOMLINALGLOOPORDER
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {

/// Parallel loops, then reductions, then the output's innermost dimension.
struct ReductionsBeforeInnermost : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNumReductionLoops() == 0 || op.getNumDpsInits() != 1)
      return failure();
    AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
    if (outMap.getNumResults() == 0)
      return failure();
    auto last = dyn_cast<AffineDimExpr>(outMap.getResults().back());
    if (!last)
      return failure();
    unsigned innermost = last.getPosition();
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    SmallVector<unsigned> order;
    for (unsigned d = 0; d < iterators.size(); ++d)
      if (d != innermost && iterators[d] == utils::IteratorType::parallel)
        order.push_back(d);
    for (unsigned d = 0; d < iterators.size(); ++d)
      if (iterators[d] == utils::IteratorType::reduction)
        order.push_back(d);
    order.push_back(innermost);
    bool identity = true;
    for (unsigned i = 0; i < order.size(); ++i)
      identity &= order[i] == i;
    if (identity)
      return failure();
    return linalg::interchangeGenericOp(rewriter, op, order);
  }
};

struct LoopOrderPass
    : loom::impl::LoomLinalgLoopOrderBase<LoopOrderPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    linalg::populateLinalgNamedOpsGeneralizationPatterns(patterns);
    patterns.add<ReductionsBeforeInnermost>(context);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Contract (FMA) and reassociate inside reductions.
    getOperation().walk([](linalg::GenericOp op) {
      if (op.getNumReductionLoops() == 0)
        return;
      auto flags = arith::FastMathFlags::contract | arith::FastMathFlags::reassoc;
      op.getBody()->walk([&](arith::ArithFastMathInterface arith) {
        if (isa<arith::MulFOp, arith::AddFOp, arith::SubFOp>(arith))
          arith->setAttr(arith.getFastMathAttrName(),
                         arith::FastMathFlagsAttr::get(arith->getContext(),
                                                       flags));
      });
    });
  }
};

} // namespace
