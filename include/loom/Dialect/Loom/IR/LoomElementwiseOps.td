//===- LoomElementwiseOps.td - elementwise ops --------------*- tablegen -*-===//
//
// Arithmetic, activations, comparisons and selection: ops that map elements
// to elements, with ONNX's multidirectional (numpy) broadcasting.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_IR_LOOMELEMENTWISEOPS_TD
#define LOOM_DIALECT_LOOM_IR_LOOMELEMENTWISEOPS_TD

include "loom/Dialect/Loom/IR/LoomOpBase.td"

//===----------------------------------------------------------------------===//
// Binary arithmetic
//===----------------------------------------------------------------------===//

def Loom_AddOp : Loom_BinaryOp<"add", "Add", Loom_NumericTensor, [Commutative]> {
  let onnxMinOpset = 7;
  let summary = "elementwise addition with broadcasting (ONNX Add)";
  let description = [{
    `C = A + B`. Shapes broadcast as in numpy: dimensions are aligned from
    the right and each pair must be equal or one of them 1.
  }];
}

def Loom_SubOp : Loom_BinaryOp<"sub", "Sub", Loom_NumericTensor> {
  let onnxMinOpset = 7;
  let summary = "elementwise subtraction with broadcasting (ONNX Sub)";
  let description = [{ `C = A - B`, broadcasting as `loom.add`. }];
}

def Loom_MulOp : Loom_BinaryOp<"mul", "Mul", Loom_NumericTensor, [Commutative]> {
  let onnxMinOpset = 7;
  let summary = "elementwise multiplication with broadcasting (ONNX Mul)";
  let description = [{ `C = A * B`, broadcasting as `loom.add`. }];
}

def Loom_DivOp : Loom_BinaryOp<"div", "Div", Loom_NumericTensor> {
  let onnxMinOpset = 7;
  let summary = "elementwise division with broadcasting (ONNX Div)";
  let description = [{
    `C = A / B`, broadcasting as `loom.add`. Integer division truncates
    toward zero, as ONNX specifies.
  }];
}

