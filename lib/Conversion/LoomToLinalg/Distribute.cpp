//===- Distribute.cpp - split linalg ops into chunks for threads ----------===//
//
// Each large linalg op becomes an scf.forall over chunks of one outer
// parallel loop (TilingInterface, numThreads form); after bufferization the
// CPU pipeline lowers the forall to an OpenMP work-sharing loop.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/LoomToLinalg/LoomToLinalg.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace loom {
#define GEN_PASS_DEF_LOOMLINALGDISTRIBUTE
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {

struct DistributePass : loom::impl::LoomLinalgDistributeBase<DistributePass> {
  using LoomLinalgDistributeBase::LoomLinalgDistributeBase;

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      // Only top-level ops on tensors (not those already in a forall).
      if (op.hasPureTensorSemantics() &&
          !op->getParentOfType<scf::ForallOp>() && !isa<linalg::FillOp>(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops) {
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
      if (ranges.empty())
        continue;
      // A dynamic loop (a batch given at run time) counts as one iteration
      // and is never the one split: the chunks are fixed at compile time.
      int64_t total = 1;
      for (int64_t size : ranges)
        if (!ShapedType::isDynamic(size))
          total =
              size > 0 && total > INT64_MAX / size ? INT64_MAX : total * size;
      if (total < minIterations)
        continue;
      // The first parallel loop of two or more iterations, not the last
      // loop (the vectorizer's).
      int64_t chosen = -1;
      for (int64_t d = 0; d + 1 < static_cast<int64_t>(ranges.size()); ++d)
        if (iterators[d] == utils::IteratorType::parallel &&
            !ShapedType::isDynamic(ranges[d]) && ranges[d] >= 2) {
          chosen = d;
          break;
        }
      if (chosen < 0)
        continue;
      SmallVector<OpFoldResult> numThreads(ranges.size(),
                                           rewriter.getIndexAttr(0));
      // Chunks of at least 8 iterations where the loop is long enough:
      // the vectorizer blocks output channels by 8.
      int64_t count =
          ranges[chosen] >= 16 ? ranges[chosen] / 8 : ranges[chosen];
      // Every chunk gets at least half of `min-iterations`: a small op
      // split 64 ways spends more on scheduling than it saves.
      int64_t byWork =
          std::max<int64_t>(2, total / std::max<int64_t>(1, minIterations / 2));
      numThreads[chosen] = rewriter.getIndexAttr(
          std::min({count, static_cast<int64_t>(chunks), byWork}));
      scf::SCFTilingOptions options;
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      options.setNumThreads(numThreads);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        continue; // stays whole: correct, one thread
      rewriter.replaceOp(op, tiled->replacements);
    }
  }
};

} // namespace
