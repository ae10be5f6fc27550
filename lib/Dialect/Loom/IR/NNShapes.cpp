//===- NNShapes.cpp - shape rules of convolutions, matmuls, norms, pools --===//
//
// ONNX's output-size rules for the sliding-window ops (Conv, ConvTranspose,
// MaxPool, AveragePool), the matrix products, normalisations, dropout and the
// quantization ops.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/ShapeInference.h"

#include "mlir/Dialect/Traits.h"

using namespace mlir;

/// The largest dimension shape inference computes: sizes, pads and strides
/// come from files, and what they add up to is checked in 128 bits.
static constexpr int64_t kMaxDim = int64_t(1) << 62;
using namespace loom;

namespace {
/// Sliding-window attributes after ONNX's defaults are applied.
struct Window {
  SmallVector<int64_t> kernel;
  SmallVector<int64_t> strides;
  SmallVector<int64_t> dilations;
  SmallVector<int64_t> pads; // begin_1 .. begin_n, end_1 .. end_n
  AutoPad autoPad = AutoPad::NOTSET;
  bool ceilMode = false;
};
} // namespace

/// Applies defaults and checks lengths and signs of the window attributes.
static LogicalResult makeWindow(Operation *op, int64_t spatialRank,
                                ArrayRef<int64_t> kernel,
                                std::optional<ArrayRef<int64_t>> strides,
                                std::optional<ArrayRef<int64_t>> dilations,
                                std::optional<ArrayRef<int64_t>> pads,
                                AutoPad autoPad, bool ceilMode,
                                Window &window) {
  auto check = [&](std::optional<ArrayRef<int64_t>> values, StringRef name,
                   int64_t length, int64_t minimum,
                   SmallVectorImpl<int64_t> &out,
                   int64_t fallback) -> LogicalResult {
    if (!values) {
      out.assign(length, fallback);
      return success();
    }
    if (static_cast<int64_t>(values->size()) != length)
      return op->emitOpError() << name << " has " << values->size()
                               << " values, expected " << length;
    for (int64_t value : *values)
      if (value < minimum)
        return op->emitOpError() << name << " values must be at least "
                                 << minimum << ", got " << value;
    out.assign(values->begin(), values->end());
    return success();
  };
  window.autoPad = autoPad;
  window.ceilMode = ceilMode;
  if (failed(check(kernel, "kernel_shape", spatialRank, 1, window.kernel, 1)) ||
      failed(check(strides, "strides", spatialRank, 1, window.strides, 1)) ||
      failed(
          check(dilations, "dilations", spatialRank, 1, window.dilations, 1)) ||
      failed(check(pads, "pads", 2 * spatialRank, 0, window.pads, 0)))
    return failure();
  if (pads && autoPad != AutoPad::NOTSET)
    return op->emitOpError("pads must not be given with auto_pad = ")
           << stringifyAutoPad(autoPad);
  return success();
}

/// Output spatial sizes of a convolution or pooling window.
static LogicalResult windowOutput(Operation *op, ArrayRef<int64_t> input,
                                  const Window &window,
                                  SmallVectorImpl<int64_t> &output) {
  int64_t n = input.size();
  for (int64_t i = 0; i < n; ++i) {
    int64_t size = input[i];
    if (ShapedType::isDynamic(size)) {
      output.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t stride = window.strides[i];
    if (window.autoPad == AutoPad::SAME_UPPER ||
        window.autoPad == AutoPad::SAME_LOWER) {
      output.push_back(llvm::divideCeil(size, stride));
      continue;
    }
    // In 128 bits: sizes, pads and dilations come from the file, and their
    // 64-bit products and sums can overflow.
    __int128 wideExtent =
        __int128(window.dilations[i]) * (window.kernel[i] - 1) + 1;
    __int128 widePadded = size;
    int64_t padBegin = 0;
    if (window.autoPad == AutoPad::NOTSET) {
      padBegin = window.pads[i];
      widePadded += __int128(window.pads[i]) + window.pads[i + n];
    }
    if (wideExtent > kMaxDim || widePadded > kMaxDim)
      return op->emitOpError("spatial dimension ")
             << i << ": the padded size or the kernel extent is over 2^62";
    int64_t extent = static_cast<int64_t>(wideExtent);
    int64_t padded = static_cast<int64_t>(widePadded);
    if (padded < extent)
      return op->emitOpError("spatial dimension ")
             << i << " (size " << size << ", padded " << padded
             << ") is smaller than the kernel extent " << extent;
    int64_t out = window.ceilMode
                      ? llvm::divideCeil(padded - extent, stride) + 1
                      : (padded - extent) / stride + 1;
    // A window that would start in the end padding is dropped (PyTorch,
    // ONNX reference).
    if (window.ceilMode &&
        __int128(out - 1) * stride >= __int128(size) + padBegin)
      --out;
    output.push_back(out);
  }
  return success();
}

/// Requires an `N x C x D1 ... Dn` input (n >= 1).
static LogicalResult checkSpatialInput(Operation *op, RankedTensorType type,
                                       StringRef name) {
  if (type.getRank() < 3)
    return op->emitOpError()
           << name << " must have rank >= 3 (N x C x D1 ...), got " << type;
  return success();
}

static bool bothStatic(int64_t a, int64_t b) {
  return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b);
}

