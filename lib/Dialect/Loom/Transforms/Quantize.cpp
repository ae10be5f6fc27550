//===- Quantize.cpp - integer weights with scales -------------------------===//
//
// Implements `--loom-quantize mode=weight-only`: which weights are kernels
// or embedding tables and may be quantized, which scheme each gets (bits,
// axis, blocks; the defaults that keep sensitive layers wide), and the
// rewrite: the weight keeps its name and becomes integers, its scales (and
// zero points) become weights of their own, and every read of it a
// `loom.dequantize_linear`. The arithmetic is Utils/Quantization.cpp.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/Analysis/ParamStats.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"
#include "loom/Dialect/Loom/Utils/ElementDecoding.h"
#include "loom/Dialect/Loom/Utils/Quantization.h"
#include "loom/Dialect/Loom/Utils/WeightFingerprint.h"
#include "loom/Dialect/Loom/Utils/WeightGlobs.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <cstring>
#include <map>
#include <tuple>

namespace loom {
#define GEN_PASS_DEF_LOOMQUANTIZE
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {

/// How one op reads a weight: the axis of its output channels (per-channel
/// scales) and of its input channels (blocks).
struct Read {
  Operation *op = nullptr;
  int64_t outAxis = 0, inAxis = 0;
  bool depthwise = false, embedding = false;
};

/// The read `use` of a weight is, when it is a kernel or an embedding table.
std::optional<Read> readOf(OpOperand &use, RankedTensorType type) {
  Operation *op = use.getOwner();
  unsigned index = use.getOperandNumber();
  int64_t rank = type.getRank();
  if (auto conv = dyn_cast<ConvOp>(op); conv && index == 1 && rank >= 3) {
    auto x = dyn_cast<RankedTensorType>(conv.getX().getType());
    bool depthwise = conv.getGroup() > 1 && type.getDimSize(1) == 1 && x &&
                     x.getDimSize(1) == conv.getGroup();
    return Read{op, 0, 1, depthwise, false};
  }
  if (isa<ConvTransposeOp>(op) && index == 1 && rank >= 3)
    return Read{op, 1, 0};
  if (auto gemm = dyn_cast<GemmOp>(op); gemm && index == 1 && rank == 2)
    return gemm.getTransB() ? Read{op, 0, 1} : Read{op, 1, 0};
  if (isa<MatMulOp>(op) && index == 1 && rank >= 2)
    return Read{op, rank - 1, rank - 2};
  if (auto gather = dyn_cast<GatherOp>(op);
      gather && index == 0 && gather.getAxis() == 0 && rank == 2)
    return Read{op, 0, 1, false, true};
  return std::nullopt;
}

bool isFloat(Type type) {
  return type.isF16() || type.isBF16() || type.isF32() || type.isF64();
}

/// A MatMul's or Gemm's activations quantized at run time:
/// DynamicQuantizeLinear of A (uint8, one scale and zero point),
/// MatMulInteger with the int8 weight it reads, the int32 result cast to
/// float and scaled by A's scale times the weight's (per column, or one),
/// plus a Gemm's C.
void rewriteDynamic(Operation *op, WeightOp scaleWeight,
                    RankedTensorType scaleType) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  if (auto conv = dyn_cast<ConvOp>(op)) {
    // ConvInteger of the quantized input by the int8 kernel; the i32 sums
    // scaled per output channel (axis 1 of the result), plus the bias.
    auto x = cast<RankedTensorType>(conv.getX().getType());
    auto u8 = IntegerType::get(b.getContext(), 8, IntegerType::Unsigned);
    auto quantized = DynamicQuantizeLinearOp::create(
        b, loc,
        TypeRange{x.clone(u8), RankedTensorType::get({}, b.getF32Type()),
                  RankedTensorType::get({}, u8)},
        conv.getX());
    auto result = cast<RankedTensorType>(conv.getType());
    auto acc = ConvIntegerOp::create(
        b, loc, result.clone(b.getI32Type()), quantized.getY(), conv.getW(),
        quantized.getYZeroPoint(), Value(), conv.getAutoPadAttr(),
        conv.getDilationsAttr(), conv.getGroupAttr(), conv.getKernelShapeAttr(),
        conv.getPadsAttr(), conv.getStridesAttr());
    Value accf =
        CastOp::create(b, loc, TypeRange{result}, ValueRange{acc}).getResult();
    Value weightScale =
        WeightRefOp::create(b, loc, scaleType, scaleWeight.getSymName());
    Value scale =
        MulOp::create(b, loc, scaleType, quantized.getYScale(), weightScale);
    // [M] -> [M, 1, ...] against N x M x spatial...
    auto channelShaped = [&](Value v) -> Value {
      auto type = cast<RankedTensorType>(v.getType());
      if (type.getRank() != 1 || result.getRank() < 3)
        return v;
      SmallVector<int64_t> shape(result.getRank() - 1, 1);
      shape[0] = type.getDimSize(0);
      auto shapeConst = ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(
              RankedTensorType::get({int64_t(shape.size())}, b.getI64Type()),
              ArrayRef<int64_t>(shape)));
      return ReshapeOp::create(b, loc, type.clone(shape), v, shapeConst)
          .getResult();
    };
    Value y = MulOp::create(b, loc, result, accf, channelShaped(scale));
    if (Value bias = conv.getB())
      y = AddOp::create(b, loc, result, y, channelShaped(bias));
    conv.getResult().replaceAllUsesWith(y);
    conv.erase();
    return;
  }
  // A MatMul, or a Gemm (whose B the caller stored as [K, N]) and its C.
  Value aValue = op->getOperand(0), bValue = op->getOperand(1), cValue;
  if (auto gemm = dyn_cast<GemmOp>(op))
    cValue = gemm.getC();
  auto a = cast<RankedTensorType>(aValue.getType());
  auto u8 = IntegerType::get(b.getContext(), 8, IntegerType::Unsigned);
  auto scalar = RankedTensorType::get({}, b.getF32Type());
  auto quantized = DynamicQuantizeLinearOp::create(
      b, loc, TypeRange{a.clone(u8), scalar, RankedTensorType::get({}, u8)},
      aValue);
  auto result = cast<RankedTensorType>(op->getResult(0).getType());
  Value acc = MatMulIntegerOp::create(b, loc, result.clone(b.getI32Type()),
                                      quantized.getResult(0), bValue,
                                      quantized.getResult(2), Value());
  Value accf =
      CastOp::create(b, loc, TypeRange{result}, ValueRange{acc}).getResult();
  Value weightScale =
      WeightRefOp::create(b, loc, scaleType, scaleWeight.getSymName());
  Value scale =
      MulOp::create(b, loc, scaleType, quantized.getResult(1), weightScale);
  Value y = MulOp::create(b, loc, result, accf, scale);
  if (cValue && !isa_and_nonnull<NoneOp>(cValue.getDefiningOp()))
    y = AddOp::create(b, loc, result, y, cValue);
  op->getResult(0).replaceAllUsesWith(y);
  op->erase();
}

