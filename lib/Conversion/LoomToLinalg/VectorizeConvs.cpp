//===- VectorizeConvs.cpp - register-blocked vector code for 2-D convs ----===//
//
// Tile, decompose, vectorize: the upstream recipe for convolutions (as
// IREE's CPU backend uses it), applied to linalg.conv_2d_nchw_fchw with
// static shapes. Blocks: 8 output channels x 1 row x 16 (or 8) columns, one
// input channel and kernel row per step; the kernel row is a 1-D
// convolution that the vectorizer turns into one vector.contract per kernel
// column. The batch may be dynamic; every other size must be static.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/LoomToLinalg/LoomToLinalg.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace loom {
#define GEN_PASS_DEF_LOOMLINALGVECTORIZECONVS
#define GEN_PASS_DEF_LOOMHOISTVECTORTRANSFERS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {

/// The largest output block the pass makes: 8 channels x 16 columns.
constexpr int64_t kMaxBlockElements = 8 * 16;

/// Whether every operand of `op` is a small static tensor: the blocks the
/// tiling made (the input's block is one channel and one row wide).
bool isBlock(Operation *op) {
  return llvm::all_of(op->getOperandTypes(), [](Type type) {
    auto shaped = dyn_cast<RankedTensorType>(type);
    return shaped && shaped.hasStaticShape() &&
           shaped.getNumElements() <= kMaxBlockElements;
  });
}

/// Upstream's size-one-window decomposition, restricted to blocks.
struct DecomposeBlock : OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp op,
                                PatternRewriter &rewriter) const override {
    if (!isBlock(op))
      return failure();
    return linalg::DownscaleSizeOneWindowed2DConvolution<
               linalg::Conv2DNchwFchwOp, linalg::Conv1DNcwFcwOp>(
               rewriter.getContext())
        .returningMatchAndRewrite(op, rewriter);
  }
};

struct VectorizeConvsPass
    : loom::impl::LoomLinalgVectorizeConvsBase<VectorizeConvsPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    SmallVector<linalg::Conv2DNchwFchwOp> convs;
    getOperation().walk([&](linalg::Conv2DNchwFchwOp op) {
      if (op.hasPureTensorSemantics())
        convs.push_back(op);
    });
    IRRewriter rewriter(context);
    for (linalg::Conv2DNchwFchwOp op : convs) {
      auto outType =
          dyn_cast<RankedTensorType>(op.getResultTensors()[0].getType());
      auto inType = dyn_cast<RankedTensorType>(op.getInputs()[0].getType());
      auto filterType = dyn_cast<RankedTensorType>(op.getInputs()[1].getType());
      // The batch may be dynamic (a library compiled for any batch): it is
      // tiled by one, so every block is still static.
      auto staticPastBatch = [](RankedTensorType type) {
        return type && llvm::none_of(type.getShape().drop_front(),
                                     ShapedType::isDynamic);
      };
      if (!staticPastBatch(outType) || !staticPastBatch(inType) ||
          !filterType || !filterType.hasStaticShape())
        continue;
      int64_t f = outType.getDimSize(1), ow = outType.getDimSize(3);
      int64_t kw = filterType.getDimSize(3);
      // The widest block of at most 16 columns that divides the row.
      int64_t width = 0;
      for (int64_t w = std::min<int64_t>(16, ow); w >= 1 && !width; --w)
        if (ow % w == 0)
          width = w;
      if (width < 4)
        width = 0;
      int64_t channels = f % 8 == 0 ? 8 : f % 4 == 0 ? 4 : f % 2 == 0 ? 2 : 1;
      if (!width || !channels)
        continue;
      // Loops: n, f, oh, ow, c, kh, kw.
      SmallVector<OpFoldResult> sizes = getAsIndexOpFoldResult(
          context, ArrayRef<int64_t>{1, channels, 1, width, 1, 1, kw});
      scf::SCFTilingOptions options;
      options.setTileSizes(sizes);
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        continue;
      rewriter.replaceOp(op, tiled->replacements);
    }
    // The 1 x kw windows of the blocks become 1-D convolutions, which
    // vectorize. Only blocks: an untiled convolution (one the sizes above
    // did not fit) would become one vector per whole row and channel range,
    // thousands of lanes wide, which LLVM takes minutes to compile.
    {
      RewritePatternSet patterns(context);
      patterns.add<DecomposeBlock>(context);
      if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
    SmallVector<linalg::LinalgOp> oneD;
    getOperation().walk([&](linalg::Conv1DNcwFcwOp op) {
      if (isBlock(op))
        oneD.push_back(op);
    });
    for (linalg::LinalgOp op : oneD) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::VectorizationResult> vectorized =
          linalg::vectorize(rewriter, op);
      if (failed(vectorized))
        continue; // stays a linalg op: correct, scalar
      rewriter.replaceOp(op, vectorized->replacements);
    }
    loom::finishVectorBlocks(getOperation());
  }
};

struct HoistVectorTransfersPass
    : loom::impl::LoomHoistVectorTransfersBase<HoistVectorTransfersPass> {
  void runOnOperation() override {
    linalg::hoistRedundantVectorTransfers(getOperation(),
                                          /*verifyNonZeroTrip=*/true);
  }
};

} // namespace
