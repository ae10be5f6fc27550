#!/usr/bin/env bash
# The whole lit suite under AddressSanitizer + UndefinedBehaviorSanitizer
# (+ LeakSanitizer): builds build-sanitize/ with clang-22 and
# LOOM_SANITIZERS=address;undefined, runs every test, and counts the reports.
#
#   bash scripts/sanitize.sh            # after scripts/install-deps.sh
#
# Reports are written to files (log_path), not only to stderr: a test that
# expects a failure (`not loom-translate ...`) would otherwise hide one. Ends
# with `N passed, N failed, N skipped; N sanitizer reports` and fails unless
# both the failures and the reports are 0. LOOM_SANITIZE_BUILD_DIR picks the
# build folder (the fuzzers' build-fuzz/ works too: same sanitizers).
# Slower than the plain suite (about 3x); not part of .ci/run.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LOOM_SANITIZE_BUILD_DIR:-$root/build-sanitize}

# clang's sanitizer and libFuzzer runtimes (not needed by the plain build).
if ! dpkg -s libclang-rt-22-dev >/dev/null 2>&1; then
  echo "[$(basename "$0" .sh)] installing libclang-rt-22-dev"
  apt-get install -y -q libclang-rt-22-dev >/dev/null
fi

if [ ! -f "$build/build.ninja" ]; then
  echo "[sanitize] configuring $build (clang-22, address;undefined)"
  CC=clang-22 CXX=clang++-22 cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
    '-DLOOM_SANITIZERS=address;undefined' \
    >"$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
fi
echo "[sanitize] building (ninja -C $build)"
ninja -C "$build" loom-opt loom-translate loomc
ninja -C "$build" all >/dev/null 2>&1 || true  # the TorchScript plugin, docs

reports=$(mktemp -d /tmp/loom-sanitize-XXXXXX)
log=$reports/lit.log
# allow_user_poisoning=0: LLVM's BumpPtrAllocator poisons slab memory in
# instrumented code only; Debian's libMLIR is not instrumented, and what it
# allocates from such a slab would be reported as use-after-poison (false).
export ASAN_OPTIONS="log_path=$reports/report:detect_leaks=1:exitcode=86:allow_user_poisoning=0"
export UBSAN_OPTIONS="log_path=$reports/report:print_stacktrace=1:halt_on_error=1:exitcode=87"
# Instrumented tools run about 3x slower: the contract checks' 10 s per input
# becomes 30 s (scripts/hostile_check.py, scripts/fuzz_replay.py).
export LOOM_TIMEOUT_SCALE=3
# libtorch 1.13 leaks its zip reader's state on refused archives (upstream).
export LSAN_OPTIONS="suppressions=$root/tools/fuzzers/lsan-libtorch.supp"
status=0
/usr/lib/llvm-22/bin/lit -sv "$build/test" 2>&1 | tee "$log" || status=$?

count() { sed -n "s/^ *$1: *\([0-9]*\).*/\1/p" "$log" | tail -n 1; }
passed=$(count Passed); failed=$(count Failed); unsupported=$(count Unsupported)
# A report names an error; LSan's "Suppressions used" notes do not count.
found=$(grep -l -E 'ERROR: |runtime error' "$reports"/report.* 2>/dev/null | wc -l)
if [ "$found" -gt 0 ]; then
  echo "[sanitize] reports (first lines):"
  for f in $(grep -l -E 'ERROR: |runtime error' "$reports"/report.* | head -20); do
    grep -m1 -E 'ERROR: |runtime error' "$f"
  done
  echo "[sanitize] all reports are in $reports"
  status=1
else
  rm -rf "$reports"
fi
echo "${passed:-0} passed, ${failed:-0} failed, ${unsupported:-0} skipped; $found sanitizer reports"
exit "$status"