/// `values` as a tensor of `type` (float elements) in a new blob `name`.
FailureOr<ElementsAttr> floatElements(RankedTensorType type,
                                      ArrayRef<float> values, StringRef name) {
  auto element = dyn_cast<FloatType>(type.getElementType());
  if (!element || element.getWidth() % 8 != 0)
    return failure();
  unsigned bytesPer = element.getWidth() / 8;
  std::vector<char> bytes(values.size() * bytesPer);
  for (size_t i = 0; i < values.size(); ++i) {
    if (element.isF32()) {
      std::memcpy(&bytes[i * 4], &values[i], 4);
      continue;
    }
    llvm::APFloat value(values[i]);
    bool lost = false;
    value.convert(element.getFloatSemantics(),
                  llvm::APFloat::rmNearestTiesToEven, &lost);
    llvm::APInt raw = value.bitcastToAPInt();
    for (unsigned k = 0; k < bytesPer; ++k)
      bytes[i * bytesPer + k] =
          static_cast<char>(raw.extractBitsAsZExtValue(8, 8 * k));
  }
  return ElementsAttr(DenseResourceElementsAttr::get(
      type, name,
      HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, bytesPer)));
}

/// Static quantization's activations: each kernel's first operand, with the
/// range calibration measured, goes through QuantizeLinear and
/// DequantizeLinear (uint8 over [min(lo, 0), max(hi, 0)], as ONNX Runtime's
/// QDQ form has it); kernels reading one value with one range share the
/// pair. The range attribute is consumed.
void quantizeActivations(ModuleOp module) {
  StringRef name = LoomDialect::getActivationRangeAttrName();
  std::map<std::tuple<void *, float, float>, Value> pairs;
  module.walk([&](Operation *op) {
    auto range = op->getAttrOfType<DenseF32ArrayAttr>(name);
    if (!range)
      return;
    op->removeAttr(name);
    Value x = op->getOperand(0);
    auto type = dyn_cast<RankedTensorType>(x.getType());
    if (!type || !type.getElementType().isF32())
      return;
    float lo = std::min(range[0], 0.0f), hi = std::max(range[1], 0.0f);
    Value &pair = pairs[{x.getAsOpaquePointer(), lo, hi}];
    if (!pair) {
      float scale = (hi - lo) / 255.0f;
      if (!(scale > 0) || !std::isfinite(scale))
        scale = 1.0f;
      auto zero = static_cast<uint8_t>(
          std::clamp(std::nearbyint(-lo / scale), 0.0f, 255.0f));
      OpBuilder b(op);
      Location loc = op->getLoc();
      auto u8 = IntegerType::get(b.getContext(), 8, IntegerType::Unsigned);
      auto scalarF = RankedTensorType::get({}, b.getF32Type());
      auto scalarU = RankedTensorType::get({}, u8);
      Value s =
          ConstantOp::create(b, loc, DenseElementsAttr::get(scalarF, {scale}));
      Value z = ConstantOp::create(
          b, loc, DenseElementsAttr::get(scalarU, {APInt(8, zero)}));
      Value q = QuantizeLinearOp::create(b, loc, TypeRange{type.clone(u8)},
                                         ValueRange{x, s, z});
      pair = DequantizeLinearOp::create(b, loc, TypeRange{type},
                                        ValueRange{q, s, z});
    }
    op->setOperand(0, pair);
  });
}

