//===- LoweringUtils.h - helpers shared by the Loom-to-linalg patterns ----===//
//
// Building blocks of the lowering: empty and filled tensors whose dynamic
// sizes come from the operands, elementwise `linalg.generic`s with numpy
// broadcasting, reshapes between any two shapes of one element count,
// scalar constants of any element type, and the conversion pattern base that
// turns a refusal into one error on the op.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_CONVERSION_LOOMTOLINALG_LOWERINGUTILS_H
#define LOOM_LIB_CONVERSION_LOOMTOLINALG_LOWERINGUTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace loom::linalg_lowering {

/// The scalar computation of an elementwise op: the operands' elements in,
/// the result's element out.
using ScalarBody = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// A `tensor.empty` of `type` whose dynamic sizes are read (tensor.dim) from
/// the first of `sources` (aligned to the right, numpy-style) that has the
/// dimension and does not broadcast it (its size there is not a static 1).
/// Fails when no source gives a dynamic size.
mlir::FailureOr<mlir::Value> createEmptyLike(mlir::OpBuilder &b,
                                             mlir::Location loc,
                                             mlir::RankedTensorType type,
                                             mlir::ValueRange sources);

/// `createEmptyLike` filled with `value`.
mlir::FailureOr<mlir::Value> createFilledLike(mlir::OpBuilder &b,
                                              mlir::Location loc,
                                              mlir::RankedTensorType type,
                                              mlir::ValueRange sources,
                                              mlir::Value value);

/// One `linalg.generic` over `resultType`'s iteration space that reads each
/// operand with numpy broadcasting (a static 1 against a larger or dynamic
/// result dimension reads index 0; a dynamic operand dimension is taken to
/// equal the result's) and yields `body`'s value.
mlir::FailureOr<mlir::Value>
buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                 mlir::RankedTensorType resultType, mlir::ValueRange operands,
                 ScalarBody body);

/// `value` (same element count) as `target`'s shape: collapsed to one
/// dimension and expanded again; identity when the types already match.
mlir::FailureOr<mlir::Value> reshapeTo(mlir::OpBuilder &b, mlir::Location loc,
                                       mlir::Value value,
                                       mlir::RankedTensorType target);

/// How `reduce` combines elements.
enum class ReduceKind { Sum, Max };

/// `value` reduced over `axes` (sorted, in range) into a tensor of the same
/// rank whose reduced dimensions are 1 (keepdims form). Sum starts at 0, Max
/// at the lowest value and propagates NaN.
mlir::FailureOr<mlir::Value> reduce(mlir::OpBuilder &b, mlir::Location loc,
                                    mlir::Value value,
                                    llvm::ArrayRef<int64_t> axes,
                                    ReduceKind kind);

/// The number of elements of `value` over `axes`, as a scalar of
/// `elementType` (tensor.dim for dynamic sizes).
mlir::Value countOver(mlir::OpBuilder &b, mlir::Location loc,
                      mlir::Value value, llvm::ArrayRef<int64_t> axes,
                      mlir::Type elementType);

/// `tensor.pad` of `value` by `low` / `high` with the scalar `padValue`
/// (identity when every amount is 0).
mlir::Value pad(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                mlir::Value padValue);

/// `value` as `type` (a tensor.cast that only refines or relaxes static
/// sizes), or `value` itself when the types already match.
mlir::Value castTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                   mlir::Type type);

/// A scalar constant of a float or integer type (bool: value != 0).
mlir::Value createScalar(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Type type, double value);

/// The lowest (max-reduction identity) and highest values of `type`:
/// -inf/+inf for floats, the signed minimum/maximum for integers.
mlir::Value createLowest(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Type type);

/// Converts a scalar between element types the way ONNX Cast does (floats
/// to integers truncate toward zero; to bool is `!= 0`).
mlir::Value convertScalar(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value value, mlir::Type to);

/// An unsigned integer scalar (a `ui8` block argument) as the signless
/// integer arith computes with, by an `unrealized_conversion_cast` that the
/// LLVM lowering (which has no signedness) reconciles away; other values
/// unchanged.
mlir::Value toSignless(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value value);

/// The inverse of `toSignless`: a signless integer as the unsigned `type`
/// (for a yield into an unsigned tensor); `value` when `type` is not
/// unsigned.
mlir::Value fromSignless(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value value, mlir::Type type);

/// An integer scalar of at most 32 bits (signed, signless or unsigned)
/// widened to i32 by its signedness.
mlir::Value widenToI32(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value value);

/// The `linalg.generic` iterator kinds, `parallel` times `n`.
llvm::SmallVector<mlir::utils::IteratorType>
parallelIterators(int64_t n);

/// The ranked tensor type of `value`, or null.
inline mlir::RankedTensorType rankedType(mlir::Value value) {
  return llvm::dyn_cast<mlir::RankedTensorType>(value.getType());
}

/// Base of every lowering pattern: `lower` returns the replacement values or
/// a reason; a reason becomes `unsupported <onnx op>: <reason>` on the op
/// (through `refuse`), so the user sees why rather than "failed to
/// legalize".
template <typename OpTy>
struct LoweringPattern : mlir::OpConversionPattern<OpTy> {
  using mlir::OpConversionPattern<OpTy>::OpConversionPattern;
  using Adaptor = typename OpTy::Adaptor;

  virtual mlir::FailureOr<llvm::SmallVector<mlir::Value>>
  lower(OpTy op, Adaptor adaptor,
        mlir::ConversionPatternRewriter &rewriter) const = 0;

  mlir::LogicalResult
  matchAndRewrite(OpTy op, Adaptor adaptor,
                  mlir::ConversionPatternRewriter &rewriter) const final {
    mlir::FailureOr<llvm::SmallVector<mlir::Value>> values =
        lower(op, adaptor, rewriter);
    if (mlir::failed(values))
      return mlir::failure();
    rewriter.replaceOp(op, *values);
    return mlir::success();
  }
};

/// Emits `unsupported <ONNX name> (<mnemonic>): <reason>` on `op` once and
/// returns failure. The pass reports the first refusal of each op.
mlir::LogicalResult refuse(mlir::Operation *op, const llvm::Twine &reason);

/// Every operand and result is a ranked tensor (refused otherwise).
mlir::LogicalResult requireRanked(mlir::Operation *op);

} // namespace loom::linalg_lowering

#endif // LOOM_LIB_CONVERSION_LOOMTOLINALG_LOWERINGUTILS_H
