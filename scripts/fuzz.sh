#!/usr/bin/env bash
# Runs Loom's libFuzzer targets (tools/fuzzers) under ASan+UBSan.
#
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]
#   scripts/fuzz.sh all SECONDS          # each target in turn, SECONDS each
#
# TARGET: onnx-import, onnx-roundtrip, mlir-parser, torchscript-import.
# Builds build-fuzz/ with clang-22 (LOOM_BUILD_FUZZERS=ON,
# LOOM_SANITIZERS=address;undefined) on first use, seeds each target's corpus
# (build-fuzz/corpus/TARGET) from the test data: Debian's libonnx-testdata
# models, the repo's .onnx/.mlir files, their bytecode form, generated
# TorchScript archives. Inputs that crash, leak, time out (> 10 s) or exhaust
# memory (> 2 GB) are written to test/Fuzz/TARGET/ as regression files, which
# test/Fuzz/regressions.test replays through the normal tools on every run.
# Ends with one line per target: runs, executions per second, corpus size.
# Long campaigns: add `-fork=1 -ignore_crashes=1 -ignore_timeouts=1
# -ignore_ooms=1` to keep going after a finding (each is still kept).
# LOOM_FUZZ_PREBUILT=1 skips the rebuild (fuzz what is built).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LOOM_FUZZ_BUILD_DIR:-$root/build-fuzz}
tools=${LOOM_BUILD_DIR:-$root/build}/bin
python=$root/.venv/bin/python
testdata=/usr/share/libonnx-testdata/data

if [ $# -lt 2 ]; then
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
target=$1
seconds=$2
shift 2
all_targets="onnx-import onnx-roundtrip mlir-parser torchscript-import"

# clang's sanitizer and libFuzzer runtimes (not needed by the plain build).
if ! dpkg -s libclang-rt-22-dev >/dev/null 2>&1; then
  echo "[$(basename "$0" .sh)] installing libclang-rt-22-dev"
  apt-get install -y -q libclang-rt-22-dev >/dev/null
fi

if [ ! -f "$build/build.ninja" ]; then
  echo "[fuzz] configuring $build (clang-22, address;undefined, fuzzers)"
  CC=clang-22 CXX=clang++-22 cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
    -DLOOM_BUILD_FUZZERS=ON '-DLOOM_SANITIZERS=address;undefined' \
    >"$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
fi

# Seeds: small, real inputs of each kind (libFuzzer grows from these).
seed() {
  local name=$1 corpus=$build/corpus/$1
  [ -d "$corpus" ] && [ -n "$(ls -A "$corpus")" ] && return 0
  mkdir -p "$corpus"
  case $name in
    onnx-import|onnx-roundtrip)
      find "$testdata" "$root/test" "$root/samples" -name '*.onnx' -size -64k \
        -exec cp --backup=numbered -t "$corpus" {} + 2>/dev/null || true
      # Same base names: give every seed a unique name.
      local i=0
      for f in "$corpus"/*; do mv "$f" "$corpus/seed-$((i++))"; done
      ;;
    mlir-parser)
      local i=0
      for f in $(find "$root/test" "$root/samples" -name '*.mlir'); do
        cp "$f" "$corpus/seed-$((i++)).mlir"
        "$tools/loom-opt" "$f" --emit-bytecode -o "$corpus/seed-$((i++)).mlirbc" \
          2>/dev/null || true
      done
      # Imported ONNX node tests: real Loom IR with dense_resource weights.
      for f in $(find "$testdata/node" -name model.onnx | sort | awk 'NR % 25 == 0'); do
        "$tools/loom-translate" --import-onnx "$f" -o "$corpus/seed-$((i++)).mlir" \
          2>/dev/null || true
        "$tools/loom-translate" --import-onnx "$f" -o "$corpus/seed-$((i++)).mlirbc" \
          2>/dev/null || true
      done
      ;;
    torchscript-import)
      local tmp
      tmp=$(mktemp -d)
      "$python" "$root/scripts/make_torchscript_models.py" "$tmp" twice tied gpt ops \
        >/dev/null 2>&1
      "$python" "$root/scripts/make_torchscript_errors.py" "$tmp" >/dev/null 2>&1 || true
      local i=0
      for f in "$tmp"/*.pt; do cp "$f" "$corpus/seed-$((i++)).pt"; done
      rm -rf "$tmp"
      ;;
  esac
}

run() {
  local name=$1 binary=$build/bin/loom-$1-fuzzer
  shift
  # LOOM_FUZZ_PREBUILT=1: fuzz the binary as built (sources may be mid-edit).
  [ -n "${LOOM_FUZZ_PREBUILT:-}" ] || ninja -C "$build" "loom-$name-fuzzer" >/dev/null
  seed "$name"
  local regressions=$root/test/Fuzz/$name log=$build/fuzz-$name.log
  mkdir -p "$regressions"
  touch "$log.start"
  echo "[fuzz] $name: ${seconds}s, corpus $(ls "$build/corpus/$name" | wc -l) inputs"
  # libFuzzer's own leak check is on (detect_leaks=1); -timeout flags a hang.
  # -rss_limit_mb bounds this process's memory. -malloc_limit_mb is raised
  # past it: libFuzzer's malloc hook survives fork, so a contained child
  # (loom::runContained, doing the huge allocation it exists to contain)
  # would otherwise write an oom- artifact of its own; the child is bounded
  # by its parent instead (37 such false findings in session 5).
  local status=0 lsan=""
  # libtorch's own leak on refused archives (see the file).
  [ "$name" = torchscript-import ] &&
    lsan="suppressions=$root/tools/fuzzers/lsan-libtorch.supp"
  LSAN_OPTIONS=${LSAN_OPTIONS:-$lsan} \
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$binary" "$build/corpus/$name" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -malloc_limit_mb=1048576 -max_len=65536 \
      -print_final_stats=1 \
      -artifact_prefix="$regressions/" "$@" >"$log" 2>&1 || status=$?
  local runs speed found
  found=$(find "$regressions" -newer "$log.start" -type f | wc -l)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if [ -z "$runs" ]; then  # -fork=N: the last status line says it
    runs=$(sed -n 's/^#\([0-9]*\): cov:.*/\1/p' "$log" | tail -1)
    speed=$(sed -n 's/^#[0-9]*: cov:.* exec\/s: \([0-9]*\).*/\1/p' "$log" | tail -1)
  fi
  echo "$name: ${runs:-0} runs in ${seconds}s, ${speed:-0} exec/s," \
       "corpus $(ls "$build/corpus/$name" | wc -l) inputs," \
       "$( [ $status -eq 0 ] && [ "$found" -eq 0 ] && echo "no findings" ||
           echo "FINDINGS: $found new file(s) in test/Fuzz/$name (exit $status, see $log)")"
  return $status
}

if [ "$target" = all ]; then
  failed=0
  for t in $all_targets; do run "$t" "$@" || failed=1; done
  exit $failed
fi
case " $all_targets " in
  *" $target "*) run "$target" "$@" ;;
  *) echo "fuzz.sh: unknown target '$target' (one of: $all_targets, all)" >&2; exit 2 ;;
esac
