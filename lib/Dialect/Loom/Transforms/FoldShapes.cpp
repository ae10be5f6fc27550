//===- FoldShapes.cpp - evaluate small integer shape computations ---------===//
//
// Patterns that replace a shape-computing op whose operands are all small
// integer constants by the constant it computes, so that Reshape, Expand,
// Slice and friends downstream get constant shape operands. Gather and
// Slice also fold when they pick only static dimensions out of the shape of
// a tensor whose other dimensions are dynamic. Values are read
// with getConstantInts and computed in int64 with ONNX's semantics.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/ShapeInference.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include <numeric>

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

/// One element of a shape tensor: a known value, dimension `dim` of
/// `tensor` (read by `loom.shape`), or unknown (value kDynamic, no tensor).
struct ShapeElement {
  int64_t value = ShapedType::kDynamic;
  Value tensor;
  int64_t dim = -1;
};

/// The elements a `loom.shape` yields (its `start`..`end` dimensions):
/// static sizes, and for a dynamic one the tensor and dimension it reads.
std::optional<SmallVector<ShapeElement>> getShapeOpElements(ShapeOp shape) {
  auto type = dyn_cast<RankedTensorType>(shape.getData().getType());
  if (!type)
    return std::nullopt;
  int64_t rank = type.getRank();
  auto clampIndex = [&](int64_t index) {
    return std::clamp<int64_t>(index < 0 ? index + rank : index, 0, rank);
  };
  int64_t start = clampIndex(shape.getStart());
  int64_t end = shape.getEnd() ? clampIndex(*shape.getEnd()) : rank;
  SmallVector<ShapeElement> elements;
  for (int64_t d = start; d < end; ++d) {
    ShapeElement element;
    element.value = type.getDimSize(d);
    if (ShapedType::isDynamic(element.value)) {
      element.tensor = shape.getData();
      element.dim = d;
    }
    elements.push_back(element);
  }
  return elements;
}

/// The dimensions a `loom.shape` yields, ShapedType::kDynamic for those
/// known only at run time (a dynamic batch), or nullopt.
std::optional<SmallVector<int64_t>> partialShape(Value value) {
  auto shape = value.getDefiningOp<ShapeOp>();
  std::optional<SmallVector<ShapeElement>> elements =
      shape ? getShapeOpElements(shape) : std::nullopt;
  if (!elements)
    return std::nullopt;
  return llvm::to_vector(llvm::map_range(
      *elements, [](const ShapeElement &element) { return element.value; }));
}

/// Every operand's constant values (in int64), or nullopt. With
/// `allowPartial`, operand 0 may also be a `loom.shape` of a tensor with
/// dynamic dimensions (ShapedType::kDynamic stands for each).
std::optional<SmallVector<SmallVector<int64_t>>>
constantOperands(Operation *op, bool allowPartial) {
  SmallVector<SmallVector<int64_t>> values;
  for (auto [index, operand] : llvm::enumerate(op->getOperands())) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type || !type.hasStaticShape() || type.getNumElements() > kMaxElements)
      return std::nullopt;
    std::optional<SmallVector<int64_t>> ints = getConstantInts(operand);
    if (!ints && allowPartial && index == 0)
      ints = partialShape(operand);
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
      int64_t r = 0;
      if (isa<AddOp>(op)   ? __builtin_add_overflow(a, b, &r)
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
    // Gather and Slice may pick the static dimensions out of the shape of
    // a tensor whose others are dynamic (BERT's sequence length next to a
    // dynamic batch).
    bool picks = isa<GatherOp, SliceOp>(op);
    std::optional<SmallVector<SmallVector<int64_t>>> in =
        constantOperands(op, picks);
    if (!in)
      return failure();
    // Shape operands of Reshape/Squeeze/Unsqueeze are constants too; the
    // data is operand 0.
    std::optional<SmallVector<int64_t>> out = evaluate(op, type, *in);
    if (!out || static_cast<int64_t>(out->size()) != type.getNumElements() ||
        llvm::any_of(*out, ShapedType::isDynamic))
      return failure();
    unsigned width = type.getElementType().getIntOrFloatBitWidth();
    SmallVector<APInt> values;
    for (int64_t v : *out)
      values.push_back(
          APInt(width, v, /*isSigned=*/true, /*implicitTrunc=*/true));
    rewriter.replaceOpWithNewOp<ConstantOp>(
        op, DenseIntElementsAttr::get(type, values));
    return success();
  }
};

