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

/// The loop to split: a static parallel loop of two or more iterations,
/// not the last loop (the vectorizer's), the first such. For a contraction,
/// not its last parallel loop either (the microkernel's columns), and of
/// the others the one that leaves the fewest input elements read whole by
/// every chunk (an input the loop does not index), the first on a tie: a
/// convolution's matmul (loom-linalg-conv-to-matmul) is split along its
/// panels of patches, each read by one chunk, not along output channels,
/// which would have every chunk read all of them. -1 when there is none.
int64_t chooseLoop(linalg::LinalgOp op, ArrayRef<int64_t> ranges,
                   ArrayRef<utils::IteratorType> iterators) {
  int64_t end = static_cast<int64_t>(ranges.size()) - 1;
  bool contraction = linalg::isaContractionOpInterface(op);
  if (contraction)
    for (int64_t d = 0; d < static_cast<int64_t>(ranges.size()); ++d)
      if (iterators[d] == utils::IteratorType::parallel)
        end = d;
  int64_t chosen = -1, fewest = INT64_MAX;
  for (int64_t d = 0; d < end; ++d) {
    if (iterators[d] != utils::IteratorType::parallel ||
        ShapedType::isDynamic(ranges[d]) || ranges[d] < 2)
      continue;
    if (!contraction)
      return d;
    int64_t whole = 0;
    for (OpOperand *input : op.getDpsInputOperands()) {
      auto type = dyn_cast<ShapedType>(input->get().getType());
      if (!type || op.getMatchingIndexingMap(input).isFunctionOfDim(d))
        continue;
      int64_t elements = 1;
      for (int64_t size : type.getShape())
        if (!ShapedType::isDynamic(size))
          elements = size > 0 && elements > INT64_MAX / size ? INT64_MAX
                                                             : elements * size;
      whole = elements > INT64_MAX - whole ? INT64_MAX : whole + elements;
    }
    if (whole < fewest) {
      chosen = d;
      fewest = whole;
    }
  }
  return chosen;
}

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
      int64_t chosen = chooseLoop(op, ranges, iterators);
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
