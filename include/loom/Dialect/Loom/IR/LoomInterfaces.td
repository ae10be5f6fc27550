//===- LoomInterfaces.td - Loom op interfaces --------------*- tablegen -*-===//
//
// ShapeInferenceOpInterface: each typed op knows ONNX's rules for its
// operands and attributes and the most precise result types they imply.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_IR_LOOMINTERFACES_TD
#define LOOM_DIALECT_LOOM_IR_LOOMINTERFACES_TD

include "mlir/IR/OpBase.td"

def Loom_ShapeInferenceOpInterface : OpInterface<"ShapeInferenceOpInterface"> {
  let cppNamespace = "::loom";
  let description = [{
    An op with ONNX shape semantics. `inferResultTypes` checks the operands and
    attributes against the operator's rules (emitting an error on the op when
    one is broken) and returns, for each result, the most precise type they
    imply: static dimensions where the operand shapes (and constant shape
    operands) allow, `?` where not, unranked where even the rank is unknown.

    The verifier of every such op runs it and requires each declared result
    type to be compatible with the inferred one (same element type, same rank
    when both are ranked, equal dimensions where both are static), so a result
    type may stay less precise than inference — `--loom-infer-shapes` refines
    it — but never contradict it.
  }];
  let methods = [
    InterfaceMethod<
      "Checks the op against its operator's rules and infers result types.",
      "::llvm::LogicalResult", "inferResultTypes",
      (ins "::llvm::SmallVectorImpl<::mlir::Type> &":$inferred)>,
  ];
  let verify = [{ return ::loom::detail::verifyShapeInference($_op); }];
}

#endif // LOOM_DIALECT_LOOM_IR_LOOMINTERFACES_TD
