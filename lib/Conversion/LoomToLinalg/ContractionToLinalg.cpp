//===- ContractionToLinalg.cpp - MatMul and Gemm to linalg ----------------===//
//
// MatMul with numpy semantics (1-D operands promoted and dropped again,
// batch dimensions broadcast) and Gemm (transposes, alpha, beta, a
// broadcast C) as one `linalg.generic` contraction each: the indexing maps
// say which operand is transposed or broadcast, so the tiling and
// vectorization of the CPU pipeline see every contraction the same way.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "Kernels.h"
#include "LoweringUtils.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"

using namespace mlir;

namespace loom::linalg_lowering {
namespace {

/// One operand dimension that gives a dynamic result size.
struct SizeSource {
  Value value;
  int64_t dim = -1;
};

/// `acc + a * b` over the iteration space `resultRank + 1` (the last
/// dimension reduced), into a zero-filled tensor of `resultType`.
FailureOr<Value> buildContraction(OpBuilder &b, Location loc,
                                  RankedTensorType resultType, Value lhs,
                                  AffineMap lhsMap, Value rhs, AffineMap rhsMap,
                                  ArrayRef<SizeSource> sizeSources) {
  int64_t rank = resultType.getRank();
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < rank; ++d) {
    if (!resultType.isDynamicDim(d))
      continue;
    if (!sizeSources[d].value)
      return failure();
    dynamicSizes.push_back(
        b.createOrFold<tensor::DimOp>(loc, sizeSources[d].value,
                                      sizeSources[d].dim));
  }
  Type element = resultType.getElementType();
  // Half-precision products are summed in f32 and rounded once at the end,
  // as ONNX Runtime and PyTorch do: a bf16 accumulator over K = 4096 terms
  // loses two decimal digits.
  auto floatType = dyn_cast<FloatType>(element);
  Type accumulator =
      floatType && floatType.getWidth() < 32 ? b.getF32Type() : element;
  Value empty = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                        accumulator, dynamicSizes);
  Value zero = createScalar(b, loc, accumulator, 0);
  Value init = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  SmallVector<utils::IteratorType> iterators = parallelIterators(rank);
  iterators.push_back(utils::IteratorType::reduction);
  AffineMap outMap =
      AffineMap::getMultiDimIdentityMap(rank + 1, b.getContext())
          .getMajorSubMap(rank);
  auto accumulatorType = RankedTensorType::get(resultType.getShape(),
                                               accumulator);
  auto generic = linalg::GenericOp::create(
      b, loc, accumulatorType, ValueRange{lhs, rhs}, init,
      ArrayRef<AffineMap>{lhsMap, rhsMap, outMap}, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value product, sum;
        if (isa<FloatType>(element)) {
          Value x = args[0], y = args[1];
          if (accumulator != element) {
            x = arith::ExtFOp::create(nested, nestedLoc, accumulator, x);
            y = arith::ExtFOp::create(nested, nestedLoc, accumulator, y);
          }
          product = arith::MulFOp::create(nested, nestedLoc, x, y);
          sum = arith::AddFOp::create(nested, nestedLoc, args[2], product);
        } else {
          product = arith::MulIOp::create(nested, nestedLoc, args[0], args[1]);
          sum = arith::AddIOp::create(nested, nestedLoc, args[2], product);
        }
        linalg::YieldOp::create(nested, nestedLoc, sum);
      });
  if (accumulator == element)
    return generic.getResult(0);
  // Rounded to the result's type.
  Value rounded = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                          element, dynamicSizes);
  AffineMap identity =
      AffineMap::getMultiDimIdentityMap(rank, b.getContext());
  auto round = linalg::GenericOp::create(
      b, loc, resultType, generic.getResult(0), rounded,
      ArrayRef<AffineMap>{identity, identity}, parallelIterators(rank),
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        linalg::YieldOp::create(
            nested, nestedLoc,
            arith::TruncFOp::create(nested, nestedLoc, element, args[0])
                .getResult());
      });
  return round.getResult(0);
}

} // namespace

