//===- ShapeInference.h - ONNX shape rules shared by Loom ops ---*- C++ -*-===//
//
// The shape-inference interface and the helpers its implementations share:
// numpy broadcasting, axis normalisation, reading constant shape operands.
// Every helper emits its diagnostic on the op and returns failure when an
// operator rule is broken.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_IR_SHAPEINFERENCE_H
#define LOOM_DIALECT_LOOM_IR_SHAPEINFERENCE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace loom {
namespace detail {
/// Runs inference and checks each declared result type against it.
llvm::LogicalResult verifyShapeInference(mlir::Operation *op);
} // namespace detail

/// True when `declared` is no less precise than `inferred` would allow and
/// does not contradict it (same element type, rank and static dimensions).
bool isCompatibleType(mlir::Type declared, mlir::Type inferred);

/// The more precise of two compatible types: static dimensions win over
/// dynamic ones, ranked over unranked.
mlir::Type refineType(mlir::Type declared, mlir::Type inferred);

/// A tensor type of the given shape, or unranked when `shape` is empty.
mlir::TensorType makeTensorType(std::optional<llvm::ArrayRef<int64_t>> shape,
                                mlir::Type elementType);

/// Result = operand 0's type.
llvm::LogicalResult
inferSameAsOperand(mlir::Operation *op,
                   llvm::SmallVectorImpl<mlir::Type> &inferred);

/// Numpy-style broadcast of every operand's shape. All operands must share an
/// element type; the result has `resultElementType` or, if null, theirs.
llvm::LogicalResult inferBroadcast(mlir::Operation *op,
                                   llvm::SmallVectorImpl<mlir::Type> &inferred,
                                   mlir::Type resultElementType);

/// Broadcasts `types` (multidirectionally). Returns the shape, or nullopt if
/// any is unranked; emits an error and fails when two dimensions clash.
llvm::FailureOr<std::optional<llvm::SmallVector<int64_t>>>
broadcastShapes(mlir::Operation *op, mlir::TypeRange types);

/// Reductions: `axes` (optional operand), `keepdims`, `noop_with_empty_axes`.
llvm::LogicalResult inferReduction(mlir::Operation *op, mlir::Value data,
                                   mlir::Value axes, bool keepdims,
                                   bool noopWithEmptyAxes,
                                   llvm::SmallVectorImpl<mlir::Type> &inferred);

/// Checks `axis` is in [-rank, rank) for a ranked `type` (any axis passes
/// for an unranked one).
llvm::LogicalResult verifyAxis(mlir::Operation *op, mlir::Type type,
                               int64_t axis, llvm::StringRef name);

/// `axis` counted from the front.
inline int64_t normalizeAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

/// The integer contents of `value` when it is a constant: a `loom.constant`,
/// an `arith.constant` or a `loom.weight_ref` of a weight with known data.
std::optional<llvm::SmallVector<int64_t>> getConstantInts(mlir::Value value);

/// The float contents (f32) of `value` when it is such a constant.
std::optional<llvm::SmallVector<float>> getConstantFloats(mlir::Value value);

/// ONNX Shape's [start, end) dimension range for a rank, clamped.
std::pair<int64_t, int64_t> getShapeRange(int64_t rank,
                                          std::optional<int64_t> start,
                                          std::optional<int64_t> end);

/// Creates `state`'s op at the builder's insertion point the way importers
/// build typed ops: with placeholder result types (unranked tensors of
/// `placeholderElement`), checks that every attribute reads back as given
/// (a wrong kind stored in properties is dropped silently) and the op's
/// invariants, replaces the placeholders by the types its
/// ShapeInferenceOpInterface infers (refined with `declared[i]` where given;
/// an incompatible declared type is a failure) and verifies the op. On any
/// failure the op is erased and failure returned, without diagnostics: the
/// caller builds a generic op instead.
llvm::FailureOr<mlir::Operation *>
createWithInferredTypes(mlir::OpBuilder &builder, mlir::OperationState &state,
                        unsigned numResults, mlir::Type placeholderElement,
                        llvm::ArrayRef<mlir::Type> declared = {});

/// The static length of a 1-D operand (such as `axes`), if known.
std::optional<int64_t> getStaticLength(mlir::Value value);

} // namespace loom

#include "loom/Dialect/Loom/IR/LoomInterfaces.h.inc"

#endif // LOOM_DIALECT_LOOM_IR_SHAPEINFERENCE_H
