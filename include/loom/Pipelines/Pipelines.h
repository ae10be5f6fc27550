//===- Pipelines.h - Loom's named pass pipelines ----------------*- C++ -*-===//
//
// Pipelines that tools build in C++ with typed options and that loom-opt
// offers by name (`--loom-compress-pipeline="tie=true tie-modes=exact"`).
// The CPU and GPU compilation pipelines join them here.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PIPELINES_PIPELINES_H
#define LOOM_PIPELINES_PIPELINES_H

#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace loom {

/// What `loomc compress` runs before a user's own pipeline.
struct LoomCompressPipelineOptions
    : public mlir::PassPipelineOptions<LoomCompressPipelineOptions> {
  ListOption<std::string> freeze{
      *this, "freeze",
      llvm::cl::desc("Freeze the parameters these globs match (loom-freeze "
                     "patterns)")};
  Option<std::string> freezeUntil{
      *this, "freeze-until",
      llvm::cl::desc("Freeze every parameter read before this layer "
                     "(loom-freeze until)"),
      llvm::cl::init("")};
  Option<bool> freezeAll{*this, "freeze-all",
                         llvm::cl::desc("Freeze every parameter"),
                         llvm::cl::init(false)};
  ListOption<std::string> unfreeze{
      *this, "unfreeze",
      llvm::cl::desc("Then make the parameters these globs match trainable "
                     "again")};
  Option<bool> freezeVerbose{
      *this, "freeze-verbose",
      llvm::cl::desc("Name every weight whose frozen state changes"),
      llvm::cl::init(false)};
  Option<bool> tie{*this, "tie",
                   llvm::cl::desc("Tie duplicated weights (loom-tie-weights)"),
                   llvm::cl::init(false)};
  ListOption<TieMode> tieModes{
      *this, "tie-modes",
      llvm::cl::desc("With tie: the modes to apply (default: all)")};
  Option<uint64_t> tieMinBytes{
      *this, "tie-min-bytes",
      llvm::cl::desc("With tie: only tie duplicates of at least this many "
                     "bytes"),
      llvm::cl::init(1024)};
};

/// Shape inference (no remarks: a model with dynamic shapes is normal
/// input), then freezing (when any freeze option is given), then, with
/// `tie`, weight tying. Folding (`loom-fold-frozen`) evaluates through the
/// JIT, which this library does not link: a tool adds it after these.
void buildLoomCompressPipeline(mlir::OpPassManager &pm,
                               const LoomCompressPipelineOptions &options);

/// How `buildLoomCPUPipeline` compiles.
struct LoomCPUPipelineOptions
    : public mlir::PassPipelineOptions<LoomCPUPipelineOptions> {
  Option<bool> fuse{*this, "fuse",
                    llvm::cl::desc("Fuse elementwise producers into their "
                                   "consumers (linalg-fuse-elementwise-ops)"),
                    llvm::cl::init(true)};
  Option<bool> loopOrder{
      *this, "loop-order",
      llvm::cl::desc("Order loops for LLVM's vectorizer: reductions outside "
                     "the output's innermost dimension, FMA contraction "
                     "(loom-linalg-loop-order)"),
      llvm::cl::init(true)};
  Option<bool> vectorize{
      *this, "vectorize",
      llvm::cl::desc("Register-blocked vector code for 2-D convolutions "
                     "(loom-linalg-vectorize-convs, "
                     "loom-hoist-vector-transfers)"),
      llvm::cl::init(true)};
  Option<int64_t> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("Width in bits of the target's vector registers, which "
                     "sizes the register blocks (512: AVX-512, 256: AVX2); "
                     "0: this machine's"),
      llvm::cl::init(0)};
  Option<bool> approximateMath{
      *this, "approximate-math",
      llvm::cl::desc("Polynomial approximations of erf, tanh, exp, log, ... "
                     "instead of scalar libm calls (loom-math-approximation)"),
      llvm::cl::init(true)};
  Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Split large ops into chunks run by OpenMP threads "
                     "(loom-linalg-distribute, scf-to-openmp); the code then "
                     "needs libomp"),
      llvm::cl::init(true)};
};