//===----------------------------------------------------------------------===//
// Conv, ConvTranspose
//===----------------------------------------------------------------------===//

/// Checks W against X and the window attributes shared by both convolutions;
/// returns the kernel spatial sizes (W's, or kernel_shape when given).
static LogicalResult
checkConvOperands(Operation *op, RankedTensorType x, RankedTensorType w,
                  Value bias, int64_t biasSize,
                  std::optional<ArrayRef<int64_t>> kernelAttr,
                  SmallVectorImpl<int64_t> &kernel) {
  if (failed(checkSpatialInput(op, x, "X")))
    return failure();
  if (w.getRank() != x.getRank())
    return op->emitOpError("W must have the rank of X (")
           << x.getRank() << "), got " << w;
  ArrayRef<int64_t> spatial = w.getShape().drop_front(2);
  if (kernelAttr) {
    if (kernelAttr->size() != spatial.size())
      return op->emitOpError("kernel_shape has ")
             << kernelAttr->size() << " values, expected " << spatial.size();
    for (auto [attr, dim] : llvm::zip_equal(*kernelAttr, spatial))
      if (!ShapedType::isDynamic(dim) && attr != dim)
        return op->emitOpError("kernel_shape ")
               << attr << " does not match W's spatial dimension " << dim;
    kernel.assign(kernelAttr->begin(), kernelAttr->end());
  } else {
    kernel.assign(spatial.begin(), spatial.end());
  }
  if (bias) {
    auto biasType = dyn_cast<RankedTensorType>(bias.getType());
    if (biasType && biasType.getRank() != 1)
      return op->emitOpError("B must be 1-D, got ") << biasType;
    if (biasType && bothStatic(biasType.getDimSize(0), biasSize) &&
        biasType.getDimSize(0) != biasSize)
      return op->emitOpError("B has ")
             << biasType.getDimSize(0) << " elements, expected " << biasSize
             << " (one per output channel)";
  }
  return success();
}

/// Checks shared by both convolutions before any shape is needed. Returns
/// X and W ranked, or null ones (after pushing an unranked result) when either
/// rank is unknown.
struct ConvTypes {
  /// Null when a rank is unknown (the result was inferred unranked).
  RankedTensorType x, w;
  Type elementType;
  int64_t group;
};

template <typename ConvLikeOp>
static FailureOr<ConvTypes> checkConvTypes(ConvLikeOp op,
                                           SmallVectorImpl<Type> &inferred,
                                           Type resultElementType = Type()) {
  Type elementType = op.getX().getType().getElementType();
  // The integer convolutions read uint8 by int8 (or any pair).
  if (!resultElementType && op.getW().getType().getElementType() != elementType)
    return op.emitOpError("X and W must have one element type");
  if (resultElementType)
    elementType = resultElementType;
  if (op.getGroup() < 1)
    return op.emitOpError("group must be positive, got ") << op.getGroup();
  auto x = dyn_cast<RankedTensorType>(op.getX().getType());
  auto w = dyn_cast<RankedTensorType>(op.getW().getType());
  if (!x || !w) {
    inferred.push_back(UnrankedTensorType::get(elementType));
    return ConvTypes{RankedTensorType(), RankedTensorType(), elementType,
                     op.getGroup()};
  }
  return ConvTypes{x, w, elementType, op.getGroup()};
}

