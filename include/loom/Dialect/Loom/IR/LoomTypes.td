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

def Loom_SparseTensorType : Loom_Type<"SparseTensor", "sparse"> {
  let summary = "ONNX sparse tensor value";
  let description = [{
    `!loom.sparse<tensor<4x4xf32>>`: an ONNX `sparse_tensor` value (a graph
    input or output of that type). Sparse initializers are `loom.weight`s with
    a `sparse<...>` value instead.
  }];
  let parameters = (ins "::mlir::Type":$tensorType);
  let assemblyFormat = "`<` $tensorType `>`";
}

def Loom_UnknownType : Loom_Type<"Unknown", "unknown"> {
  let summary = "an ONNX value whose type nothing declares or infers";
  let description = [{
    The result of a node whose output has no `value_info` and whose type
    neither ONNX's shape inference nor Loom's knows (an op of a custom domain,
    say). Only generic ops read and write it; export writes no type for it.
  }];
}

#endif // LOOM_DIALECT_LOOM_IR_LOOMTYPES_TD