FailureOr<Value> lowerMatMul(Operation *op, OpBuilder &b, Value lhs, Value rhs,
                             RankedTensorType resultType) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  int64_t rank = resultType.getRank();
  int64_t lhsRank = lhsType.getRank(), rhsRank = rhsType.getRank();
  bool lhsVector = lhsRank == 1, rhsVector = rhsRank == 1;
  // Result dimensions: batch..., [m], [n]; then k.
  int64_t batchRank = rank - (lhsVector ? 0 : 1) - (rhsVector ? 0 : 1);
  if (batchRank < 0)
    return refuse(op, "result rank does not match the operands");
  MLIRContext *context = b.getContext();
  AffineExpr k = getAffineDimExpr(rank, context);
  int64_t mDim = lhsVector ? -1 : batchRank;
  int64_t nDim = rhsVector ? -1 : rank - 1;
  SmallVector<SizeSource> sources(rank);

  auto operandMap = [&](RankedTensorType type, Value value, bool isLhs,
                        bool vector) -> FailureOr<AffineMap> {
    SmallVector<AffineExpr> exprs;
    int64_t operandBatch = vector ? 0 : type.getRank() - 2;
    if (operandBatch > batchRank)
      return failure();
    for (int64_t d = 0; d < operandBatch; ++d) {
      int64_t resultDim = batchRank - operandBatch + d;
      int64_t size = type.getDimSize(d);
      bool broadcast = size == 1 && resultType.getDimSize(resultDim) != 1;
      exprs.push_back(broadcast ? getAffineConstantExpr(0, context)
                                : getAffineDimExpr(resultDim, context));
      if (!broadcast && !sources[resultDim].value)
        sources[resultDim] = {value, d};
    }
    if (vector) {
      exprs.push_back(k);
    } else if (isLhs) {
      exprs.push_back(getAffineDimExpr(mDim, context));
      exprs.push_back(k);
      sources[mDim] = {value, type.getRank() - 2};
    } else {
      exprs.push_back(k);
      exprs.push_back(getAffineDimExpr(nDim, context));
      sources[nDim] = {value, type.getRank() - 1};
    }
    return AffineMap::get(rank + 1, 0, exprs, context);
  };
  FailureOr<AffineMap> lhsMap = operandMap(lhsType, lhs, true, lhsVector);
  FailureOr<AffineMap> rhsMap = operandMap(rhsType, rhs, false, rhsVector);
  if (failed(lhsMap) || failed(rhsMap))
    return refuse(op, "operand ranks do not match the result");
  FailureOr<Value> result =
      buildContraction(b, op->getLoc(), resultType, lhs, *lhsMap, rhs,
                       *rhsMap, sources);
  if (failed(result))
    return refuse(op, "a dynamic batch dimension broadcasts");
  return *result;
}

namespace {

struct MatMulLowering : LoweringPattern<MatMulOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(MatMulOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    auto resultType = cast<RankedTensorType>(op.getType());
    if (resultType.getElementType().isUnsignedInteger())
      return refuse(op, "unsigned integer MatMul (use MatMulInteger)");
    FailureOr<Value> result =
        lowerMatMul(op, rewriter, adaptor.getA(), adaptor.getB(), resultType);
    if (failed(result))
      return failure();
    return SmallVector<Value>{*result};
  }
};

struct GemmLowering : LoweringPattern<GemmOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(GemmOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    if (!isa<FloatType>(element))
      return refuse(op, "integer Gemm");
    if (resultType.getRank() != 2)
      return refuse(op, "Gemm result must be 2-D");
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    AffineExpr m = getAffineDimExpr(0, context), n = getAffineDimExpr(1, context),
               k = getAffineDimExpr(2, context);
    bool transA = op.getTransA() != 0, transB = op.getTransB() != 0;
    AffineMap lhsMap = AffineMap::get(
        3, 0, transA ? ArrayRef<AffineExpr>{k, m} : ArrayRef<AffineExpr>{m, k},
        context);
    AffineMap rhsMap = AffineMap::get(
        3, 0, transB ? ArrayRef<AffineExpr>{n, k} : ArrayRef<AffineExpr>{k, n},
        context);
    Value lhs = adaptor.getA(), rhs = adaptor.getB();
    SmallVector<SizeSource> sources{{lhs, transA ? 1 : 0},
                                    {rhs, transB ? 0 : 1}};
    FailureOr<Value> product = buildContraction(
        rewriter, loc, resultType, lhs, lhsMap, rhs, rhsMap, sources);
    if (failed(product))
      return refuse(op, "dynamic sizes");
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    Value c = adaptor.getC();
    if (alpha == 1.0 && (!c || beta == 0.0))
      return SmallVector<Value>{*product};
    SmallVector<Value> operands{*product};
    if (c && beta != 0.0)
      operands.push_back(c);
    FailureOr<Value> result = buildElementwise(
        rewriter, loc, resultType, operands,
        [&](OpBuilder &b, Location bodyLoc, ValueRange args) -> Value {
          Value y = args[0];
          if (alpha != 1.0)
            y = arith::MulFOp::create(
                b, bodyLoc, y, createScalar(b, bodyLoc, element, alpha));
          if (args.size() > 1) {
            Value scaled = args[1];
            if (beta != 1.0)
              scaled = arith::MulFOp::create(
                  b, bodyLoc, scaled, createScalar(b, bodyLoc, element, beta));
            y = arith::AddFOp::create(b, bodyLoc, y, scaled);
          }
          return y;
        });
    if (failed(result))
      return refuse(op, "C does not broadcast to the result");
    return SmallVector<Value>{*result};
  }
};

} // namespace

void populateContractionPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulLowering, GemmLowering>(patterns.getContext());
}

} // namespace loom::linalg_lowering
