//===- LoomStructureOps.td - weights, constants, generic op -*- tablegen -*-===//
//
// The ops that give a model its structure rather than compute: module-level
// weights and the op that reads them, constants, the absent-value marker, and
// the generic op that carries any ONNX operator Loom has no typed op for.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_IR_LOOMSTRUCTUREOPS_TD
#define LOOM_DIALECT_LOOM_IR_LOOMSTRUCTUREOPS_TD

include "loom/Dialect/Loom/IR/LoomBase.td"
include "loom/Dialect/Loom/IR/LoomAttrs.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

def Loom_WeightOp : Loom_Op<"weight", [Symbol, HasParent<"::mlir::ModuleOp">]> {
  let summary = "a parameter, buffer or constant tensor of the model";
  let description = [{
    One tensor of the model, as a module-level symbol:

    ```mlir
    loom.weight @fc.weight parameter frozen input 2 aliases ["head.weight"]
        copies ["bn.running_var" buffer] : tensor<10x64xf32>
        = dense_resource<fc_weight>
    ```

    * `value`: the data. Real data lives in `dense_resource` blobs so that a
      large tensor is never uniqued, copied or printed inline; small ones may
      be `dense<...>`. Its type is the weight's type.
    * `role`: `parameter` (learned), `buffer` (state that is not learned,
      such as BatchNorm's running statistics) or `constant` (anything else:
      shape tensors, folded results).
    * `frozen`: the value is fixed for this compilation, so passes may fold
      computations that depend only on it. A parameter that is not frozen is
      trainable.
    * `aliases`: the other original names that now read this tensor (after
      import merged equal tensors or `loom-tie-weights` tied duplicates), so
      that statistics, diagnostics and export still name them.
    * `input N` (`input_index`): the weight is also input number `N` of the
      model, so a caller may feed another value in its place (an ONNX
      initializer that is also a graph input). It is part of the model's
      interface: passes keep its tensor its own, and exporters write it
      back at that position.

    Functions read a weight with `loom.weight_ref`.
  }];
  let arguments = (ins
    SymbolNameAttr:$sym_name,
    ElementsAttr:$value,
    DefaultValuedAttr<Loom_WeightRoleAttr, "::loom::WeightRole::Parameter">:$role,
    UnitAttr:$frozen,
    OptionalAttr<ConfinedAttr<Loom_I64Attr, [IntNonNegative]>>:$input_index,
    OptionalAttr<StrArrayAttr>:$aliases,
    OptionalAttr<TypedArrayAttrBase<Loom_WeightCopyAttr,
                                    "array of weight copies">>:$copies);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let extraClassDeclaration = onnxClassDeclaration # [{
    /// The weight's tensor type (the type of its value).
    ::mlir::ShapedType getType() {
      return ::llvm::cast<::mlir::ShapedType>(getValue().getType());
    }
    /// A parameter that is not frozen: training would change it.
    bool isTrainable() {
      return getRole() == ::loom::WeightRole::Parameter && !getFrozen();
    }
  }];
}

def Loom_WeightRefOp : Loom_Op<"weight_ref", [Pure,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "reads a module-level weight";
  let description = [{
    `%w = loom.weight_ref @fc.weight : tensor<10x64xf32>` yields the value of
    the `loom.weight` named `@fc.weight`. The verifier checks that the symbol
    names a weight and that the result type is the weight's type.
  }];
  let arguments = (ins FlatSymbolRefAttr:$name);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
}

def Loom_ConstantOp : Loom_Op<"constant", [ConstantLike, Pure,
    AllTypesMatch<["value", "output"]>]> {
  let summary = "a constant tensor (ONNX Constant)";
  let description = [{
    `%c = loom.constant dense<[1, -1]> : tensor<2xi64>`. ONNX `Constant`'s
    `value_float`, `value_ints`, ... forms are all normalised to `value` at
    import. Large constants should become `loom.weight`s instead.
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let builders = [
    OpBuilder<(ins "::mlir::ElementsAttr":$value), [{
      build($_builder, $_state, value.getType(), value);
    }]>];
  let onnxName = "Constant";
}

def Loom_NoneOp : Loom_Op<"none", [Pure]> {
  let summary = "an absent optional operand";
  let description = [{
    `%n = loom.none` stands where an ONNX node leaves an optional input out
    (an empty name) before a later input that is present. Only the generic op
    uses it; typed ops declare optional operands instead.
  }];
  let results = (outs NoneType:$result);
  let assemblyFormat = "attr-dict";
}

def Loom_OnnxOp : Loom_Op<"onnx", []> {
  let summary = "any ONNX operator, carried unchanged";
  let description = [{
    A node of an operator that has no typed Loom op (or a form of one that the
    typed op does not cover), kept with everything needed to write it back:

    ```mlir
    %y = loom.onnx "FusedMatMul" domain "com.microsoft" version 1
        (%a, %b) attributes {alpha = 1.0 : f32, transB = 1 : i64}
        : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
    ```

    * `op_type`, `domain` (empty for the default ONNX domain) and `version`,
      the opset version of that domain the model imports;
    * `onnx_attributes` (printed after `attributes`): every ONNX attribute by name: `INT` as `i64`, `FLOAT` as
      `f32`, `STRING` as a string, `TENSOR` as an elements attribute, `INTS`
      and `FLOATS` as `array<i64: ...>` / `array<f32: ...>`, `STRINGS` and
      `TENSORS` as arrays, `TYPE_PROTO` as a type, `GRAPH` as
      `#loom.graph<N>` naming region `N` (and `GRAPHS` as an array of them);
    * nested graphs (`If`, `Loop`, `Scan`) as regions, whose block arguments
      are the graph's inputs and whose `loom.yield` returns its outputs; a
      region may use values defined outside it, as ONNX subgraphs may;
    * an absent optional input in the middle of the list is a `loom.none`
      value.

    Every pass treats it as opaque and every back end refuses it by name.
  }];
  let arguments = (ins
    StrAttr:$op_type,
    DefaultValuedStrAttr<StrAttr, "">:$domain,
    OptionalAttr<Loom_I64Attr>:$version,
    OptionalAttr<DictionaryAttr>:$onnx_attributes,
    Variadic<AnyType>:$inputs);
  let results = (outs Variadic<AnyType>:$outputs);
  let regions = (region VariadicRegion<SizedRegion<1>>:$graphs);
  let assemblyFormat = [{
    $op_type (`domain` $domain^)? (`version` $version^)?
    ` ` `(` $inputs `)` (`attributes` $onnx_attributes^)? (`graphs` $graphs^)?
    attr-dict `:` functional-type($inputs, $outputs)
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

def Loom_YieldOp : Loom_Op<"yield", [Pure, Terminator,
    ParentOneOf<["OnnxOp"]>]> {
  let summary = "returns the outputs of a nested graph";
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
  let builders = [OpBuilder<(ins), [{ /* nothing */ }]>];
}

#endif // LOOM_DIALECT_LOOM_IR_LOOMSTRUCTUREOPS_TD
