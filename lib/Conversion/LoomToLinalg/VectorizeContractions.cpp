//===- VectorizeContractions.cpp - register-blocked matmul microkernels ---===//
//
// Tile, vectorize, contract: a matmul-form `linalg.generic` (MatMul and Gemm
// lower to one each, ContractionToLinalg.cpp) becomes loops over blocks of
// rows x columns of the output with one step of the reduction innermost; the
// block is vectorized and its `acc + a * b` recognized as a
// `vector.contract`, which the CPU pipeline lowers to outer products (an
// FMA per row and vector of columns). The accumulator's transfers are
// hoisted out of the reduction loop after bufferization
// (loom-hoist-vector-transfers), so the block stays in registers: the
// shape of a BLAS microkernel, without packing.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/LoomToLinalg/LoomToLinalg.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "llvm/TargetParser/Host.h"

namespace loom {
#define GEN_PASS_DEF_LOOMLINALGVECTORIZECONTRACTIONS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {

/// Accumulator registers a block may use: 12 of AVX2's 16 (or AVX-512's
/// 32); the rest hold the broadcast row value and the two loaded column
/// vectors of a step.
constexpr int64_t kMaxAccumulatorVectors = 12;

/// How a contraction is blocked: the loop that gives the block's rows, and
/// the block's height and width (columns of the loop before k).
struct BlockShape {
  int64_t rowLoop, height, width;
};

/// The block for a contraction, or nullopt when it does not have the
/// microkernel's form: parallel loops then k, the only reduction, last; the
/// output indexed by the parallel loops in order; the right-hand operand's
/// two innermost indices (k, n), with n the last parallel loop (contiguous
/// columns); the left-hand operand's innermost index k; a static parallel
/// loop that indexes the left-hand operand and not the right-hand one gives
/// the rows (the innermost such: PyTorch's sequence-first attention reads
/// rows along the sequence). n, k and the row loop must be static; other
/// loops (a dynamic batch) are tiled by one. `lanes`: floats per vector
/// register.
std::optional<BlockShape> chooseBlock(linalg::GenericOp op, int64_t lanes) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t loops = ranges.size();
  if (loops < 3)
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (int64_t d = 0; d < loops; ++d)
    if ((iterators[d] == utils::IteratorType::reduction) != (d == loops - 1))
      return std::nullopt;
  AffineMap lhs = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  AffineMap rhs = op.getMatchingIndexingMap(op.getDpsInputOperand(1));
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  int64_t n = loops - 2, k = loops - 1;
  auto isDim = [](AffineExpr expr, int64_t d) {
    auto dim = dyn_cast<AffineDimExpr>(expr);
    return dim && dim.getPosition() == d;
  };
  AffineMap outIdentity =
      AffineMap::getMultiDimIdentityMap(loops, op.getContext())
          .getMajorSubMap(loops - 1);
  if (out != outIdentity || lhs.getNumResults() < 2 ||
      rhs.getNumResults() < 2 || !isDim(rhs.getResults().back(), n) ||
      !isDim(rhs.getResults()[rhs.getNumResults() - 2], k) ||
      !isDim(lhs.getResults().back(), k) || ShapedType::isDynamic(ranges[n]) ||
      ShapedType::isDynamic(ranges[k]))
    return std::nullopt;
  int64_t rowLoop = -1;
  for (int64_t d = n - 1; d >= 0 && rowLoop < 0; --d)
    if (!ShapedType::isDynamic(ranges[d]) && lhs.isFunctionOfDim(d) &&
        !rhs.isFunctionOfDim(d))
      rowLoop = d;
  if (rowLoop < 0)
    return std::nullopt;
  int64_t rows = ranges[rowLoop], columns = ranges[n];
  // Two vectors of columns, or one, or half of a 16-lane one (8 floats:
  // loom-linalg-conv-to-matmul's panels for 7-column rows on AVX-512).
  int64_t width = 0;
  for (int64_t w : {2 * lanes, lanes, lanes / 2})
    if (!width && w >= 8 && columns % w == 0)
      width = w;
  if (!width)
    return std::nullopt;
  int64_t height = 0;
  for (int64_t h : {8, 6, 4, 3, 2, 1})
    if (rows % h == 0 && h * width <= kMaxAccumulatorVectors * lanes) {
      height = h;
      break;
    }
  if (!height)
    return std::nullopt;
  return BlockShape{rowLoop, height, width};
}

