//===- LoomTensorOps.td - shape and data-movement ops ------*- tablegen -*-===//
//
// Ops that move, select, reshape, reduce or convert data: Reshape,
// Transpose, Concat, Split, Slice, Gather, Flatten, Squeeze/Unsqueeze,
// Expand, Shape, Cast, Identity and the reductions.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_IR_LOOMTENSOROPS_TD
#define LOOM_DIALECT_LOOM_IR_LOOMTENSOROPS_TD

include "loom/Dialect/Loom/IR/LoomOpBase.td"

def Loom_ReshapeOp : Loom_TypedOp<"reshape", "Reshape"> {
  let onnxMinOpset = 5;
  let summary = "gives a tensor a new shape (ONNX Reshape)";
  let description = [{
    `shape` is a 1-D `i64` tensor. An entry `0` copies the input's dimension
    at that position (unless `allowzero = 1`, when it means a zero-sized
    dimension), and at most one entry may be `-1`, inferred from the element
    count. When `shape` is a constant, the result type is fully inferred.
  }];
  let arguments = (ins AnyTensor:$data, Loom_I64Tensor:$shape,
                       DefaultValuedAttr<Loom_I64Attr, "0">:$allowzero);
  let results = (outs AnyTensor:$reshaped);
  let assemblyFormat =
      "$data `,` $shape attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Loom_TransposeOp : Loom_TypedOp<"transpose", "Transpose"> {
  let summary = "permutes the dimensions (ONNX Transpose)";
  let description = [{
    Output dimension `i` is input dimension `perm[i]`; without `perm`, the
    dimensions are reversed.
  }];
  let arguments = (ins AnyTensor:$data, OptionalAttr<DenseI64ArrayAttr>:$perm);
  let results = (outs AnyTensor:$transposed);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Loom_ConcatOp : Loom_TypedOp<"concat", "Concat"> {
  let onnxMinOpset = 4;
  let summary = "joins tensors along one axis (ONNX Concat)";
  let description = [{
    All inputs have one rank and one element type and agree on every
    dimension but `axis` (negative counts from the back).
  }];
  let arguments = (ins Variadic<AnyTensor>:$inputs, Loom_I64Attr:$axis);
  let results = (outs AnyTensor:$concat_result);
  let assemblyFormat =
      "$inputs attr-dict `:` functional-type($inputs, results)";
  let hasFolder = 1;
}

def Loom_SplitOp : Loom_TypedOp<"split", "Split"> {
  let onnxMinOpset = 2;
  let onnxMaxResults = -1;
  let summary = "splits a tensor into parts along one axis (ONNX Split)";
  let description = [{
    The part sizes come from the optional 1-D `split` operand (which must sum
    to the dimension), or else the dimension is divided into as many equal
    parts as the op has results (the last one smaller if `num_outputs` does
    not divide it, as in opset 18).
  }];
  let arguments = (ins AnyTensor:$input, Optional<Loom_I64Tensor>:$split,
                       DefaultValuedAttr<Loom_I64Attr, "0">:$axis,
                       OptionalAttr<Loom_I64Attr>:$num_outputs);
  let results = (outs Variadic<AnyTensor>:$outputs);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Loom_SliceOp : Loom_TypedOp<"slice", "Slice", [AttrSizedOperandSegments]> {
  let summary = "takes a strided slice (ONNX Slice, opset 10+ form)";
  let description = [{
    `starts`, `ends`, and the optional `axes` (default `0 .. n-1`) and
    `steps` (default 1) are 1-D integer tensors of one length. Indices are
    clamped as in numpy; negative ones count from the back; a negative step
    walks backwards. The result shape is inferred when all four are constant.

    ```mlir
    %y = loom.slice %x starts %s ends %e axes %a : (...) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$data, Loom_IndexTensor:$starts,
                       Loom_IndexTensor:$ends,
                       Optional<Loom_IndexTensor>:$axes,
                       Optional<Loom_IndexTensor>:$steps);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = [{
    $data `starts` $starts `ends` $ends (`axes` $axes^)? (`steps` $steps^)?
    attr-dict `:` functional-type(operands, results)
  }];
}

def Loom_GatherOp : Loom_TypedOp<"gather", "Gather"> {
  let summary = "gathers slices along one axis by index (ONNX Gather)";
  let description = [{
    For `data` of rank r and `indices` of rank q, the result has rank
    `q + r - 1`: `data.shape[:axis] + indices.shape + data.shape[axis+1:]`.
    Negative indices count from the back. An embedding lookup is
    `loom.gather %table, %ids {axis = 0}`.
  }];
  let arguments = (ins AnyTensor:$data, Loom_IndexTensor:$indices,
                       DefaultValuedAttr<Loom_I64Attr, "0">:$axis);
  let results = (outs AnyTensor:$output);
  let assemblyFormat =
      "$data `,` $indices attr-dict `:` functional-type(operands, results)";
}

def Loom_FlattenOp : Loom_TypedOp<"flatten", "Flatten"> {
  let summary = "flattens into a matrix (ONNX Flatten)";
  let description = [{
    Dimensions before `axis` become the rows, the rest the columns:
    `(d0 * ... * d(axis-1)) x (d(axis) * ... * dn)`. `axis` defaults to 1.
  }];
  let arguments = (ins AnyTensor:$input, DefaultValuedAttr<Loom_I64Attr, "1">:$axis);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Loom_SqueezeOp : Loom_TypedOp<"squeeze", "Squeeze"> {
  let summary = "removes size-1 dimensions (ONNX Squeeze, opset 13+ form)";
  let description = [{
    Removes the dimensions listed in the optional 1-D `axes` operand, which
    must be 1, or every dimension that is 1 when `axes` is absent.
  }];
  let arguments = (ins AnyTensor:$data, Optional<Loom_I64Tensor>:$axes);
  let results = (outs AnyTensor:$squeezed);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Loom_UnsqueezeOp : Loom_TypedOp<"unsqueeze", "Unsqueeze"> {
  let summary = "inserts size-1 dimensions (ONNX Unsqueeze, opset 13+ form)";
  let description = [{
    Inserts a dimension of size 1 at each position of the 1-D `axes` operand,
    positions counted in the output (negative from its back), without
    repeats.
  }];
  let arguments = (ins AnyTensor:$data, Loom_I64Tensor:$axes);
  let results = (outs AnyTensor:$expanded);
  let assemblyFormat =
      "$data `,` $axes attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Loom_ExpandOp : Loom_TypedOp<"expand", "Expand"> {
  let onnxMinOpset = 8;
  let summary = "broadcasts to a shape (ONNX Expand)";
  let description = [{
    The result shape is the numpy broadcast of the input's shape and the 1-D
    `shape` operand (which may therefore hold 1s where the input is larger).
  }];
  let arguments = (ins AnyTensor:$input, Loom_I64Tensor:$shape);
  let results = (outs AnyTensor:$output);
  let assemblyFormat =
      "$input `,` $shape attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Loom_ShapeOp : Loom_TypedOp<"shape", "Shape"> {
  let summary = "the shape of a tensor as a 1-D i64 tensor (ONNX Shape)";
  let description = [{
    Yields dimensions `start` (default 0) up to `end` (default: the rank),
    both clamped and counted from the back when negative. Folds to a constant
    when those dimensions are static.
  }];
  let arguments = (ins AnyTensor:$data,
                       DefaultValuedAttr<Loom_I64Attr, "0">:$start,
                       OptionalAttr<Loom_I64Attr>:$end);
  let results = (outs Loom_I64Tensor:$shape);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Loom_CastOp : Loom_TypedOp<"cast", "Cast"> {
  let onnxMinOpset = 6;
  let summary = "converts elements to another type (ONNX Cast)";
  let description = [{
    The target type is the result's element type (ONNX's `to`). `saturate`
    (opset 19) applies to float8 targets: out-of-range values clamp to the
    largest finite value instead of becoming infinity or NaN.
  }];
  let arguments = (ins AnyTensor:$input,
                       DefaultValuedAttr<Loom_I64Attr, "1">:$saturate);
  let results = (outs AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Loom_IdentityOp : Loom_UnaryOp<"identity", "Identity", AnyTensor> {
  let summary = "returns its input (ONNX Identity)";
  let description = [{
    Exporters use it to give one tensor a second name (PyTorch: a parameter
    that equals another). It folds away; import records the name it carried.
  }];
  let hasFolder = 1;
}

def Loom_ReduceMeanOp : Loom_ReduceOp<"reduce_mean", "ReduceMean"> {
  let summary = "mean over axes (ONNX ReduceMean, opset 18 form)";
  let description = [{
    Averages over the dimensions in the optional 1-D `axes` operand (all of
    them when absent, unless `noop_with_empty_axes = 1`, which makes the op
    the identity); `keepdims = 1` (default) keeps them as size 1.
  }];
}

def Loom_ReduceSumOp : Loom_ReduceOp<"reduce_sum", "ReduceSum"> {
  let summary = "sum over axes (ONNX ReduceSum, opset 13 form)";
  let description = [{ Sums over `axes`; operands as `loom.reduce_mean`. }];
}

def Loom_ReduceMaxOp : Loom_ReduceOp<"reduce_max", "ReduceMax"> {
  let summary = "maximum over axes (ONNX ReduceMax, opset 18 form)";
  let description = [{ Maximum over `axes`; operands as `loom.reduce_mean`. }];
}

def Loom_ResizeOp : Loom_TypedOp<"resize", "Resize", [AttrSizedOperandSegments]> {
  let onnxMinOpset = 11;
  let summary = "resizes a tensor by interpolation (ONNX Resize)";
  let description = [{
    `Y` samples `X` at coordinates mapped from each output index by
    `coordinate_transformation_mode` (`half_pixel`, `pytorch_half_pixel`,
    `align_corners`, `asymmetric`, `tf_half_pixel_for_nn`), with `mode`
    `nearest` (rounded by `nearest_mode`: `round_prefer_floor`,
    `round_prefer_ceil`, `floor`, `ceil`) or `linear`. The output sizes are
    `sizes`, or `floor(input size * scale)` with `scales`. `roi` only matters
    for `tf_crop_and_resize`, which Loom keeps generic, as it does nodes
    with `antialias`, `axes`, `keep_aspect_ratio_policy`, `cubic_coeff_a`,
    `exclude_outside` or `extrapolation_value` (attributes this op lacks).
  }];
  let arguments = (ins Loom_NumericTensor:$X,
                       Optional<Loom_FloatTensor>:$roi,
                       Optional<Loom_FloatTensor>:$scales,
                       Optional<Loom_I64Tensor>:$sizes,
                       DefaultValuedStrAttr<StrAttr, "half_pixel">:$coordinate_transformation_mode,
                       DefaultValuedStrAttr<StrAttr, "nearest">:$mode,
                       DefaultValuedStrAttr<StrAttr, "round_prefer_floor">:$nearest_mode);
  let results = (outs Loom_NumericTensor:$Y);
  let assemblyFormat = [{
    $X (`roi` $roi^)? (`scales` $scales^)? (`sizes` $sizes^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // LOOM_DIALECT_LOOM_IR_LOOMTENSOROPS_TD
