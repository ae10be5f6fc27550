#!/usr/bin/env bash
# Configures (once) and builds Loom into build/. Used by the README's commands
# and by CI; set LOOM_BUILD_DIR to build elsewhere.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LOOM_BUILD_DIR:-$root/build}

if [ ! -f "$build/build.ninja" ]; then
  echo "[build] configuring $build"
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit >"$build.configure.log" 2>&1 || {
      cat "$build.configure.log"; exit 1; }
fi
echo "[build] building (ninja -C $build)"
ninja -C "$build" all mlir-doc