/// Clones `body` (a linalg op's region) into a new op's body builder with
/// its arguments mapped to `args`, the yield included.
void cloneBody(OpBuilder &b, Location loc, mlir::Block &body, ValueRange args) {
  IRMapping mapping;
  mapping.map(body.getArguments(), args);
  for (Operation &nested : body.without_terminator())
    b.clone(nested, mapping);
  SmallVector<Value> yielded;
  for (Value value : body.getTerminator()->getOperands())
    yielded.push_back(mapping.lookupOrDefault(value));
  linalg::YieldOp::create(b, loc, yielded);
}

/// Where a copy of `value` for `op` goes: before the outermost chunk loop
/// (scf.forall) `value` is defined outside of, so that the threads' chunks
/// share one copy.
Operation *copyInsertionPoint(linalg::GenericOp op, Value value) {
  Operation *before = op;
  for (Operation *parent = op->getParentOp(); parent;
       parent = parent->getParentOp()) {
    if (isa<func::FuncOp>(parent))
      break;
    if (isa<scf::ForallOp>(parent) &&
        (isa<BlockArgument>(value)
             ? !parent->isAncestor(
                   cast<BlockArgument>(value).getOwner()->getParentOp())
             : !parent->isAncestor(value.getDefiningOp())))
      before = parent;
  }
  return before;
}

