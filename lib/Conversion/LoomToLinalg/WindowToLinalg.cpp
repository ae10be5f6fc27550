//===- WindowToLinalg.cpp - Conv, ConvTranspose and pools to linalg -------===//
//
// Sliding-window ops onto linalg's NCHW named ops: `conv_2d_nchw_fchw`,
// `depthwise_conv_2d_nchw_chw`, `conv_2d_ngchw_gfchw` for other groups,
// `pooling_nchw_max` / `pooling_nchw_sum`. ONNX's explicit and automatic
// padding (SAME_UPPER, SAME_LOWER, VALID) becomes a `tensor.pad`; ceil_mode
// pads the end so the last window fits; AveragePool divides by a constant
// table of window counts (count_include_pad or not). 1-D windows run as 2-D
// ones with a unit height. ConvTranspose is a convolution of the input with
// zeros inserted between its elements, by the flipped, transposed kernel.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "Kernels.h"
#include "LoweringUtils.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"

using namespace mlir;

namespace loom::linalg_lowering {
namespace {

/// The window of a 2-D op after ONNX's defaults, its padding made explicit.
struct Window2D {
  int64_t kernel[2] = {1, 1};
  int64_t strides[2] = {1, 1};
  int64_t dilations[2] = {1, 1};
  int64_t padLow[2] = {0, 0};
  int64_t padHigh[2] = {0, 0};
};

/// Reads the window attributes of a 1-D or 2-D op (`spatial` sizes of the
/// input, static) and makes the padding explicit. `outputs` are the
/// result's spatial sizes; with ceil_mode the end padding grows until the
/// last window fits.
FailureOr<Window2D> makeWindow(Operation *op, ArrayRef<int64_t> spatial,
                               ArrayRef<int64_t> outputs,
                               ArrayRef<int64_t> kernel,
                               std::optional<ArrayRef<int64_t>> strides,
                               std::optional<ArrayRef<int64_t>> dilations,
                               std::optional<ArrayRef<int64_t>> pads,
                               AutoPad autoPad) {
  int64_t n = spatial.size();
  if (n < 1 || n > 2)
    return refuse(op, llvm::Twine(n) + "-D windows (1-D and 2-D only)");
  if (static_cast<int64_t>(kernel.size()) != n ||
      (strides && static_cast<int64_t>(strides->size()) != n) ||
      (dilations && static_cast<int64_t>(dilations->size()) != n) ||
      (pads && static_cast<int64_t>(pads->size()) != 2 * n))
    return refuse(op, "window attributes do not match the spatial rank");
  for (int64_t i = 0; i < n; ++i)
    if (ShapedType::isDynamic(spatial[i]) || ShapedType::isDynamic(outputs[i]))
      return refuse(op, "dynamic spatial sizes (give the input shape)");
  Window2D w;
  // A 1-D window is the second dimension of a 2-D one of height 1.
  int64_t offset = 2 - n;
  for (int64_t i = 0; i < n; ++i) {
    int64_t d = i + offset;
    w.kernel[d] = kernel[i];
    w.strides[d] = strides ? (*strides)[i] : 1;
    w.dilations[d] = dilations ? (*dilations)[i] : 1;
    if (pads) {
      w.padLow[d] = (*pads)[i];
      w.padHigh[d] = (*pads)[i + n];
    }
    int64_t extent = w.dilations[d] * (w.kernel[d] - 1) + 1;
    if (autoPad == AutoPad::SAME_UPPER || autoPad == AutoPad::SAME_LOWER) {
      int64_t total = std::max<int64_t>(
          0, (outputs[i] - 1) * w.strides[d] + extent - spatial[i]);
      int64_t small = total / 2, large = total - small;
      w.padLow[d] = autoPad == AutoPad::SAME_UPPER ? small : large;
      w.padHigh[d] = total - w.padLow[d];
    } else if (autoPad == AutoPad::VALID) {
      w.padLow[d] = w.padHigh[d] = 0;
    }
    // ceil_mode (and any rounding of the result type) may need a window
    // that ends past the padded input.
    int64_t needed = (outputs[i] - 1) * w.strides[d] + extent;
    int64_t have = spatial[i] + w.padLow[d] + w.padHigh[d];
    if (needed > have)
      w.padHigh[d] += needed - have;
  }
  return w;
}

DenseIntElementsAttr i64Vector(OpBuilder &b, ArrayRef<int64_t> values) {
  return DenseIntElementsAttr::get(
      RankedTensorType::get({static_cast<int64_t>(values.size())},
                            b.getI64Type()),
      values);
}

/// Expands an N x C x L tensor to N x C x 1 x L (rank 3 only).
Value toRank4(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getRank() == 4)
    return value;
  SmallVector<int64_t> shape{type.getDimSize(0), type.getDimSize(1), 1,
                             type.getDimSize(2)};
  auto target = RankedTensorType::get(shape, type.getElementType());
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < 4; ++d)
    sizes.push_back(ShapedType::isDynamic(shape[d])
                        ? OpFoldResult(b.createOrFold<tensor::DimOp>(
                              loc, value, d == 3 ? 2 : d))
                        : OpFoldResult(b.getIndexAttr(shape[d])));
  return tensor::ExpandShapeOp::create(
      b, loc, target, value,
      ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}}, sizes);
}

