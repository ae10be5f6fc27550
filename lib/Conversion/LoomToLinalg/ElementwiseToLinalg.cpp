//===- ElementwiseToLinalg.cpp - elementwise Loom ops to linalg.generic ---===//
//
// Unary, binary, comparison and selection ops: one `linalg.generic` each,
// reading its operands with numpy broadcasting; the scalar bodies carry
// ONNX's semantics (integer division truncates, Min/Max-style clamps
// propagate NaN, Gelu's erf and tanh forms, Cast's conversions).
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "LoweringUtils.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/ShapeInference.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

namespace loom::linalg_lowering {
namespace {

bool isFloat(Type type) { return isa<FloatType>(type); }

/// Unsigned integer tensors would need signless arithmetic on reinterpreted
/// bits; refused until a model needs them.
LogicalResult requireSignless(Operation *op) {
  for (Type type : op->getOperandTypes())
    if (auto shaped = dyn_cast<ShapedType>(type))
      if (shaped.getElementType().isUnsignedInteger())
        return refuse(op, "arithmetic on unsigned integer tensors");
  return success();
}

/// Lowers op's single result as an elementwise generic whose body `build`
/// returns (null: refuse with `reason`).
template <typename OpTy>
struct ElementwiseLowering : LoweringPattern<OpTy> {
  using LoweringPattern<OpTy>::LoweringPattern;
  using Adaptor = typename OpTy::Adaptor;

  virtual Value scalar(OpTy op, OpBuilder &b, Location loc, ValueRange args,
                       Type resultElement) const = 0;
  virtual ValueRange operandsOf(OpTy op, Adaptor adaptor) const {
    return adaptor.getOperands();
  }

  FailureOr<SmallVector<Value>>
  lower(OpTy op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)) || failed(requireSignless(op)))
      return failure();
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    bool refused = false;
    FailureOr<Value> result = buildElementwise(
        rewriter, op.getLoc(), resultType, operandsOf(op, adaptor),
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Value value = scalar(op, b, loc, args, resultType.getElementType());
          if (!value) {
            refused = true;
            return args.front();
          }
          return value;
        });
    if (refused)
      return refuse(op, "element type not supported");
    if (failed(result))
      return refuse(op, "operand shapes do not broadcast to the result, or a "
                        "dynamic result size has no operand to read it from");
    return SmallVector<Value>{*result};
  }
};

template <typename OpTy, typename FloatOp, typename IntOp>
struct BinaryArith : ElementwiseLowering<OpTy> {
  using ElementwiseLowering<OpTy>::ElementwiseLowering;
  Value scalar(OpTy, OpBuilder &b, Location loc, ValueRange args,
               Type type) const override {
    if (isFloat(type))
      return FloatOp::create(b, loc, args[0], args[1]);
    return IntOp::create(b, loc, args[0], args[1]);
  }
};

struct PowLowering : ElementwiseLowering<PowOp> {
  using ElementwiseLowering::ElementwiseLowering;
  Value scalar(PowOp, OpBuilder &b, Location loc, ValueRange args,
               Type type) const override {
    if (!isFloat(type))
      return {};
    // An integer exponent (ONNX allows one) is converted to the base's type.
    Value y = convertScalar(b, loc, args[1], type);
    return math::PowFOp::create(b, loc, args[0], y);
  }
};

#define LOOM_UNARY(NAME, OP, BODY)                                             \
  struct NAME : ElementwiseLowering<OP> {                                      \
    using ElementwiseLowering::ElementwiseLowering;                            \
    Value scalar(OP op, OpBuilder &b, Location loc, ValueRange args,           \
                 Type type) const override {                                   \
      (void)op;                                                                \
      Value x = args[0];                                                       \
      BODY                                                                     \
    }                                                                          \
  };