/// Packs a large right-hand operand: `C[m, n] += A[m, k] * B[k, n]` becomes
///
///   Bp = transpose(expand(B) : K x N/w x w, [1, 0, 2])      N/w x K x w
///   C3[m, nb, nl] += A[m, k] * Bp[nb, k, nl]                 loops m nb nl k
///   C = collapse(C3)
///
/// so that the microkernel reads one contiguous panel of `w` columns along
/// k instead of `w` columns of rows `N` floats apart (a new page every few
/// steps for N = 2048). The copy costs K x N against M x K x N FMAs: only
/// for at least 16 rows (in a chunk of threads' work) and a K x N of at
/// least 256 K elements. It is made
/// before the chunks the threads run (scf.forall), once for all of them.
/// Returns the packed contraction, or null.
linalg::GenericOp packRightHandOperand(RewriterBase &rewriter,
                                       linalg::GenericOp op, int64_t width) {
  if (op.getNumLoops() != 3 || !op.hasPureTensorSemantics() ||
      op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return nullptr;
  MLIRContext *context = op.getContext();
  AffineExpr d0, d1, d2, d3;
  bindDims(context, d0, d1, d2, d3);
  auto map3 = [&](ArrayRef<AffineExpr> results) {
    return AffineMap::get(3, 0, results, context);
  };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[0] != map3({d0, d2}) || maps[1] != map3({d2, d1}) ||
      maps[2] != map3({d0, d1}))
    return nullptr;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t rows = ranges[0], columns = ranges[1], depth = ranges[2];
  if (ShapedType::isDynamicShape(ranges) || rows < 16 || columns % width != 0 ||
      depth * columns < (int64_t(1) << 18))
    return nullptr;
  Value lhs = op.getDpsInputOperand(0)->get();
  Value rhs = op.getDpsInputOperand(1)->get();
  Value init = op.getDpsInitOperand(0)->get();
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  auto initType = cast<RankedTensorType>(init.getType());
  Type element = rhsType.getElementType();
  Location loc = op.getLoc();

  // The packing goes before the outermost chunk loop that B is defined
  // outside of.
  rewriter.setInsertionPoint(copyInsertionPoint(op, rhs));
  SmallVector<ReassociationIndices> splitColumns = {{0}, {1, 2}};
  auto expandedType =
      RankedTensorType::get({depth, columns / width, width}, element);
  Value expanded = tensor::ExpandShapeOp::create(rewriter, loc, expandedType,
                                                 rhs, splitColumns);
  Value packedInit = tensor::EmptyOp::create(
      rewriter, loc, ArrayRef<int64_t>{columns / width, depth, width}, element);
  Value packed =
      linalg::TransposeOp::create(rewriter, loc, expanded, packedInit,
                                  ArrayRef<int64_t>{1, 0, 2})
          .getResult()[0];

  rewriter.setInsertionPoint(op);
  auto outType = RankedTensorType::get({rows, columns / width, width},
                                       initType.getElementType());
  Value out =
      tensor::ExpandShapeOp::create(rewriter, loc, outType, init, splitColumns);
  auto map4 = [&](ArrayRef<AffineExpr> results) {
    return AffineMap::get(4, 0, results, context);
  };
  SmallVector<utils::IteratorType> iterators(3, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  mlir::Block &body = op.getRegion().front();
  auto packedOp = linalg::GenericOp::create(
      rewriter, loc, TypeRange{outType}, ValueRange{lhs, packed},
      ValueRange{out},
      ArrayRef<AffineMap>{map4({d0, d3}), map4({d1, d3, d2}),
                          map4({d0, d1, d2})},
      iterators, [&](OpBuilder &b, Location, ValueRange args) {
        cloneBody(b, loc, body, args);
      });
  Value collapsed = tensor::CollapseShapeOp::create(
      rewriter, loc, initType, packedOp.getResult(0), splitColumns);
  rewriter.replaceOp(op, collapsed);
  return packedOp;
}

/// A Gemm with `transB` reads `B[n, k]`: a row of the output is a column
/// of B, which the loop-order fallback gathered one float at a time (a
/// third of a BERT-style encoder's time was its attention output
/// projection). With static sizes B is transposed once (K x N, before the
/// threads' chunks) and the contraction reads it as `B[k, n]`, which
/// `chooseBlock` (and the packing) takes. Returns the new contraction, or
/// null.
linalg::GenericOp transposeRightHandOperand(RewriterBase &rewriter,
                                            linalg::GenericOp op) {
  if (op.getNumLoops() != 3 || !op.hasPureTensorSemantics() ||
      op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !linalg::isaContractionOpInterface(op))
    return nullptr;
  MLIRContext *context = op.getContext();
  AffineExpr d0, d1, d2;
  bindDims(context, d0, d1, d2);
  auto map3 = [&](ArrayRef<AffineExpr> results) {
    return AffineMap::get(3, 0, results, context);
  };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[0] != map3({d0, d2}) || maps[1] != map3({d1, d2}) ||
      maps[2] != map3({d0, d1}))
    return nullptr;
  Value rhs = op.getDpsInputOperand(1)->get();
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  if (!rhsType.hasStaticShape())
    return nullptr;
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(copyInsertionPoint(op, rhs));
  Value init = tensor::EmptyOp::create(
      rewriter, loc,
      ArrayRef<int64_t>{rhsType.getDimSize(1), rhsType.getDimSize(0)},
      rhsType.getElementType());
  Value transposed = linalg::TransposeOp::create(rewriter, loc, rhs, init,
                                                 ArrayRef<int64_t>{1, 0})
                         .getResult()[0];
  rewriter.setInsertionPoint(op);
  mlir::Block &body = op.getRegion().front();
  auto newOp = linalg::GenericOp::create(
      rewriter, loc, op.getResultTypes(),
      ValueRange{op.getDpsInputOperand(0)->get(), transposed},
      ValueRange{op.getDpsInitOperand(0)->get()},
      ArrayRef<AffineMap>{maps[0], map3({d2, d1}), maps[2]},
      op.getIteratorTypesArray(), [&](OpBuilder &b, Location, ValueRange args) {
        cloneBody(b, loc, body, args);
      });
  rewriter.replaceOp(op, newOp.getResults());
  return newOp;
}