/// Conv's shape rules, shared by ConvInteger and QLinearConv; the result
/// has `resultElementType` (null: X's).
template <typename ConvLikeOp>
static LogicalResult inferConvResult(ConvLikeOp op, Value bias,
                                     SmallVectorImpl<Type> &inferred,
                                     Type resultElementType = Type()) {
  FailureOr<ConvTypes> types = checkConvTypes(op, inferred, resultElementType);
  if (failed(types) || !types->x)
    return success(succeeded(types));
  auto [x, w, elementType, group] = *types;
  int64_t outChannels = w.getDimSize(0);
  SmallVector<int64_t> kernel;
  if (failed(checkConvOperands(op, x, w, bias, outChannels, op.getKernelShape(),
                               kernel)))
    return failure();
  if (bothStatic(x.getDimSize(1), w.getDimSize(1))) {
    int64_t expected;
    if (__builtin_mul_overflow(w.getDimSize(1), group, &expected))
      return op.emitOpError("W's ") << w.getDimSize(1) << " channels x group "
                                    << group << " overflow int64";
    if (x.getDimSize(1) != expected)
      return op.emitOpError("X has ")
             << x.getDimSize(1) << " channels but W expects " << w.getDimSize(1)
             << " x group " << group << " = " << expected;
  }
  if (!ShapedType::isDynamic(outChannels) && outChannels % group != 0)
    return op.emitOpError("W's ")
           << outChannels << " output channels are not divisible by group "
           << group;
  Window window;
  if (failed(makeWindow(op, x.getRank() - 2, kernel, op.getStrides(),
                        op.getDilations(), op.getPads(), op.getAutoPad(),
                        /*ceilMode=*/false, window)))
    return failure();
  SmallVector<int64_t> shape = {x.getDimSize(0), outChannels};
  if (failed(windowOutput(op, x.getShape().drop_front(2), window, shape)))
    return failure();
  inferred.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

LogicalResult ConvOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  return inferConvResult(*this, getB(), inferred);
}

LogicalResult
ConvTransposeOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  FailureOr<ConvTypes> types = checkConvTypes(*this, inferred);
  if (failed(types) || !types->x)
    return success(succeeded(types));
  auto [x, w, elementType, group] = *types;
  int64_t outChannels = ShapedType::kDynamic;
  if (!ShapedType::isDynamic(w.getDimSize(1)) &&
      __builtin_mul_overflow(w.getDimSize(1), group, &outChannels))
    return emitOpError("W's ") << w.getDimSize(1) << " channels x group "
                               << group << " overflow int64";
  SmallVector<int64_t> kernel;
  if (failed(checkConvOperands(*this, x, w, getB(), outChannels,
                               getKernelShape(), kernel)))
    return failure();
  if (bothStatic(x.getDimSize(1), w.getDimSize(0)) &&
      x.getDimSize(1) != w.getDimSize(0))
    return emitOpError("X has ")
           << x.getDimSize(1) << " channels but W has " << w.getDimSize(0);
  int64_t n = x.getRank() - 2;
  Window window;
  if (failed(makeWindow(*this, n, kernel, getStrides(), getDilations(),
                        getPads(), getAutoPad(), /*ceilMode=*/false, window)))
    return failure();
  SmallVector<int64_t> outputPadding(n, 0);
  if (std::optional<ArrayRef<int64_t>> attr = getOutputPadding()) {
    if (static_cast<int64_t>(attr->size()) != n)
      return emitOpError("output_padding has ")
             << attr->size() << " values, expected " << n;
    for (auto [i, value] : llvm::enumerate(*attr))
      if (value < 0 ||
          value >= std::max(window.strides[i], window.dilations[i]))
        return emitOpError("output_padding ")
               << value << " must be in [0, max(stride, dilation))";
    outputPadding.assign(attr->begin(), attr->end());
  }
  SmallVector<int64_t> shape = {x.getDimSize(0), outChannels};
  if (std::optional<ArrayRef<int64_t>> outputShape = getOutputShape()) {
    // output_shape may list only the spatial sizes or the whole shape.
    ArrayRef<int64_t> spatial = *outputShape;
    if (static_cast<int64_t>(spatial.size()) == n + 2)
      spatial = spatial.drop_front(2);
    if (static_cast<int64_t>(spatial.size()) != n)
      return emitOpError("output_shape has ")
             << outputShape->size() << " values, expected " << n;
    shape.append(spatial.begin(), spatial.end());
    inferred.push_back(RankedTensorType::get(shape, elementType));
    return success();
  }
  for (int64_t i = 0; i < n; ++i) {
    int64_t size = x.getDimSize(2 + i);
    if (ShapedType::isDynamic(size)) {
      shape.push_back(ShapedType::kDynamic);
    } else if (window.autoPad == AutoPad::SAME_UPPER ||
               window.autoPad == AutoPad::SAME_LOWER) {
      __int128 out = __int128(size) * window.strides[i];
      if (out > kMaxDim)
        return emitOpError("spatial dimension ") << i << " would be over 2^62";
      shape.push_back(static_cast<int64_t>(out));
    } else {
      __int128 padSum = window.autoPad == AutoPad::VALID
                            ? 0
                            : __int128(window.pads[i]) + window.pads[i + n];
      __int128 out =
          __int128(window.strides[i]) * (size - 1) + outputPadding[i] +
          __int128(window.kernel[i] - 1) * window.dilations[i] + 1 - padSum;
      if (out < 1 || out > kMaxDim)
        return emitOpError("spatial dimension ")
               << i << " would have size " << static_cast<double>(out);
      shape.push_back(static_cast<int64_t>(out));
    }
  }
  inferred.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