/// Collapses N x C x 1 x L back to `target` (rank 3), or returns `value`.
Value fromRank4(OpBuilder &b, Location loc, Value value,
                RankedTensorType target) {
  if (target.getRank() == 4)
    return value;
  return tensor::CollapseShapeOp::create(
      b, loc, target, value, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
}

RankedTensorType rank4Type(RankedTensorType type) {
  if (type.getRank() == 4)
    return type;
  return RankedTensorType::get(
      {type.getDimSize(0), type.getDimSize(1), 1, type.getDimSize(2)},
      type.getElementType());
}

/// y[n, c, ...] + bias[c].
Value addChannelBias(OpBuilder &b, Location loc, Value y, Value bias) {
  auto type = cast<RankedTensorType>(y.getType());
  int64_t rank = type.getRank();
  MLIRContext *context = b.getContext();
  SmallVector<AffineMap> maps{
      b.getMultiDimIdentityMap(rank),
      AffineMap::get(rank, 0, getAffineDimExpr(1, context), context),
      b.getMultiDimIdentityMap(rank)};
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{y, bias}, y, maps,
             parallelIterators(rank),
             [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               linalg::YieldOp::create(
                   nested, nestedLoc,
                   arith::AddFOp::create(nested, nestedLoc, args[0], args[1])
                       .getResult());
             })
      .getResult(0);
}

/// The 2-D convolution of padded `x` (N x C x H x W) by `w` (F x C/g x kh x
/// kw) into `resultType` (N x F x oh x ow).
FailureOr<Value> convolve(Operation *op, OpBuilder &b, Location loc, Value x,
                          Value w, int64_t group, const Window2D &window,
                          RankedTensorType resultType) {
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  Type element = resultType.getElementType();
  if (!wType.hasStaticShape() || ShapedType::isDynamic(xType.getDimSize(1)))
    return refuse(op, "dynamic channel or kernel sizes");
  DenseIntElementsAttr strides = i64Vector(b, window.strides);
  DenseIntElementsAttr dilations = i64Vector(b, window.dilations);
  SmallVector<NamedAttribute> attrs{b.getNamedAttr("strides", strides),
                                    b.getNamedAttr("dilations", dilations)};
  Value zero = createScalar(b, loc, element, 0);
  int64_t channels = xType.getDimSize(1), filters = wType.getDimSize(0);
  if (group == 1) {
    FailureOr<Value> init = createFilledLike(b, loc, resultType, x, zero);
    if (failed(init))
      return failure();
    return linalg::Conv2DNchwFchwOp::create(b, loc, TypeRange{resultType},
                                            ValueRange{x, w}, *init, attrs)
        .getResult(0);
  }
  if (channels % group != 0 || filters % group != 0)
    return refuse(op, "channels are not divisible by group");
  if (group == channels && filters == channels && wType.getDimSize(1) == 1) {
    auto kernelType = RankedTensorType::get(
        {channels, wType.getDimSize(2), wType.getDimSize(3)}, element);
    Value kernel = tensor::CollapseShapeOp::create(
        b, loc, kernelType, w,
        ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}});
    FailureOr<Value> init = createFilledLike(b, loc, resultType, x, zero);
    if (failed(init))
      return failure();
    return linalg::DepthwiseConv2DNchwChwOp::create(
               b, loc, TypeRange{resultType}, ValueRange{x, kernel}, *init,
               attrs)
        .getResult(0);
  }
  // Grouped: N x G x C/G x H x W by G x F/G x C/G x kh x kw.
  int64_t n = xType.getDimSize(0);
  auto groupedX = RankedTensorType::get(
      {n, group, channels / group, xType.getDimSize(2), xType.getDimSize(3)},
      element);
  SmallVector<OpFoldResult> xSizes;
  for (int64_t size : groupedX.getShape())
    xSizes.push_back(ShapedType::isDynamic(size)
                         ? OpFoldResult(b.createOrFold<tensor::DimOp>(loc, x, 0))
                         : OpFoldResult(b.getIndexAttr(size)));
  Value xg = tensor::ExpandShapeOp::create(
      b, loc, groupedX, x,
      ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}}, xSizes);
  auto groupedW = RankedTensorType::get(
      {group, filters / group, wType.getDimSize(1), wType.getDimSize(2),
       wType.getDimSize(3)},
      element);
  Value wg = tensor::ExpandShapeOp::create(
      b, loc, groupedW, w, ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
  auto groupedY = RankedTensorType::get(
      {n, group, filters / group, resultType.getDimSize(2),
       resultType.getDimSize(3)},
      element);
  FailureOr<Value> init = createFilledLike(b, loc, groupedY, x, zero);
  if (failed(init))
    return failure();
  Value yg = linalg::Conv2DNgchwGfchwOp::create(b, loc, TypeRange{groupedY},
                                                ValueRange{xg, wg}, *init, attrs)
                 .getResult(0);
  return tensor::CollapseShapeOp::create(
             b, loc, resultType, yg,
             ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}})
      .getResult();
}

