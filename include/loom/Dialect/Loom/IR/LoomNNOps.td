//===- LoomNNOps.td - convolution, matmul, norms, pooling --*- tablegen -*-===//
//
// The heavy ops of neural networks: convolutions, matrix products,
// normalisations, softmax, pooling and (inference) dropout.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_IR_LOOMNNOPS_TD
#define LOOM_DIALECT_LOOM_IR_LOOMNNOPS_TD

include "loom/Dialect/Loom/IR/LoomOpBase.td"

def Loom_ConvOp : Loom_TypedOp<"conv", "Conv"> {
  let summary = "N-D convolution (ONNX Conv)";
  let description = [{
    `X` is `N x C x D1 x ... x Dn`, `W` is `M x C/group x k1 x ... x kn`, the
    optional bias `B` has `M` elements; `Y` is `N x M x O1 x ... x On` with

    `Oi = floor((Di + pad_begin_i + pad_end_i - dilation_i * (ki - 1) - 1) / stride_i) + 1`.

    Attributes default as in ONNX: `strides` and `dilations` to 1,
    `pads` to 0, `kernel_shape` to `W`'s spatial dimensions, `group` to 1.
    `auto_pad = SAME_UPPER / SAME_LOWER` makes `Oi = ceil(Di / stride_i)`,
    with the odd padding element at the end or the beginning.
  }];
  let arguments = (ins Loom_FloatTensor:$X, Loom_FloatTensor:$W,
                       Optional<Loom_FloatTensor>:$B,
                       Loom_AutoPadArg:$auto_pad,
                       OptionalAttr<DenseI64ArrayAttr>:$dilations,
                       DefaultValuedAttr<Loom_I64Attr, "1">:$group,
                       OptionalAttr<DenseI64ArrayAttr>:$kernel_shape,
                       OptionalAttr<DenseI64ArrayAttr>:$pads,
                       OptionalAttr<DenseI64ArrayAttr>:$strides);
  let results = (outs Loom_FloatTensor:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Loom_ConvTransposeOp : Loom_TypedOp<"conv_transpose", "ConvTranspose"> {
  let summary = "N-D transposed convolution (ONNX ConvTranspose)";
  let description = [{
    `X` is `N x C x D1 ... Dn`, `W` is `C x M/group x k1 ... kn`; `Y` has
    `M` channels and spatial sizes

    `Oi = stride_i * (Di - 1) + output_padding_i + (ki - 1) * dilation_i + 1 - pad_begin_i - pad_end_i`,

    or `output_shape` when given (then the padding is derived), or
    `Di * stride_i` under `SAME_UPPER` / `SAME_LOWER`.
  }];
  let arguments = (ins Loom_FloatTensor:$X, Loom_FloatTensor:$W,
                       Optional<Loom_FloatTensor>:$B,
                       Loom_AutoPadArg:$auto_pad,
                       OptionalAttr<DenseI64ArrayAttr>:$dilations,
                       DefaultValuedAttr<Loom_I64Attr, "1">:$group,
                       OptionalAttr<DenseI64ArrayAttr>:$kernel_shape,
                       OptionalAttr<DenseI64ArrayAttr>:$output_padding,
                       OptionalAttr<DenseI64ArrayAttr>:$output_shape,
                       OptionalAttr<DenseI64ArrayAttr>:$pads,
                       OptionalAttr<DenseI64ArrayAttr>:$strides);
  let results = (outs Loom_FloatTensor:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Loom_MatMulOp : Loom_TypedOp<"matmul", "MatMul"> {
  let summary = "matrix product with numpy semantics (ONNX MatMul)";
  let description = [{
    As `numpy.matmul`: a 1-D operand is promoted to a matrix (a row for `A`,
    a column for `B`) and the promoted dimension removed from the result;
    leading (batch) dimensions broadcast.
  }];
  let arguments = (ins Loom_NumericTensor:$A, Loom_NumericTensor:$B);
  let results = (outs Loom_NumericTensor:$Y);
  let assemblyFormat =
      "$A `,` $B attr-dict `:` functional-type(operands, results)";
}

def Loom_GemmOp : Loom_TypedOp<"gemm", "Gemm"> {
  let onnxMinOpset = 7;
  let summary = "general matrix multiply (ONNX Gemm)";
  let description = [{
    `Y = alpha * A' * B' + beta * C` with `A' = transA ? A^T : A` (`M x K`)
    and `B' = transB ? B^T : B` (`K x N`); the optional `C` broadcasts
    (unidirectionally) to `M x N`.
  }];
  let arguments = (ins Loom_NumericTensor:$A, Loom_NumericTensor:$B,
                       Optional<Loom_NumericTensor>:$C,
                       DefaultValuedAttr<F32Attr, "1.0f">:$alpha,
                       DefaultValuedAttr<F32Attr, "1.0f">:$beta,
                       DefaultValuedAttr<Loom_I64Attr, "0">:$transA,
                       DefaultValuedAttr<Loom_I64Attr, "0">:$transB);
  let results = (outs Loom_NumericTensor:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Loom_SoftmaxOp : Loom_UnaryOp<"softmax", "Softmax", Loom_FloatTensor> {
  let summary = "softmax along one axis (ONNX Softmax, opset 13+)";
  let description = [{
    `Y = exp(X) / sum(exp(X), axis, keepdims)`; `axis` defaults to -1 and
    counts from the back when negative.
  }];
  let arguments = (ins Loom_FloatTensor:$X,
                       DefaultValuedAttr<Loom_I64Attr, "-1">:$axis);
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferResultTypes(
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      if (::mlir::failed(::loom::verifyAxis(getOperation(), getX().getType(),
                                            getAxis(), "axis")))
        return ::mlir::failure();
      return ::loom::inferSameAsOperand(getOperation(), inferred);
    }
  }];
}

def Loom_LogSoftmaxOp : Loom_UnaryOp<"log_softmax", "LogSoftmax", Loom_FloatTensor> {
  let summary = "log of softmax along one axis (ONNX LogSoftmax, opset 13+)";
  let description = [{ `Y = X - log(sum(exp(X), axis, keepdims))`. }];
  let arguments = (ins Loom_FloatTensor:$X,
                       DefaultValuedAttr<Loom_I64Attr, "-1">:$axis);
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferResultTypes(
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      if (::mlir::failed(::loom::verifyAxis(getOperation(), getX().getType(),
                                            getAxis(), "axis")))
        return ::mlir::failure();
      return ::loom::inferSameAsOperand(getOperation(), inferred);
    }
  }];
}

def Loom_LayerNormalizationOp
    : Loom_TypedOp<"layer_norm", "LayerNormalization"> {
  let onnxMinOpset = 17;
  let summary = "layer normalisation (ONNX LayerNormalization, inference form)";
  let description = [{
    Normalises `X` over the dimensions from `axis` to the last:
    `Y = (X - mean) / sqrt(var + epsilon) * Scale + B`. `Scale` and the
    optional `B` broadcast to the normalised dimensions. The op yields only
    `Y`; a node that also uses the `Mean` and `InvStdDev` outputs is imported
    as `loom.onnx`.
  }];
  let arguments = (ins Loom_FloatTensor:$X, Loom_FloatTensor:$Scale,
                       Optional<Loom_FloatTensor>:$B,
                       DefaultValuedAttr<Loom_I64Attr, "-1">:$axis,
                       DefaultValuedAttr<F32Attr, "1e-05f">:$epsilon,
                       DefaultValuedAttr<Loom_I64Attr, "1">:$stash_type);
  let results = (outs Loom_FloatTensor:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Loom_BatchNormalizationOp
    : Loom_TypedOp<"batch_norm", "BatchNormalization"> {
  let onnxMinOpset = 9;
  let summary = "batch normalisation with running statistics (ONNX BatchNormalization, inference form)";
  let description = [{
    `Y = (X - input_mean) / sqrt(input_var + epsilon) * scale + B`, per
    channel (dimension 1 of `X`); the four statistics operands are 1-D with one
    element per channel. Training mode (`training_mode = 1`, running-statistics
    outputs) is imported as `loom.onnx`.
  }];
  let arguments = (ins Loom_FloatTensor:$X, Loom_FloatTensor:$scale,
                       Loom_FloatTensor:$B, Loom_FloatTensor:$input_mean,
                       Loom_FloatTensor:$input_var,
                       DefaultValuedAttr<F32Attr, "1e-05f">:$epsilon,
                       DefaultValuedAttr<F32Attr, "0.9f">:$momentum);
  let results = (outs Loom_FloatTensor:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Loom_MaxPoolOp : Loom_TypedOp<"max_pool", "MaxPool"> {
  let onnxMaxResults = 2;
  let summary = "max pooling (ONNX MaxPool)";
  let description = [{
    Sliding-window maximum over the spatial dimensions of `X`
    (`N x C x D1 ... Dn`). Output sizes follow `loom.conv`'s rule with the
    kernel `kernel_shape`, rounding up instead of down when `ceil_mode = 1`.
    The optional `Indices` result (flattened positions of the maxima, `i64`)
    is present when the model uses it.
  }];
  let arguments = (ins Loom_NumericTensor:$X,
                       Loom_AutoPadArg:$auto_pad,
                       DefaultValuedAttr<Loom_I64Attr, "0">:$ceil_mode,
                       OptionalAttr<DenseI64ArrayAttr>:$dilations,
                       DenseI64ArrayAttr:$kernel_shape,
                       OptionalAttr<DenseI64ArrayAttr>:$pads,
                       DefaultValuedAttr<Loom_I64Attr, "0">:$storage_order,
                       OptionalAttr<DenseI64ArrayAttr>:$strides);
  let results = (outs Loom_NumericTensor:$Y, Optional<Loom_I64Tensor>:$Indices);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
}

def Loom_AveragePoolOp : Loom_TypedOp<"average_pool", "AveragePool"> {
  let onnxMinOpset = 7;
  let summary = "average pooling (ONNX AveragePool)";
  let description = [{
    Sliding-window mean over the spatial dimensions of `X`; output sizes as
    `loom.max_pool`. With `count_include_pad = 0` (the default) padded
    positions are left out of the divisor.
  }];
  let arguments = (ins Loom_FloatTensor:$X,
                       Loom_AutoPadArg:$auto_pad,
                       DefaultValuedAttr<Loom_I64Attr, "0">:$ceil_mode,
                       DefaultValuedAttr<Loom_I64Attr, "0">:$count_include_pad,
                       OptionalAttr<DenseI64ArrayAttr>:$dilations,
                       DenseI64ArrayAttr:$kernel_shape,
                       OptionalAttr<DenseI64ArrayAttr>:$pads,
                       OptionalAttr<DenseI64ArrayAttr>:$strides);
  let results = (outs Loom_FloatTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
}

def Loom_GlobalAveragePoolOp
    : Loom_TypedOp<"global_average_pool", "GlobalAveragePool"> {
  let summary = "mean over all spatial dimensions (ONNX GlobalAveragePool)";
  let description = [{
    `N x C x D1 ... Dn` becomes `N x C x 1 ... x 1`.
  }];
  let arguments = (ins Loom_FloatTensor:$X);
  let results = (outs Loom_FloatTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
}

def Loom_DropoutOp : Loom_TypedOp<"dropout", "Dropout", [AttrSizedOperandSegments]> {
  let onnxMinOpset = 12;
  let onnxMaxResults = 2;
  let summary = "dropout, as at inference (ONNX Dropout)";
  let description = [{
    Loom compiles models for inference, where Dropout is the identity:
    `output = data`, and the optional `mask` result is all true. The optional
    `ratio` and `training_mode` operands are kept for export; a node whose
    `training_mode` is not a constant false is imported as `loom.onnx`.
  }];
  let arguments = (ins AnyTensor:$data,
                       Optional<Loom_FloatTensor>:$ratio,
                       Optional<Loom_BoolTensor>:$training_mode,
                       OptionalAttr<Loom_I64Attr>:$seed);
  let results = (outs AnyTensor:$output, Optional<Loom_BoolTensor>:$mask);
  let assemblyFormat = [{
    $data (`ratio` $ratio^)? (`training_mode` $training_mode^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasFolder = 1;
}

#endif // LOOM_DIALECT_LOOM_IR_LOOMNNOPS_TD