//===----------------------------------------------------------------------===//
// Pools
//===----------------------------------------------------------------------===//

/// The output shape of a pooling op (nullopt when X is unranked).
template <typename PoolOp>
static FailureOr<std::optional<SmallVector<int64_t>>>
inferPoolShape(PoolOp op) {
  auto x = dyn_cast<RankedTensorType>(op.getX().getType());
  if (!x)
    return std::optional<SmallVector<int64_t>>();
  if (failed(checkSpatialInput(op, x, "X")))
    return failure();
  Window window;
  if (failed(makeWindow(op, x.getRank() - 2, op.getKernelShape(),
                        op.getStrides(), op.getDilations(), op.getPads(),
                        op.getAutoPad(), op.getCeilMode() != 0, window)))
    return failure();
  SmallVector<int64_t> shape = {x.getDimSize(0), x.getDimSize(1)};
  if (failed(windowOutput(op, x.getShape().drop_front(2), window, shape)))
    return failure();
  return std::optional<SmallVector<int64_t>>(std::move(shape));
}

/// Pushes the pooled result type (and, for MaxPool, the indices' type).
template <typename PoolOp>
static LogicalResult inferPool(PoolOp op, SmallVectorImpl<Type> &inferred,
                               bool withIndices) {
  FailureOr<std::optional<SmallVector<int64_t>>> shape = inferPoolShape(op);
  if (failed(shape))
    return failure();
  std::optional<ArrayRef<int64_t>> dims;
  if (*shape)
    dims = **shape;
  inferred.push_back(
      makeTensorType(dims, op.getX().getType().getElementType()));
  if (withIndices)
    inferred.push_back(
        makeTensorType(dims, IntegerType::get(op.getContext(), 64)));
  return success();
}

LogicalResult MaxPoolOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  if (getStorageOrder() != 0 && getStorageOrder() != 1)
    return emitOpError("storage_order must be 0 or 1, got ")
           << getStorageOrder();
  return inferPool(*this, inferred, /*withIndices=*/getIndices() != nullptr);
}

LogicalResult AveragePoolOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  return inferPool(*this, inferred, /*withIndices=*/false);
}