struct LoomQuantizePass
    : public loom::impl::LoomQuantizeBase<LoomQuantizePass> {
  using Base::Base;
  LoomQuantizePass(const LoomQuantizeOptions &options, QuantizeSummary *summary)
      : Base(options), summary(summary) {}

  void runOnOperation() override;

  QuantizeSummary *summary = nullptr;
};

} // namespace

void LoomQuantizePass::runOnOperation() {
  ModuleOp module = getOperation();
  auto fail = [&](const Twine &message) {
    module.emitError("loom-quantize: " + message);
    signalPassFailure();
  };
  if (mode != "weight-only" && mode != "dynamic" && mode != "static")
    return fail("mode must be weight-only, dynamic or static, got '" + mode +
                "'");
  bool dynamic = mode == "dynamic", isStatic = mode == "static";
  if (bits != 8 && bits != 4)
    return fail("bits must be 8 or 4, got " + std::to_string(bits));
  int64_t block = 0;
  bool perTensor = granularity == "per-tensor";
  if (StringRef(granularity).starts_with("block=")) {
    if (StringRef(granularity).drop_front(6).getAsInteger(10, block) ||
        block < 2)
      return fail("granularity block=N needs an integer N >= 2, got '" +
                  granularity + "'");
  } else if (granularity != "per-channel" && !perTensor) {
    return fail("granularity must be per-channel, per-tensor or block=N, got "
                "'" +
                granularity + "'");
  }
  if (minElements < 0)
    return fail("min-elements must be >= 0");
  if (dynamic && (bits != 8 || block || !symmetric))
    return fail("mode=dynamic takes bits=8, symmetric weights, per-channel "
                "or per-tensor (MatMulInteger's int8 x uint8)");
  if (isStatic && bits != 8)
    return fail("mode=static takes bits=8");
  if (simulate && mode != "weight-only")
    return fail("simulate=true goes with mode=weight-only");
  // Planned widths are consumed: none is left on the weights afterwards.
  auto planAttr = LoomDialect::getQuantizeBitsAttrName();
  auto dropPlans = llvm::make_scope_exit([&] {
    for (auto weight : module.getOps<WeightOp>())
      weight->removeAttr(planAttr);
  });
  if (isStatic) {
    bool any = false;
    module.walk([&](Operation *op) {
      any |= op->hasAttr(LoomDialect::getActivationRangeAttrName());
    });
    if (!any)
      return fail("mode=static needs the activation ranges calibration "
                  "measures ('" +
                  LoomDialect::getActivationRangeAttrName() +
                  "' on the kernels): loomc compress --quantize static "
                  "--calibrate DIR");
  }
  if (scaleType != "auto" && scaleType != "f32" && scaleType != "f16")
    return fail("scale-type must be auto, f32 or f16, got '" + scaleType + "'");
  auto compile = [&](ArrayRef<std::string> texts, StringRef option) {
    return compileWeightGlobs(texts, [&](StringRef text, StringRef reason) {
      module.emitError() << "loom-quantize: bad " << option << " glob '" << text
                         << "': " << reason;
    });
  };
  FailureOr<std::vector<WeightGlob>> includes = compile(include, "include");
  FailureOr<std::vector<WeightGlob>> excludes = compile(exclude, "exclude");
  if (failed(includes) || failed(excludes))
    return signalPassFailure();

  SymbolTable symbols(module);
  // Kernels some exporters store as Constant nodes (PaddleOCR's) become
  // weights of their own first, named after their node.
  SmallVector<ConstantOp> constants;
  module.walk([&](ConstantOp constant) { constants.push_back(constant); });
  for (ConstantOp constant : constants) {
    auto type = dyn_cast<RankedTensorType>(constant.getType());
    if (!type || !isFloat(type.getElementType()) || !type.hasStaticShape() ||
        type.getNumElements() < std::max<int64_t>(minElements, 1) ||
        constant->use_empty() ||
        !llvm::all_of(constant->getUses(), [&](OpOperand &use) {
          return readOf(use, type).has_value();
        }))
      continue;
    auto value = dyn_cast<ElementsAttr>(constant.getValue());
    if (!value)
      continue;
    // The importer names an unnamed node "<op type>:<first output>": the
    // output's name is the tensor's.
    std::string name = getNodeName(constant.getLoc());
    if (StringRef(name).starts_with("Constant:"))
      name = name.substr(9);
    OpBuilder top = OpBuilder::atBlockBegin(module.getBody());
    auto weight = WeightOp::create(top, constant.getLoc(),
                                   name.empty() ? "constant" : name, value,
                                   WeightRole::Parameter, /*frozen=*/true,
                                   IntegerAttr(), ArrayAttr(), ArrayAttr());
    symbols.insert(weight);
    OpBuilder b(constant);
    constant.replaceAllUsesWith(
        WeightRefOp::create(b, constant.getLoc(), type, weight.getSymName())
            .getResult());
    constant.erase();
  }

  // Every read of every weight; the first conv and the last Gemm/MatMul.
  llvm::MapVector<StringRef, SmallVector<WeightRefOp>> refs;
  Operation *firstConv = nullptr, *lastLinear = nullptr;
  module.walk([&](Operation *op) {
    if (auto ref = dyn_cast<WeightRefOp>(op))
      refs[ref.getName()].push_back(ref);
    if (isa<ConvOp, ConvTransposeOp>(op) && !firstConv)
      firstConv = op;
    if (isa<GemmOp, MatMulOp>(op))
      lastLinear = op;
  });

  for (auto &[name, reads] : refs) {
    auto weight = symbols.lookup<WeightOp>(name);
    // Constants count as frozen parameters: a kernel folded from Constant
    // nodes only (BatchNorm folded into a PaddleOCR conv) is one.
    bool isConstant = weight && weight.getRole() == WeightRole::Constant;
    if (!weight || (weight.getRole() != WeightRole::Parameter && !isConstant) ||
        weight.getInputIndex() || !(weight.getFrozen() || isConstant || force))
      continue;
    auto type = dyn_cast<RankedTensorType>(weight.getType());
    if (!type || !isFloat(type.getElementType()) || !type.hasStaticShape() ||
        type.getNumElements() < std::max<int64_t>(minElements, 1))
      continue;
    // Every read must be a kernel or an embedding table.
    SmallVector<Read> uses;
    bool all = true;
    for (WeightRefOp ref : reads)
      for (OpOperand &use : ref->getUses()) {
        std::optional<Read> read = readOf(use, type);
        if (!read) {
          all = false;
          break;
        }
        uses.push_back(*read);
      }
    if (!all || uses.empty())
      continue;
    // Dynamic: MatMuls and Gemms (alpha = beta = 1, no transA) only, all
    // reading the weight one way; their activations are quantized at run
    // time, and MatMulInteger takes a 2-D int8 B against uint8 A.
    auto dynamicKind = [&](const Read &r) -> int {
      Value a;
      int kind = 0; // 1: MatMul or Gemm, B as is; 2: Gemm with transB;
                    // 3: Conv (1-D or 2-D)
      if (auto conv = dyn_cast<ConvOp>(r.op)) {
        auto x = dyn_cast<RankedTensorType>(conv.getX().getType());
        return x && x.getElementType().isF32() &&
                       type.getElementType().isF32() &&
                       (type.getRank() == 3 || type.getRank() == 4) &&
                       (!conv.getB() ||
                        isa<RankedTensorType>(conv.getB().getType()))
                   ? 3
                   : 0;
      }
      if (auto matmul = dyn_cast<MatMulOp>(r.op)) {
        a = matmul.getA(), kind = 1;
      } else if (auto gemm = dyn_cast<GemmOp>(r.op)) {
        if (gemm.getTransA() || gemm.getAlpha().convertToDouble() != 1.0 ||
            gemm.getBeta().convertToDouble() != 1.0)
          return 0;
        a = gemm.getA(), kind = gemm.getTransB() ? 2 : 1;
      }
      auto aType =
          a ? dyn_cast<RankedTensorType>(a.getType()) : RankedTensorType();
      return aType && aType.getElementType().isF32() && type.getRank() == 2 &&
                     type.getElementType().isF32()
                 ? kind
                 : 0;
    };
    bool transposeB = false;
    if (dynamic) {
      int kind = dynamicKind(uses.front());
      if (!kind || !llvm::all_of(uses, [&](const Read &r) {
            return dynamicKind(r) == kind;
          }))
        continue;
      transposeB = kind == 2;
    }
    bool included = includes->empty() || matchAnyWeightGlob(weight, *includes);
    if (matchAnyWeightGlob(weight, *excludes) || !included)
      continue;

    QuantScheme scheme;
    scheme.bits = bits;
    scheme.symmetric = symmetric;
    bool sensitive = llvm::any_of(uses, [&](const Read &r) {
      return r.embedding || r.op == firstConv || r.op == lastLinear;
    });
    if (bits == 4 && keepSensitive && sensitive)
      scheme.bits = 8;
    if (auto planned = weight->getAttrOfType<IntegerAttr>(planAttr)) {
      if (planned.getInt() == 0)
        continue;
      if (planned.getInt() == 4 && mode != "weight-only") {
        weight.emitError() << "loom-quantize: '" << weight.getSymName()
                           << "' is planned 4-bit, which mode=" << mode
                           << " does not take";
        return signalPassFailure();
      }
      scheme.bits = planned.getInt();
    }
    bool depthwise =
        llvm::any_of(uses, [](const Read &r) { return r.depthwise; });
    // 8 bits in a 4-bit quantization (a sensitive layer, a planned width):
    // per-channel scales resolve it as well as blocks do, in 1/16 fewer
    // bytes than float16 block scales.
    bool widened = scheme.bits == 8 && bits == 4;
    bool sameOut = llvm::all_of(
        uses, [&](const Read &r) { return r.outAxis == uses.front().outAxis; });
    bool sameIn = llvm::all_of(
        uses, [&](const Read &r) { return r.inAxis == uses.front().inAxis; });
    std::string how;
    if (dynamic) {
      // A MatMul's B (a Gemm's stored [K, N]) by column, a Conv's kernel
      // by output channel; a depthwise one always.
      bool conv = isa<ConvOp>(uses.front().op);
      bool perChannel = !perTensor || (conv && depthwise);
      scheme.axis = perChannel ? (conv ? 0 : 1) : -1;
      how = !perChannel ? "per-tensor, dynamic"
            : perTensor ? "per-channel (depthwise), dynamic"
                        : "per-channel, dynamic";
    } else if (block && sameIn && !depthwise && !widened) {
      scheme.axis = uses.front().inAxis;
      scheme.blockSize = block;
      how = "block=" + std::to_string(block);
    } else if ((!perTensor || depthwise) && sameOut) {
      scheme.axis = uses.front().outAxis;
      how = depthwise && (perTensor || block) ? "per-channel (depthwise)"
                                              : "per-channel";
    } else {
      how = "per-tensor";
    }

    // Quantize.
    WeightBytes bytes;
    if (!readWeightBytes(weight.getValue(), bytes))
      continue;
    std::vector<float> values;
    values.reserve(bytes.count());
    if (!visitElements(type.getElementType(), bytes.bytes, bytes.count(),
                       [&](double v) { values.push_back(float(v)); }))
      continue;
    scheme.halfScales =
        scaleType == "f16" || (scaleType == "auto" && scheme.bits == 4);
    scheme.keepDequantized = simulate;
    // Dynamic Gemms with transB: MatMulInteger wants B as [K, N], so the
    // integers are stored transposed (the weight's only readers).
    SmallVector<int64_t> qShape(type.getShape());
    if (transposeB) {
      int64_t rows = qShape[0], cols = qShape[1];
      std::vector<float> transposed(values.size());
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
          transposed[c * rows + r] = values[r * cols + c];
      values.swap(transposed);
      std::swap(qShape[0], qShape[1]);
    }
    QuantizedTensor q = quantizeLinear(values, qShape, scheme);
    std::string base = weight.getSymName().str();
    uint64_t bytesBefore = bytes.bytes.size();
    auto record = [&](StringRef layer) {
      ++numQuantized;
      double sqnr = q.sumSquaredError > 0
                        ? 10.0 * std::log10(q.sumSquared / q.sumSquaredError)
                        : INFINITY;
      // What the file will hold: integers, scales, zero points.
      uint64_t bytesAfter = q.data.size() +
                            q.scales.size() * (scheme.halfScales ? 2 : 4) +
                            q.zeroPoints.size();
      if (report)
        emitRemark(weight.getLoc())
            << "loom-quantize: '" << base << "' int" << scheme.bits << " "
            << how << (scheme.symmetric ? " symmetric" : " asymmetric") << ", "
            << q.scales.size() << " scale(s), SQNR "
            << llvm::formatv("{0:f1}", sqnr) << " dB"
            << (simulate ? " (simulated)" : "");
      if (summary)
        summary->weights.push_back(
            {base, layer.str(), how, type.getNumElements(),
             static_cast<int64_t>(q.scales.size()), scheme.bits,
             scheme.symmetric, bytesBefore, bytesAfter, sqnr, q.maxAbsError});
    };
    std::string layer = getNodeName(uses.front().op->getLoc());
    if (layer.empty())
      layer = getOpKind(uses.front().op);
    if (simulate) {
      // The dequantized values in the weight's own type; the graph stays.
      FailureOr<ElementsAttr> value =
          floatElements(type, q.dequantized, base + ".simulated");
      if (failed(value))
        continue;
      weight.setValueAttr(*value);
      record(layer);
      continue;
    }

    MLIRContext *context = module.getContext();
    auto intType = IntegerType::get(context, scheme.bits,
                                    scheme.symmetric ? IntegerType::Signless
                                                     : IntegerType::Unsigned);
    auto qType = RankedTensorType::get(qShape, intType);
    auto blobOf = [](ArrayRef<char> data) {
      return HeapAsmResourceBlob::allocateAndCopyWithAlign(data, 1);
    };
    weight.setValueAttr(
        DenseResourceElementsAttr::get(qType, base + ".q", blobOf(q.data)));
    // A kernel is a (frozen) parameter, whatever its exporter stored it as.
    if (isConstant) {
      weight.setRole(WeightRole::Parameter);
      weight.setFrozen(true);
    }

    OpBuilder builder(weight);
    builder.setInsertionPointAfter(weight);
    Type scaleElement =
        scheme.halfScales ? Type(builder.getF16Type()) : builder.getF32Type();
    auto scaleTensor = RankedTensorType::get(q.scaleShape, scaleElement);
    std::vector<char> scaleBytes;
    for (float v : q.scales) {
      if (scheme.halfScales) {
        llvm::APFloat half(v);
        bool lost = false;
        half.convert(llvm::APFloat::IEEEhalf(),
                     llvm::APFloat::rmNearestTiesToEven, &lost);
        auto bits16 =
            static_cast<uint16_t>(half.bitcastToAPInt().getZExtValue());
        scaleBytes.push_back(static_cast<char>(bits16 & 0xFF));
        scaleBytes.push_back(static_cast<char>(bits16 >> 8));
      } else {
        const char *p = reinterpret_cast<const char *>(&v);
        scaleBytes.insert(scaleBytes.end(), p, p + sizeof(float));
      }
    }
    auto newWeight = [&](StringRef suffix, ElementsAttr value) {
      auto w = WeightOp::create(builder, weight.getLoc(), base + suffix.str(),
                                value, WeightRole::Parameter,
                                /*frozen=*/true, IntegerAttr(), ArrayAttr(),
                                ArrayAttr());
      symbols.insert(w); // renamed on a clash
      return w;
    };
    WeightOp scaleWeight =
        newWeight(".scale", DenseResourceElementsAttr::get(
                                scaleTensor, base + ".scale",
                                HeapAsmResourceBlob::allocateAndCopyWithAlign(
                                    scaleBytes, scheme.halfScales ? 2 : 4)));
    WeightOp zeroWeight;
    if (!scheme.symmetric)
      zeroWeight = newWeight(".zero_point",
                             DenseResourceElementsAttr::get(
                                 RankedTensorType::get(q.scaleShape, intType),
                                 base + ".zero_point", blobOf(q.zeroPoints)));

    // (The layer was named before the rewrite: dynamic mode replaces the
    // reading ops.)
    if (dynamic) {
      for (WeightRefOp ref : reads) {
        ref.getResult().setType(qType);
        for (OpOperand &use : llvm::make_early_inc_range(ref->getUses()))
          rewriteDynamic(use.getOwner(), scaleWeight, scaleTensor);
      }
    }
    // Every read dequantizes.
    for (WeightRefOp ref : dynamic ? SmallVector<WeightRefOp>() : reads) {
      OpBuilder b(ref);
      b.setInsertionPointAfter(ref);
      Value x = ref.getResult();
      ref.getResult().setType(qType);
      SmallVector<Value> operands{
          x, WeightRefOp::create(b, ref.getLoc(), scaleTensor,
                                 scaleWeight.getSymName())};
      if (zeroWeight)
        operands.push_back(WeightRefOp::create(
            b, ref.getLoc(), RankedTensorType::get(q.scaleShape, intType),
            zeroWeight.getSymName()));
      // The result has the scale's type; a Cast brings it to the weight's.
      auto dqType = type.clone(scaleElement);
      auto dq = DequantizeLinearOp::create(
          b, ref.getLoc(), TypeRange{dqType}, operands,
          ArrayRef<NamedAttribute>{
              b.getNamedAttr("axis", b.getI64IntegerAttr(
                                         std::max<int64_t>(scheme.axis, 0))),
              b.getNamedAttr("block_size",
                             b.getI64IntegerAttr(scheme.blockSize))});
      Value value = dq.getResult();
      if (dqType != type)
        value =
            CastOp::create(b, ref.getLoc(), TypeRange{type}, ValueRange{value})
                .getResult();
      x.replaceAllUsesExcept(value, dq);
    }

    record(layer);
  }
  if (isStatic)
    quantizeActivations(module);
  for (auto [globs, option] :
       {std::pair{&*includes, "include"}, std::pair{&*excludes, "exclude"}})
    if (failed(checkWeightGlobsUsed(module.getLoc(), "loom-quantize", option,
                                    *globs, "quantizable weight")))
      return signalPassFailure();
}

std::unique_ptr<Pass>
loom::createLoomQuantize(const LoomQuantizeOptions &options,
                         QuantizeSummary *summary) {
  return std::make_unique<LoomQuantizePass>(options, summary);
}
