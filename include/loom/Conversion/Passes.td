//===- Passes.td - Loom's conversion passes ----------------*- tablegen -*-===//

#ifndef LOOM_CONVERSION_PASSES_TD
#define LOOM_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertLoomToLinalg : Pass<"convert-loom-to-linalg", "::mlir::ModuleOp"> {
  let summary = "lower typed Loom ops to linalg, tensor, arith and math";
  let description = [{
    Rewrites every typed Loom op of every function into `linalg` on tensors:
    `linalg.conv_2d_nchw_fchw`, `depthwise_conv_2d_nchw_chw`,
    `conv_2d_ngchw_gfchw` and the `pooling_nchw_*` ops for windows,
    `linalg.generic` contractions for MatMul and Gemm (broadcast batches,
    transposes), `linalg.generic` with broadcasting indexing maps for
    elementwise ops, reductions for ReduceSum/Mean/Max, Softmax and the
    normalizations, `linalg.transpose`, and `tensor` reshapes and slices.

    `loom.weight_ref` becomes an `arith.constant` of the weight's value, or,
    after `--loom-weights-to-arguments`, the function argument bound to it;
    `loom.constant` becomes `arith.constant`.

    What is not supported is refused with one error on the op that names it
    (and the ONNX node through its location): generic `loom.onnx` ops,
    unranked tensors, and the forms listed in
    `test/Conversion/LoomToLinalg/loom-to-linalg-invalid.mlir`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def LoomLinalgLoopOrder : Pass<"loom-linalg-loop-order", "::mlir::func::FuncOp"> {
  let summary = "Order linalg loops for vector code: the output's innermost dimension last";
  let description = [{
    Named ops (convolutions, pools, matmul) are generalized, and every
    `linalg.generic` with reduction loops is interchanged so that its loops
    run parallel dimensions, then reductions, then the dimension that is
    innermost in the output (`ow` of a convolution, `n` of a matmul): after
    lowering to loops the innermost loop walks contiguous memory without a
    loop-carried dependence, which LLVM's loop vectorizer turns into vector
    code for the host. Multiplies and adds inside reductions are marked
    `fastmath<contract, reassoc>`: fused multiply-adds, and vectorizable
    reductions where the innermost loop still reduces (Softmax, LayerNorm
    over the last axis).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::arith::ArithDialect"];
}

def LoomLinalgDistribute : Pass<"loom-linalg-distribute", "::mlir::func::FuncOp"> {
  let summary = "Split each large linalg op into chunks of an outer parallel loop";
  let description = [{
    Tiles every linalg op on tensors with at least `min-iterations`
    iterations into an `scf.forall` over its first parallel loop (in loop
    order, not the innermost one, which the vectorizer wants whole) of at
    least two iterations, in at most `chunks` chunks (of at least 8
    iterations when the loop has 16 or more: the convolution vectorizer
    blocks output channels by 8). The CPU pipeline turns
    each `scf.forall` into an OpenMP work-sharing loop, so the number of
    threads is chosen when the code runs, not here.
  }];
  let options = [
    Option<"chunks", "chunks", "unsigned", /*default=*/"64",
           "The most chunks an op is split into">,
    Option<"minIterations", "min-iterations", "int64_t", /*default=*/"16384",
           "Ops with fewer iterations (all loops multiplied) stay whole">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::affine::AffineDialect"];
}

def LoomMathApproximation : Pass<"loom-math-approximation", "::mlir::func::FuncOp"> {
  let summary = "Vectorizable polynomial approximations of erf, tanh, exp, log and friends";
  let description = [{
    Without it, `math.erf`, `math.tanh`, `math.exp` and `math.log` become
    calls to libm (`erff`, `tanhf`, `expf`, `logf`), one scalar call per
    element that LLVM cannot vectorize: GELU's erf took a third of a small
    GPT's run time. This pass rewrites them (and the other functions upstream
    covers: atan, atan2, log2, log1p, expm1, cbrt, sin, cos, asin, acos)
    into upstream's polynomial approximations
    (`populateMathPolynomialApproximationPatterns`): plain arithmetic, which
    vectorizes, within a few ulp of libm for f32. Other element types are left
    to libm.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::math::MathDialect"];
}

def LoomLinalgConvToMatmul : Pass<"loom-linalg-conv-to-matmul", "::mlir::func::FuncOp"> {
  let summary = "2-D convolutions as packed image-to-column copies and matmul microkernels";
  let description = [{
    Every f32 `linalg.conv_2d_nchw_fchw` on tensors with static sizes past
    the batch and a zero-filled output becomes two `linalg.generic`s:
    an im2col copy of the input straight into panels of `w` output columns
    contiguous along the reduction (`N x OH*OWp/w x C*KH*KW x w`, one affine
    copy that LLVM vectorizes), and a contraction of the filter
    (`F x C*KH*KW`) with the panels, which `loom-linalg-vectorize-contractions`
    turns into register-blocked microkernels. `w` is one or two vectors of
    `vector-bits`; output rows are padded to `OWp`, a multiple of `w` (the
    input gets the zero columns that reads), and the padding is sliced off.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"0",
           "Width in bits of the target's vector registers (512: AVX-512, "
           "256: AVX2); 0: this machine's">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def LoomLinalgVectorizeConvs : Pass<"loom-linalg-vectorize-convs", "::mlir::func::FuncOp"> {
  let summary = "Tile 2-D convolutions into register blocks and vectorize them";
  let description = [{
    Every `linalg.conv_2d_nchw_fchw` with static shapes is tiled (scf.for)
    to blocks of 8 output channels x one output row x `width` output
    columns (16 or 8 dividing the row) and one input channel and kernel row,
    the kernel row decomposed into a 1-D convolution, and that vectorized
    (`vector.contract` per kernel column). After bufferization the CPU
    pipeline hoists the accumulator's loads and stores out of the channel
    and kernel loops, so the block stays in registers. Convolutions whose
    rows no block width divides are left to `loom-linalg-loop-order`.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::affine::AffineDialect"];
}

def LoomLinalgVectorizeContractions : Pass<"loom-linalg-vectorize-contractions", "::mlir::func::FuncOp"> {
  let summary = "Tile matmul-form contractions into register blocks and vectorize them";
  let description = [{
    Every `linalg.generic` contraction (parallel loops, then one reduction;
    `acc + a * b`) with static loop ranges whose right-hand operand is read
    along the output's innermost dimension (a MatMul `A[m, k] x B[k, n]`,
    batched or not) is tiled (scf.for) to blocks of `m` rows (up to 6) x
    `n` columns (32 or 16 dividing the row) and one step of `k`, and the
    block vectorized: a `vector.contract` per step that lowers to one FMA
    per row and vector of columns. After bufferization the CPU pipeline
    hoists the accumulator's loads and stores out of the `k` loop, so the
    block stays in registers (up to 12 vector registers), as in a BLAS
    microkernel. Contractions whose right-hand operand is transposed, whose
    rows no width divides, or whose sizes are dynamic are left to
    `loom-linalg-loop-order`. Blocks are sized for `vector-bits`: 6 x 2
    vectors of columns (12 accumulator registers of the 16 AVX2 or 32
    AVX-512 has).
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"0",
           "Width in bits of the target's vector registers (512: AVX-512, "
           "256: AVX2); 0: this machine's">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::affine::AffineDialect"];
}

def LoomHoistVectorTransfers : Pass<"loom-hoist-vector-transfers", "::mlir::func::FuncOp"> {
  let summary = "Keep vector accumulators in registers across loops (on buffers)";
  let description = [{
    After bufferization: moves a vector.transfer_read / transfer_write pair
    of the same buffer slice that does not change in an scf.for out of the
    loop (upstream's hoistRedundantVectorTransfers, only loops known to run
    at least once), so that `loom-linalg-vectorize-convs`' accumulator
    blocks stay in registers across the channel and kernel loops.
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect"];
}

def LoomMapToGPU : Pass<"loom-map-to-gpu", "::mlir::func::FuncOp"> {
  let summary = "Turn a bufferized function into GPU kernel launches and device buffers";
  let description = [{
    After bufferization, on a host function: every `memref.copy` becomes a
    `linalg.copy`; every linalg op becomes parallel loops (reductions stay
    sequential inside each thread); each outermost `scf.parallel` becomes one
    `gpu.launch` over its iterations linearized (`block-size` threads per
    block, as many blocks as needed, one thread per iteration, guarded),
    named after the ONNX node it computes (`k3_Conv_0`), so that a failing
    kernel names its node. An op with no loops (a 0-D result) becomes a
    one-thread launch. Buffers that a kernel touches are allocated on the
    device (`gpu.alloc`, `gpu.dealloc`). The host keeps only allocation,
    views and launches: any load or store left on the host is an error that
    names its node. `gpu-kernel-outlining` then moves the kernels into a
    `gpu.module`.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block">,
    Option<"threadTile", "thread-tile", "int64_t", /*default=*/"1",
           "With reductions: each thread computes T x T outputs of the last "
           "two parallel loops whose static sizes T divides (1: one output "
           "per thread)">,
    Option<"tileMinThreads", "tile-min-threads", "int64_t",
           /*default=*/"0",
           "Tile an op only if it keeps at least this many threads (an H200 "
           "holds 132 x 2048 = 270336 at once; small ops run faster with "
           "one output per thread)">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

#endif // LOOM_CONVERSION_PASSES_TD
