//===- TorchScriptImport.cpp - the TorchScript importer's entry point -----===//
//
// `importTorchScriptFile` loads the plugin (libLoomTorchScript.so, which
// links libtorch) on first use and calls it. This file has no libtorch
// types: every Loom library and tool links it, and only a .pt import pays
// for libtorch.
//
//===----------------------------------------------------------------------===//

#include "loom/Target/TorchScript/TorchScriptImport.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

using namespace mlir;

bool loom::hasTorchScriptImport() {
#ifdef LOOM_ENABLE_TORCHSCRIPT
  return true;
#else
  return false;
#endif
}

std::string loom::getTorchScriptPluginPath() {
  if (std::optional<std::string> env =
          llvm::sys::Process::GetEnv("LOOM_TORCHSCRIPT_PLUGIN"))
    return *env;
  // <prefix>/bin/tool -> <prefix>/lib/libLoomTorchScript.so
  static int anchor;
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, &anchor);
  SmallString<256> path(
      llvm::sys::path::parent_path(llvm::sys::path::parent_path(exe)));
  llvm::sys::path::append(path, "lib", "libLoomTorchScript.so");
  return path.str().str();
}

namespace {
/// The plugin's entry point (ImportTorchScript.cpp, `loomImportTorchScript`).
using Entry = Operation *(*)(const char *, MLIRContext *, const char *const *,
                             size_t);

/// The plugin, loaded once per process (thread-safe: a function-local
/// static), or why it could not be.
struct Plugin {
  Entry entry = nullptr;
  std::string error;

  static const Plugin &get() {
    static const Plugin plugin = load();
    return plugin;
  }

private:
  static Plugin load() {
    Plugin plugin;
    std::string path = loom::getTorchScriptPluginPath();
    std::string message;
    llvm::sys::DynamicLibrary library =
        llvm::sys::DynamicLibrary::getPermanentLibrary(path.c_str(), &message);
    if (!library.isValid())
      plugin.error = "cannot load the TorchScript import plugin '" + path +
                     "': " + message;
    else if (!(plugin.entry = reinterpret_cast<Entry>(
                   library.getAddressOfSymbol("loomImportTorchScript"))))
      plugin.error = "'" + path + "' has no loomImportTorchScript";
    return plugin;
  }
};
} // namespace

OwningOpRef<ModuleOp>
loom::importTorchScriptFile(StringRef path, MLIRContext *context,
                            const TorchScriptImportOptions &options) {
  Location fileLoc = FileLineColLoc::get(context, path, 0, 0);
  if (!hasTorchScriptImport()) {
    emitError(fileLoc) << "TorchScript import is not built into this Loom "
                          "(configure with LOOM_ENABLE_TORCHSCRIPT=ON and "
                          "libtorch-dev installed)";
    return nullptr;
  }
  const Plugin &plugin = Plugin::get();
  if (!plugin.entry) {
    emitError(fileLoc) << plugin.error;
    return nullptr;
  }
  std::vector<const char *> types;
  for (const std::string &type : options.inputTypes)
    types.push_back(type.c_str());
  std::string pathString = path.str();
  Operation *op =
      plugin.entry(pathString.c_str(), context, types.data(), types.size());
  return OwningOpRef<ModuleOp>(op ? cast<ModuleOp>(op) : ModuleOp());
}
