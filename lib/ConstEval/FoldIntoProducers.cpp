//===- FoldIntoProducers.cpp - move per-channel work onto frozen weights --===//
//
// BatchNormalization in inference form is a per-channel affine map
// y = k * x + (beta - k * mean), k = scale / sqrt(var + eps); so are Mul and
// Add by a per-channel or scalar value. After an op that is linear in its
// weight (Conv, ConvTranspose, Gemm, 2-D MatMul) the map moves into the
// weight and a bias. These patterns only rewrite: the new weight and bias
// are expressions on frozen values, which loom-fold-frozen then evaluates
// (one definition of every op's arithmetic: the CPU back end's).
//
// Channel axes: Conv's weight is (M, C/group, k...), output channel = axis
// 0. ConvTranspose's is (C, M/group, k...): output channel g*M/group + j
// scales W[i, j] for every input channel i of group g, so the scale goes on
// axis 1, per group. Gemm's output channel is B's column (row with
// transB); MatMul's (2-D only) is B's column.
//
//===----------------------------------------------------------------------===//

#include "loom/ConstEval/Passes.h"

#include "loom/Dialect/Loom/IR/LoomOps.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;
using namespace loom;

namespace {

/// Builds loom ops with static result types at one location.
struct Emitter {
  PatternRewriter &rewriter;
  Location loc;
  Type element;

  RankedTensorType tensor(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, element);
  }
  static ArrayRef<int64_t> shapeOf(Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  }
  RankedTensorType broadcast(Value a, Value b) {
    SmallVector<int64_t> shape;
    (void)OpTrait::util::getBroadcastedShape(shapeOf(a), shapeOf(b), shape);
    return tensor(shape);
  }
  Value scalar(double v) {
    auto type = tensor({});
    return ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(type, rewriter.getFloatAttr(element, v)));
  }
  Value add(Value a, Value b) {
    return AddOp::create(rewriter, loc, broadcast(a, b), a, b);
  }
  Value sub(Value a, Value b) {
    return SubOp::create(rewriter, loc, broadcast(a, b), a, b);
  }
  Value mul(Value a, Value b) {
    return MulOp::create(rewriter, loc, broadcast(a, b), a, b);
  }
  Value div(Value a, Value b) {
    return DivOp::create(rewriter, loc, broadcast(a, b), a, b);
  }
  Value sqrt(Value a) { return SqrtOp::create(rewriter, loc, a.getType(), a); }
  Value reshape(Value a, ArrayRef<int64_t> shape) {
    if (shapeOf(a) == shape)
      return a;
    auto shapeType =
        RankedTensorType::get({int64_t(shape.size())}, rewriter.getI64Type());
    Value target = ConstantOp::create(
        rewriter, loc, DenseIntElementsAttr::get(shapeType, shape));
    return ReshapeOp::create(rewriter, loc, tensor(shape), a, target);
  }
};

bool isStaticFloat(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.hasStaticShape() && isa<FloatType>(type.getElementType());
}

/// Whether `v` is a frozen per-channel value against an output of rank
/// `rank` with `channels` channels on axis 1: [channels], [1, channels, 1,
/// ...] right-aligned, or a single element.
bool isPerChannel(Value v, int64_t channels, int64_t rank) {
  if (!isStaticFloat(v) || !isFrozenValue(v))
    return false;
  ArrayRef<int64_t> shape = Emitter::shapeOf(v);
  if (int64_t(shape.size()) > rank)
    return false;
  int64_t offset = rank - int64_t(shape.size());
  for (auto [i, d] : llvm::enumerate(shape))
    if (d != 1 && !(offset + int64_t(i) == 1 && d == channels))
      return false;
  return true;
}

/// `v` (per channel, see isPerChannel) as a [channels] vector.
Value asChannelVector(Emitter &e, Value v, int64_t channels) {
  if (ShapedType::getNumElements(Emitter::shapeOf(v)) == channels)
    return e.reshape(v, {channels});
  auto ones = DenseElementsAttr::get(e.tensor({channels}),
                                     e.rewriter.getFloatAttr(e.element, 1.0));
  return e.mul(e.reshape(v, {1}), ConstantOp::create(e.rewriter, e.loc, ones));
}

/// Whether `weight` is a frozen weight or constant that only `op` reads: then
/// its scaled copy replaces it and the model does not grow. (A weight others
/// read too would stay beside its copy; the fold pass would then refuse
/// the fold and leave the rewritten, larger graph behind.)
bool readOnlyBy(Value weight, Operation *op) {
  // A constant in the function (an ONNX Constant node, as PaddlePaddle
  // exports every weight) is a frozen weight of its own.
  if (weight.getDefiningOp<ConstantOp>())
    return llvm::all_of(weight.getUsers(),
                        [&](Operation *user) { return user == op; });
  auto ref = weight.getDefiningOp<WeightRefOp>();
  if (!ref || !isFrozenValue(weight))
    return false;
  auto module = op->getParentOfType<ModuleOp>();
  Operation *symbol =
      SymbolTable::lookupNearestSymbolFrom(op, ref.getNameAttr());
  if (!module || !symbol)
    return false;
  std::optional<SymbolTable::UseRange> uses =
      SymbolTable::getSymbolUses(symbol, module);
  return uses && llvm::all_of(*uses, [&](const SymbolTable::SymbolUse &use) {
           return llvm::all_of(use.getUser()->getUsers(),
                               [&](Operation *user) { return user == op; });
         });
}