/// From typed Loom ops to the LLVM dialect, for the host CPU: weights bound
/// to function arguments, the Loom-to-linalg lowering, elementwise fusion,
/// one-shot bufferization (identity layouts at function boundaries, buffers
/// freed by the ownership-based deallocation pipeline), loops, and the LLVM
/// dialect. `loom.weight` ops stay in the module (the evaluator reads their
/// data); the functions are ready for translation to LLVM IR.
void buildLoomCPUPipeline(mlir::OpPassManager &pm,
                          const LoomCPUPipelineOptions &options);

/// How `buildLoomGPUPipeline` compiles (`--loom-gpu-pipeline`).
struct LoomGPUPipelineOptions
    : public mlir::PassPipelineOptions<LoomGPUPipelineOptions> {
  Option<std::string> gpuArch{
      *this, "gpu-arch",
      llvm::cl::desc("The NVIDIA architecture to compile kernels for (sm_80, "
                     "sm_90, ...)"),
      llvm::cl::init("sm_90")};
  Option<std::string> features{
      *this, "features",
      llvm::cl::desc("PTX features (sm_90 needs PTX 8.0: +ptx80)"),
      llvm::cl::init("+ptx80")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("What gpu-module-to-binary embeds: fatbin (PTX and "
                     "cubin, needs ptxas and fatbinary), bin (cubin, needs "
                     "ptxas), isa (PTX text only), llvm (LLVM IR)"),
      llvm::cl::init("fatbin")};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("The CUDA toolkit (ptxas, libdevice); empty: CUDA_HOME, "
                     "CUDA_ROOT, then /usr/local/cuda"),
      llvm::cl::init("")};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("Threads per block (1..1024)"),
                            llvm::cl::init(256)};
  Option<int64_t> threadTile{
      *this, "thread-tile",
      llvm::cl::desc("Outputs per thread along each of the last two parallel "
                     "loops of an op with reductions (loom-map-to-gpu "
                     "thread-tile), where at least tile-min-threads threads "
                     "remain"),
      llvm::cl::init(4)};
  Option<int64_t> tileMinThreads{
      *this, "tile-min-threads",
      llvm::cl::desc("Tile only ops that keep at least this many threads"),
      llvm::cl::init(262144)};
  Option<unsigned> optLevel{
      *this, "opt-level",
      llvm::cl::desc("LLVM optimization level of the kernels, 0-3"),
      llvm::cl::init(3)};
  Option<bool> fuse{*this, "fuse",
                    llvm::cl::desc("Fuse elementwise producers into their "
                                   "consumers (linalg-fuse-elementwise-ops)"),
                    llvm::cl::init(true)};
  Option<bool> serialize{
      *this, "serialize",
      llvm::cl::desc("Lower the host to LLVM and serialize the kernels "
                     "(gpu-to-llvm, gpu-module-to-binary); false stops "
                     "with the kernels in gpu.module, in the NVVM dialect"),
      llvm::cl::init(true)};
};

/// From typed Loom ops to a host module in the LLVM dialect whose kernels
/// are a `gpu.binary` for NVIDIA GPUs: weights bound to arguments, the
/// Loom-to-linalg lowering and elementwise fusion (shared with the CPU
/// pipeline), bufferization with results written into caller-provided
/// buffers (the function returns nothing; its outputs are its last
/// arguments), one kernel per loop nest (loom-map-to-gpu), device buffers,
/// kernel outlining, NVVM, and serialisation. The host code calls the
/// `mgpu*` functions that Loom's CUDA runtime (lib/Runtime/AOT) implements
/// on the CUDA driver API.
void buildLoomGPUPipeline(mlir::OpPassManager &pm,
                          const LoomGPUPipelineOptions &options);

/// The CUDA toolkit folder `given` names, else CUDA_HOME, CUDA_ROOT,
/// /usr/local/cuda; "" when none has bin/ptxas.
std::string findCUDAToolkit(llvm::StringRef given = "");

/// Registers every named pipeline above with the pass registry.
void registerLoomPipelines();

} // namespace loom

#endif // LOOM_PIPELINES_PIPELINES_H