struct VectorizeContractionsPass
    : loom::impl::LoomLinalgVectorizeContractionsBase<
          VectorizeContractionsPass> {
  using Base::Base;
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    int64_t bits =
        vectorBits > 0 ? int64_t(vectorBits) : loom::hostVectorBits();
    int64_t lanes = std::max<int64_t>(bits / 32, 4);
    SmallVector<std::pair<linalg::GenericOp, BlockShape>> found, contractions;
    IRRewriter rewriter(context);
    {
      SmallVector<linalg::GenericOp> transposedB;
      getOperation().walk([&](linalg::GenericOp op) {
        if (!chooseBlock(op, lanes))
          transposedB.push_back(op);
      });
      for (linalg::GenericOp op : transposedB)
        (void)transposeRightHandOperand(rewriter, op);
    }
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<BlockShape> block = chooseBlock(op, lanes))
        found.push_back({op, *block});
    });
    // A packed contraction replaces the original and reads the panels; its
    // block is chosen anew.
    for (auto [op, block] : found) {
      linalg::GenericOp packed =
          packRightHandOperand(rewriter, op, block.width);
      if (!packed)
        contractions.push_back({op, block});
      else if (std::optional<BlockShape> packedBlock =
                   chooseBlock(packed, lanes))
        contractions.push_back({packed, *packedBlock});
    }
    SmallVector<linalg::GenericOp> blocks;
    for (auto [op, block] : contractions) {
      int64_t loops = op.getNumLoops();
      int64_t n = loops - 2, k = loops - 1;
      auto tile = [&](linalg::GenericOp target, ArrayRef<int64_t> sizes,
                      ArrayRef<int64_t> order) -> FailureOr<linalg::GenericOp> {
        scf::SCFTilingOptions options;
        options.setTileSizes(getAsIndexOpFoldResult(context, sizes));
        options.setInterchange(order);
        options.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
        rewriter.setInsertionPoint(target);
        FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
            rewriter, cast<TilingInterface>(target.getOperation()), options);
        if (failed(tiled) || tiled->tiledOps.size() != 1)
          return failure();
        rewriter.replaceOp(target, tiled->replacements);
        auto inner = dyn_cast<linalg::GenericOp>(tiled->tiledOps.front());
        if (!inner)
          return failure();
        return inner;
      };
      // Level 1, for the caches: columns in panels of `width`, the
      // reduction in chunks of `depth`, panels outermost, so that one
      // panel chunk of the right-hand operand (depth x width) stays in L1
      // while every row block reads it.
      int64_t range = op.getStaticLoopRanges()[k];
      int64_t depth = range;
      if (range > 512)
        for (int64_t d : {256, 128, 64})
          if (range % d == 0) {
            depth = d;
            break;
          }
      SmallVector<int64_t> panelSizes(loops, 0);
      panelSizes[n] = block.width;
      panelSizes[k] = depth == range ? 0 : depth;
      FailureOr<linalg::GenericOp> panel = tile(op, panelSizes, {});
      if (failed(panel))
        continue;
      // Level 2, for the registers: blocks of height x width, one step of
      // the reduction innermost; other loops (a batch) by one.
      SmallVector<int64_t> blockSizes(loops, 1), blockOrder;
      blockSizes[block.rowLoop] = block.height;
      blockSizes[n] = 0;
      for (int64_t d = 0; d < loops - 1; ++d)
        if (d != block.rowLoop && d != n)
          blockOrder.push_back(d);
      blockOrder.push_back(n);
      blockOrder.push_back(block.rowLoop);
      blockOrder.push_back(k);
      FailureOr<linalg::GenericOp> inner = tile(*panel, blockSizes, blockOrder);
      if (succeeded(inner))
        blocks.push_back(*inner);
    }
    for (linalg::GenericOp op : blocks) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::VectorizationResult> vectorized =
          linalg::vectorize(rewriter, op);
      if (failed(vectorized))
        continue; // stays a linalg op: correct, scalar
      rewriter.replaceOp(op, vectorized->replacements);
    }
    // mul + reduction over the block's one k step -> vector.contract (with
    // the transfer clean-up in the same run: it needs the folded reads).
    loom::finishVectorBlocks(getOperation(), [](RewritePatternSet &patterns) {
      vector::populateVectorReductionToContractPatterns(patterns);
    });
  }
};

} // namespace

void loom::finishVectorBlocks(
    Operation *root, function_ref<void(RewritePatternSet &)> addPatterns) {
  MLIRContext *context = root->getContext();
  {
    RewritePatternSet cleanup(context);
    if (addPatterns)
      addPatterns(cleanup);
    vector::populateVectorTransferPermutationMapLoweringPatterns(cleanup);
    vector::TransferReadOp::getCanonicalizationPatterns(cleanup, context);
    vector::TransferWriteOp::getCanonicalizationPatterns(cleanup, context);
    (void)applyPatternsGreedily(root, std::move(cleanup));
  }
  RewritePatternSet patterns(context);
  tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
  tensor::populateFoldTensorSubsetOpPatterns(patterns);
  (void)applyPatternsGreedily(root, std::move(patterns));
  SmallVector<scf::ForOp> loops;
  root->walk([&](scf::ForOp loop) { loops.push_back(loop); }); // inner first
  IRRewriter rewriter(context);
  for (scf::ForOp loop : loops)
    (void)hoistLoopInvariantSubsets(
        rewriter, cast<LoopLikeOpInterface>(loop.getOperation()));
}

int64_t loom::hostVectorBits() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (features.lookup("avx512f"))
    return 512;
  if (features.lookup("avx"))
    return 256;
  return 128;
}
