//===- ResizeToLinalg.cpp - Resize to a gathering linalg.generic ----------===//
//
// Resize with static shapes: for each resized axis the source index (and,
// for linear mode, the neighbour and its weight) of every output index is
// computed at compile time, in float as ONNX Runtime computes it, into
// small constant tables; one linalg.generic over the output reads them and
// extracts from the input. Nearest mode with every rounding, linear mode on
// up to two axes; coordinate transforms half_pixel, pytorch_half_pixel,
// align_corners, asymmetric, tf_half_pixel_for_nn.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "LoweringUtils.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/ShapeInference.h"

#include <cmath>

using namespace mlir;

namespace loom::linalg_lowering {
namespace {

/// Where output index `o` of an axis samples the input, per ONNX's
/// coordinate_transformation_mode (float arithmetic, as ONNX Runtime).
std::optional<float> sourceCoordinate(StringRef transform, int64_t o,
                                      int64_t in, int64_t out, float scale) {
  float x = static_cast<float>(o);
  if (transform == "half_pixel")
    return (x + 0.5f) / scale - 0.5f;
  if (transform == "pytorch_half_pixel")
    return out > 1 ? (x + 0.5f) / scale - 0.5f : 0.0f;
  if (transform == "align_corners")
    return out == 1
               ? 0.0f
               : x * static_cast<float>(in - 1) / static_cast<float>(out - 1);
  if (transform == "asymmetric")
    return x / scale;
  if (transform == "tf_half_pixel_for_nn")
    return (x + 0.5f) / scale;
  return std::nullopt;
}

int64_t roundNearest(StringRef mode, float x) {
  float lower = std::floor(x);
  if (mode == "floor")
    return static_cast<int64_t>(lower);
  if (mode == "ceil")
    return static_cast<int64_t>(std::ceil(x));
  if (x == lower + 0.5f)
    return static_cast<int64_t>(mode == "round_prefer_ceil" ? lower + 1
                                                            : lower);
  return static_cast<int64_t>(std::round(x));
}

/// Per resized axis: the low source index, the high one and the high one's
/// weight (nearest: both indices equal, weight 0).
struct AxisTable {
  int64_t axis;
  SmallVector<int64_t> low, high;
  SmallVector<float> weight;
};

struct ResizeLowering : LoweringPattern<ResizeOp> {
  using LoweringPattern::LoweringPattern;
  FailureOr<SmallVector<Value>>
  lower(ResizeOp op, Adaptor adaptor,
        ConversionPatternRewriter &rewriter) const override {
    if (failed(requireRanked(op)))
      return failure();
    Location loc = op.getLoc();
    Value x = adaptor.getX();
    auto inType = cast<RankedTensorType>(x.getType());
    auto outType = cast<RankedTensorType>(op.getType());
    StringRef mode = op.getMode(),
              transform = op.getCoordinateTransformationMode();
    bool linear = mode == "linear";
    if (!linear && mode != "nearest")
      return refuse(op, "mode '" + mode + "'");
    int64_t rank = inType.getRank();
    std::optional<SmallVector<float>> scales;
    if (Value given = op.getScales()) {
      scales = getConstantFloats(given);
      if (!scales)
        return refuse(op, "scales is not a constant");
      if (scales->empty())
        scales.reset();
      else if (static_cast<int64_t>(scales->size()) != rank)
        return refuse(op, "scales does not match the rank");
    }
    SmallVector<AxisTable> tables;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t in = inType.getDimSize(d), out = outType.getDimSize(d);
      // A dynamic dimension (a batch) is allowed where it is not resized.
      if (ShapedType::isDynamic(in) || ShapedType::isDynamic(out)) {
        if (!ShapedType::isDynamic(in) || !ShapedType::isDynamic(out) ||
            !scales || (*scales)[d] != 1.0f)
          return refuse(op, "dynamic shapes (give the input shape)");
        continue;
      }
      float scale = scales ? (*scales)[d]
                           : static_cast<float>(out) / static_cast<float>(in);
      if (in == out && scale == 1.0f)
        continue;
      if (in == 0 || out == 0)
        return refuse(op, "an empty dimension");
      AxisTable table{d, {}, {}, {}};
      for (int64_t o = 0; o < out; ++o) {
        std::optional<float> source =
            sourceCoordinate(transform, o, in, out, scale);
        if (!source)
          return refuse(op,
                        "coordinate_transformation_mode '" + transform + "'");
        if (!linear) {
          int64_t index = std::clamp<int64_t>(
              roundNearest(op.getNearestMode(), *source), 0, in - 1);
          table.low.push_back(index);
          table.high.push_back(index);
          table.weight.push_back(0.0f);
          continue;
        }
        float clamped = std::clamp(*source, 0.0f, static_cast<float>(in - 1));
        int64_t lo = std::min<int64_t>(static_cast<int64_t>(clamped), in - 1);
        int64_t hi = std::min<int64_t>(lo + 1, in - 1);
        table.low.push_back(lo);
        table.high.push_back(hi);
        table.weight.push_back(hi == lo ? 0.0f
                                        : clamped - static_cast<float>(lo));
      }
      tables.push_back(std::move(table));
    }
    if (linear && tables.size() > 2)
      return refuse(op, "linear mode on more than two axes");
    if (linear && !isa<FloatType>(outType.getElementType()))
      return refuse(op, "linear mode on integers");
    if (tables.empty())
      return SmallVector<Value>{x};

