//===- ExportONNX.h - the exporter's parts, shared between its files -*- C++
//-*-===//
//
// The node-level interface between the graph exporter (ExportONNX.cpp) and the
// writing of typed Loom ops as ONNX nodes of a given opset (ExportONNXOps.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_TARGET_ONNX_EXPORTONNX_H
#define LOOM_LIB_TARGET_ONNX_EXPORTONNX_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringRef.h"

#include "onnx/onnx_pb.h"

#include <functional>

namespace loom {

/// What the graph exporter offers the typed-op writer.
struct NodeWriter {
  /// The model's opset version of the default domain.
  int64_t opset;
  /// Names an operand (the empty string for an absent one).
  std::function<std::string(mlir::Value)> nameOf;
  /// Adds a constant input (a Constant node) and returns its name: how older
  /// opsets' attribute forms are turned back... and vice versa.
  std::function<std::string(mlir::ElementsAttr, llvm::StringRef hint)>
      addConstant;
  /// Writes an elements attribute into a TensorProto.
  std::function<llvm::LogicalResult(mlir::ElementsAttr, onnx::TensorProto *)>
      writeTensor;
  /// Each op kind's ODS attribute defaults, computed once per export (owned
  /// by the exporter: attributes belong to one context, so a process-wide
  /// cache would hand a later context attributes of a destroyed one).
  llvm::DenseMap<mlir::OperationName, mlir::DictionaryAttr> *defaults = nullptr;
};

/// Fills `node` (op_type, inputs, attributes; not outputs or name) for a typed
/// Loom op in the form of `writer.opset`. Returns failure with an error on the
/// op when that opset cannot express it; returns success with an empty
/// op_type for ops that are not typed ONNX ops.
llvm::LogicalResult exportTypedOp(mlir::Operation *op, const NodeWriter &writer,
                                  onnx::NodeProto &node);

} // namespace loom

#endif // LOOM_LIB_TARGET_ONNX_EXPORTONNX_H