LogicalResult
GlobalAveragePoolOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  auto x = dyn_cast<RankedTensorType>(getX().getType());
  if (!x) {
    inferred.push_back(getX().getType());
    return success();
  }
  if (failed(checkSpatialInput(*this, x, "X")))
    return failure();
  SmallVector<int64_t> shape(x.getRank(), 1);
  shape[0] = x.getDimSize(0);
  shape[1] = x.getDimSize(1);
  inferred.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// MatMul, Gemm, MatMulInteger
//===----------------------------------------------------------------------===//

/// numpy.matmul shapes: 1-D promotion and batch broadcasting.
static LogicalResult inferMatMulShape(Operation *op, Type aType, Type bType,
                                      Type elementType,
                                      SmallVectorImpl<Type> &inferred) {
  auto a = dyn_cast<RankedTensorType>(aType);
  auto b = dyn_cast<RankedTensorType>(bType);
  if (!a || !b) {
    inferred.push_back(UnrankedTensorType::get(elementType));
    return success();
  }
  if (a.getRank() == 0 || b.getRank() == 0)
    return op->emitOpError("operands must have rank >= 1, got ")
           << a << " and " << b;
  SmallVector<int64_t> aShape(a.getShape()), bShape(b.getShape());
  bool aVector = aShape.size() == 1, bVector = bShape.size() == 1;
  if (aVector)
    aShape.insert(aShape.begin(), 1);
  if (bVector)
    bShape.push_back(1);
  int64_t k1 = aShape.back(), k2 = bShape[bShape.size() - 2];
  if (bothStatic(k1, k2) && k1 != k2)
    return op->emitOpError("contracting dimensions differ: ")
           << k1 << " (A) vs " << k2 << " (B)";
  SmallVector<int64_t> batch;
  if (!OpTrait::util::getBroadcastedShape(
          ArrayRef<int64_t>(aShape).drop_back(2),
          ArrayRef<int64_t>(bShape).drop_back(2), batch))
    return op->emitOpError("batch dimensions are not broadcast-compatible: ")
           << a << " vs " << b;
  SmallVector<int64_t> shape = batch;
  if (!aVector)
    shape.push_back(aShape[aShape.size() - 2]);
  if (!bVector)
    shape.push_back(bShape.back());
  inferred.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

LogicalResult MatMulOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  Type elementType = getA().getType().getElementType();
  if (getB().getType().getElementType() != elementType)
    return emitOpError("A and B must have one element type");
  return inferMatMulShape(*this, getA().getType(), getB().getType(),
                          elementType, inferred);
}

/// Each zero point has the element type of the tensor it shifts.
static LogicalResult
checkZeroPoints(Operation *op,
                ArrayRef<std::tuple<Value, Value, StringRef>> pairs) {
  for (auto [zeroPoint, operand, name] : pairs)
    if (zeroPoint && getElementTypeOrSelf(zeroPoint.getType()) !=
                         getElementTypeOrSelf(operand.getType()))
      return op->emitOpError()
             << name << " must have the element type of its operand";
  return success();
}

LogicalResult
MatMulIntegerOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  if (failed(
          checkZeroPoints(*this, {{getAZeroPoint(), getA(), "a_zero_point"},
                                  {getBZeroPoint(), getB(), "b_zero_point"}})))
    return failure();
  return inferMatMulShape(*this, getA().getType(), getB().getType(),
                          IntegerType::get(getContext(), 32), inferred);
}