    // The tables as constant operands, each read along its axis.
    MLIRContext *context = rewriter.getContext();
    SmallVector<Value> operands;
    SmallVector<AffineMap> maps;
    auto addTable = [&](auto values, Type element, int64_t axis) {
      auto type =
          RankedTensorType::get({static_cast<int64_t>(values.size())}, element);
      operands.push_back(arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(type, ArrayRef(values))));
      maps.push_back(
          AffineMap::get(rank, 0, getAffineDimExpr(axis, context), context));
    };
    for (const AxisTable &table : tables) {
      addTable(table.low, rewriter.getI64Type(), table.axis);
      if (linear) {
        addTable(table.high, rewriter.getI64Type(), table.axis);
        addTable(table.weight, rewriter.getF32Type(), table.axis);
      }
    }
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    SmallVector<Value> dynamicSizes;
    for (int64_t d = 0; d < rank; ++d)
      if (outType.isDynamicDim(d))
        dynamicSizes.push_back(tensor::DimOp::create(rewriter, loc, x, d));
    Value init =
        tensor::EmptyOp::create(rewriter, loc, outType.getShape(),
                                outType.getElementType(), dynamicSizes);
    Type element = outType.getElementType();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, outType, operands, init, maps, parallelIterators(rank),
        [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
          SmallVector<Value> base;
          for (int64_t d = 0; d < rank; ++d)
            base.push_back(linalg::IndexOp::create(b, bodyLoc, d));
          auto index = [&](Value v) {
            return arith::IndexCastOp::create(b, bodyLoc, b.getIndexType(), v)
                .getResult();
          };
          if (!linear) {
            for (auto [i, table] : llvm::enumerate(tables))
              base[table.axis] = index(args[i]);
            linalg::YieldOp::create(
                b, bodyLoc,
                tensor::ExtractOp::create(b, bodyLoc, x, base).getResult());
            return;
          }
          // Corners of the 1- or 2-D cell, weighted.
          Value result;
          unsigned corners = 1u << tables.size();
          for (unsigned corner = 0; corner < corners; ++corner) {
            SmallVector<Value> at = base;
            Value weight;
            for (auto [i, table] : llvm::enumerate(tables)) {
              bool high = corner & (1u << i);
              at[table.axis] = index(args[3 * i + (high ? 1 : 0)]);
              Value w = convertScalar(b, bodyLoc, args[3 * i + 2], element);
              if (!high)
                w = arith::SubFOp::create(
                    b, bodyLoc, createScalar(b, bodyLoc, element, 1), w);
              weight =
                  weight
                      ? arith::MulFOp::create(b, bodyLoc, weight, w).getResult()
                      : w;
            }
            Value sample = tensor::ExtractOp::create(b, bodyLoc, x, at);
            Value term = arith::MulFOp::create(b, bodyLoc, sample, weight);
            result = result ? arith::AddFOp::create(b, bodyLoc, result, term)
                                  .getResult()
                            : term;
          }
          linalg::YieldOp::create(b, bodyLoc, result);
        });
    return SmallVector<Value>{generic.getResult(0)};
  }
};

} // namespace

void populateResizePatterns(RewritePatternSet &patterns) {
  patterns.add<ResizeLowering>(patterns.getContext());
}

} // namespace loom::linalg_lowering