/// The producer's output channels, their axis in its result, and the new
/// producer with weight `W * k` (k on the channel axis) and bias
/// `bias * k + shift` (bias may be absent; shift is [channels]).
struct Producer {
  Operation *op = nullptr;
  int64_t channels = 0;
  int64_t axis = 1;

  /// With `scalesWeight`, the producer's weight must be a frozen weight
  /// only it reads (it will be replaced by a scaled copy); otherwise the
  /// weight stays as it is and only the bias must be frozen.
  static std::optional<Producer> match(Value x, bool scalesWeight) {
    auto weightOk = [&](Value w, Operation *op) {
      return isStaticFloat(w) && (!scalesWeight || readOnlyBy(w, op));
    };
    Operation *op = x.getDefiningOp();
    // Any batch and spatial size, even an unranked result (TorchScript):
    // the channels come from the weight, the channel axis is 1.
    auto out = dyn_cast<TensorType>(x.getType());
    if (!op || !x.hasOneUse() || !out || !isa<FloatType>(out.getElementType()))
      return std::nullopt;
    auto ranked = dyn_cast<RankedTensorType>(out);
    Producer p;
    p.op = op;
    if (auto conv = dyn_cast<ConvOp>(op)) {
      if (!weightOk(conv.getW(), op) ||
          (conv.getB() && !isFrozenValue(conv.getB())))
        return std::nullopt;
      p.channels = Emitter::shapeOf(conv.getW())[0];
    } else if (auto conv = dyn_cast<ConvTransposeOp>(op)) {
      // The per-group view of W needs whole groups (the verifier cannot
      // check that while X's type is unknown).
      if (!weightOk(conv.getW(), op) ||
          (conv.getB() && !isFrozenValue(conv.getB())) || conv.getGroup() < 1 ||
          Emitter::shapeOf(conv.getW()).size() < 3 ||
          Emitter::shapeOf(conv.getW())[0] % conv.getGroup() != 0)
        return std::nullopt;
      p.channels = Emitter::shapeOf(conv.getW())[1] * conv.getGroup();
    } else if (auto gemm = dyn_cast<GemmOp>(op)) {
      if (!weightOk(gemm.getB(), op) ||
          (gemm.getC() && !isFrozenValue(gemm.getC())))
        return std::nullopt;
      p.channels = Emitter::shapeOf(gemm.getB())[gemm.getTransB() ? 0 : 1];
    } else if (auto matmul = dyn_cast<MatMulOp>(op)) {
      // Channels are the last axis: they are axis 1 only for 2-D results.
      if (!ranked || ranked.getRank() != 2 || !weightOk(matmul.getB(), op) ||
          Emitter::shapeOf(matmul.getB()).size() != 2)
        return std::nullopt;
      p.channels = Emitter::shapeOf(matmul.getB())[1];
    } else {
      return std::nullopt;
    }
    if (ranked &&
        (ranked.getRank() < 2 ||
         (!ranked.isDynamicDim(1) && ranked.getDimSize(1) != p.channels)))
      return std::nullopt;
    return p;
  }

  /// Makes the producer compute `k * y + shift` per channel and returns
  /// the value that does (the producer's result, or an Add after MatMul).
  /// A null `k` is 1, a null `shift` is 0. The insertion point must be just
  /// before the consumer.
  Value rebuild(Emitter &e, Value k, Value shift) {
    PatternRewriter &rewriter = e.rewriter;
    if (auto conv = dyn_cast<ConvOp>(op)) {
      ArrayRef<int64_t> w = Emitter::shapeOf(conv.getW());
      SmallVector<int64_t> kShape(w.size(), 1);
      kShape[0] = channels;
      Value weight = k ? e.mul(conv.getW(), e.reshape(k, kShape)) : Value();
      Value bias = this->bias(e, conv.getB(), k, shift);
      moveHere(rewriter);
      update(rewriter, conv.getWMutable(), weight);
      update(rewriter, conv.getBMutable(), bias);
      return conv.getResult();
    }
    if (auto conv = dyn_cast<ConvTransposeOp>(op)) {
      ArrayRef<int64_t> w = Emitter::shapeOf(conv.getW());
      int64_t groups = conv.getGroup(), perGroup = channels / groups;
      // W as (G, C/G, M/G, k...) times k as (G, 1, M/G, 1...).
      SmallVector<int64_t> grouped{groups, w[0] / groups};
      grouped.append(w.begin() + 1, w.end());
      SmallVector<int64_t> kShape(grouped.size(), 1);
      kShape[0] = groups;
      kShape[2] = perGroup;
      Value weight = k ? e.reshape(e.mul(e.reshape(conv.getW(), grouped),
                                         e.reshape(k, kShape)),
                                   w)
                       : Value();
      Value bias = this->bias(e, conv.getB(), k, shift);
      moveHere(rewriter);
      update(rewriter, conv.getWMutable(), weight);
      update(rewriter, conv.getBMutable(), bias);
      return conv.getResult();
    }
    if (auto gemm = dyn_cast<GemmOp>(op)) {
      Value weight;
      if (k)
        weight = e.mul(gemm.getB(),
                       gemm.getTransB() ? e.reshape(k, {channels, 1}) : k);
      Value c = gemm.getC();
      if (c && gemm.getBeta().convertToDouble() != 1.0)
        c = e.mul(c, e.scalar(gemm.getBeta().convertToDouble()));
      Value bias = this->bias(e, c, k, shift);
      moveHere(rewriter);
      update(rewriter, gemm.getBMutable(), weight);
      update(rewriter, gemm.getCMutable(), bias);
      rewriter.modifyOpInPlace(
          gemm, [&] { gemm.setBetaAttr(rewriter.getF32FloatAttr(1.0f)); });
      return gemm.getResult();
    }
    auto matmul = cast<MatMulOp>(op);
    Value weight = k ? e.mul(matmul.getB(), k) : Value();
    moveHere(rewriter);
    update(rewriter, matmul.getBMutable(), weight);
    if (!shift)
      return matmul.getResult();
    rewriter.setInsertionPointAfter(matmul);
    return e.add(matmul.getResult(), shift);
  }

