//===- Contained.h - run untrusted-input code in a bounded child -*- C++
//-*-===//
//
// Some libraries Loom relies on trust their input: MLIR's bytecode reader,
// ONNX's shape inference and libtorch's unpickler can dereference null, spin
// or allocate until the process dies on a corrupt file (found by fuzzing; see
// docs/Fuzzing.md). Until they check, Loom runs them first in a forked child
// with a time and a memory bound: a child that crashes or overruns means the
// input is refused before this process touches it.
//
// The child is quiet (stdout and stderr to /dev/null), a sanitizer report in
// it ends it without side effects, and a crash ends it plainly: no handler of
// the parent's (LLVM's stack printer, a fuzzer's crash recorder) runs there.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_SUPPORT_CONTAINED_H
#define LOOM_SUPPORT_CONTAINED_H

#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>
#include <string>

namespace loom {

struct ContainedLimits {
  /// Wall-clock bound; the child is killed past it.
  unsigned seconds = 10;
  /// Resident-memory bound in bytes (0: none); the child is killed past it.
  uint64_t maxResidentBytes = 0;
};

struct ContainedResult {
  enum class Outcome {
    /// The child returned; `exitCode` is what `body` returned.
    Exited,
    /// It died of a signal or a sanitizer report.
    Crashed,
    TimedOut,
    OutOfMemory,
    /// No child could be made (fork or pipe failed): the caller decides
    /// whether to go on unprotected.
    NotRun,
  };
  Outcome outcome = Outcome::NotRun;
  int exitCode = 0;
  /// What the child wrote to the file descriptor `body` was given.
  std::string output;

  bool exited(int code) const {
    return outcome == Outcome::Exited && exitCode == code;
  }
  /// "crashed", "ran past 10 s", "needed more than 1024 MB" (for messages).
  std::string describe(const ContainedLimits &limits) const;
};

/// Runs `body(fd)` in a forked child: what it writes to `fd` comes back as
/// `output`, its return value as `exitCode` (0-255; 3 is taken by sanitizer
/// reports, which count as a crash). The child inherits this process's
/// memory, so `body` may read any data the caller has; it must not rely on
/// threads the parent started (they do not exist in the child).
ContainedResult runContained(llvm::function_ref<int(int fd)> body,
                             const ContainedLimits &limits);

} // namespace loom

#endif // LOOM_SUPPORT_CONTAINED_H