LOOM_UNARY(ReluLowering, ReluOp, {
  Value zero = createScalar(b, loc, type, 0);
  if (isFloat(type))
    return arith::MaximumFOp::create(b, loc, x, zero);
  return arith::MaxSIOp::create(b, loc, x, zero);
})
LOOM_UNARY(LeakyReluLowering, LeakyReluOp, {
  Value zero = createScalar(b, loc, type, 0);
  Value alpha = createScalar(b, loc, type, op.getAlpha().convertToDouble());
  Value negative =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
  Value scaled = arith::MulFOp::create(b, loc, x, alpha);
  return arith::SelectOp::create(b, loc, negative, scaled, x);
})
LOOM_UNARY(SigmoidLowering, SigmoidOp, {
  // 1 / (1 + exp(-x)): exp(-x) overflows to inf for very negative x and
  // the quotient is 0, as it should be.
  Value one = createScalar(b, loc, type, 1);
  Value negated = arith::NegFOp::create(b, loc, x);
  Value exp = math::ExpOp::create(b, loc, negated);
  Value denominator = arith::AddFOp::create(b, loc, one, exp);
  return arith::DivFOp::create(b, loc, one, denominator);
})
LOOM_UNARY(GeluLowering, GeluOp, {
  Value half = createScalar(b, loc, type, 0.5);
  Value one = createScalar(b, loc, type, 1);
  Value inner;
  if (op.getApproximate() == GeluApproximation::Tanh) {
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    Value c = createScalar(b, loc, type, 0.7978845608028654);
    Value k = createScalar(b, loc, type, 0.044715);
    Value x3 = arith::MulFOp::create(
        b, loc, arith::MulFOp::create(b, loc, x, x), x);
    Value sum = arith::AddFOp::create(b, loc, x,
                                      arith::MulFOp::create(b, loc, k, x3));
    inner = math::TanhOp::create(b, loc, arith::MulFOp::create(b, loc, c, sum));
  } else {
    // 0.5 x (1 + erf(x / sqrt(2)))
    Value rsqrt2 = createScalar(b, loc, type, 0.7071067811865476);
    inner = math::ErfOp::create(b, loc, arith::MulFOp::create(b, loc, x, rsqrt2));
  }
  Value onePlus = arith::AddFOp::create(b, loc, one, inner);
  return arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, half, x),
                               onePlus);
})
LOOM_UNARY(HardSigmoidLowering, HardSigmoidOp, {
  Value alpha = createScalar(b, loc, type, op.getAlpha().convertToDouble());
  Value beta = createScalar(b, loc, type, op.getBeta().convertToDouble());
  Value y = arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, x, alpha),
                                  beta);
  y = arith::MaximumFOp::create(b, loc, y, createScalar(b, loc, type, 0));
  return arith::MinimumFOp::create(b, loc, y, createScalar(b, loc, type, 1));
})
LOOM_UNARY(HardSwishLowering, HardSwishOp, {
  Value sixth = createScalar(b, loc, type, 1.0 / 6.0);
  Value half = createScalar(b, loc, type, 0.5);
  Value y = arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, x, sixth),
                                  half);
  y = arith::MaximumFOp::create(b, loc, y, createScalar(b, loc, type, 0));
  y = arith::MinimumFOp::create(b, loc, y, createScalar(b, loc, type, 1));
  return arith::MulFOp::create(b, loc, x, y);
})
LOOM_UNARY(TanhLowering, TanhOp, { return math::TanhOp::create(b, loc, x); })
LOOM_UNARY(ErfLowering, ErfOp, {
  if (!isFloat(type))
    return {};
  return math::ErfOp::create(b, loc, x);
})
LOOM_UNARY(ExpLowering, ExpOp, { return math::ExpOp::create(b, loc, x); })
LOOM_UNARY(LogLowering, LogOp, { return math::LogOp::create(b, loc, x); })
LOOM_UNARY(SqrtLowering, SqrtOp, { return math::SqrtOp::create(b, loc, x); })
LOOM_UNARY(NegLowering, NegOp, {
  if (isFloat(type))
    return arith::NegFOp::create(b, loc, x);
  return arith::SubIOp::create(b, loc, createScalar(b, loc, type, 0), x);
})
LOOM_UNARY(AbsLowering, AbsOp, {
  if (isFloat(type))
    return math::AbsFOp::create(b, loc, x);
  return math::AbsIOp::create(b, loc, x);
})
LOOM_UNARY(CastLowering, CastOp, {
  (void)type;
  Type to = cast<ShapedType>(op.getType()).getElementType();
  Type from = x.getType();
  auto isFloat8 = [](Type t) {
    return isa<FloatType>(t) && t.getIntOrFloatBitWidth() < 16;
  };
  if (!from.isIntOrFloat() || !to.isIntOrFloat() || isFloat8(from) ||
      isFloat8(to))
    return {};
  return convertScalar(b, loc, x, to);
})
#undef LOOM_UNARY

