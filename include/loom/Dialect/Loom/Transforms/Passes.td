//===- Passes.td - Loom dialect passes ---------------------*- tablegen -*-===//
//
// Declarations of every pass on the `loom` dialect: summary, description,
// options and statistics. Each pass is defined in its own file under
// lib/Dialect/Loom/Transforms/.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_TRANSFORMS_PASSES_TD
#define LOOM_DIALECT_LOOM_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def LoomInferShapes : Pass<"loom-infer-shapes", "::mlir::ModuleOp"> {
  let summary = "Refine result types from the function inputs through every op";
  let description = [{
    Exported models often lack shape information, and every later pass and
    back end wants static shapes. This pass walks each function in order and
    replaces every result type of an op that implements
    `ShapeInferenceOpInterface` by the more precise of its declared type and
    the type the op's ONNX rules infer from its operands (constant shape
    operands included). Function signatures are updated to match.

    `input-shapes` first overrides the shapes of function inputs, by the name
    the importer recorded (`loom.name` argument attribute) or by position:

    ```
    loom-opt --loom-infer-shapes="input-shapes=ids:1x16,mask:1x16"
    loom-opt --loom-infer-shapes="input-shapes=0:1x3x224x224"
    ```

    A `?` in a shape keeps that dimension dynamic. With `report-unknown`
    (the default) each op whose results still lack a static shape gets a
    remark naming it and the type, so a user sees where information stops;
    the `num-unknown` statistic counts them.

    `summary` prints the counts of refined results, ops with unknown shapes
    and overridden inputs as one remark; they are also pass statistics, but
    Debian's release build of LLVM compiles statistics out.

    A result type that contradicts inference (say, after an input override)
    is an error naming the op.
  }];
  let options = [
    ListOption<"inputShapes", "input-shapes", "std::string",
      "Override input shapes: NAME:DxDx... or INDEX:DxDx... ('?' for a "
      "dynamic dimension, an empty shape for a scalar)">,
    Option<"reportUnknown", "report-unknown", "bool", /*default=*/"true",
      "Emit a remark for every op whose result shapes stay unknown">,
    Option<"summary", "summary", "bool", /*default=*/"false",
      "Emit one remark with the counts below (pass statistics need an "
      "LLVM built with statistics enabled, which Debian's is not)">,
  ];
  let statistics = [
    Statistic<"numRefined", "num-refined",
      "Number of result types made more precise">,
    Statistic<"numUnknown", "num-unknown",
      "Number of ops whose results still lack a static shape">,
    Statistic<"numOverridden", "num-overridden",
      "Number of function inputs whose shape was overridden">,
  ];
  let dependentDialects = ["::loom::LoomDialect"];
}

def LoomWeightsToArguments : Pass<"loom-weights-to-arguments", "::mlir::ModuleOp"> {
  let summary = "Bind the weights a function reads to new function arguments";
  let description = [{
    Compiled code should read a weight's data where it already lies (a
    mapped file, a blob) rather than a copy baked into the code. This pass
    appends one argument per weight that a function reads (in the order of
    first use), marks it `{loom.weight = @name}` and replaces every
    `loom.weight_ref` of that weight in the function by the argument:

    ```mlir
    func.func @main(%x: tensor<1x4xf32>) -> tensor<1x8xf32> {
      %w = loom.weight_ref @fc.weight : tensor<8x4xf32>
      ...
    // becomes
    func.func @main(%x: tensor<1x4xf32>,
                    %w: tensor<8x4xf32> {loom.weight = @fc.weight}) -> ...
    ```

    Weights of at most 64 elements stay `loom.weight_ref`s (the lowering
    makes them constants): shape operands must be constants, and a few
    bytes in the code cost nothing. The evaluator (`lib/Runtime`) passes
    each weight's bytes for the marked arguments. Functions without a body and private functions are left
    alone; `loom.weight` ops stay, so the weights' data stays in the module.
  }];
  let dependentDialects = ["::loom::LoomDialect", "::mlir::func::FuncDialect"];
}

