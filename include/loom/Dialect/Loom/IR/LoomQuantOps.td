//===- LoomQuantOps.td - quantization ops ------------------*- tablegen -*-===//
//
// ONNX's linear quantization: QuantizeLinear, DequantizeLinear and the
// integer matrix product MatMulInteger.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_IR_LOOMQUANTOPS_TD
#define LOOM_DIALECT_LOOM_IR_LOOMQUANTOPS_TD

include "loom/Dialect/Loom/IR/LoomOpBase.td"

def Loom_QuantizeLinearOp : Loom_TypedOp<"quantize_linear", "QuantizeLinear"> {
  let onnxMinOpset = 10;
  let summary = "float to integer quantization (ONNX QuantizeLinear)";
  let description = [{
    `y = saturate(round(x / y_scale) + y_zero_point)`. `y_scale` is a scalar
    (per tensor), 1-D along `axis` (per channel) or, with `block_size`,
    blocked. The result's element type is `y_zero_point`'s when present
    (`ui8` by default).
  }];
  let arguments = (ins Loom_FloatTensor:$x, Loom_FloatTensor:$y_scale,
                       Optional<Loom_QuantIntTensor>:$y_zero_point,
                       DefaultValuedAttr<Loom_I64Attr, "1">:$axis,
                       DefaultValuedAttr<Loom_I64Attr, "0">:$block_size,
                       DefaultValuedAttr<Loom_I64Attr, "1">:$saturate);
  let results = (outs Loom_QuantIntTensor:$y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Loom_DequantizeLinearOp
    : Loom_TypedOp<"dequantize_linear", "DequantizeLinear"> {
  let onnxMinOpset = 10;
  let summary = "integer to float dequantization (ONNX DequantizeLinear)";
  let description = [{
    `y = (x - x_zero_point) * x_scale`, with `x_scale` per tensor, per
    channel along `axis` or blocked; the result has `x_scale`'s element type.
  }];
  let arguments = (ins Loom_QuantIntTensor:$x, Loom_FloatTensor:$x_scale,
                       Optional<Loom_QuantIntTensor>:$x_zero_point,
                       DefaultValuedAttr<Loom_I64Attr, "1">:$axis,
                       DefaultValuedAttr<Loom_I64Attr, "0">:$block_size);
  let results = (outs Loom_FloatTensor:$y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Loom_MatMulIntegerOp : Loom_TypedOp<"matmul_integer", "MatMulInteger",
                                        [AttrSizedOperandSegments]> {
  let onnxMinOpset = 10;
  let summary = "8-bit integer matrix product with i32 result (ONNX MatMulInteger)";
  let description = [{
    `Y = (A - a_zero_point) @ (B - b_zero_point)` with `loom.matmul`'s shape
    rules, accumulated in `i32`. Zero points are scalars or per row of `A` /
    per column of `B`.

    ```mlir
    %y = loom.matmul_integer %a, %b a_zero_point %za : (...) -> tensor<2x4xi32>
    ```
  }];
  let arguments = (ins TensorOf<[I8, UI8]>:$A, TensorOf<[I8, UI8]>:$B,
                       Optional<TensorOf<[I8, UI8]>>:$a_zero_point,
                       Optional<TensorOf<[I8, UI8]>>:$b_zero_point);
  let results = (outs TensorOf<[I32]>:$Y);
  let assemblyFormat = [{
    $A `,` $B (`a_zero_point` $a_zero_point^)? (`b_zero_point` $b_zero_point^)?
    attr-dict `:` functional-type(operands, results)
  }];
}

#endif // LOOM_DIALECT_LOOM_IR_LOOMQUANTOPS_TD
