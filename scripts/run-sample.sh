#!/usr/bin/env bash
# The README's first command: installs dependencies, builds, then runs the main
# job on the sample that ships in the repo, samples/tiny-gpt.onnx (a GPT-style
# model whose exporter wrote its tied head as a second, transposed copy of the
# embedding): import, infer shapes, tie duplicated weights, export, and show
# what changed. Outputs go to build/sample/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LOOM_BUILD_DIR:-$root/build}

bash "$root/scripts/setup.sh"

out="$build/sample"
mkdir -p "$out"
model="$root/samples/tiny-gpt.onnx"
echo "[sample] import $model"
"$build/bin/loom-translate" --import-onnx "$model" -o "$out/tiny-gpt.mlirbc"
echo "[sample] loom-opt --loom-infer-shapes --loom-tie-weights"
"$build/bin/loom-opt" "$out/tiny-gpt.mlirbc" \
  --loom-infer-shapes="report-unknown=false summary" \
  --loom-tie-weights="report summary" \
  --emit-bytecode -o "$out/tiny-gpt.tied.mlirbc"
echo "[sample] export $out/tiny-gpt.tied.onnx"
"$build/bin/loom-translate" --export-onnx "$out/tiny-gpt.tied.mlirbc" \
  -o "$out/tiny-gpt.tied.onnx"
before=$(stat -c %s "$model")
after=$(stat -c %s "$out/tiny-gpt.tied.onnx")
echo "[sample] size: $before bytes -> $after bytes"
if [ -x "$root/.venv/bin/python" ]; then
  "$root/.venv/bin/python" - "$model" "$out/tiny-gpt.tied.onnx" <<'PY'
import sys
import numpy as np
import onnxruntime as ort
ids = np.random.default_rng(0).integers(0, 512, (1, 16)).astype(np.int64)
runs = [ort.InferenceSession(p, providers=["CPUExecutionProvider"]).run(None, {"ids": ids})[0]
        for p in sys.argv[1:]]
diff = float(np.max(np.abs(runs[0] - runs[1])))
print("[sample] ONNX Runtime, original vs tied: max |difference| = %g" % diff)
PY
fi
