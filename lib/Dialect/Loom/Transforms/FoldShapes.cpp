//===- FoldShapes.cpp - evaluate small integer shape computations ---------===//
//
// Patterns that replace a shape-computing op whose operands are all small
// integer constants by the constant it computes, so that Reshape, Expand,
// Slice and friends downstream get constant shape operands. Values are read
// with getConstantInts and computed in int64 with ONNX's semantics.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/ShapeInference.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace loom {
#define GEN_PASS_DEF_LOOMFOLDSHAPES
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {

constexpr int64_t kMaxElements = 64;

/// The static integer result type of `op`'s only result, or null.
RankedTensorType smallIntegerResult(Operation *op) {
  if (op->getNumResults() != 1)
    return nullptr;
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || !type.hasStaticShape() || type.getNumElements() > kMaxElements ||
      !type.getElementType().isSignlessInteger() ||
      type.getElementType().getIntOrFloatBitWidth() < 8)
    return nullptr;
  return type;
}

/// Every operand's constant values (in int64), or nullopt.
std::optional<SmallVector<SmallVector<int64_t>>> constantOperands(Operation *op) {
  SmallVector<SmallVector<int64_t>> values;
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type || !type.hasStaticShape() || type.getNumElements() > kMaxElements)
      return std::nullopt;
    std::optional<SmallVector<int64_t>> ints = getConstantInts(operand);
    if (!ints)
      return std::nullopt;
    values.push_back(std::move(*ints));
  }
  return values;
}

/// Computes `op`'s result elements (row-major) from its operands' values.
std::optional<SmallVector<int64_t>>
evaluate(Operation *op, RankedTensorType type,
         ArrayRef<SmallVector<int64_t>> in) {
  auto shapeOf = [&](unsigned i) {
    return cast<RankedTensorType>(op->getOperand(i).getType()).getShape();
  };
  // Same elements, another shape (or type width within int64).
  if (isa<CastOp, SqueezeOp, UnsqueezeOp, ReshapeOp, IdentityOp, FlattenOp>(op))
    return in[0];
  if (auto concat = dyn_cast<ConcatOp>(op)) {
    if (type.getRank() != 1)
      return std::nullopt;
    SmallVector<int64_t> out;
    for (const SmallVector<int64_t> &values : in)
      out.append(values.begin(), values.end());
    return out;
  }
  if (auto gather = dyn_cast<GatherOp>(op)) {
    ArrayRef<int64_t> data = shapeOf(0);
    if (data.size() != 1 || gather.getAxis() != 0)
      return std::nullopt;
    SmallVector<int64_t> out;
    for (int64_t index : in[1]) {
      if (index < 0)
        index += data[0];
      if (index < 0 || index >= data[0])
        return std::nullopt;
      out.push_back(in[0][index]);
    }
    return out;
  }
  if (auto slice = dyn_cast<SliceOp>(op)) {
    ArrayRef<int64_t> data = shapeOf(0);
    if (data.size() != 1)
      return std::nullopt;
    int64_t dim = data[0];
    int64_t start = in[1][0], end = in[2][0];
    int64_t step = slice.getSteps() ? in[slice.getAxes() ? 4 : 3][0] : 1;
    if (in[1].size() != 1 || step == 0)
      return std::nullopt;
    if (start < 0)
      start += dim;
    if (end < 0)
      end += dim;
    SmallVector<int64_t> out;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      for (int64_t i = start; i < end; i += step)
        out.push_back(in[0][i]);
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      for (int64_t i = start; i > end; i += step)
        out.push_back(in[0][i]);
    }
    return out;
  }
  if (isa<AddOp, SubOp, MulOp, DivOp>(op)) {
    // Broadcast of a scalar or equal lengths only.
    size_t n = std::max(in[0].size(), in[1].size());
    if ((in[0].size() != n && in[0].size() != 1) ||
        (in[1].size() != n && in[1].size() != 1))
      return std::nullopt;
    SmallVector<int64_t> out;
    for (size_t i = 0; i < n; ++i) {
      int64_t a = in[0][in[0].size() == 1 ? 0 : i];
      int64_t b = in[1][in[1].size() == 1 ? 0 : i];
      int64_t r;
      if (isa<AddOp>(op) ? __builtin_add_overflow(a, b, &r)
          : isa<SubOp>(op) ? __builtin_sub_overflow(a, b, &r)
          : isa<MulOp>(op) ? __builtin_mul_overflow(a, b, &r)
                           : (b == 0 || (a == INT64_MIN && b == -1)))
        return std::nullopt;
      if (isa<DivOp>(op))
        r = a / b;
      out.push_back(r);
    }
    return out;
  }
  return std::nullopt;
}

struct FoldShapeComputation : RewritePattern {
  FoldShapeComputation(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}
  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa<CastOp, SqueezeOp, UnsqueezeOp, ReshapeOp, IdentityOp, FlattenOp,
             ConcatOp, GatherOp, SliceOp, AddOp, SubOp, MulOp, DivOp>(op))
      return failure();
    RankedTensorType type = smallIntegerResult(op);
    if (!type)
      return failure();
    std::optional<SmallVector<SmallVector<int64_t>>> in = constantOperands(op);
    if (!in)
      return failure();
    // Shape operands of Reshape/Squeeze/Unsqueeze are constants too; the
    // data is operand 0.
    std::optional<SmallVector<int64_t>> out = evaluate(op, type, *in);
    if (!out || static_cast<int64_t>(out->size()) != type.getNumElements())
      return failure();
    unsigned width = type.getElementType().getIntOrFloatBitWidth();
    SmallVector<APInt> values;
    for (int64_t v : *out)
      values.push_back(APInt(width, v, /*isSigned=*/true, /*implicitTrunc=*/true));
    rewriter.replaceOpWithNewOp<ConstantOp>(
        op, DenseIntElementsAttr::get(type, values));
    return success();
  }
};

struct FoldShapesPass : loom::impl::LoomFoldShapesBase<FoldShapesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // The greedy driver also applies the ops' own folders (Shape of a
    // static tensor becomes a constant).
    patterns.add<FoldShapeComputation>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

LogicalResult
loom::settleShapes(ModuleOp module,
                   llvm::function_ref<LogicalResult(OpPassManager &)> run,
                   unsigned maxRounds) {
  auto dynamicResults = [&] {
    int64_t count = 0;
    module.walk([&](Operation *op) {
      for (Type type : op->getResultTypes())
        if (auto shaped = dyn_cast<ShapedType>(type))
          count += !shaped.hasStaticShape();
    });
    return count;
  };
  OpPassManager settle(ModuleOp::getOperationName());
  settle.addPass(createLoomFoldShapes());
  LoomInferShapesOptions infer;
  infer.reportUnknown = false;
  settle.addPass(createLoomInferShapes(infer));
  int64_t before = dynamicResults();
  for (unsigned round = 0; round < maxRounds && before > 0; ++round) {
    if (failed(run(settle)))
      return failure();
    int64_t after = dynamicResults();
    if (after == before)
      break;
    before = after;
  }
  return success();
}
