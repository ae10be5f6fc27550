//===- Evaluator.h - compile a Loom function once, run it on tensors -*- C++ -*-===//
//
// The in-process evaluator: `CompiledFunction::compile` takes a module of
// typed Loom ops (static or dynamic shapes), binds its weights to arguments,
// lowers it through the CPU pipeline and JIT-compiles it with MLIR's
// ExecutionEngine for the host CPU; `run` evaluates it on host tensors.
// Compiled code does not depend on weight values (weights are arguments),
// so compilations are cached process-wide by a hash of the weight-free
// module text. The same entry point serves `loomc run` and the fold pass.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_EVALUATOR_H
#define LOOM_RUNTIME_EVALUATOR_H

#include "loom/Runtime/BoundFunction.h"
#include "loom/Runtime/HostTensor.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace loom::runtime {

struct CompileOptions {
  /// LLVM's optimization level for the generated code (0-3).
  unsigned optLevel = 2;
  /// Fuse elementwise ops (the CPU pipeline's `fuse`).
  bool fuse = true;
  /// Split large ops for threads (the CPU pipeline's `parallel`); needs the
  /// OpenMP runtime this build found (hasThreads()).
  bool parallel = true;
  /// Register-blocked vector code for convolutions (the pipeline's
  /// `vectorize`).
  bool vectorizeConvs = true;
  /// Called with a short description of each stage ("lowering", ...).
  std::function<void(llvm::StringRef)> progress;
};

class CompiledKernel;

/// A function of a Loom module compiled for the host, bound to the weights
/// of that module. The module's MLIRContext must outlive it (weights are
/// read where their blobs lie).
class CompiledFunction {
public:
  /// Compiles `function` (default: the module's only public function).
  /// Diagnostics (an unsupported op, by node) go to the context's handler;
  /// the error says which stage failed.
  static llvm::Expected<std::unique_ptr<CompiledFunction>>
  compile(mlir::ModuleOp module, llvm::StringRef function = "",
          const CompileOptions &options = {});

  ~CompiledFunction();

  llvm::ArrayRef<TensorSignature> getInputs() const { return inputs; }
  llvm::ArrayRef<TensorSignature> getOutputs() const { return outputs; }
  /// True when this compilation was found in the process-wide cache.
  bool wasCached() const { return cached; }

  /// Evaluates the function. Inputs in signature order; their dtypes must
  /// match and their shapes agree with every static dimension. `threads`:
  /// how many threads run the parallel chunks (0: all cores).
  llvm::Expected<std::vector<HostTensor>>
  run(llvm::ArrayRef<const HostTensor *> inputs, unsigned threads = 0) const;

private:
  CompiledFunction() = default;

  std::shared_ptr<CompiledKernel> kernel;
  std::vector<TensorSignature> inputs, outputs;
  /// Per function argument: an input index, or a weight's bytes.
  struct Argument {
    int input = -1;
    const char *data = nullptr;
    llvm::SmallVector<int64_t> shape;
  };
  std::vector<Argument> arguments;
  /// Copies of weights whose bytes were not aligned for their type (or
  /// splats expanded).
  std::vector<std::unique_ptr<HostTensor>> ownedWeights;
  bool cached = false;
};

/// Whether this build runs compiled code on several threads (it found
/// LLVM's OpenMP runtime, libomp, when it was configured).
bool hasThreads();

} // namespace loom::runtime

#endif // LOOM_RUNTIME_EVALUATOR_H