SmallVector<int64_t> spatialSizes(RankedTensorType type) {
  return SmallVector<int64_t>(type.getShape().drop_front(2));
}

} // namespace

FailureOr<Value> lowerConvolution(Operation *op, OpBuilder &b, Value x,
                                  Value w, const ConvAttributes &attributes,
                                  RankedTensorType resultType) {
  Location loc = op->getLoc();
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  if (xType.getRank() != 3 && xType.getRank() != 4)
    return refuse(op, llvm::Twine(xType.getRank() - 2) +
                          "-D convolution (1-D and 2-D only)");
  SmallVector<int64_t> kernel(wType.getShape().drop_front(2));
  if (attributes.kernelShape &&
      *attributes.kernelShape != ArrayRef<int64_t>(kernel))
    return refuse(op, "kernel_shape differs from the weight's shape");
  FailureOr<Window2D> window = makeWindow(
      op, spatialSizes(xType), spatialSizes(resultType), kernel,
      attributes.strides, attributes.dilations, attributes.pads,
      attributes.autoPad);
  if (failed(window))
    return failure();
  x = toRank4(b, loc, x);
  w = toRank4(b, loc, w);
  Type element = resultType.getElementType();
  x = pad(b, loc, x, {0, 0, window->padLow[0], window->padLow[1]},
          {0, 0, window->padHigh[0], window->padHigh[1]},
          createScalar(b, loc, element, 0));
  FailureOr<Value> y = convolve(op, b, loc, x, w, attributes.group, *window,
                                rank4Type(resultType));
  if (failed(y))
    return refuse(op, "no size for a dynamic result dimension");
  return fromRank4(b, loc, *y, resultType);
}

namespace {

struct ConvLowering : LoweringPattern<ConvOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(ConvOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    auto resultType = cast<RankedTensorType>(op.getType());
    FailureOr<Value> y =
        lowerConvolution(op, rewriter, adaptor.getX(), adaptor.getW(),
                         ConvAttributes::of(op), resultType);
    if (failed(y))
      return failure();
    Value result = *y;
    if (Value bias = adaptor.getB())
      result = addChannelBias(rewriter, op.getLoc(), result, bias);
    return SmallVector<Value>{result};
  }
};

