//===- LoomBase.td - Loom dialect definition and base classes -*- tablegen -*-===//
//
// The `loom` dialect: one IR for neural-network models between import (ONNX,
// TorchScript) and the back ends. This file declares the dialect, the type
// constraints the ops share and the base classes every op derives from.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_IR_LOOMBASE_TD
#define LOOM_DIALECT_LOOM_IR_LOOMBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Loom_Dialect : Dialect {
  let name = "loom";
  let cppNamespace = "::loom";
  let summary = "Neural-network models: weights, ONNX-semantics ops and a generic op";
  let description = [{
    The `loom` dialect holds a trained model between import and code
    generation. A model is a `builtin.module` with

    * `loom.weight` symbols, one per parameter, buffer or constant tensor,
      carrying the value (as `dense_resource` for real data), the role, whether
      it is frozen, and every original name tied into it;
    * functions (`func.func`) whose bodies read weights through
      `loom.weight_ref` and compute with typed ops (`loom.conv`,
      `loom.matmul`, ...) that follow ONNX semantics: numpy-style
      broadcasting, the same attributes with the same defaults, the operand
      order of the newest opset;
    * `loom.onnx`, a generic op carrying any other operator unchanged, so
      that no model is refused at import.

    Discardable attributes, each verified by the dialect:

    * `loom.name` (on a function argument or result): the input's or output's
      name in the source model;
    * `loom.dims` (the same): its symbolic dimension names, `""` where a
      dimension has none (`["batch", ""]`);
    * `loom.weight = @w` (on a function argument): the argument stands for
      weight `@w`, bound by `--loom-weights-to-arguments` so that compiled
      code reads the weight's data where it lies instead of a copy;
    * `loom.activation_range = array<f32: min, max>` (on a Conv, Gemm or
      MatMul): the range calibration measured for its first operand, which
      `--loom-quantize mode=static` quantizes with;
    * `loom.quantize_bits = 4 | 8 | 0` (on a `loom.weight`): the width
      `--loom-quantize` gives this weight (0: it stays float), whatever its
      `bits` option and sensitivity defaults say; `loomc compress
      --max-drift` writes them from measurements.

    Element types follow one convention: ONNX's signed integers are signless
    (`i8`, `i32`, `i64`), unsigned ones are `ui8`, `ui16`, ..., `bool` is
    `i1`, strings are `!loom.string`.
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    void registerTypes();
    void registerAttributes();

    /// The dialect's discardable attributes (see the description).
    static constexpr ::llvm::StringLiteral getNameAttrName() {
      return ::llvm::StringLiteral("loom.name");
    }
    static constexpr ::llvm::StringLiteral getDimsAttrName() {
      return ::llvm::StringLiteral("loom.dims");
    }
    static constexpr ::llvm::StringLiteral getWeightAttrName() {
      return ::llvm::StringLiteral("loom.weight");
    }
    static constexpr ::llvm::StringLiteral getActivationRangeAttrName() {
      return ::llvm::StringLiteral("loom.activation_range");
    }
    static constexpr ::llvm::StringLiteral getQuantizeBitsAttrName() {
      return ::llvm::StringLiteral("loom.quantize_bits");
    }
  }];
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

// Any builtin float type: f16, bf16, f32, f64 and the fp8 family.
def Loom_FloatTensor : TensorOf<[AnyFloat]>;
def Loom_IntTensor : TensorOf<[AnyInteger]>;
def Loom_I64Tensor : TensorOf<[I64]>;
def Loom_BoolTensor : TensorOf<[I1]>;
// Integer index tensors (Gather indices): int32 or int64.
def Loom_IndexTensor : TensorOf<[I32, I64]>;
// Numeric tensors (no strings, no bool): what arithmetic accepts.
def Loom_NumericTensor : TensorOf<[AnyFloat, AnySignlessInteger,
                                   AnyUnsignedInteger, AnyComplex]>;
// 8-bit (and smaller) integer tensors that quantized ops produce and read.
def Loom_QuantIntTensor : TensorOf<[I<4>, UI<4>, I8, UI8, I16, UI16, I32,
                                    F8E4M3FN, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ]>;

// ONNX INT attributes are signed 64-bit: upstream's I64Attr reads them back as
// uint64_t, which turns `axis = -1` into a huge number in comparisons.
def Loom_I64Attr : SignlessIntegerAttrBase<I64, "64-bit integer attribute (signed)"> {
  let returnType = "int64_t";
  let convertFromStorage = "$_self.getValue().getSExtValue()";
}

//===----------------------------------------------------------------------===//
// Base classes
//===----------------------------------------------------------------------===//

class Loom_Op<string mnemonic, list<Trait> traits = []>
    : Op<Loom_Dialect, mnemonic, traits> {
  // The ONNX operator this op mirrors (empty for Loom's own structural ops).
  string onnxName = "";
  // The first opset whose form of it the importer maps (older forms that
  // differ only by attributes turned operands are upgraded on import and
  // written back on export).
  int onnxMinOpset = 1;
  // The most results the op has in ONNX (-1: variadic).
  int onnxMaxResults = 1;
  // What an ONNX importer or exporter asks of every op (the facts above, as
  // static members): a def with its own extraClassDeclaration appends it.
  code onnxClassDeclaration = [{
    /// The ONNX operator this op mirrors ("" for Loom's own ops), the first
    /// opset whose form the importer maps, and the most results (-1:
    /// variadic). From ODS: the one source of these facts.
    static constexpr ::llvm::StringLiteral getONNXName() {
      return ::llvm::StringLiteral("}] # onnxName # [{");
    }
    static constexpr int64_t getONNXMinOpset() { return }]
      # onnxMinOpset # [{; }
    static constexpr int getONNXMaxResults() { return }]
      # onnxMaxResults # [{; }
  }];
  let extraClassDeclaration = onnxClassDeclaration;
}

#endif // LOOM_DIALECT_LOOM_IR_LOOMBASE_TD
