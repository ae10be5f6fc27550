//===- FuzzSupport.h - what Loom's libFuzzer targets share ------*- C++ -*-===//
//
// Each fuzz target feeds one input to one of Loom's entry points the way the
// tools do, in a fresh MLIRContext, with diagnostics swallowed: an error is a
// fine outcome, a crash, hang, leak or sanitizer report is not. Beyond "no
// crash", the targets check invariants and trap when one breaks (a model that
// exports must import again).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TOOLS_FUZZERS_FUZZSUPPORT_H
#define LOOM_TOOLS_FUZZERS_FUZZSUPPORT_H

#include "loom/InitAllDialects.h"
#include "loom/Target/ONNX/ONNXImport.h"
#include "loom/Tools/ToolSupport.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include <unistd.h>

/// ASan's defaults for every fuzzer. allow_user_poisoning=0: LLVM's
/// BumpPtrAllocator poisons the free part of its slabs when the code that
/// includes it is instrumented and unpoisons what it hands out; Debian's
/// libMLIR is not instrumented, so what it allocates from a slab our code
/// grew stays poisoned, and reading it is reported as use-after-poison (a
/// false report, on every MLIR context). Each fuzzer includes this header
/// from its one source file.
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}

namespace loom::fuzz {

/// A context with every dialect the tools load, single-threaded (libFuzzer
/// runs one input at a time; threads only slow each run down).
inline std::unique_ptr<mlir::MLIRContext> makeContext() {
  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  auto context = std::make_unique<mlir::MLIRContext>(
      registry, mlir::MLIRContext::Threading::DISABLED);
  loadLoomToolDialects(*context);
  return context;
}

/// Swallows every diagnostic (the fuzzer's output stays readable).
struct QuietDiagnostics {
  explicit QuietDiagnostics(mlir::MLIRContext &context)
      : handler(&context, [](mlir::Diagnostic &) { return mlir::success(); }) {}
  mlir::ScopedDiagnosticHandler handler;
};

/// A scratch folder of this process (on tmpfs when there is one), for
/// entry points that take paths. Removed at exit.
inline const std::string &scratchFolder() {
  static std::string folder = [] {
    llvm::SmallString<128> path(llvm::sys::fs::exists("/dev/shm") ? "/dev/shm"
                                                                  : "/tmp");
    llvm::sys::path::append(path, "loom-fuzz-" + std::to_string(getpid()));
    llvm::sys::fs::create_directories(path);
    std::string result = path.str().str();
    static std::string toRemove = result;
    std::atexit([] { llvm::sys::fs::remove_directories(toRemove); });
    return result;
  }();
  return folder;
}

inline std::string scratchPath(llvm::StringRef name) {
  llvm::SmallString<128> path(scratchFolder());
  llvm::sys::path::append(path, name);
  return path.str().str();
}

/// Imports `data` as the tools import a `.onnx` file, from memory (external
/// data is looked up in the empty scratch folder).
inline mlir::OwningOpRef<mlir::ModuleOp>
importONNXBytes(const uint8_t *data, size_t size, mlir::MLIRContext *context) {
  std::shared_ptr<llvm::MemoryBuffer> buffer =
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size),
          "model.onnx");
  return importONNXBuffer(buffer, scratchPath("model.onnx"), context);
}

inline void writeBytes(const std::string &path, const uint8_t *data,
                       size_t size) {
  FILE *file = std::fopen(path.c_str(), "wb");
  if (!file)
    __builtin_trap();
  if (size && std::fwrite(data, 1, size, file) != size)
    __builtin_trap();
  std::fclose(file);
}

/// Stops the fuzzer on a broken invariant, saying which.
[[noreturn]] inline void invariantBroken(const char *what) {
  std::fprintf(stderr, "loom fuzz: invariant broken: %s\n", what);
  __builtin_trap();
}

} // namespace loom::fuzz

#endif // LOOM_TOOLS_FUZZERS_FUZZSUPPORT_H
