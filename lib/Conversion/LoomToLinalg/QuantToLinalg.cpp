//===- QuantToLinalg.cpp - quantization ops to linalg.generic -------------===//
//
// DequantizeLinear: `y = (x - zero_point) * scale` in one `linalg.generic`
// whose scale (and zero point) indexing map picks the element's group: one
// scale, one per index along `axis`, or one per block of `block_size`
// along it (`d floordiv block_size`). Signed 8-bit integers; unsigned and
// 4-bit ones are refused until the runtime binds them.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "LoweringUtils.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace loom::linalg_lowering {
namespace {

struct DequantizeLinearLowering : LoweringPattern<DequantizeLinearOp> {
  using LoweringPattern::LoweringPattern;

  FailureOr<SmallVector<Value>>
  lower(DequantizeLinearOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    auto xType = cast<RankedTensorType>(op.getX().getType());
    auto scaleType = cast<RankedTensorType>(op.getXScale().getType());
    auto resultType = cast<RankedTensorType>(op.getY().getType());
    auto element = dyn_cast<IntegerType>(xType.getElementType());
    if (!element || element.getWidth() != 8 || element.isUnsigned())
      return refuse(op, element && element.isUnsigned()
                            ? "unsigned integers (only signed 8-bit ones "
                              "are dequantized yet)"
                            : "integers other than 8-bit (only signed 8-bit "
                              "ones are dequantized yet)");
    if (!resultType.getElementType().isF32())
      return refuse(op, "only f32 results");
    int64_t rank = xType.getRank(), axis = op.getAxis(),
            block = op.getBlockSize();
    if (axis < 0)
      axis += rank;
    MLIRContext *context = op.getContext();
    // The scale's map: () per tensor, (d_axis) per axis, the identity with
    // d_axis floordiv block when blocked.
    AffineMap groupMap;
    if (scaleType.getRank() == 0 ||
        (scaleType.getRank() == 1 && scaleType.getDimSize(0) == 1 &&
         block == 0)) {
      groupMap = AffineMap::get(rank, 0, {}, context);
      if (scaleType.getRank() == 1)
        groupMap = AffineMap::get(rank, 0, {getAffineConstantExpr(0, context)},
                                  context);
    } else if (block == 0 && scaleType.getRank() == 1 && axis >= 0 &&
               axis < rank) {
      groupMap =
          AffineMap::get(rank, 0, {getAffineDimExpr(axis, context)}, context);
    } else if (block > 0 && scaleType.getRank() == rank && axis >= 0 &&
               axis < rank) {
      SmallVector<AffineExpr> exprs;
      for (int64_t d = 0; d < rank; ++d)
        exprs.push_back(d == axis ? getAffineDimExpr(d, context).floorDiv(block)
                                  : getAffineDimExpr(d, context));
      groupMap = AffineMap::get(rank, 0, exprs, context);
    } else {
      return refuse(op, "scales of a shape that matches no granularity");
    }
    Location loc = op.getLoc();
    FailureOr<Value> init =
        createEmptyLike(rewriter, loc, resultType, {adaptor.getX()});
    if (failed(init))
      return refuse(op, "a dynamic size with nothing to read it from");
    SmallVector<Value> inputs{adaptor.getX(), adaptor.getXScale()};
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank),
                                groupMap};
    if (adaptor.getXZeroPoint()) {
      inputs.push_back(adaptor.getXZeroPoint());
      maps.push_back(groupMap);
    }
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, inputs, ValueRange{*init}, maps,
        parallelIterators(rank),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value x = arith::ExtSIOp::create(b, loc, b.getI32Type(), args[0]);
          if (inputs.size() == 3)
            x = arith::SubIOp::create(
                b, loc, x,
                arith::ExtSIOp::create(b, loc, b.getI32Type(), args[2]));
          Value f = arith::SIToFPOp::create(b, loc, b.getF32Type(), x);
          linalg::YieldOp::create(
              b, loc, ValueRange{arith::MulFOp::create(b, loc, f, args[1])});
        });
    return SmallVector<Value>{generic.getResult(0)};
  }
};

} // namespace

void populateQuantPatterns(RewritePatternSet &patterns) {
  patterns.add<DequantizeLinearLowering>(patterns.getContext());
}

} // namespace loom::linalg_lowering