  /// Moves the producer to the insertion point: after the new weight
  /// expressions, which the caller builds just before the consumer (the
  /// values they read may be defined between producer and consumer).
  void moveHere(PatternRewriter &rewriter) {
    rewriter.moveOpBefore(op, rewriter.getInsertionBlock(),
                          rewriter.getInsertionPoint());
  }

  /// The new bias: b * k + shift, each part optional.
  static Value bias(Emitter &e, Value b, Value k, Value shift) {
    if (b && k)
      b = e.mul(b, k);
    if (b && shift)
      return e.add(b, shift);
    return b ? b : shift;
  }

  /// Sets (or adds) an operand; a null value leaves it as it is.
  static void update(PatternRewriter &rewriter, OpOperand &operand,
                     Value value) {
    if (value)
      rewriter.modifyOpInPlace(operand.getOwner(), [&] { operand.set(value); });
  }
  static void update(PatternRewriter &rewriter, MutableOperandRange range,
                     Value value) {
    if (!value)
      return;
    rewriter.modifyOpInPlace(range.getOwner(), [&] {
      if (range.empty())
        range.append(value);
      else
        range.assign(value);
    });
  }
};

/// BatchNormalization(producer(x)) -> producer'(x).
struct FoldBatchNorm : OpRewritePattern<BatchNormalizationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormalizationOp bn,
                                PatternRewriter &rewriter) const override {
    std::optional<Producer> producer = Producer::match(bn.getX(), true);
    if (!producer)
      return failure();
    Value stats[] = {bn.getScale(), bn.getB(), bn.getInputMean(),
                     bn.getInputVar()};
    for (Value v : stats)
      if (!isStaticFloat(v) || !isFrozenValue(v) ||
          Emitter::shapeOf(v) != ArrayRef<int64_t>{producer->channels})
        return failure();
    Type element = cast<TensorType>(bn.getType()).getElementType();
    Emitter e{rewriter, bn.getLoc(), element};
    rewriter.setInsertionPoint(bn);
    Value k = e.div(bn.getScale(),
                    e.sqrt(e.add(bn.getInputVar(),
                                 e.scalar(bn.getEpsilon().convertToDouble()))));
    Value shift = e.sub(bn.getB(), e.mul(bn.getInputMean(), k));
    Value result = producer->rebuild(e, k, shift);
    rewriter.replaceOp(bn, result);
    return success();
  }
};

/// Mul (`Scale`) or Add by `c`, per channel or scalar, after a producer:
/// Mul(producer(x), c) scales its weight and bias, Add(producer(x), c) goes
/// into its bias (not after MatMul, which has no bias to take it).
template <typename OpTy, bool Scale>
struct FoldByChannel : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    for (auto [x, c] :
         {std::pair(op.getA(), op.getB()), std::pair(op.getB(), op.getA())}) {
      std::optional<Producer> producer = Producer::match(x, Scale);
      auto type = dyn_cast<RankedTensorType>(x.getType());
      if (!producer || !type || op.getType() != type ||
          (!Scale && isa<MatMulOp>(producer->op)) ||
          !isPerChannel(c, producer->channels, type.getRank()))
        continue;
      Emitter e{rewriter, op.getLoc(), type.getElementType()};
      rewriter.setInsertionPoint(op);
      Value v = asChannelVector(e, c, producer->channels);
      rewriter.replaceOp(op, Scale ? producer->rebuild(e, v, Value())
                                   : producer->rebuild(e, Value(), v));
      return success();
    }
    return failure();
  }
};

} // namespace

void loom::populateFoldIntoProducerPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldBatchNorm, FoldByChannel<MulOp, /*Scale=*/true>,
               FoldByChannel<AddOp, /*Scale=*/false>>(patterns.getContext());
}