/// The elements of a small 1-D integer tensor, followed through Concat and
/// through Gather/Slice/Squeeze/Unsqueeze/Cast/Identity of `loom.shape`; an
/// element computed otherwise is unknown. nullopt if the length is unknown.
std::optional<SmallVector<ShapeElement>> getShapeElements(Value value,
                                                          unsigned depth = 0) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape() || type.getRank() > 1 ||
      type.getNumElements() > kMaxElements || depth > 8)
    return std::nullopt;
  SmallVector<ShapeElement> elements(type.getNumElements());
  if (std::optional<SmallVector<int64_t>> ints = getConstantInts(value)) {
    for (auto [element, v] : llvm::zip(elements, *ints))
      element.value = v;
    return elements;
  }
  Operation *op = value.getDefiningOp();
  if (!op)
    return elements;
  if (auto shape = dyn_cast<ShapeOp>(op)) {
    std::optional<SmallVector<ShapeElement>> dims = getShapeOpElements(shape);
    if (!dims)
      return elements;
    if (dims->size() != elements.size())
      return std::nullopt;
    return dims;
  }
  if (isa<ConcatOp>(op)) {
    SmallVector<ShapeElement> joined;
    for (Value piece : op->getOperands()) {
      std::optional<SmallVector<ShapeElement>> part =
          getShapeElements(piece, depth + 1);
      if (!part)
        return elements;
      joined.append(part->begin(), part->end());
    }
    if (joined.size() == elements.size())
      return joined;
    return elements;
  }
  if (isa<SqueezeOp, UnsqueezeOp, CastOp, IdentityOp>(op)) {
    std::optional<SmallVector<ShapeElement>> source =
        getShapeElements(op->getOperand(0), depth + 1);
    if (source && source->size() == elements.size())
      return source;
    return elements;
  }
  if (isa<GatherOp, SliceOp>(op)) {
    std::optional<SmallVector<ShapeElement>> source =
        getShapeElements(op->getOperand(0), depth + 1);
    if (!source)
      return elements;
    // Pick by position: evaluate the op on the positions 0, 1, ...
    SmallVector<SmallVector<int64_t>> in;
    SmallVector<int64_t> positions(source->size());
    std::iota(positions.begin(), positions.end(), 0);
    in.push_back(positions);
    for (Value operand : op->getOperands().drop_front()) {
      std::optional<SmallVector<int64_t>> ints = getConstantInts(operand);
      if (!ints)
        return elements;
      in.push_back(*ints);
    }
    std::optional<SmallVector<int64_t>> picked = evaluate(op, type, in);
    if (!picked || picked->size() != elements.size())
      return elements;
    for (auto [element, position] : llvm::zip(elements, *picked))
      element = (*source)[position];
    return elements;
  }
  return elements;
}

/// A Reshape whose target shape is known but for elements computed at run
/// time gets a constant target: an element that is the input's own
/// dimension at the same place becomes 0 (ONNX's "copy"), and one other
/// unknown element becomes -1 (computed from the element count, which a
/// valid reshape keeps). Then shape inference knows every other dimension
/// (BERT's heads next to a dynamic batch, PaddleOCR's sequences). Not when
/// `allowzero` is set with copies, when a known element is -1 or 0 already
/// next to an unknown one, or when more than one element stays unknown.
struct InferReshapeDimension : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    Value shape = op.getShape();
    auto shapeType = dyn_cast<RankedTensorType>(shape.getType());
    if (!shapeType || shapeType.getRank() != 1 || getConstantInts(shape))
      return failure();
    std::optional<SmallVector<ShapeElement>> elements = getShapeElements(shape);
    if (!elements)
      return failure();
    SmallVector<int64_t> target;
    int64_t unknown = 0;
    bool copies = false, knownSpecial = false;
    for (auto [i, element] : llvm::enumerate(*elements)) {
      if (!ShapedType::isDynamic(element.value)) {
        knownSpecial |= element.value <= 0;
        target.push_back(element.value);
      } else if (element.tensor == op.getData() &&
                 element.dim == static_cast<int64_t>(i) && !op.getAllowzero()) {
        copies = true;
        target.push_back(0);
      } else {
        ++unknown;
        target.push_back(-1);
      }
    }
    if (unknown > 1 || (unknown == 1 && knownSpecial) || (!copies && !unknown))
      return failure();
    SmallVector<APInt> values;
    unsigned width = shapeType.getElementType().getIntOrFloatBitWidth();
    for (int64_t size : target)
      values.push_back(APInt(width, size, /*isSigned=*/true,
                             /*implicitTrunc=*/true));
    Value constant = ConstantOp::create(
        rewriter, shape.getLoc(), DenseIntElementsAttr::get(shapeType, values));
    rewriter.modifyOpInPlace(op,
                             [&] { op.getShapeMutable().assign(constant); });
    return success();
  }
};

struct FoldShapesPass : loom::impl::LoomFoldShapesBase<FoldShapesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // The greedy driver also applies the ops' own folders (Shape of a
    // static tensor becomes a constant).
    patterns.add<FoldShapeComputation, InferReshapeDimension>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

LogicalResult
loom::settleShapes(ModuleOp module,
                   llvm::function_ref<LogicalResult(OpPassManager &)> run,
                   unsigned maxRounds) {
  // Progress: fewer dynamic dimensions, or shape computations folded away
  // (a round may only fold, which the next round's inference uses).
  auto progress = [&] {
    int64_t dynamicDims = 0, shapeOps = 0;
    module.walk([&](Operation *op) {
      shapeOps += isa<ShapeOp, GatherOp, SliceOp, ConcatOp, UnsqueezeOp>(op);
      for (Type type : op->getResultTypes())
        if (auto shaped = dyn_cast<ShapedType>(type))
          dynamicDims += shaped.hasRank() ? shaped.getNumDynamicDims() : 1;
    });
    return std::make_pair(dynamicDims, shapeOps);
  };
  OpPassManager settle(ModuleOp::getOperationName());
  settle.addPass(createLoomFoldShapes());
  LoomInferShapesOptions infer;
  infer.reportUnknown = false;
  settle.addPass(createLoomInferShapes(infer));
  auto before = progress();
  for (unsigned round = 0; round < maxRounds && before.first > 0; ++round) {
    if (failed(run(settle)))
      return failure();
    auto after = progress();
    if (after == before)
      break;
    before = after;
  }
  return success();
}