/// ConvTranspose as a convolution: the input with `stride - 1` zeros
/// between elements, padded by `dilation * (k - 1) - pad` on each side
/// (plus output_padding at the end), convolved with stride 1 by the kernel
/// flipped in space and with its two channel axes swapped (per group).
struct ConvTransposeLowering : LoweringPattern<ConvTransposeOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(ConvTransposeOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    Location loc = op.getLoc();
    auto xType = cast<RankedTensorType>(adaptor.getX().getType());
    auto wType = cast<RankedTensorType>(adaptor.getW().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    if (xType.getRank() != 4)
      return refuse(op, "ConvTranspose other than 2-D");
    if (op.getGroup() != 1)
      return refuse(op, "grouped ConvTranspose");
    if (!xType.hasStaticShape() && ShapedType::isDynamic(xType.getDimSize(1)))
      return refuse(op, "dynamic channels");
    if (!wType.hasStaticShape())
      return refuse(op, "dynamic kernel");
    for (int64_t d = 2; d < 4; ++d)
      if (xType.isDynamicDim(d) || resultType.isDynamicDim(d))
        return refuse(op, "dynamic spatial sizes (give the input shape)");
    Type element = resultType.getElementType();
    int64_t kernel[2] = {wType.getDimSize(2), wType.getDimSize(3)};
    int64_t strides[2] = {1, 1}, dilations[2] = {1, 1};
    int64_t padsBegin[2] = {0, 0};
    if (auto s = op.getStrides())
      for (int i = 0; i < 2; ++i)
        strides[i] = (*s)[i];
    if (auto d = op.getDilations())
      for (int i = 0; i < 2; ++i)
        dilations[i] = (*d)[i];
    int64_t in[2] = {xType.getDimSize(2), xType.getDimSize(3)};
    int64_t out[2] = {resultType.getDimSize(2), resultType.getDimSize(3)};
    for (int i = 0; i < 2; ++i) {
      // The full output before cropping is (in-1)*s + d*(k-1) + 1; the
      // result keeps `out` of it starting at padsBegin.
      int64_t full = (in[i] - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1;
      int64_t outputPadding = 0;
      if (auto op_ = op.getOutputPadding())
        outputPadding = (*op_)[i];
      int64_t total = full + outputPadding - out[i];
      if (op.getAutoPad() == AutoPad::SAME_UPPER)
        padsBegin[i] = total / 2;
      else if (op.getAutoPad() == AutoPad::SAME_LOWER)
        padsBegin[i] = total - total / 2;
      else if (auto p = op.getPads())
        padsBegin[i] = (*p)[i];
    }
    // Zero insertion: a strided insert into a zero tensor.
    Value zero = createScalar(rewriter, loc, element, 0);
    Value x = adaptor.getX();
    SmallVector<int64_t> dilatedShape{xType.getDimSize(0), xType.getDimSize(1),
                                      (in[0] - 1) * strides[0] + 1,
                                      (in[1] - 1) * strides[1] + 1};
    auto dilatedType = RankedTensorType::get(dilatedShape, element);
    if (strides[0] != 1 || strides[1] != 1) {
      FailureOr<Value> zeros =
          createFilledLike(rewriter, loc, dilatedType, x, zero);
      if (failed(zeros))
        return refuse(op, "dynamic batch");
      SmallVector<OpFoldResult> offsets(4, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, x);
      SmallVector<OpFoldResult> steps{
          rewriter.getIndexAttr(1), rewriter.getIndexAttr(1),
          rewriter.getIndexAttr(strides[0]), rewriter.getIndexAttr(strides[1])};
      x = tensor::InsertSliceOp::create(rewriter, loc, x, *zeros, offsets, sizes,
                                        steps);
    }
    // Padding: d*(k-1) - padBegin before; after, whatever makes `out`.
    int64_t low[2], high[2], crop[2] = {0, 0};
    for (int i = 0; i < 2; ++i) {
      low[i] = dilations[i] * (kernel[i] - 1) - padsBegin[i];
      if (low[i] < 0) {
        crop[i] = -low[i];
        low[i] = 0;
      }
      int64_t extent = dilations[i] * (kernel[i] - 1) + 1;
      high[i] = out[i] + crop[i] + extent - 1 - (dilatedShape[i + 2] + low[i]);
      if (high[i] < 0)
        return refuse(op, "pads larger than the kernel extent");
    }
    x = pad(rewriter, loc, x, {0, 0, low[0], low[1]}, {0, 0, high[0], high[1]},
            zero);
    if (crop[0] || crop[1]) {
      auto padded = cast<RankedTensorType>(x.getType());
      SmallVector<OpFoldResult> offsets{
          rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
          rewriter.getIndexAttr(crop[0]), rewriter.getIndexAttr(crop[1])};
      SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, x);
      sizes[2] = rewriter.getIndexAttr(padded.getDimSize(2) - crop[0]);
      sizes[3] = rewriter.getIndexAttr(padded.getDimSize(3) - crop[1]);
      SmallVector<OpFoldResult> steps(4, rewriter.getIndexAttr(1));
      x = tensor::ExtractSliceOp::create(rewriter, loc, x, offsets, sizes, steps);
    }
    // Kernel: W[c, f, i, j] -> W'[f, c, k0-1-i, k1-1-j].
    int64_t cIn = wType.getDimSize(0), cOut = wType.getDimSize(1);
    auto flippedType =
        RankedTensorType::get({cOut, cIn, kernel[0], kernel[1]}, element);
    Value empty = tensor::EmptyOp::create(rewriter, loc, flippedType.getShape(),
                                          element);
    MLIRContext *context = rewriter.getContext();
    AffineExpr f = getAffineDimExpr(0, context), c = getAffineDimExpr(1, context),
               i = getAffineDimExpr(2, context), j = getAffineDimExpr(3, context);
    AffineMap readMap = AffineMap::get(
        4, 0, {c, f, kernel[0] - 1 - i, kernel[1] - 1 - j}, context);
    Value flipped =
        linalg::GenericOp::create(
            rewriter, loc, flippedType, adaptor.getW(), empty,
            ArrayRef<AffineMap>{readMap, rewriter.getMultiDimIdentityMap(4)},
            parallelIterators(4),
            [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
              linalg::YieldOp::create(nested, nestedLoc, args[0]);
            })
            .getResult(0);
    Window2D window;
    for (int d = 0; d < 2; ++d) {
      window.kernel[d] = kernel[d];
      window.dilations[d] = dilations[d];
    }
    FailureOr<Value> y =
        convolve(op, rewriter, loc, x, flipped, 1, window, resultType);
    if (failed(y))
      return refuse(op, "no size for a dynamic result dimension");
    Value result = *y;
    if (Value bias = adaptor.getB())
      result = addChannelBias(rewriter, loc, result, bias);
    return SmallVector<Value>{result};
  }
};