def Loom_PowOp : Loom_TypedOp<"pow", "Pow"> {
  let onnxMinOpset = 7;
  let summary = "elementwise power with broadcasting (ONNX Pow)";
  let description = [{
    `Z = X ^ Y`. The exponent may have another numeric element type than the
    base; the result has the base's element type.
  }];
  let arguments = (ins Loom_NumericTensor:$X, Loom_NumericTensor:$Y);
  let results = (outs Loom_NumericTensor:$Z);
  let assemblyFormat =
      "$X `,` $Y attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Activations and unary math
//===----------------------------------------------------------------------===//

def Loom_ReluOp : Loom_UnaryOp<"relu", "Relu", Loom_NumericTensor> {
  let onnxMinOpset = 6;
  let summary = "rectified linear unit (ONNX Relu)";
  let description = [{ `Y = max(X, 0)`. }];
}

def Loom_LeakyReluOp : Loom_UnaryOp<"leaky_relu", "LeakyRelu", Loom_FloatTensor> {
  let onnxMinOpset = 6;
  let summary = "leaky rectified linear unit (ONNX LeakyRelu)";
  let description = [{ `Y = X < 0 ? alpha * X : X`; `alpha` defaults to 0.01. }];
  let arguments = (ins Loom_FloatTensor:$X,
                       DefaultValuedAttr<F32Attr, "0.01f">:$alpha);
}

def Loom_HardSigmoidOp : Loom_UnaryOp<"hard_sigmoid", "HardSigmoid", Loom_FloatTensor> {
  let onnxMinOpset = 6;
  let summary = "piecewise-linear sigmoid (ONNX HardSigmoid)";
  let description = [{
    `Y = max(0, min(1, alpha * X + beta))`; `alpha` defaults to 0.2 and
    `beta` to 0.5.
  }];
  let arguments = (ins Loom_FloatTensor:$X,
                       DefaultValuedAttr<F32Attr, "0.2f">:$alpha,
                       DefaultValuedAttr<F32Attr, "0.5f">:$beta);
}

def Loom_HardSwishOp : Loom_UnaryOp<"hard_swish", "HardSwish", Loom_FloatTensor> {
  let onnxMinOpset = 14;
  let summary = "X times a hard sigmoid of X (ONNX HardSwish)";
  let description = [{ `Y = X * max(0, min(1, X / 6 + 0.5))`. }];
}

def Loom_GeluOp : Loom_UnaryOp<"gelu", "Gelu", Loom_FloatTensor> {
  let onnxMinOpset = 20;
  let summary = "Gaussian error linear unit (ONNX Gelu, opset 20)";
  let description = [{
    `Y = 0.5 * X * (1 + erf(X / sqrt(2)))`, or with `approximate = tanh`,
    `Y = 0.5 * X * (1 + tanh(sqrt(2 / pi) * (X + 0.044715 * X^3)))`.
  }];
  let arguments = (ins Loom_FloatTensor:$X,
      DefaultValuedAttr<Loom_GeluApproximationAttr,
                        "::loom::GeluApproximation::None">:$approximate);
}

def Loom_SigmoidOp : Loom_UnaryOp<"sigmoid", "Sigmoid", Loom_FloatTensor> {
  let onnxMinOpset = 6;
  let summary = "logistic sigmoid (ONNX Sigmoid)";
  let description = [{ `Y = 1 / (1 + exp(-X))`. }];
}

def Loom_TanhOp : Loom_UnaryOp<"tanh", "Tanh", Loom_FloatTensor> {
  let onnxMinOpset = 6;
  let summary = "hyperbolic tangent (ONNX Tanh)";
  let description = [{ `Y = tanh(X)`. }];
}

def Loom_ErfOp : Loom_UnaryOp<"erf", "Erf", Loom_NumericTensor> {
  let onnxMinOpset = 9;
  let summary = "Gauss error function (ONNX Erf)";
  let description = [{ `Y = erf(X)`. }];
}

def Loom_ExpOp : Loom_UnaryOp<"exp", "Exp", Loom_FloatTensor> {
  let onnxMinOpset = 6;
  let summary = "natural exponential (ONNX Exp)";
  let description = [{ `Y = e^X`. }];
}

def Loom_LogOp : Loom_UnaryOp<"log", "Log", Loom_FloatTensor> {
  let onnxMinOpset = 6;
  let summary = "natural logarithm (ONNX Log)";
  let description = [{ `Y = ln(X)`; `-inf` at 0 and NaN below, as IEEE says. }];
}

def Loom_SqrtOp : Loom_UnaryOp<"sqrt", "Sqrt", Loom_FloatTensor> {
  let onnxMinOpset = 6;
  let summary = "square root (ONNX Sqrt)";
  let description = [{ `Y = sqrt(X)`; NaN for negative inputs. }];
}

def Loom_NegOp : Loom_UnaryOp<"neg", "Neg", Loom_NumericTensor> {
  let onnxMinOpset = 6;
  let summary = "negation (ONNX Neg)";
  let description = [{ `Y = -X`. }];
}

def Loom_AbsOp : Loom_UnaryOp<"abs", "Abs", Loom_NumericTensor> {
  let onnxMinOpset = 6;
  let summary = "absolute value (ONNX Abs)";
  let description = [{ `Y = |X|`. }];
}

def Loom_ClipOp : Loom_TypedOp<"clip", "Clip", [AttrSizedOperandSegments]> {
  let onnxMinOpset = 6;
  let summary = "limits values to [min, max] (ONNX Clip, opset 11+ form)";
  let description = [{
    `Y = min(max(X, min), max)`. `min` and `max` are optional scalar operands
    (rank 0, or rank 1 with one element) of the input's element type; a missing
    bound does not clip on that side.

    ```mlir
    %y = loom.clip %x min %lo max %hi : (tensor<4xf32>, tensor<f32>, tensor<f32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Loom_NumericTensor:$input,
                       Optional<Loom_NumericTensor>:$min,
                       Optional<Loom_NumericTensor>:$max);
  let results = (outs Loom_NumericTensor:$output);
  let assemblyFormat = [{
    $input (`min` $min^)? (`max` $max^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Comparisons and selection
//===----------------------------------------------------------------------===//

def Loom_EqualOp : Loom_CompareOp<"equal", "Equal"> {
  let onnxMinOpset = 7;
  let summary = "elementwise A == B with broadcasting (ONNX Equal)";
  let description = [{ An `i1` tensor of the broadcast shape. }];
}

def Loom_LessOp : Loom_CompareOp<"less", "Less"> {
  let onnxMinOpset = 7;
  let summary = "elementwise A < B with broadcasting (ONNX Less)";
  let description = [{ An `i1` tensor of the broadcast shape. }];
}

def Loom_GreaterOp : Loom_CompareOp<"greater", "Greater"> {
  let onnxMinOpset = 7;
  let summary = "elementwise A > B with broadcasting (ONNX Greater)";
  let description = [{ An `i1` tensor of the broadcast shape. }];
}

def Loom_WhereOp : Loom_TypedOp<"where", "Where"> {
  let onnxMinOpset = 9;
  let summary = "elementwise select with broadcasting (ONNX Where)";
  let description = [{
    `output = condition ? X : Y`; the three shapes broadcast together.
  }];
  let arguments = (ins Loom_BoolTensor:$condition, AnyTensor:$X, AnyTensor:$Y);
  let results = (outs AnyTensor:$output);
  let assemblyFormat =
      "$condition `,` $X `,` $Y attr-dict `:` functional-type(operands, results)";
}

#endif // LOOM_DIALECT_LOOM_IR_LOOMELEMENTWISEOPS_TD
