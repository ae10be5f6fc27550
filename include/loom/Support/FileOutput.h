//===- FileOutput.h - Loom's one way of writing an output file --*- C++ -*-===//
//
// Every file a Loom tool or pass writes goes through here, so that a reader
// never sees half a file and a crash leaves nothing it cannot clean up:
//
// - the bytes go to `<path>.tmp-loom-<pid>-XXXXXX` beside the output, which
//   is renamed over it only once complete (LLVM removes the temporary on
//   SIGINT/SIGTERM; a SIGKILLed process's temporaries are recognised by the
//   pid in their name and removed by the next write to the same path);
// - a path that exists and is not a regular file (`/dev/null`, a pipe) is
//   written in place: a rename would replace the device itself;
// - "-" is standard output.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_SUPPORT_FILEOUTPUT_H
#define LOOM_SUPPORT_FILEOUTPUT_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

namespace loom {

/// Creates the temporary sibling of `path` (see above), after removing the
/// ones that processes no longer running left beside it.
llvm::Expected<llvm::sys::fs::TempFile> createTempBeside(llvm::StringRef path);

/// Removes `<path>.tmp-loom-<pid>-*` files of processes that are gone.
/// Returns how many it removed.
unsigned removeStaleTemps(llvm::StringRef path);

/// True for "-" and for paths that exist and are not regular files.
bool isStreamPath(llvm::StringRef path);

/// Writes `path` through `write` as described above. On failure nothing is
/// left behind and the error says why (without the path).
llvm::Error
writeFileAtomically(llvm::StringRef path,
                    llvm::function_ref<llvm::Error(llvm::raw_ostream &)> write);

} // namespace loom

#endif // LOOM_SUPPORT_FILEOUTPUT_H