LogicalResult GemmOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  Type elementType = getA().getType().getElementType();
  if (getB().getType().getElementType() != elementType ||
      (getC() && getC().getType().getElementType() != elementType))
    return emitOpError("A, B and C must have one element type");
  for (int64_t flag : {getTransA(), getTransB()})
    if (flag != 0 && flag != 1)
      return emitOpError("transA and transB must be 0 or 1");
  auto a = dyn_cast<RankedTensorType>(getA().getType());
  auto b = dyn_cast<RankedTensorType>(getB().getType());
  if ((a && a.getRank() != 2) || (b && b.getRank() != 2))
    return emitOpError("A and B must be 2-D");
  int64_t m = ShapedType::kDynamic, n = ShapedType::kDynamic;
  int64_t ka = ShapedType::kDynamic, kb = ShapedType::kDynamic;
  if (a) {
    m = a.getDimSize(getTransA() ? 1 : 0);
    ka = a.getDimSize(getTransA() ? 0 : 1);
  }
  if (b) {
    kb = b.getDimSize(getTransB() ? 1 : 0);
    n = b.getDimSize(getTransB() ? 0 : 1);
  }
  if (bothStatic(ka, kb) && ka != kb)
    return emitOpError("contracting dimensions differ: ")
           << ka << " (A) vs " << kb << " (B)";
  SmallVector<int64_t> shape = {m, n};
  if (auto c = dyn_cast_or_null<RankedTensorType>(getC() ? getC().getType()
                                                         : Type())) {
    // C broadcasts unidirectionally to M x N.
    if (c.getRank() > 2)
      return emitOpError("C must have rank <= 2, got ") << c;
    for (int64_t i = 0; i < c.getRank(); ++i) {
      int64_t dim = c.getDimSize(c.getRank() - 1 - i);
      int64_t &target = shape[1 - i];
      if (ShapedType::isDynamic(dim) || dim == 1)
        continue;
      if (!ShapedType::isDynamic(target) && target != dim)
        return emitOpError("C of type ")
               << c << " does not broadcast to " << m << "x" << n;
    }
  }
  inferred.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

//===----------------------------------------------------------------------===//
// Normalisations, Dropout
//===----------------------------------------------------------------------===//

LogicalResult
LayerNormalizationOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  Type elementType = getX().getType().getElementType();
  if (getScale().getType().getElementType() != elementType ||
      (getB() && getB().getType().getElementType() != elementType))
    return emitOpError("X, Scale and B must have one element type");
  if (failed(verifyAxis(*this, getX().getType(), getAxis(), "axis")))
    return failure();
  if (auto x = dyn_cast<RankedTensorType>(getX().getType())) {
    int64_t normalized = x.getRank() - normalizeAxis(getAxis(), x.getRank());
    for (Value param : {getScale(), getB()}) {
      if (!param)
        continue;
      auto type = dyn_cast<RankedTensorType>(param.getType());
      if (type && type.getRank() > normalized)
        return emitOpError("Scale and B must have rank <= ")
               << normalized << " (the normalised dimensions), got " << type;
    }
  }
  inferred.push_back(getX().getType());
  return success();
}

LogicalResult
BatchNormalizationOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  auto x = dyn_cast<RankedTensorType>(getX().getType());
  if (x && x.getRank() < 2)
    return emitOpError("X must have rank >= 2 (N x C ...), got ") << x;
  int64_t channels = x ? x.getDimSize(1) : ShapedType::kDynamic;
  for (auto [value, name] :
       {std::make_pair(getScale(), "scale"), std::make_pair(getB(), "B"),
        std::make_pair(getInputMean(), "input_mean"),
        std::make_pair(getInputVar(), "input_var")}) {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (!type)
      continue;
    if (type.getRank() != 1)
      return emitOpError() << name << " must be 1-D, got " << type;
    if (bothStatic(type.getDimSize(0), channels) &&
        type.getDimSize(0) != channels)
      return emitOpError() << name << " has " << type.getDimSize(0)
                           << " elements but X has " << channels << " channels";
  }
  inferred.push_back(getX().getType());
  return success();
}

LogicalResult DropoutOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  auto checkScalar = [&](Value value, StringRef name) -> LogicalResult {
    auto type =
        dyn_cast_or_null<RankedTensorType>(value ? value.getType() : Type());
    if (type && type.getRank() != 0)
      return emitOpError() << name << " must be a scalar, got " << type;
    return success();
  };
  if (failed(checkScalar(getRatio(), "ratio")) ||
      failed(checkScalar(getTrainingMode(), "training_mode")))
    return failure();
  Type dataType = getData().getType();
  inferred.push_back(dataType);
  if (getMask())
    inferred.push_back(
        cast<TensorType>(dataType).clone(IntegerType::get(getContext(), 1)));
  return success();
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

