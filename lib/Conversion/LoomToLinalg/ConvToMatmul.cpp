//===- ConvToMatmul.cpp - 2-D convolutions as packed im2col + matmul ------===//
//
// A convolution y[n, f, oh, ow] = sum_{c, kh, kw} w[f, c, kh, kw] *
// x[n, c, oh*sh + kh*dh, ow*sw + kw*dw] is a matmul of the filter (F x K,
// K = C*KH*KW) with the input's patches (K x P, P = OH*OW). The patches are
// copied once, straight into the layout the matmul microkernel reads
// (panels of `w` output columns, contiguous along K: IREE's mmt4d data
// tiling, here for the right-hand side only), by one affine
// `linalg.generic`:
//
//   cols[n, oh, ob, c, kh, kw, ol] = x[n, c, oh*sh + kh*dh, (ob*w + ol)*sw
//                                      + kw*dw]
//
// collapsed to N x OH*OWp/w x K x w, where OWp rounds OW up to a multiple of
// `w` (the input is padded with zero columns for the extra reads, and the
// extra outputs are sliced off). The contraction
//
//   out[n, f, pb, pl] += w2[f, k] * cols[n, pb, k, pl]
//
// has the form loom-linalg-vectorize-contractions blocks into registers
// (rows: f; columns: pl; k innermost). The copy is K x P floats against
// F x K x P multiply-adds.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/LoomToLinalg/LoomToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

namespace loom {
#define GEN_PASS_DEF_LOOMLINALGCONVTOMATMUL
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {

/// Whether `value` is a linalg.fill of zero.
bool isZeroFilled(Value value) {
  auto fill = value.getDefiningOp<linalg::FillOp>();
  return fill && matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
}

/// The panel width for output rows of `ow` columns: one or two vectors (or
/// half of a 16-lane vector), the one that wastes the least FMA work on
/// padding (padded columns, and half-filled vectors count double); on a
/// tie the one with less padding (a smaller copy), then the widest.
int64_t choosePanelWidth(int64_t ow, int64_t lanes) {
  int64_t best = 0, bestCost = INT64_MAX, bestPadded = INT64_MAX;
  for (int64_t w : {2 * lanes, lanes, lanes / 2}) {
    if (w < 8)
      continue;
    int64_t padded = llvm::divideCeil(ow, w) * w;
    int64_t cost = padded * lanes / std::min(w, lanes);
    if (cost < bestCost || (cost == bestCost && padded < bestPadded)) {
      best = w;
      bestCost = cost;
      bestPadded = padded;
    }
  }
  return best;
}

/// `dim` of `value`, as an OpFoldResult (static or tensor.dim).
OpFoldResult dimOf(OpBuilder &b, Location loc, Value value, int64_t dim) {
  auto type = cast<RankedTensorType>(value.getType());
  if (!type.isDynamicDim(dim))
    return b.getIndexAttr(type.getDimSize(dim));
  return tensor::DimOp::create(b, loc, value, dim).getResult();
}

/// Rewrites `op`; false when it does not have the form (left as it is).
bool rewriteConvolution(IRRewriter &rewriter, linalg::Conv2DNchwFchwOp op,
                        int64_t lanes) {
  Value x = op.getInputs()[0], filter = op.getInputs()[1];
  Value init = op.getOutputs()[0];
  auto xType = cast<RankedTensorType>(x.getType());
  auto fType = cast<RankedTensorType>(filter.getType());
  auto yType = cast<RankedTensorType>(init.getType());
  Type element = yType.getElementType();
  if (!element.isF32() || xType.getElementType() != element ||
      fType.getElementType() != element || !fType.hasStaticShape() ||
      llvm::any_of(xType.getShape().drop_front(), ShapedType::isDynamic) ||
      llvm::any_of(yType.getShape().drop_front(), ShapedType::isDynamic) ||
      !isZeroFilled(init))
    return false;
  SmallVector<int64_t> strides(op.getStrides().getValues<int64_t>());
  SmallVector<int64_t> dilations(op.getDilations().getValues<int64_t>());
  int64_t c = xType.getDimSize(1), width = xType.getDimSize(3);
  int64_t f = fType.getDimSize(0), kh = fType.getDimSize(2),
          kw = fType.getDimSize(3);
  int64_t oh = yType.getDimSize(2), ow = yType.getDimSize(3);
  if (fType.getDimSize(1) != c || oh <= 0 || ow <= 0)
    return false;
  int64_t w = choosePanelWidth(ow, lanes);
  int64_t owPadded = llvm::divideCeil(ow, w) * w;
  int64_t k = c * kh * kw, panels = oh * owPadded / w;

  MLIRContext *context = op.getContext();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  OpFoldResult batch = dimOf(rewriter, loc, x, 0);
  int64_t staticBatch = xType.getDimSize(0);
  Value zero = arith::ConstantOp::create(rewriter, loc, element,
                                         rewriter.getFloatAttr(element, 0.0));

  // Zero columns on the right for the padded outputs' reads.
  int64_t needed = (owPadded - 1) * strides[1] + (kw - 1) * dilations[1] + 1;
  if (needed > width) {
    SmallVector<int64_t> shape(xType.getShape());
    shape[3] = needed;
    SmallVector<OpFoldResult> low(4, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> high(4, rewriter.getIndexAttr(0));
    high[3] = rewriter.getIndexAttr(needed - width);
    x = tensor::PadOp::create(rewriter, loc,
                              RankedTensorType::get(shape, element), x, low,
                              high, zero)
            .getResult();
  }

  // The patches, packed: N x OH x OWp/w x C x KH x KW x w.
  SmallVector<OpFoldResult> colsShape{batch};
  for (int64_t size : {oh, owPadded / w, c, kh, kw, w})
    colsShape.push_back(rewriter.getIndexAttr(size));
  Value colsInit = tensor::EmptyOp::create(rewriter, loc, colsShape, element);
  AffineExpr n, row, ob, ch, r, s, ol;
  bindDims(context, n, row, ob, ch, r, s, ol);
  AffineMap read =
      AffineMap::get(7, 0,
                     {n, ch, row * strides[0] + r * dilations[0],
                      (ob * w + ol) * strides[1] + s * dilations[1]},
                     context);
  AffineMap identity7 = rewriter.getMultiDimIdentityMap(7);
  Value cols =
      linalg::GenericOp::create(
          rewriter, loc, colsInit.getType(), ValueRange{x},
          ValueRange{colsInit}, ArrayRef<AffineMap>{read, identity7},
          SmallVector<utils::IteratorType>(7, utils::IteratorType::parallel),
          [](OpBuilder &b, Location nested, ValueRange args) {
            linalg::YieldOp::create(b, nested, args[0]);
          })
          .getResult(0);
  auto packedType = RankedTensorType::get({staticBatch, panels, k, w}, element);
  Value packed = tensor::CollapseShapeOp::create(
      rewriter, loc, packedType, cols,
      ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3, 4, 5}, {6}});
  Value filter2 = tensor::CollapseShapeOp::create(
      rewriter, loc, RankedTensorType::get({f, k}, element), filter,
      ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});

