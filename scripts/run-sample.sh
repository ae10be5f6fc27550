#!/usr/bin/env bash
# The README's first command: installs dependencies, builds, then runs the main
# job on the sample that ships in the repo. For now the job is: parse and
# verify a GPT-style block written in the Loom dialect, infer every shape from
# the input ids' shape, fold what is free to fold, and print the result.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LOOM_BUILD_DIR:-$root/build}

bash "$root/scripts/setup.sh"

echo "[sample] loom-opt samples/gpt-block.mlir --loom-infer-shapes=... --canonicalize"
"$build/bin/loom-opt" "$root/samples/gpt-block.mlir" \
  --loom-infer-shapes="input-shapes=ids:1x16 report-unknown=false summary" \
  --canonicalize
