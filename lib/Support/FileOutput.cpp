//===- FileOutput.cpp - Loom's one way of writing an output file ----------===//

#include "loom/Support/FileOutput.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Path.h"

#include <cerrno>
#include <csignal>
#include <unistd.h>

using namespace llvm;

static constexpr StringLiteral kTempTag = ".tmp-loom-";

unsigned loom::removeStaleTemps(StringRef path) {
  SmallString<256> folder(path);
  sys::path::remove_filename(folder);
  if (folder.empty())
    folder = ".";
  std::string prefix = (sys::path::filename(path) + kTempTag).str();
  unsigned removed = 0;
  std::error_code ec;
  for (sys::fs::directory_iterator it(folder, ec), end; !ec && it != end;
       it.increment(ec)) {
    StringRef name = sys::path::filename(it->path());
    if (!name.starts_with(prefix))
      continue;
    // <prefix><pid>-XXXXXX
    StringRef rest = name.drop_front(prefix.size());
    unsigned long long pid;
    if (rest.consumeInteger(10, pid) || !rest.starts_with("-") || pid == 0 ||
        pid > static_cast<unsigned long long>(INT32_MAX))
      continue;
    if (static_cast<pid_t>(pid) == getpid())
      continue;
    // Alive (or not ours to signal): leave it.
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH)
      continue;
    if (!sys::fs::remove(it->path()))
      ++removed;
  }
  return removed;
}

Expected<sys::fs::TempFile> loom::createTempBeside(StringRef path) {
  removeStaleTemps(path);
  return sys::fs::TempFile::create(path + kTempTag + Twine(getpid()) +
                                   "-%%%%%%");
}

bool loom::isStreamPath(StringRef path) {
  if (path == "-")
    return true;
  sys::fs::file_status status;
  return !sys::fs::status(path, status) && sys::fs::exists(status) &&
         !sys::fs::is_regular_file(status);
}

Error loom::writeFileAtomically(StringRef path,
                                function_ref<Error(raw_ostream &)> write) {
  if (path == "-") {
    Error result = write(outs());
    outs().flush();
    return result;
  }
  if (isStreamPath(path)) {
    std::error_code ec;
    raw_fd_ostream os(path, ec);
    if (ec)
      return createStringError(ec, "cannot open: " + ec.message());
    Error result = write(os);
    os.flush();
    if (!result && os.has_error()) {
      std::error_code error = os.error();
      os.clear_error();
      return createStringError(error, "write failed: " + error.message());
    }
    return result;
  }
  Expected<sys::fs::TempFile> temp = createTempBeside(path);
  if (!temp)
    return createStringError(inconvertibleErrorCode(),
                             "cannot create: " + toString(temp.takeError()));
  Error result = Error::success();
  {
    raw_fd_ostream os(temp->FD, /*shouldClose=*/false);
    result = write(os);
    os.flush();
    if (!result && os.has_error()) {
      std::error_code error = os.error();
      os.clear_error();
      result = createStringError(error, "write failed: " + error.message());
    }
  }
  if (result) {
    consumeError(temp->discard());
    return result;
  }
  return temp->keep(path);
}
