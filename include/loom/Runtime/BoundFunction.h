//===- BoundFunction.h - a function ready for the CPU back end --*- C++ -*-===//
//
// What the JIT evaluator and the ahead-of-time compiler (`loomc compile`)
// share: a clone of the module whose chosen function reads every weight
// through an argument (`loom-weights-to-arguments`), the signature of its
// inputs and outputs, and where each weight argument's bytes lie; then its
// lowering to the LLVM dialect through `buildLoomCPUPipeline`, and a
// TargetMachine for the host (or a named) CPU.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_BOUNDFUNCTION_H
#define LOOM_RUNTIME_BOUNDFUNCTION_H

#include "loom/Runtime/HostTensor.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace loom::runtime {

/// One input or output of a compiled function.
struct TensorSignature {
  std::string name;
  DType dtype;
  llvm::SmallVector<int64_t> shape; // mlir::ShapedType::kDynamic if dynamic
};

/// One argument of a bound function: a model input, or a weight.
struct BoundArgument {
  /// The index of the model input it is, or -1 for a weight.
  int input = -1;
  /// A weight's name and its little-endian element bytes (where its blob
  /// lies; in `owned` when it had to be expanded or realigned).
  std::string weight;
  llvm::ArrayRef<char> bytes;
  std::unique_ptr<HostTensor> owned;
  DType dtype = DType::F32;
  llvm::SmallVector<int64_t> shape;
};

/// A public function of a clone of a module, its weights bound to
/// arguments.
struct BoundFunction {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::string name;
  std::vector<TensorSignature> inputs, outputs;
  std::vector<BoundArgument> arguments;

  /// Binds `functionName` (default: the module's only public function) of
  /// a clone of `module`. Weight bytes still point into `module`'s blobs:
  /// its context must outlive the result.
  static llvm::Expected<BoundFunction> bind(mlir::ModuleOp module,
                                            llvm::StringRef functionName = "");
};

/// How the CPU back end compiles a bound function.
struct LoweringOptions {
  bool fuse = true;
  bool parallel = true;
  bool vectorizeConvs = true;
  /// The target's vector registers in bits (register block sizes); 0: this
  /// machine's.
  int64_t vectorBits = 0;
};

/// Lowers `module` (a bound function's) to the LLVM dialect with
/// `buildLoomCPUPipeline` and erases the weights, which no code reads any
/// more. Diagnostics name the node that failed.
llvm::Error lowerToLLVMDialect(mlir::ModuleOp module,
                               const LoweringOptions &options);

/// A TargetMachine for `cpu` ("host": this machine's CPU and features) on
/// x86-64 Linux or the host's triple, at `optLevel` (0-3), position
/// independent (it serves shared libraries and the JIT alike).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(llvm::StringRef cpu, unsigned optLevel);

/// The width in bits of `machine`'s widest float vector registers: 512 with
/// AVX-512F, 256 with AVX, else 128.
int64_t vectorBits(const llvm::TargetMachine &machine);

/// "1x3x?x224", or "scalar".
std::string describeShape(llvm::ArrayRef<int64_t> shape);

} // namespace loom::runtime

#endif // LOOM_RUNTIME_BOUNDFUNCTION_H
