//===- LoomTypes.td - Loom types ---------------------------*- tablegen -*-===//
//
// Types for the ONNX values that have no builtin MLIR counterpart: strings,
// sequences, optionals and maps. Numeric tensors use builtin `tensor<...>`.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_IR_LOOMTYPES_TD
#define LOOM_DIALECT_LOOM_IR_LOOMTYPES_TD

include "loom/Dialect/Loom/IR/LoomBase.td"

class Loom_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<Loom_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def Loom_StringType : Loom_Type<"String", "string"> {
  let summary = "ONNX string element type";
  let description = [{
    The element type of ONNX `STRING` tensors, e.g. `tensor<3x!loom.string>`.
    Values are byte strings; constants use `DenseStringElementsAttr`.
  }];
}

def Loom_SequenceType : Loom_Type<"Sequence", "seq"> {
  let summary = "ONNX sequence of values of one type";
  let description = [{
    `!loom.seq<tensor<?xf32>>`: an ONNX `sequence` value, as produced by
    `SequenceConstruct` or `SplitToSequence`. Only generic `loom.onnx` ops
    read and write it.
  }];
  let parameters = (ins "::mlir::Type":$elementType);
  let assemblyFormat = "`<` $elementType `>`";
}

def Loom_OptionalType : Loom_Type<"Optional", "opt"> {
  let summary = "ONNX optional value";
  let description = [{
    `!loom.opt<tensor<4xf32>>`: an ONNX `optional` value that may hold a value
    of the element type or nothing.
  }];
  let parameters = (ins "::mlir::Type":$elementType);
  let assemblyFormat = "`<` $elementType `>`";
}

def Loom_MapType : Loom_Type<"Map", "map"> {
  let summary = "ONNX-ML map from a key type to a value type";
  let parameters = (ins "::mlir::Type":$keyType, "::mlir::Type":$valueType);
  let assemblyFormat = "`<` $keyType `,` $valueType `>`";
}

#endif // LOOM_DIALECT_LOOM_IR_LOOMTYPES_TD