/// MaxPool and AveragePool.
template <typename OpTy>
struct PoolLowering : LoweringPattern<OpTy> {
  using LoweringPattern<OpTy>::LoweringPattern;
  using Adaptor = typename OpTy::Adaptor;
  static constexpr bool isMax = std::is_same_v<OpTy, MaxPoolOp>;

  FailureOr<SmallVector<Value>>
  lower(OpTy op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    if constexpr (isMax) {
      if (op.getIndices())
        return refuse(op, "MaxPool's Indices output");
      if (op.getStorageOrder() != 0)
        return refuse(op, "storage_order = 1");
    }
    Location loc = op.getLoc();
    auto xType = cast<RankedTensorType>(adaptor.getX().getType());
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    Type element = resultType.getElementType();
    if (!isa<FloatType>(element))
      return refuse(op, "integer pooling");
    if (xType.getRank() != 3 && xType.getRank() != 4)
      return refuse(op, llvm::Twine(xType.getRank() - 2) +
                            "-D pooling (1-D and 2-D only)");
    FailureOr<Window2D> window =
        makeWindow(op, spatialSizes(xType), spatialSizes(resultType),
                   op.getKernelShape(), op.getStrides(), op.getDilations(),
                   op.getPads(), op.getAutoPad());
    if (failed(window))
      return failure();
    Value x = toRank4(rewriter, loc, adaptor.getX());
    auto x4 = cast<RankedTensorType>(x.getType());
    auto result4 = rank4Type(resultType);
    Value padValue = isMax ? createLowest(rewriter, loc, element)
                           : createScalar(rewriter, loc, element, 0);
    x = pad(rewriter, loc, x, {0, 0, window->padLow[0], window->padLow[1]},
            {0, 0, window->padHigh[0], window->padHigh[1]}, padValue);
    Value shape = tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<int64_t>{window->kernel[0], window->kernel[1]},
        element);
    FailureOr<Value> init =
        createFilledLike(rewriter, loc, result4, adaptor.getX(), padValue);
    if (failed(init))
      return refuse(op, "no size for a dynamic result dimension");
    SmallVector<NamedAttribute> attrs{
        rewriter.getNamedAttr("strides", i64Vector(rewriter, window->strides)),
        rewriter.getNamedAttr("dilations",
                              i64Vector(rewriter, window->dilations))};
    Value pooled;
    if constexpr (isMax) {
      pooled = linalg::PoolingNchwMaxOp::create(rewriter, loc,
                                                TypeRange{result4},
                                                ValueRange{x, shape}, *init,
                                                attrs)
                   .getResult(0);
    } else {
      pooled = linalg::PoolingNchwSumOp::create(rewriter, loc,
                                                TypeRange{result4},
                                                ValueRange{x, shape}, *init,
                                                attrs)
                   .getResult(0);
      pooled = divideByCounts(rewriter, loc, op, pooled, x4, *window);
    }
    return SmallVector<Value>{fromRank4(rewriter, loc, pooled, resultType)};
  }

  /// Divides each window's sum by the number of elements it counts: those
  /// of the input, plus the explicit padding when count_include_pad (never
  /// the ceil_mode overhang), as a constant oh x ow table.
  Value divideByCounts(OpBuilder &b, Location loc, OpTy op, Value sums,
                       RankedTensorType input,
                       const Window2D &window) const {
    auto type = cast<RankedTensorType>(sums.getType());
    int64_t oh = type.getDimSize(2), ow = type.getDimSize(3);
    bool includePad = false;
    if constexpr (!isMax)
      includePad = op.getCountIncludePad() != 0;
    int64_t in[2] = {input.getDimSize(2), input.getDimSize(3)};
    int64_t explicitHigh[2];
    for (int d = 0; d < 2; ++d)
      explicitHigh[d] = window.padHigh[d];
    // The explicit padding only: the overhang that ceil_mode added does not
    // count (ONNX reference, PyTorch).
    if (auto pads = op.getPads()) {
      int64_t n = pads->size() / 2;
      for (int64_t i = 0; i < n; ++i)
        explicitHigh[i + 2 - n] = (*pads)[i + n];
    } else if (op.getAutoPad() == AutoPad::NOTSET ||
               op.getAutoPad() == AutoPad::VALID) {
      explicitHigh[0] = explicitHigh[1] = 0;
    }
    auto counted = [&](int d, int64_t position) {
      // position counts from the start of the padded input.
      int64_t lo = includePad ? 0 : window.padLow[d];
      int64_t hi = includePad ? window.padLow[d] + in[d] + explicitHigh[d]
                              : window.padLow[d] + in[d];
      return position >= lo && position < hi;
    };
    SmallVector<float> counts;
    counts.reserve(oh * ow);
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        int64_t rows = 0, cols = 0;
        for (int64_t k = 0; k < window.kernel[0]; ++k)
          rows += counted(0, i * window.strides[0] + k * window.dilations[0]);
        for (int64_t k = 0; k < window.kernel[1]; ++k)
          cols += counted(1, j * window.strides[1] + k * window.dilations[1]);
        counts.push_back(static_cast<float>(std::max<int64_t>(1, rows * cols)));
      }
    Type element = type.getElementType();
    auto countType = RankedTensorType::get({oh, ow}, b.getF32Type());
    Value table = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(countType, ArrayRef<float>(counts)));
    MLIRContext *context = b.getContext();
    SmallVector<AffineMap> maps{
        b.getMultiDimIdentityMap(4),
        AffineMap::get(4, 0,
                       {getAffineDimExpr(2, context), getAffineDimExpr(3, context)},
                       context),
        b.getMultiDimIdentityMap(4)};
    return linalg::GenericOp::create(
               b, loc, type, ValueRange{sums, table}, sums, maps,
               parallelIterators(4),
               [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
                 Value count = convertScalar(nested, nestedLoc, args[1], element);
                 linalg::YieldOp::create(
                     nested, nestedLoc,
                     arith::DivFOp::create(nested, nestedLoc, args[0], count)
                         .getResult());
               })
        .getResult(0);
  }
};