template <typename OpTy, arith::CmpFPredicate F, arith::CmpIPredicate I>
struct CompareLowering : ElementwiseLowering<OpTy> {
  using ElementwiseLowering<OpTy>::ElementwiseLowering;
  Value scalar(OpTy, OpBuilder &b, Location loc, ValueRange args,
               Type) const override {
    if (isFloat(args[0].getType()))
      return arith::CmpFOp::create(b, loc, F, args[0], args[1]);
    return arith::CmpIOp::create(b, loc, I, args[0], args[1]);
  }
};

struct WhereLowering : ElementwiseLowering<WhereOp> {
  using ElementwiseLowering::ElementwiseLowering;
  Value scalar(WhereOp, OpBuilder &b, Location loc, ValueRange args,
               Type) const override {
    return arith::SelectOp::create(b, loc, args[0], args[1], args[2]);
  }
};

/// Clip: max(min_value, min(x, max_value)) with absent bounds left out; NaN
/// in x stays NaN (ONNX Runtime's std::clamp keeps it too).
struct ClipLowering : ElementwiseLowering<ClipOp> {
  using ElementwiseLowering::ElementwiseLowering;
  Value scalar(ClipOp op, OpBuilder &b, Location loc, ValueRange args,
               Type type) const override {
    Value x = args[0];
    unsigned next = 1;
    Value lower = op.getMin() ? args[next++] : Value();
    Value upper = op.getMax() ? args[next++] : Value();
    if (isFloat(type)) {
      if (lower)
        x = arith::SelectOp::create(
            b, loc,
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, lower),
            lower, x);
      if (upper)
        x = arith::SelectOp::create(
            b, loc,
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, upper),
            upper, x);
      return x;
    }
    if (lower)
      x = arith::MaxSIOp::create(b, loc, x, lower);
    if (upper)
      x = arith::MinSIOp::create(b, loc, x, upper);
    return x;
  }
};

/// Operators that pass their input through at inference: Identity, and
/// Dropout outside training (its mask, when used, is all true).
struct IdentityLowering : LoweringPattern<IdentityOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(IdentityOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    return SmallVector<Value>{
        castTo(rewriter, op.getLoc(), adaptor.getX(), op.getType())};
  }
};

struct DropoutLowering : LoweringPattern<DropoutOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(DropoutOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    if (Value training = op.getTrainingMode()) {
      std::optional<SmallVector<int64_t>> mode = getConstantInts(training);
      if (!mode || mode->size() != 1 || (*mode)[0] != 0)
        return refuse(op, "training_mode is not a constant false");
    }
    Location loc = op.getLoc();
    Value output = adaptor.getData();
    if (output.getType() != op.getOutput().getType())
      output = tensor::CastOp::create(rewriter, loc, op.getOutput().getType(),
                                      output);
    SmallVector<Value> results{output};
    if (Value mask = op.getMask()) {
      auto maskType = cast<RankedTensorType>(mask.getType());
      FailureOr<Value> ones =
          createFilledLike(rewriter, loc, maskType, adaptor.getData(),
                           createScalar(rewriter, loc, rewriter.getI1Type(), 1));
      if (failed(ones))
        return refuse(op, "mask has dynamic sizes");
      results.push_back(*ones);
    }
    return results;
  }
};

} // namespace

void populateElementwisePatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<
      BinaryArith<AddOp, arith::AddFOp, arith::AddIOp>,
      BinaryArith<SubOp, arith::SubFOp, arith::SubIOp>,
      BinaryArith<MulOp, arith::MulFOp, arith::MulIOp>,
      // ONNX integer Div truncates toward zero (C semantics, as ONNX Runtime).
      BinaryArith<DivOp, arith::DivFOp, arith::DivSIOp>, PowLowering,
      ReluLowering, LeakyReluLowering, HardSigmoidLowering, HardSwishLowering, SigmoidLowering, GeluLowering,
      TanhLowering, ErfLowering, ExpLowering, LogLowering, SqrtLowering,
      NegLowering, AbsLowering, CastLowering, ClipLowering, WhereLowering,
      IdentityLowering, DropoutLowering,
      CompareLowering<EqualOp, arith::CmpFPredicate::OEQ,
                      arith::CmpIPredicate::eq>,
      CompareLowering<LessOp, arith::CmpFPredicate::OLT,
                      arith::CmpIPredicate::slt>,
      CompareLowering<GreaterOp, arith::CmpFPredicate::OGT,
                      arith::CmpIPredicate::sgt>>(context);
}

} // namespace loom::linalg_lowering
