//===- TransposedWeightMatMulToGemm.cpp - MatMul of W^T as Gemm -----------===//

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/Transforms/Patterns.h"

using namespace mlir;
using namespace loom;

namespace {

struct TransposedWeightMatMulToGemm : public OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatMulOp matmul,
                                PatternRewriter &rewriter) const override {
    auto transpose = matmul.getB().getDefiningOp<TransposeOp>();
    if (!transpose)
      return rewriter.notifyMatchFailure(matmul, "B is not a transpose");
    Value weight = transpose.getData();
    auto weightType = dyn_cast<RankedTensorType>(weight.getType());
    std::optional<ArrayRef<int64_t>> perm = transpose.getPerm();
    if (!weight.getDefiningOp<WeightRefOp>() || !weightType ||
        weightType.getRank() != 2 || (perm && *perm != ArrayRef<int64_t>{1, 0}))
      return rewriter.notifyMatchFailure(matmul,
                                         "B is no 2-D transposed weight");
    auto aType = dyn_cast<RankedTensorType>(matmul.getA().getType());
    auto resultType = dyn_cast<RankedTensorType>(matmul.getType());
    if (!aType || !resultType || aType.getRank() < 2 ||
        !resultType.hasStaticShape() ||
        aType.getElementType() != weightType.getElementType())
      return rewriter.notifyMatchFailure(matmul, "shapes Gemm cannot take");
    ArrayRef<int64_t> leading = aType.getShape().drop_back();
    if (aType.getRank() > 2 && ShapedType::isDynamicShape(leading))
      return rewriter.notifyMatchFailure(matmul, "dynamic leading dims of A");

    int64_t k = aType.getDimSize(aType.getRank() - 1);
    int64_t n = weightType.getDimSize(0);
    int64_t m = 1;
    for (int64_t d : leading)
      m *= d;
    Location loc = matmul.getLoc();
    auto shapeConstant = [&](ArrayRef<int64_t> shape) {
      auto type = RankedTensorType::get({static_cast<int64_t>(shape.size())},
                                        rewriter.getI64Type());
      return ConstantOp::create(rewriter, loc,
                                DenseIntElementsAttr::get(type, shape));
    };
    Value a = matmul.getA();
    if (aType.getRank() > 2)
      a = ReshapeOp::create(
          rewriter, loc, RankedTensorType::get({m, k}, aType.getElementType()),
          a, shapeConstant({m, k}));
    auto gemmType = RankedTensorType::get(
        {aType.getRank() > 2 ? m : aType.getDimSize(0), n},
        aType.getElementType());
    Value result = GemmOp::create(
        rewriter, loc, gemmType, a, weight, Value(),
        rewriter.getF32FloatAttr(1.0f), rewriter.getF32FloatAttr(1.0f),
        rewriter.getI64IntegerAttr(0), rewriter.getI64IntegerAttr(1));
    if (aType.getRank() > 2)
      result = ReshapeOp::create(rewriter, loc, resultType, result,
                                 shapeConstant(resultType.getShape()));
    rewriter.replaceOp(matmul, result);
    if (transpose->use_empty())
      rewriter.eraseOp(transpose);
    return success();
  }
};

} // namespace

void loom::populateTransposedWeightMatMulToGemmPatterns(
    RewritePatternSet &patterns) {
  patterns.add<TransposedWeightMatMulToGemm>(patterns.getContext());
}
