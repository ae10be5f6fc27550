//===- ImportONNX.h - the importer's parts, shared between its files -*- C++
//-*-===//
//
// The node-level interface between the graph importer (ImportONNX.cpp) and
// the mapping of known operators to typed Loom ops (ImportONNXOps.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_TARGET_ONNX_IMPORTONNX_H
#define LOOM_LIB_TARGET_ONNX_IMPORTONNX_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/StringMap.h"

#include <functional>
#include <optional>
#include <string>

#include "onnx/onnx_pb.h"

namespace loom {

/// How deep a model's protobuf messages may nest (protobuf's default is 100).
/// A graph inside an `If` costs three levels, so this allows If/Loop bodies
/// nested about 330 deep; the importer recurses once per graph level and is
/// tested at that depth (test/Target/ONNX/import-errors.test).
constexpr int kMaxProtobufDepth = 1000;

/// What the graph importer knows about one node when it asks for a typed op.
struct NodeContext {
  const onnx::NodeProto &node;
  /// The opset version of the node's domain.
  int64_t opset;
  /// One per ONNX input; null for an absent optional input ("").
  llvm::SmallVector<mlir::Value> operands;
  /// One per ONNX output: the declared or ONNX-inferred type, or null.
  llvm::SmallVector<mlir::Type> resultTypes;
  mlir::Location loc;
  /// Converts a tensor attribute the way initializers are converted.
  std::function<llvm::FailureOr<mlir::ElementsAttr>(const onnx::TensorProto &)>
      convertTensor;
};

/// Builds the typed Loom op for `ctx.node` at the builder's insertion point,
/// or returns null (building nothing) when the operator, its opset form, an
/// attribute or an operand type has no typed op; the caller then builds the
/// generic `loom.onnx`. The returned op has passed its verifier.
mlir::Operation *importTypedOp(mlir::OpBuilder &builder,
                               const NodeContext &ctx);

/// `node 'NAME' (DOMAIN.OpType)`, the way every importer error names a node
/// (the first output's name when the node has none).
std::string describeNode(const onnx::NodeProto &node);

/// Makes the model fit for ONNX's own shape inference (ImportONNXValidate.cpp):
/// sorts every graph's nodes topologically (exporters do not always), then
/// refuses what that inference would crash on: a cycle, an input defined
/// nowhere, a node that violates its schema, a zero stride, dilation, kernel
/// size or group, a model-local function that calls itself. Returns the
/// one-line reason, naming the node.
std::optional<std::string> prepareForShapeInference(onnx::ModelProto &model);

/// Runs ONNX's own shape inference in a child process and merges the types
/// it infers into `model`. ONNX 1.12's inference functions read input types
/// that an earlier node's failed inference never produced (a null pointer;
/// found by the fuzzer past every check above), so a crash, or more than
/// `seconds`, must not take the importer with it. Returns false when the
/// child did not finish: the model is then imported with its declared types.
bool inferShapesIsolated(onnx::ModelProto &model, unsigned seconds);

} // namespace loom

#endif // LOOM_LIB_TARGET_ONNX_IMPORTONNX_H