/// Scale and zero point: a scalar (per tensor), 1-D along `axis` (per
/// channel) or, with `block_size`, of the input's rank (blocked).
static LogicalResult checkQuantParams(Operation *op, Type inputType,
                                      Value scale, Value zeroPoint,
                                      int64_t axis, int64_t blockSize) {
  if (blockSize < 0)
    return op->emitOpError("block_size must be >= 0, got ") << blockSize;
  auto input = dyn_cast<RankedTensorType>(inputType);
  auto scaleType = dyn_cast<RankedTensorType>(scale.getType());
  if (zeroPoint) {
    auto zeroType = cast<TensorType>(zeroPoint.getType());
    if (scaleType && zeroType.hasRank() &&
        failed(
            verifyCompatibleShape(scaleType.getShape(), zeroType.getShape())))
      return op->emitOpError("zero point shape ")
             << zeroType << " differs from scale shape " << scaleType;
  }
  if (!input || !scaleType)
    return success();
  if (scaleType.getRank() == 0 ||
      (scaleType.getRank() == 1 && scaleType.getDimSize(0) == 1 &&
       blockSize == 0))
    return success();
  if (failed(verifyAxis(op, input, axis, "axis")))
    return failure();
  int64_t channels = input.getDimSize(normalizeAxis(axis, input.getRank()));
  if (blockSize == 0) {
    if (scaleType.getRank() != 1)
      return op->emitOpError("per-channel scale must be 1-D, got ")
             << scaleType;
    if (bothStatic(scaleType.getDimSize(0), channels) &&
        scaleType.getDimSize(0) != channels)
      return op->emitOpError("scale has ")
             << scaleType.getDimSize(0) << " elements but axis " << axis
             << " has size " << channels;
    return success();
  }
  if (scaleType.getRank() != input.getRank())
    return op->emitOpError("blocked scale must have the input's rank, got ")
           << scaleType;
  return success();
}

LogicalResult
QuantizeLinearOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  if (getYScale().getType().getElementType() !=
      getX().getType().getElementType())
    return emitOpError("y_scale must have the element type of x");
  if (failed(checkQuantParams(*this, getX().getType(), getYScale(),
                              getYZeroPoint(), getAxis(), getBlockSize())))
    return failure();
  Type elementType = getYZeroPoint()
                         ? getYZeroPoint().getType().getElementType()
                         : getY().getType().getElementType();
  inferred.push_back(getX().getType().clone(elementType));
  return success();
}

LogicalResult
DequantizeLinearOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  if (getXZeroPoint() && getXZeroPoint().getType().getElementType() !=
                             getX().getType().getElementType())
    return emitOpError("x_zero_point must have the element type of x");
  if (failed(checkQuantParams(*this, getX().getType(), getXScale(),
                              getXZeroPoint(), getAxis(), getBlockSize())))
    return failure();
  inferred.push_back(
      getX().getType().clone(getXScale().getType().getElementType()));
  return success();
}

LogicalResult
DynamicQuantizeLinearOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  auto u8 = IntegerType::get(getContext(), 8, IntegerType::Unsigned);
  inferred.push_back(getX().getType().clone(u8));
  inferred.push_back(RankedTensorType::get({}, Float32Type::get(getContext())));
  inferred.push_back(RankedTensorType::get({}, u8));
  return success();
}

LogicalResult ConvIntegerOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  if (failed(
          checkZeroPoints(*this, {{getXZeroPoint(), getX(), "x_zero_point"},
                                  {getWZeroPoint(), getW(), "w_zero_point"}})))
    return failure();
  return inferConvResult(*this, Value(), inferred,
                         IntegerType::get(getContext(), 32));
}

LogicalResult
QLinearMatMulOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  if (failed(
          checkZeroPoints(*this, {{getAZeroPoint(), getA(), "a_zero_point"},
                                  {getBZeroPoint(), getB(), "b_zero_point"}})))
    return failure();
  return inferMatMulShape(*this, getA().getType(), getB().getType(),
                          getYZeroPoint().getType().getElementType(), inferred);
}

LogicalResult QLinearConvOp::inferResultTypes(SmallVectorImpl<Type> &inferred) {
  if (failed(
          checkZeroPoints(*this, {{getXZeroPoint(), getX(), "x_zero_point"},
                                  {getWZeroPoint(), getW(), "w_zero_point"}})))
    return failure();
  return inferConvResult(*this, getB(), inferred,
                         getYZeroPoint().getType().getElementType());
}
