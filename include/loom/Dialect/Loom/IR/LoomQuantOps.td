//===- LoomQuantOps.td - quantization ops ------------------*- tablegen -*-===//
//
// ONNX's linear quantization: QuantizeLinear, DequantizeLinear,
// DynamicQuantizeLinear, and the integer kernels MatMulInteger,
// ConvInteger, QLinearMatMul and QLinearConv.
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

def Loom_DynamicQuantizeLinearOp
    : Loom_TypedOp<"dynamic_quantize_linear", "DynamicQuantizeLinear"> {
  let onnxMinOpset = 11;
  let onnxMaxResults = 3;
  let summary = "f32 to uint8 with a scale and zero point computed from the "
                "data (ONNX DynamicQuantizeLinear)";
  let description = [{
    Over `[min(0, min(x)), max(0, max(x))]`: `y_scale = (hi - lo) / 255`,
    `y_zero_point = saturate(round(-lo / y_scale))`,
    `y = saturate(round(x / y_scale) + y_zero_point)`, rounding half to even.
    ```mlir
    %y, %s, %z = loom.dynamic_quantize_linear %x : (tensor<4x8xf32>) -> (tensor<4x8xui8>, tensor<f32>, tensor<ui8>)
    ```
  }];
  let arguments = (ins TensorOf<[F32]>:$x);
  let results = (outs TensorOf<[UI8]>:$y, TensorOf<[F32]>:$y_scale,
                      TensorOf<[UI8]>:$y_zero_point);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Loom_ConvIntegerOp : Loom_TypedOp<"conv_integer", "ConvInteger",
                                      [AttrSizedOperandSegments]> {
  let onnxMinOpset = 10;
  let summary = "8-bit integer convolution with i32 result (ONNX ConvInteger)";
  let description = [{
    `loom.conv` of `x - x_zero_point` by `w - w_zero_point`, accumulated in
    `i32` (padding reads the zero point, so it adds nothing). `w_zero_point`
    is a scalar or one per output channel.
  }];
  let arguments = (ins TensorOf<[I8, UI8]>:$x, TensorOf<[I8, UI8]>:$w,
                       Optional<TensorOf<[I8, UI8]>>:$x_zero_point,
                       Optional<TensorOf<[I8, UI8]>>:$w_zero_point,
                       Loom_AutoPadArg:$auto_pad,
                       OptionalAttr<DenseI64ArrayAttr>:$dilations,
                       DefaultValuedAttr<Loom_I64Attr, "1">:$group,
                       OptionalAttr<DenseI64ArrayAttr>:$kernel_shape,
                       OptionalAttr<DenseI64ArrayAttr>:$pads,
                       OptionalAttr<DenseI64ArrayAttr>:$strides);
  let results = (outs TensorOf<[I32]>:$y);
  let assemblyFormat = [{
    $x `,` $w (`x_zero_point` $x_zero_point^)? (`w_zero_point` $w_zero_point^)?
    attr-dict `:` functional-type(operands, results)
  }];
}

def Loom_QLinearMatMulOp : Loom_TypedOp<"qlinear_matmul", "QLinearMatMul"> {
  let onnxMinOpset = 10;
  let summary = "quantized matrix product (ONNX QLinearMatMul)";
  let description = [{
    `y = saturate(round((a - a_zero_point) @ (b - b_zero_point) * a_scale *
    b_scale / y_scale) + y_zero_point)`, the product in `i32`, the scaling
    in `f32` and rounding half to even (as ONNX Runtime does). `b_scale` and
    `b_zero_point` are scalars or one per column of `b`.
  }];
  let arguments = (ins TensorOf<[I8, UI8]>:$a, Loom_FloatTensor:$a_scale,
                       TensorOf<[I8, UI8]>:$a_zero_point,
                       TensorOf<[I8, UI8]>:$b, Loom_FloatTensor:$b_scale,
                       TensorOf<[I8, UI8]>:$b_zero_point,
                       Loom_FloatTensor:$y_scale,
                       TensorOf<[I8, UI8]>:$y_zero_point);
  let results = (outs TensorOf<[I8, UI8]>:$y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Loom_QLinearConvOp : Loom_TypedOp<"qlinear_conv", "QLinearConv"> {
  let onnxMinOpset = 10;
  let summary = "quantized convolution (ONNX QLinearConv)";
  let description = [{
    `loom.conv_integer` plus the `i32` bias `B` (quantized with scale
    `x_scale * w_scale`), scaled by `x_scale * w_scale / y_scale` in `f32`,
    rounded half to even, plus `y_zero_point`, saturated. `w_scale` and
    `w_zero_point` are scalars or one per output channel.
  }];
  let arguments = (ins TensorOf<[I8, UI8]>:$x, Loom_FloatTensor:$x_scale,
                       TensorOf<[I8, UI8]>:$x_zero_point,
                       TensorOf<[I8, UI8]>:$w, Loom_FloatTensor:$w_scale,
                       TensorOf<[I8, UI8]>:$w_zero_point,
                       Loom_FloatTensor:$y_scale,
                       TensorOf<[I8, UI8]>:$y_zero_point,
                       Optional<TensorOf<[I32]>>:$B,
                       Loom_AutoPadArg:$auto_pad,
                       OptionalAttr<DenseI64ArrayAttr>:$dilations,
                       DefaultValuedAttr<Loom_I64Attr, "1">:$group,
                       OptionalAttr<DenseI64ArrayAttr>:$kernel_shape,
                       OptionalAttr<DenseI64ArrayAttr>:$pads,
                       OptionalAttr<DenseI64ArrayAttr>:$strides);
  let results = (outs TensorOf<[I8, UI8]>:$y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

#endif // LOOM_DIALECT_LOOM_IR_LOOMQUANTOPS_TD
