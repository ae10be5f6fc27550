//===- LoomAttrs.td - Loom attributes and enums ------------*- tablegen -*-===//
//
// Enums for ONNX string-valued attributes with a closed set of values, the
// weight role, and the attribute that ties a generic op's graph attribute to
// one of its regions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_IR_LOOMATTRS_TD
#define LOOM_DIALECT_LOOM_IR_LOOMATTRS_TD

include "loom/Dialect/Loom/IR/LoomBase.td"
include "mlir/IR/EnumAttr.td"

def Loom_WeightRole : I32EnumAttr<"WeightRole", "what a weight is to the model", [
    I32EnumAttrCase<"Parameter", 0, "parameter">,
    I32EnumAttrCase<"Buffer", 1, "buffer">,
    I32EnumAttrCase<"Constant", 2, "constant">]> {
  let cppNamespace = "::loom";
  let genSpecializedAttr = 0;
}
def Loom_WeightRoleAttr : EnumAttr<Loom_Dialect, Loom_WeightRole, "role"> {
  let assemblyFormat = "`<` $value `>`";
}

def Loom_WeightCopyAttr : AttrDef<Loom_Dialect, "WeightCopy"> {
  let mnemonic = "copy";
  let summary = "a name that was a separate tensor of equal value in the source";
  let description = [{
    `#loom.copy<"layer4.1.bn2.running_var", buffer>` records that the source
    model had a tensor of its own under this name, with this role, holding the
    same values as the weight that lists it (an exporter merged them, as
    PyTorch's ONNX exporter does with equal tensors). Statistics count it as a
    tensor of its own; unlike an alias (one tensor reached through two names),
    it was never shared in the source.
  }];
  let parameters = (ins "::mlir::StringAttr":$name,
                        "::loom::WeightRole":$role);
  let assemblyFormat = "`<` $name `,` $role `>`";
}

def Loom_AutoPad : I32EnumAttr<"AutoPad", "ONNX auto_pad", [
    I32EnumAttrCase<"NOTSET", 0>,
    I32EnumAttrCase<"SAME_UPPER", 1>,
    I32EnumAttrCase<"SAME_LOWER", 2>,
    I32EnumAttrCase<"VALID", 3>]> {
  let cppNamespace = "::loom";
  let genSpecializedAttr = 0;
}
def Loom_AutoPadAttr : EnumAttr<Loom_Dialect, Loom_AutoPad, "auto_pad"> {
  let assemblyFormat = "`<` $value `>`";
}

def Loom_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "ONNX Gelu approximate", [
    I32EnumAttrCase<"None", 0, "none">,
    I32EnumAttrCase<"Tanh", 1, "tanh">]> {
  let cppNamespace = "::loom";
  let genSpecializedAttr = 0;
}
def Loom_GeluApproximationAttr
    : EnumAttr<Loom_Dialect, Loom_GeluApproximation, "gelu_approximation"> {
  let assemblyFormat = "`<` $value `>`";
}

def Loom_GraphAttr : AttrDef<Loom_Dialect, "Graph"> {
  let mnemonic = "graph";
  let summary = "an ONNX graph attribute, held as a region of the op";
  let description = [{
    In the `attributes` dictionary of `loom.onnx`, `#loom.graph<1>` stands for
    the ONNX graph attribute whose body is the op's region number 1. A list of
    graphs (`GRAPHS`) is an array of these.
  }];
  let parameters = (ins "unsigned":$region);
  let assemblyFormat = "`<` $region `>`";
}

#endif // LOOM_DIALECT_LOOM_IR_LOOMATTRS_TD