struct GlobalAveragePoolLowering : LoweringPattern<GlobalAveragePoolOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(GlobalAveragePoolOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    Location loc = op.getLoc();
    Value x = adaptor.getX();
    auto xType = cast<RankedTensorType>(x.getType());
    if (xType.getRank() < 3)
      return refuse(op, "input rank below 3");
    SmallVector<int64_t> axes;
    for (int64_t d = 2; d < xType.getRank(); ++d)
      axes.push_back(d);
    FailureOr<Value> sum = reduce(rewriter, loc, x, axes, ReduceKind::Sum);
    if (failed(sum))
      return failure();
    Type element = xType.getElementType();
    Value count = countOver(rewriter, loc, x, axes, element);
    auto resultType = cast<RankedTensorType>(op.getType());
    FailureOr<Value> mean = buildElementwise(
        rewriter, loc, resultType, *sum,
        [&](OpBuilder &b, Location bodyLoc, ValueRange args) -> Value {
          return arith::DivFOp::create(b, bodyLoc, args[0], count);
        });
    if (failed(mean))
      return refuse(op, "result shape");
    return SmallVector<Value>{*mean};
  }
};

} // namespace

void populateWindowPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvLowering, ConvTransposeLowering, PoolLowering<MaxPoolOp>,
               PoolLowering<AveragePoolOp>, GlobalAveragePoolLowering>(
      patterns.getContext());
}

} // namespace loom::linalg_lowering
