//===- Contained.cpp - run untrusted-input code in a bounded child --------===//

#include "loom/Support/Contained.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <optional>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

// Set by sanitizer runtimes (and libFuzzer's); absent otherwise.
extern "C" void __sanitizer_set_death_callback(void (*)(void))
    __attribute__((weak));
extern "C" void __sanitizer_set_report_fd(void *fd) __attribute__((weak));

namespace {
/// What a sanitizer report makes the child exit with.
constexpr int kSanitizerExit = 3;

[[noreturn]] void runChild(llvm::function_ref<int(int)> body, int fd) {
  int null = ::open("/dev/null", O_WRONLY);
  if (null >= 0) {
    ::dup2(null, 1);
    ::dup2(null, 2);
  }
  // A report is an expected outcome here, not a finding of the parent's.
  if (__sanitizer_set_death_callback)
    __sanitizer_set_death_callback([] { ::_exit(kSanitizerExit); });
  if (__sanitizer_set_report_fd && null >= 0)
    __sanitizer_set_report_fd(reinterpret_cast<void *>(intptr_t(null)));
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP})
    ::signal(sig, SIG_DFL);
  int code = body(fd);
  ::_exit(code & 0xff);
}

uint64_t residentBytes(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof(path), "/proc/%d/statm", static_cast<int>(pid));
  unsigned long long size = 0, resident = 0;
  FILE *f = std::fopen(path, "r");
  if (!f)
    return 0;
  bool ok = std::fscanf(f, "%llu %llu", &size, &resident) == 2;
  std::fclose(f);
  return ok ? resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE)) : 0;
}
} // namespace

loom::ContainedResult loom::runContained(llvm::function_ref<int(int fd)> body,
                                         const ContainedLimits &limits) {
  using Outcome = ContainedResult::Outcome;
  ContainedResult result;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return result;
  pid_t child = ::fork();
  if (child < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return result;
  }
  if (child == 0) {
    ::close(fds[0]);
    runChild(body, fds[1]);
  }
  ::close(fds[1]);

  // Drain the pipe (the child blocks once it is full) until the child has
  // exited and its end is closed; check the bounds every few milliseconds.
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(limits.seconds);
  int readEnd = fds[0], status = 0;
  bool exited = false;
  std::optional<Outcome> killedFor;
  char buffer[1 << 16];
  while (!exited || readEnd >= 0) {
    if (readEnd >= 0) {
      struct pollfd poller = {readEnd, POLLIN, 0};
      int ready = ::poll(&poller, 1, exited ? 0 : 5);
      if (ready > 0) {
        ssize_t n = ::read(readEnd, buffer, sizeof(buffer));
        if (n > 0) {
          result.output.append(buffer, n);
          continue;
        }
        if (n == 0 || errno != EINTR) {
          ::close(readEnd);
          readEnd = -1;
        }
      } else if (exited) {
        // Exited, nothing left to read now: a grandchild may still hold the
        // pipe open; do not wait for it.
        ::close(readEnd);
        readEnd = -1;
      }
    } else {
      ::usleep(5000);
    }
    if (!exited) {
      pid_t done = ::waitpid(child, &status, WNOHANG);
      if (done == child) {
        exited = true;
        continue;
      }
      if (done < 0 && errno != EINTR) { // not our child any more
        if (readEnd >= 0)
          ::close(readEnd);
        return result;
      }
      if (std::chrono::steady_clock::now() > deadline)
        killedFor = Outcome::TimedOut;
      else if (limits.maxResidentBytes &&
               residentBytes(child) > limits.maxResidentBytes)
        killedFor = Outcome::OutOfMemory;
      if (killedFor) {
        ::kill(child, SIGKILL);
        while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
        if (readEnd >= 0)
          ::close(readEnd);
        result.outcome = *killedFor;
        return result;
      }
    }
  }
  if (WIFSIGNALED(status) ||
      (WIFEXITED(status) && WEXITSTATUS(status) == kSanitizerExit)) {
    result.outcome = Outcome::Crashed;
    return result;
  }
  result.outcome = Outcome::Exited;
  result.exitCode = WEXITSTATUS(status);
  return result;
}

std::string
loom::ContainedResult::describe(const ContainedLimits &limits) const {
  switch (outcome) {
  case Outcome::Exited:
    return "exited with " + std::to_string(exitCode);
  case Outcome::Crashed:
    return "crashed";
  case Outcome::TimedOut:
    return "ran past " + std::to_string(limits.seconds) + " s";
  case Outcome::OutOfMemory:
    return "needed more than " + std::to_string(limits.maxResidentBytes >> 20) +
           " MB";
  case Outcome::NotRun:
    return "could not be run";
  }
  return "could not be run";
}
