//===- LoomOpBase.td - base classes of Loom's typed ops ----*- tablegen -*-===//
//
// Every typed op mirrors one ONNX operator (its newest opset's operand order,
// attribute names and defaults), is free of side effects and implements
// ShapeInferenceOpInterface. The classes here share the operand lists and
// assembly formats of the elementwise families.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_IR_LOOMOPBASE_TD
#define LOOM_DIALECT_LOOM_IR_LOOMOPBASE_TD

include "loom/Dialect/Loom/IR/LoomBase.td"
include "loom/Dialect/Loom/IR/LoomAttrs.td"
include "loom/Dialect/Loom/IR/LoomInterfaces.td"

class Loom_TypedOp<string mnemonic, string onnx, list<Trait> traits = []>
    : Loom_Op<mnemonic, !listconcat(traits, [Pure,
        DeclareOpInterfaceMethods<Loom_ShapeInferenceOpInterface>])> {
  let onnxName = onnx;
}

// One tensor in, one of the same type out: `loom.relu %x : tensor<4xf32>`.
// The result type is printed only when it is more precise than the operand's
// (`: tensor<?xf32> -> tensor<4xf32>`).
class Loom_UnaryOp<string mnemonic, string onnx, Type T,
                   list<Trait> traits = []>
    : Loom_TypedOp<mnemonic, onnx, traits> {
  let arguments = (ins T:$X);
  let results = (outs T:$Y);
  let assemblyFormat = "$X attr-dict `:` custom<RefinedType>(type($X), type($Y))";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferResultTypes(
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return ::loom::inferSameAsOperand(getOperation(), inferred);
    }
  }];
}

// Two tensors of one element type, numpy-style (multidirectional)
// broadcasting, a result of that element type.
class Loom_BinaryOp<string mnemonic, string onnx, Type T,
                    list<Trait> traits = []>
    : Loom_TypedOp<mnemonic, onnx, traits> {
  let arguments = (ins T:$A, T:$B);
  let results = (outs T:$C);
  let assemblyFormat =
      "$A `,` $B attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferResultTypes(
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return ::loom::inferBroadcast(getOperation(), inferred,
                                    /*resultElementType=*/nullptr);
    }
  }];
}

// Comparisons: broadcasting like Loom_BinaryOp, an i1 result.
class Loom_CompareOp<string mnemonic, string onnx>
    : Loom_TypedOp<mnemonic, onnx> {
  let arguments = (ins Loom_NumericTensor:$A, Loom_NumericTensor:$B);
  let results = (outs Loom_BoolTensor:$C);
  let assemblyFormat =
      "$A `,` $B attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferResultTypes(
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return ::loom::inferBroadcast(
          getOperation(), inferred,
          ::mlir::IntegerType::get(getContext(), 1));
    }
  }];
}

// Reductions (opset 18 form: axes as an optional operand).
class Loom_ReduceOp<string mnemonic, string onnx>
    : Loom_TypedOp<mnemonic, onnx> {
  let arguments = (ins Loom_NumericTensor:$data,
                       Optional<Loom_I64Tensor>:$axes,
                       DefaultValuedAttr<Loom_I64Attr, "1">:$keepdims,
                       DefaultValuedAttr<Loom_I64Attr, "0">:$noop_with_empty_axes);
  let results = (outs Loom_NumericTensor:$reduced);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferResultTypes(
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return ::loom::inferReduction(getOperation(), getData(), getAxes(),
                                    getKeepdims() != 0,
                                    getNoopWithEmptyAxes() != 0, inferred);
    }
  }];
}

// Attributes shared by Conv, ConvTranspose and the pools.
defvar Loom_AutoPadArg =
    DefaultValuedAttr<Loom_AutoPadAttr, "::loom::AutoPad::NOTSET">;

#endif // LOOM_DIALECT_LOOM_IR_LOOMOPBASE_TD
