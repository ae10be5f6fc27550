//===- TorchScriptImport.h - TorchScript archives to Loom IR ----*- C++ -*-===//
//
// Loads a TorchScript archive (`torch.jit.trace` / `torch.jit.script`, then
// `save`) through libtorch and builds Loom IR: parameters and buffers become
// `loom.weight`s named by their dotted module paths (`requires_grad` decides
// trainable or frozen; a tensor reached through several paths comes in once,
// with the other names as aliases), `forward` is inlined and its aten ops
// become typed Loom ops (any other op a generic op keeping its schema name).
//
// The importer is a plugin (libLoomTorchScript.so beside the tools' lib/
// folder, or $LOOM_TORCHSCRIPT_PLUGIN) loaded on first use: libtorch costs
// about a second to load, which only .pt imports should pay. This header has
// no libtorch types: the rest of Loom builds without them. The entry point
// is the library LoomTargetTorchScript (lib/Target/TorchScript/
// TorchScriptImport.cpp); a program that may load the plugin declares itself
// a host with `loom_torchscript_host(target)` in CMake.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TARGET_TORCHSCRIPT_TORCHSCRIPTIMPORT_H
#define LOOM_TARGET_TORCHSCRIPT_TORCHSCRIPTIMPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace loom {

struct TorchScriptImportOptions {
  /// Types of `forward`'s tensor inputs, in order, as `1x3x224x224xf32`
  /// (dims then element type: f32, f16, bf16, f64, i64, i32, i8, ui8, i1).
  /// Empty: the archive's `loom_inputs.txt` extra file if it has one, else
  /// unranked f32 (ops that need shapes then stay generic).
  std::vector<std::string> inputTypes;
};

/// Imports `path` through the plugin; errors (a missing plugin included) are
/// emitted as diagnostics naming the file, the node and its Python source
/// location, and give an empty module.
mlir::OwningOpRef<mlir::ModuleOp>
importTorchScriptFile(llvm::StringRef path, mlir::MLIRContext *context,
                      const TorchScriptImportOptions &options = {});

/// Where the plugin is looked for.
std::string getTorchScriptPluginPath();

/// Whether this build imports TorchScript archives (configured with
/// LOOM_ENABLE_TORCHSCRIPT and libtorch).
bool hasTorchScriptImport();

} // namespace loom

#endif // LOOM_TARGET_TORCHSCRIPT_TORCHSCRIPTIMPORT_H
