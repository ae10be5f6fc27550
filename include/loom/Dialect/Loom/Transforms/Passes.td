//===- Passes.td - Loom dialect passes ---------------------*- tablegen -*-===//
//
// Declarations of every pass on the `loom` dialect: summary, description,
// options and statistics. Each pass is defined in its own file under
// lib/Dialect/Loom/Transforms/.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_TRANSFORMS_PASSES_TD
#define LOOM_DIALECT_LOOM_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def LoomInferShapes : Pass<"loom-infer-shapes", "::mlir::ModuleOp"> {
  let summary = "Refine result types from the function inputs through every op";
  let description = [{
    Exported models often lack shape information, and every later pass and
    back end wants static shapes. This pass walks each function in order and
    replaces every result type of an op that implements
    `ShapeInferenceOpInterface` by the more precise of its declared type and
    the type the op's ONNX rules infer from its operands (constant shape
    operands included). Function signatures are updated to match.

    `input-shapes` first overrides the shapes of function inputs, by the name
    the importer recorded (`loom.name` argument attribute) or by position:

    ```
    loom-opt --loom-infer-shapes="input-shapes=ids:1x16,mask:1x16"
    loom-opt --loom-infer-shapes="input-shapes=0:1x3x224x224"
    ```

    A `?` in a shape keeps that dimension dynamic. With `report-unknown`
    (the default) each op whose results still lack a static shape gets a
    remark naming it and the type, so a user sees where information stops;
    the `num-unknown` statistic counts them.

    `summary` prints the counts of refined results, ops with unknown shapes
    and overridden inputs as one remark; they are also pass statistics, but
    Debian's release build of LLVM compiles statistics out.

    A result type that contradicts inference (say, after an input override)
    is an error naming the op.
  }];
  let options = [
    ListOption<"inputShapes", "input-shapes", "std::string",
      "Override input shapes: NAME:DxDx... or INDEX:DxDx... ('?' for a "
      "dynamic dimension, an empty shape for a scalar)">,
    Option<"reportUnknown", "report-unknown", "bool", /*default=*/"true",
      "Emit a remark for every op whose result shapes stay unknown">,
    Option<"summary", "summary", "bool", /*default=*/"false",
      "Emit one remark with the counts below (pass statistics need an "
      "LLVM built with statistics enabled, which Debian's is not)">,
  ];
  let statistics = [
    Statistic<"numRefined", "num-refined",
      "Number of result types made more precise">,
    Statistic<"numUnknown", "num-unknown",
      "Number of ops whose results still lack a static shape">,
    Statistic<"numOverridden", "num-overridden",
      "Number of function inputs whose shape was overridden">,
  ];
  let dependentDialects = ["::loom::LoomDialect"];
}

#endif // LOOM_DIALECT_LOOM_TRANSFORMS_PASSES_TD