def LoomFoldShapes : Pass<"loom-fold-shapes", "::mlir::ModuleOp"> {
  let summary = "Evaluate small integer shape computations on constants";
  let description = [{
    Exporters compute shapes at run time: `Shape -> Gather/Slice -> Cast ->
    Concat -> Reshape`. Once input shapes are known (`loom-infer-shapes
    input-shapes=...`), `Shape` folds to a constant and this pass evaluates
    the rest: `Cast`, `Slice`, `Gather`, `Concat`, `Squeeze`, `Unsqueeze`,
    `Reshape`, `Identity` and `Add`/`Sub`/`Mul`/`Div` (integer division
    truncates) whose operands are all integer constants of at most 64
    elements, replacing each by a `loom.constant`. Shape inference can then
    read the shapes they compute. Float data and larger tensors are left to
    the fold pass (`loom-fold-frozen`).
  }];
  let dependentDialects = ["::loom::LoomDialect"];
}

def LoomFreeze : Pass<"loom-freeze", "::mlir::ModuleOp"> {
  let summary = "Mark parameters frozen by name, by 'everything before layer X', or all";
  let description = [{
    Fine-tuning freezes part of a network (`requires_grad = False` on the
    backbone); deployment freezes all of it. A frozen weight is fixed for
    this compilation, so `loom-fold-frozen` may compute, once, everything
    that depends only on frozen weights and constants.

    * `patterns=GLOB,...`: freeze every parameter whose name or one of whose
      aliases matches a glob (`*`, `?`, `[0-5]`, `{a,b}`), e.g.
      `encoder.layer.[0-5].*`.
    * `until=LAYER`: freeze every parameter read before the layer: the first
      op (in program order) that reads a weight named `LAYER` or
      `LAYER.<anything>` is where the layer starts ("freeze up to
      `layer3`").
    * `all`: freeze every parameter.
    * `unfreeze=GLOB,...`: applied last, makes matching parameters trainable
      again ("all but the classifier": `all unfreeze=fc.*`).

    Buffers (BatchNorm's running statistics) follow the layer that reads
    them: a buffer is frozen when every parameter read by the ops that read
    it is frozen, trainable otherwise (a buffer no such op reads follows the
    patterns itself). Constants stay as they are. A weight that is also a
    model input (`input N`) is never frozen: a caller may feed another
    value. A pattern or layer that names no weight is an error (a typo must
    not freeze nothing silently).

    The pass only adds; what is frozen already stays frozen, except through
    `unfreeze`. ONNX models arrive frozen (a deployed graph); TorchScript
    archives keep each tensor's `requires_grad`.

    With `summary`, one remark says what is frozen (count and bytes of
    parameters and buffers, and what stays trainable); `verbose` adds one
    remark per weight frozen or unfrozen.
  }];
  let options = [
    ListOption<"patterns", "patterns", "std::string",
      "Globs on weight names and aliases: freeze the parameters they match">,
    Option<"until", "until", "std::string", /*default=*/"\"\"",
      "Freeze every parameter read before the first op that reads a weight "
      "of this layer (LAYER or LAYER.*)">,
    Option<"all", "all", "bool", /*default=*/"false",
      "Freeze every parameter">,
    ListOption<"unfreeze", "unfreeze", "std::string",
      "Globs: make the parameters they match trainable again (applied last)">,
    Option<"summary", "summary", "bool", /*default=*/"false",
      "Emit one remark with what is frozen and what stays trainable">,
    Option<"verbose", "verbose", "bool", /*default=*/"false",
      "Emit one remark per weight whose state changes">,
  ];
  let statistics = [
    Statistic<"numFrozen", "num-frozen", "Weights frozen">,
    Statistic<"numUnfrozen", "num-unfrozen", "Weights made trainable">,
  ];
  let dependentDialects = ["::loom::LoomDialect"];
}

def LoomTieWeights : Pass<"loom-tie-weights", "::mlir::ModuleOp"> {
  let summary = "Make duplicated weights (exact, transposed, scaled, cast, sliced) share one tensor";
  let description = [{
    Exporters undo the sharing frameworks do: the same tensor lands in a file
    twice, or as a transposed copy made by constant folding, or cast to fp16
    beside its fp32 twin, or as a scaled or sliced copy. This pass finds such
    duplicates among the module's `loom.weight`s and rewrites every read of a
    duplicate into a cheap view of its master — `loom.transpose`, `loom.mul`
    by a scalar, `loom.cast`, `loom.slice` — then erases the duplicate and
    records its name (and its own aliases) in the master's `aliases`.

    Matching never compares all pairs: weights are bucketed by fingerprints
    that the mode's transformation leaves unchanged — an xxHash of the bytes
    (exact), the hash of the upcast bytes (cast), an order-free sum of mixed
    element hashes (transpose), a hash of the zero/sign pattern relative to
    the first non-zero (scale), hashes of each index along an axis (slice)
    — and only candidates
    in one bucket are confirmed, byte for byte or value for value.

    * `exact`: same dtype, shape and bytes.
    * `cast`: an fp32 weight equals an fp16/bf16 one converted up; the
      smaller one stays (upcasting is exact), the fp32 one becomes its cast.
    * `transpose`: a permutation of the axes of another weight (any rank up
      to 6: 2-D transposes, 4-D kernel layouts).
    * `scale`: W2 = c * W1 for a scalar c != 0, 1 (fp32/fp64), bit for bit
      when `rtol = atol = 0` (the default), else within the tolerance.
    * `slice`: W2 is a contiguous slice of W1 along one axis (W1's other
      dimensions equal).
    * `partial`: W2's leading (or trailing) rows equal consecutive rows of
      W1 and the rest is its own (a student that copied part of a teacher's
      output channels): W2 keeps its own rows, its reads become
      `loom.concat` of a slice of W1 and W2.

    Weights that are not frozen (trainable parameters) are tied only in
    exact mode — training would pull views apart; the summary counts the
    ones skipped. Weights that are also model inputs (`loom.weight @w
    input N`) are never tied: a caller may feed them. Weights below
    `min-bytes` are left alone: a view costs a node, which is not worth it
    for a few bytes.

    A MatMul that now reads a transposed view of a 2-D master becomes a Gemm
    with `transB = 1` that reads the master itself
    (`populateTransposedWeightMatMulToGemmPatterns`): a runtime would fold
    the Transpose of an initializer into a second copy in memory.
  }];
  let options = [
    ListOption<"modes", "modes", "::loom::TieMode",
      "Modes to apply (default: all, which are exact with the default "
      "tolerances)">,
    Option<"minBytes", "min-bytes", "uint64_t", /*default=*/"1024",
      "Only tie duplicates of at least this many bytes">,
    Option<"rtol", "rtol", "double", /*default=*/"0.0",
      "Relative tolerance of scale ties (0: bit-exact)">,
    Option<"atol", "atol", "double", /*default=*/"0.0",
      "Absolute tolerance of scale ties (0: bit-exact)">,
    Option<"report", "report", "bool", /*default=*/"false",
      "Emit a remark for every tie (mode, master, view, bytes saved)">,
    Option<"summary", "summary", "bool", /*default=*/"false",
      "Emit one remark with ties per mode and bytes saved">,
  ];
  let statistics = [
    Statistic<"numExact", "num-exact", "Exact ties">,
    Statistic<"numTranspose", "num-transpose", "Transpose ties">,
    Statistic<"numScale", "num-scale", "Scale ties">,
    Statistic<"numCast", "num-cast", "Cast ties">,
    Statistic<"numSlice", "num-slice", "Slice ties">,
    Statistic<"numPartial", "num-partial", "Partial ties">,
    Statistic<"bytesSaved", "bytes-saved", "Weight bytes removed">,
  ];
  let dependentDialects = ["::loom::LoomDialect"];
}

def LoomPrune : Pass<"loom-prune", "::mlir::ModuleOp"> {
  let summary = "Zero the smallest weights (unstructured, N:M) or remove whole channels";
  let description = [{
    Prunes the kernels of Conv, ConvTranspose, Gemm and MatMul (the weight
    operand: `W`, or `B` read from a `loom.weight`), by magnitude.

    * `granularity=unstructured`: zero the smallest-magnitude elements until
      exactly `round(sparsity * elements)` are zero (zeros already there
      count); ties are broken by position (the earlier element goes first),
      so the result is deterministic. `scope=per-tensor` (default) reaches
      the sparsity in every tensor; `scope=global` ranks all pruned tensors'
      elements together, so the sparsity is exact over their union.
    * `granularity=N:M` (e.g. `2:4`): in every group of M consecutive weights
      along the input-channel axis (Conv: dimension 1; ConvTranspose:
      dimension 0; Gemm's B: dimension 0, or 1 with transB; MatMul's 2-D B:
      dimension 0), keep the N largest (ties: the earlier kept). A tensor
      whose input-channel count is not a multiple of M is left as it is,
      with a remark.
    * `granularity=channel`: remove `round(sparsity * channels)` whole
      output channels of each Conv and ConvTranspose (group 1), Gemm and
      2-D MatMul kernel and shrink every shape that carries them:
      BatchNormalization parameters, activations and pooling, per-channel
      constants, depthwise convolutions, Transpose, Flatten and Reshapes
      that split, merge or keep the channel axis (constants rewritten),
      Concat, Slice and Split (index remapping), the next kernel's input
      channels. A projection that feeds attention (Reshapes into heads,
      through a fused q/k/v's Slices) loses whole heads, the same in q, k
      and v. Kernels whose channels meet at a residual Add or an attention
      MatMul are one group, pruned by their summed norms. A group whose
      channels reach anything else (a Reshape that mixes them, a generic
      op, LayerNorm, the model's output) is left whole, with the reason
      under `report`.

    Only frozen parameters are pruned unless `force`. By default the first
    convolution (in program order) and the last Gemm/MatMul (the
    classifier) are kept (`keep-first-last=false` prunes them too).
    `include=GLOB,...` restricts pruning to weights whose name or alias
    matches; `exclude=GLOB,...` keeps them; a glob that matches no weight is
    an error. A weight read by several ops (tied) is pruned once, and only
    when every op reading it is pruned. `criterion=l1|l2` ranks by |w| or
    w^2 (the same order for single elements; structured granularities will
    use it for group norms).

    With `report`, one remark per pruned weight says its sparsity before and
    after.
  }];
  let options = [
    Option<"sparsity", "sparsity", "double", /*default=*/"0.5",
      "The fraction of zeros to reach (unstructured) or of channels to "
      "remove (channel), in [0, 1]">,
    Option<"granularity", "granularity", "std::string",
      /*default=*/"\"unstructured\"",
      "unstructured, channel, or N:M (keep N of every M along the input "
      "channels)">,
    Option<"scope", "scope", "std::string", /*default=*/"\"per-tensor\"",
      "Unstructured: per-tensor (every tensor reaches the sparsity) or global "
      "(one ranking over every pruned tensor)">,
    Option<"criterion", "criterion", "std::string", /*default=*/"\"l1\"",
      "Magnitude: l1 (|w|) or l2 (w^2)">,
    ListOption<"include", "include", "std::string",
      "Globs on weight names and aliases: prune only these">,
    ListOption<"exclude", "exclude", "std::string",
      "Globs on weight names and aliases: never prune these">,
    Option<"keepFirstLast", "keep-first-last", "bool", /*default=*/"true",
      "Keep the first convolution and the last Gemm/MatMul (the classifier)">,
    Option<"force", "force", "bool", /*default=*/"false",
      "Prune trainable parameters too">,
    Option<"report", "report", "bool", /*default=*/"false",
      "Emit one remark per pruned weight">,
  ];
  let statistics = [
    Statistic<"numPruned", "num-pruned", "Weights pruned">,
    Statistic<"numZeroed", "num-zeroed", "Elements set to zero">,
  ];
  let dependentDialects = ["::loom::LoomDialect"];
}

def LoomQuantize : Pass<"loom-quantize", "::mlir::ModuleOp"> {
  let summary = "Store kernel weights as 8- or 4-bit integers with scales";
  let description = [{
    `mode=weight-only`: every frozen float kernel weight (Conv's and
    ConvTranspose's W, Gemm's and MatMul's B, an embedding Gather's table)
    of at least `min-elements` elements becomes an integer tensor of the
    same name with its scales (`<name>.scale`, and `<name>.zero_point` when
    asymmetric), and every read of it a `loom.dequantize_linear` of them, so
    that any ONNX runtime reads the model. Values are rounded half to even,
    as QuantizeLinear does.

    * `bits=8|4`: symmetric weights are signed in [-127, 127] (or [-7, 7])
      with scale max|w| / 127 (/ 7); asymmetric ones (`symmetric=false`)
      unsigned in [0, 255] (or [0, 15]) with a zero point, over the range
      [min(w, 0), max(w, 0)].
    * `granularity=per-channel` (one scale per output channel; an
      embedding: per row), `per-tensor`, or `block=N` (blocks of N along the
      input channels, ONNX's blocked DequantizeLinear of opset 21). A
      depthwise convolution is always per channel: one scale for all its
      channels is what collapses classifiers under per-tensor schemes.
    * `scale-type=auto|f32|f16`: auto stores the scales of 4-bit weights as
      float16 (rounded up, and the integers computed with the rounded
      scale), followed by a Cast to the weight's type, and those of 8-bit
      weights as float32.
    * `keep-sensitive` (default true): with `bits=4`, the first convolution,
      the last Gemm/MatMul (the classifier or LM head) and embeddings stay
      8-bit.
    * A weight read by several ops (tied, shared) is quantized once: one
      integer tensor, one set of scales, one dequantization per read. A
      weight whose readers want different axes is quantized per tensor.
    * `include`/`exclude`: globs on weight names and aliases; a glob that
      matches no quantizable weight is an error.

    `mode=dynamic` (8-bit, per-channel or per-tensor): every MatMul (and
    Gemm with alpha = beta = 1, no transA) whose B is such a weight, and
    every 1-D/2-D Conv whose W is, quantizes its activations at run time:
    `DynamicQuantizeLinear` of the input (uint8), `MatMulInteger` or
    `ConvInteger` with the int8 weight, the int32 result cast to float and
    multiplied by the input's scale times the weight's (per output channel),
    plus the bias. A depthwise Conv's kernel is per channel even with
    `granularity=per-tensor`. Embeddings stay float.

    `mode=static` (8-bit): weights as in weight-only mode, and the first
    operand of every Conv, Gemm and MatMul carrying a calibrated
    `loom.activation_range` as a QuantizeLinear/DequantizeLinear pair
    (uint8 over the range widened to include 0).

    A weight carrying `loom.quantize_bits` (4, 8, or 0: stays float) gets
    that width whatever `bits` and `keep-sensitive` say: `loomc compress
    --max-drift` chooses them by measurement. `simulate=true` (weight-only)
    writes each quantized weight's dequantized values back into it, same
    type, graph unchanged, instead of integers and dequantizations: what
    those measurements compile (the compiled code is reused, only weights
    change).

    The exporter raises the model's opset where the forms need it (13 for
    per-channel scales, 21 for blocks and 4-bit types).
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"weight-only\"",
      "weight-only, dynamic or static (static: activations quantized with "
      "their calibrated loom.activation_range)">,
    Option<"bits", "bits", "unsigned", /*default=*/"8", "8 or 4">,
    Option<"granularity", "granularity", "std::string",
      /*default=*/"\"per-channel\"",
      "per-channel, per-tensor or block=N (N >= 2 along the input channels)">,
    Option<"symmetric", "symmetric", "bool", /*default=*/"true",
      "Signed values and no zero point; false: unsigned with zero points">,
    Option<"scaleType", "scale-type", "std::string", /*default=*/"\"auto\"",
      "f32, f16, or auto: f16 for 4-bit weights (a block of 32 int4 is 16 "
      "bytes; its f32 scale would add a quarter), f32 for 8-bit ones">,
    ListOption<"include", "include", "std::string",
      "Globs on weight names and aliases: quantize only these">,
    ListOption<"exclude", "exclude", "std::string",
      "Globs on weight names and aliases: never quantize these">,
    Option<"keepSensitive", "keep-sensitive", "bool", /*default=*/"true",
      "With bits=4: the first conv, the last Gemm/MatMul and embeddings stay "
      "8-bit">,
    Option<"minElements", "min-elements", "int64_t", /*default=*/"256",
      "Leave weights with fewer elements as they are">,
    Option<"force", "force", "bool", /*default=*/"false",
      "Quantize trainable parameters too">,
    Option<"report", "report", "bool", /*default=*/"false",
      "Emit one remark per quantized weight">,
    Option<"simulate", "simulate", "bool", /*default=*/"false",
      "weight-only: write the dequantized values back into each weight "
      "(same type, graph unchanged) instead of integers and "
      "DequantizeLinear">,
  ];
  let statistics = [
    Statistic<"numQuantized", "num-quantized", "Weights quantized">,
  ];
  let dependentDialects = ["::loom::LoomDialect"];
}

def LoomParamStats : Pass<"loom-param-stats", "::mlir::ModuleOp"> {
  let summary = "Report parameter counts and value statistics of every weight";
  let description = [{
    An analysis: it changes nothing. For every `loom.weight` it reads every
    element (in parallel, one weight per task) and reports, per layer (each
    op that reads weights: node name, op, the weights and their shapes,
    parameter count, bytes, dtype, role, the other names of the tensors it
    reads, sparsity) and per tensor (role, frozen flag, dtype, shape, count,
    bytes, aliases and copies, sparsity, NaN and Inf counts, minimum,
    maximum, mean and standard deviation of the finite values, a histogram of
    `bins` bins over [min, max] (of every element up to `histogram-sample`
    elements, of an evenly spaced sample of that size beyond), all-zero and
    constant flags), then totals: parameters
    (trainable, frozen), buffers, constants, unique parameters, unique and
    referenced bytes, the sharing ratio, bytes by dtype, NaN and Inf counts.

    Counting follows PyTorch: a weight's aliases are the same tensor under
    other names and count once; its copies (`#loom.copy`, equal tensors an
    exporter merged) each count with their own role. `total` is trainable
    plus frozen parameters.

    `format=json` writes one JSON object (schema in
    docs/ParamStats.schema.json), `format=markdown` Markdown tables,
    `format=text` (the default) aligned tables. `output=FILE` writes there
    instead of standard output. `plot=FILE.svg` writes a histogram figure of
    the tensors whose names or layers match `layer` (a regular expression;
    all when empty). With `check`, the pass fails after the report when any
    weight holds NaN or Inf, with one error per such weight naming it and the
    counts.
  }];
  let options = [
    Option<"format", "format", "::loom::ParamStatsFormat",
      /*default=*/"::loom::ParamStatsFormat::Text", "Report format",
      [{::llvm::cl::values(
        clEnumValN(::loom::ParamStatsFormat::Text, "text",
                   "aligned tables (the default)"),
        clEnumValN(::loom::ParamStatsFormat::JSON, "json",
                   "one JSON object (docs/ParamStats.schema.json)"),
        clEnumValN(::loom::ParamStatsFormat::Markdown, "markdown",
                   "GitHub-flavoured Markdown tables"))}]>,
    Option<"output", "output", "std::string", /*default=*/"\"-\"",
      "Where the report goes ('-': standard output)">,
    Option<"check", "check", "bool", /*default=*/"false",
      "Fail (after the report) when a weight holds NaN or Inf, naming each">,
    Option<"bins", "bins", "unsigned", /*default=*/"32",
      "Histogram bins per tensor (0: no histograms)">,
    Option<"histogramSample", "histogram-sample", "uint64_t",
      /*default=*/"262144",
      "Histograms of tensors larger than this many elements count an evenly "
      "spaced sample of about this many (0: every element)">,
    Option<"plot", "plot", "std::string", /*default=*/"\"\"",
      "Also write an SVG histogram figure to this file">,
    Option<"layer", "layer", "std::string", /*default=*/"\"\"",
      "Regular expression: plot only tensors whose name or layer matches">,
  ];
  let dependentDialects = ["::loom::LoomDialect"];
}

#endif // LOOM_DIALECT_LOOM_TRANSFORMS_PASSES_TD
