//===- ToolSupport.h - what Loom's tools share ------------------*- C++ -*-===//
//
// Loading a model by its extension, one-line diagnostics that name the file
// and the node, and writing outputs through a temporary file.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TOOLS_TOOLSUPPORT_H
#define LOOM_TOOLS_TOOLSUPPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>
#include <vector>

namespace loom {

/// `file`, `file:line:col`, or `file: node 'name'` for a node's location;
/// `fallback` where the location names no file.
void printLocation(mlir::Location loc, llvm::raw_ostream &os,
                   llvm::StringRef fallback);

/// Prints every diagnostic as one line to stderr: location, severity,
/// message (notes as further lines).
class OneLineDiagnostics {
public:
  OneLineDiagnostics(mlir::MLIRContext &context, std::string fallbackPath);

  /// How many errors were printed (a tool adds its own line only when none
  /// said why it failed).
  unsigned numErrors() const { return errors; }

private:
  std::string fallback;
  unsigned errors = 0;
  mlir::ScopedDiagnosticHandler handler;
};

/// Model formats by file name.
enum class ModelFormat { ONNX, MLIR, TorchScript, Unknown };
ModelFormat modelFormatOf(llvm::StringRef path);

struct LoadOptions {
  bool onnxShapeInference = true;
  bool typedOps = true;
  /// TorchScript: the types of forward()'s inputs (`1x3x224x224xf32`).
  std::vector<std::string> inputTypes;
};

/// A loaded model. The source manager stays alive with it: bytecode weights
/// reference the mapped file instead of being copied.
struct LoadedModel {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::shared_ptr<llvm::SourceMgr> sourceMgr;
  explicit operator bool() const { return static_cast<bool>(module); }
};

/// Loads `.onnx`, `.mlir`, `.mlirbc` (and `.pt` where TorchScript import is
/// built), by extension unless `format` says; "-" is Loom IR on stdin.
/// Errors are reported as diagnostics and give an empty module.
LoadedModel loadModel(llvm::StringRef path, mlir::MLIRContext *context,
                      const LoadOptions &options = {},
                      ModelFormat format = ModelFormat::Unknown);

/// Parses Loom IR, as text or bytecode, from memory (`buffer`'s identifier
/// names it in diagnostics).
LoadedModel loadMLIRBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer,
                           mlir::MLIRContext *context);

/// Writes `path` through `write` into a temporary file in the same folder,
/// then renames it; a failure leaves no file behind. A path that exists and
/// is not a regular file (`/dev/null`, a pipe) is written directly. "-"
/// writes to stdout. Errors print one line naming the path.
llvm::LogicalResult writeFileAtomically(
    llvm::StringRef path,
    llvm::function_ref<llvm::LogicalResult(llvm::raw_ostream &)> write);

/// Writes the module as text (with locations unless `noLocations`) or as
/// bytecode (`bytecode`, or a path ending in .mlirbc).
llvm::LogicalResult writeModule(mlir::ModuleOp module, llvm::StringRef path,
                                bool bytecode, bool noLocations);

} // namespace loom

#endif // LOOM_TOOLS_TOOLSUPPORT_H
