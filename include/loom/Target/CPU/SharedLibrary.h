//===- SharedLibrary.h - compile a model into a shared library -*- C++ -*-===//
//
// The ahead-of-time CPU target behind `loomc compile --target=cpu`: one
// function of a Loom module becomes a shared library with the C API of
// lib/Runtime/AOT/loom_model.h: object code from the CPU pipeline and LLVM's
// TargetMachine, linked by lld with Loom's small C runtime. Weights are
// embedded in the library or written to a side file that the library
// memory-maps when a model is created. Nothing of MLIR or LLVM is needed
// where the library runs.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_CPU_SHAREDLIBRARY_H
#define LOOM_TARGET_CPU_SHAREDLIBRARY_H

#include "loom/Runtime/BoundFunction.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <string>

namespace loom {

enum class WeightsPlacement {
  /// Embedded up to SharedLibraryOptions::embedLimit bytes, else a file.
  Auto,
  /// In the library's read-only data.
  Embed,
  /// In `<library stem>.weights` beside the library.
  File,
};

/// What the library's code runs on.
enum class CompileTarget {
  /// The host's kind of CPU (buildLoomCPUPipeline, OpenMP threads).
  CPU,
  /// NVIDIA GPUs (buildLoomGPUPipeline): kernels in an embedded fatbin,
  /// host code calling Loom's CUDA runtime, which opens libcuda.so.1 at run
  /// time. Needs static shapes.
  CUDA,
};

struct SharedLibraryOptions {
  CompileTarget target = CompileTarget::CPU;
  /// With CUDA: the architecture (sm_90), the toolkit (ptxas; empty: found
  /// as findCUDAToolkit does), threads per block.
  std::string gpuArch = "sm_90";
  std::string cudaToolkit;
  int64_t gpuBlockSize = 256;
  /// Outputs per thread (T x T) of large ops with reductions, where
  /// `gpuTileMinThreads` threads remain (see loom-map-to-gpu).
  int64_t gpuThreadTile = 4;
  int64_t gpuTileMinThreads = 262144;
  /// The C name of the model: the library exports `<name>_create`.
  std::string name;
  /// The library to write (`libNAME.so`).
  std::string outputPath;
  /// The C header to write, or empty.
  std::string headerPath;
  WeightsPlacement weights = WeightsPlacement::Auto;
  uint64_t embedLimit = uint64_t(256) << 20;
  /// "host" or an LLVM CPU name (x86-64-v3, skylake-avx512, ...).
  std::string cpu = "host";
  unsigned optLevel = 2;
  runtime::LoweringOptions lowering;
  /// Threads a run uses unless the caller sets them (0: all cores).
  unsigned defaultThreads = 0;
  /// ld.lld to link with (empty: the one found when Loom was built, then
  /// PATH).
  std::string linker;
  /// Where the model came from, for the header's comment.
  std::string source;
  std::function<void(llvm::StringRef)> progress;
};

struct SharedLibraryResult {
  uint64_t libraryBytes = 0;
  uint64_t weightsBytes = 0;
  /// The side file of weights, or empty when they are embedded.
  std::string weightsPath;
  std::vector<runtime::TensorSignature> inputs, outputs;
};

/// Compiles `function` (default: the module's only public function) of
/// `module` into a shared library as described above. Nothing is written
/// unless everything succeeds (the library, its weights and its header
/// appear together). Diagnostics name the node that failed to lower.
llvm::Expected<SharedLibraryResult>
compileSharedLibrary(mlir::ModuleOp module, llvm::StringRef function,
                     const SharedLibraryOptions &options);

/// The text of the C API every compiled library implements
/// (lib/Runtime/AOT/loom_model.h).
llvm::StringRef getModelAPIHeader();

/// A C identifier made of `name` (letters, digits, '_'; not starting with a
/// digit): "libresnet-18.so" -> "resnet_18".
std::string getLibraryCName(llvm::StringRef libraryPath);

} // namespace loom

#endif // LOOM_TARGET_CPU_SHAREDLIBRARY_H