  // out[n, f, pb, pl] += filter2[f, k] * packed[n, pb, k, pl].
  SmallVector<OpFoldResult> outShape{batch, rewriter.getIndexAttr(f),
                                     rewriter.getIndexAttr(panels),
                                     rewriter.getIndexAttr(w)};
  Value outInit = tensor::EmptyOp::create(rewriter, loc, outShape, element);
  outInit = linalg::FillOp::create(rewriter, loc, zero, outInit).getResult(0);
  AffineExpr d0, d1, d2, d3, d4;
  bindDims(context, d0, d1, d2, d3, d4);
  auto map5 = [&](ArrayRef<AffineExpr> results) {
    return AffineMap::get(5, 0, results, context);
  };
  SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  Value out =
      linalg::GenericOp::create(
          rewriter, loc, outInit.getType(), ValueRange{filter2, packed},
          ValueRange{outInit},
          ArrayRef<AffineMap>{map5({d1, d4}), map5({d0, d2, d4, d3}),
                              map5({d0, d1, d2, d3})},
          iterators,
          [](OpBuilder &b, Location nested, ValueRange args) {
            Value product = arith::MulFOp::create(b, nested, args[0], args[1]);
            linalg::YieldOp::create(
                b, nested,
                arith::AddFOp::create(b, nested, args[2], product).getResult());
          })
          .getResult(0);

  // Back to N x F x OH x OW.
  Value flat = tensor::CollapseShapeOp::create(
      rewriter, loc,
      RankedTensorType::get({staticBatch, f, oh * owPadded}, element), out,
      ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  Value y = tensor::ExpandShapeOp::create(
      rewriter, loc,
      RankedTensorType::get({staticBatch, f, oh, owPadded}, element), flat,
      ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}},
      SmallVector<OpFoldResult>{batch, rewriter.getIndexAttr(f),
                                rewriter.getIndexAttr(oh),
                                rewriter.getIndexAttr(owPadded)});
  if (owPadded != ow) {
    SmallVector<OpFoldResult> offsets(4, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes{batch, rewriter.getIndexAttr(f),
                                    rewriter.getIndexAttr(oh),
                                    rewriter.getIndexAttr(ow)};
    SmallVector<OpFoldResult> steps(4, rewriter.getIndexAttr(1));
    y = tensor::ExtractSliceOp::create(rewriter, loc, yType, y, offsets, sizes,
                                       steps);
  }
  rewriter.replaceOp(op, y);
  return true;
}

struct ConvToMatmulPass
    : loom::impl::LoomLinalgConvToMatmulBase<ConvToMatmulPass> {
  using Base::Base;
  void runOnOperation() override {
    int64_t bits =
        vectorBits > 0 ? int64_t(vectorBits) : loom::hostVectorBits();
    int64_t lanes = std::max<int64_t>(bits / 32, 4);
    SmallVector<linalg::Conv2DNchwFchwOp> convs;
    getOperation().walk([&](linalg::Conv2DNchwFchwOp op) {
      if (op.hasPureTensorSemantics())
        convs.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::Conv2DNchwFchwOp op : convs)
      (void)rewriteConvolution(rewriter, op, lanes);
  }
};

} // namespace
