#!/usr/bin/env bash
# The README's first command: installs dependencies, builds, then runs the main
# job on the sample that ships in the repo, samples/tiny-gpt.onnx (a GPT-style
# model whose exporter wrote its tied head as a second, transposed copy of the
# embedding): `loomc compress --tie --fold` (import, infer shapes, tie
# duplicated weights, fold what depends only on frozen data, export,
# before/after), the parameter report of the result
# (`loomc stats`), what changed (`loomc diff`), and ONNX Runtime's outputs of
# both models compared.
# Then `loomc run` compiles the tied model for this CPU, runs it and compares its
# logits with ONNX Runtime's; `loomc compile` makes it a shared library with a C
# header, which examples/loom_run.c (built here with cc) links and runs, and its
# logits are compared too. Outputs go to build/sample/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LOOM_BUILD_DIR:-$root/build}

bash "$root/scripts/setup.sh"

out="$build/sample"
mkdir -p "$out"
model="$root/samples/tiny-gpt.onnx"
"$build/bin/loomc" compress "$model" -o "$out/tiny-gpt.tied.onnx" --tie --fold \
  --report "$out/compress.json" --verbose
echo
# What compress changed, tensor by tensor (the head's transposed copy is now
# a view of the embedding) and in the graph; every weight the model had is
# still there, by name or as a view (--expect-frozen '*').
"$build/bin/loomc" diff "$model" "$out/tiny-gpt.tied.onnx" --expect-frozen '*' \
  -o "$out/diff.txt"
head -n 8 "$out/diff.txt"
echo "[sample] the whole diff: $out/diff.txt"
echo
"$build/bin/loomc" stats "$out/tiny-gpt.tied.onnx" --plot "$out/tiny-gpt.tied.svg"
echo "[sample] histogram figure: $out/tiny-gpt.tied.svg; JSON: $out/compress.json"
if [ -x "$root/.venv/bin/python" ]; then
  "$root/.venv/bin/python" "$root/scripts/ort_compare.py" "$model" \
    "$out/tiny-gpt.tied.onnx" --int-high 512 --label "[sample] ONNX Runtime"
fi
# Smaller still: the tied model's kernels and embedding as int8 with a scale
# per channel (standard ONNX DequantizeLinear; the drift line is Loom's CPU
# code on seeded inputs).
echo
"$build/bin/loomc" compress "$out/tiny-gpt.tied.onnx" -o "$out/tiny-gpt.int8.onnx" \
  --quantize weight-only
if [ -x "$root/.venv/bin/python" ]; then
  "$root/.venv/bin/python" "$root/scripts/ort_compare.py" "$model" \
    "$out/tiny-gpt.int8.onnx" --int-high 512 --rtol 0.05 \
    --label "[sample] ONNX Runtime, int8"
fi
if [ -x "$root/.venv/bin/python" ]; then
  # Loom's own CPU code: the tied model compiled for this machine and run,
  # its logits compared with ONNX Runtime's on the same token ids.
  "$root/.venv/bin/python" -c "import numpy as np; np.save('$out/ids.npy', np.random.default_rng(0).integers(0, 512, (1, 16)))"
  echo
  "$build/bin/loomc" run "$out/tiny-gpt.tied.onnx" --input ids="$out/ids.npy" \
    -d "$out" --benchmark 20
  "$root/.venv/bin/python" - "$model" "$out" <<'PY'
import sys, numpy as np, onnxruntime as ort
model, out = sys.argv[1], sys.argv[2]
ids = np.load(out + "/ids.npy")
want = ort.InferenceSession(model, providers=["CPUExecutionProvider"]).run(None, {"ids": ids})[0]
got = np.load(out + "/logits.npy")
rel = np.linalg.norm(got.astype(np.float64) - want) / np.linalg.norm(want)
print(f"[sample] loomc run (Loom's CPU code) vs ONNX Runtime on the original: "
      f"relative L2 = {rel:.2e}, max |difference| = {np.abs(got - want).max():.2e}")
PY
  # Ahead of time: a shared library + C header, linked into a C program.
  echo
  "$build/bin/loomc" compile "$out/tiny-gpt.tied.onnx" -o "$out/libtinygpt.so"
  cc -O2 -I"$out" -DLOOM_MODEL_HEADER='"tinygpt.h"' "$root/examples/loom_run.c" \
    -L"$out" -ltinygpt -Wl,-rpath,"$out" -o "$out/loom_run"
  mkdir -p "$out/c"
  "$out/loom_run" "$out/ids.npy" -o "$out/c" --benchmark 20
  "$root/.venv/bin/python" - "$model" "$out" <<'PY'
import sys, numpy as np, onnxruntime as ort
model, out = sys.argv[1], sys.argv[2]
ids = np.load(out + "/ids.npy")
want = ort.InferenceSession(model, providers=["CPUExecutionProvider"]).run(None, {"ids": ids})[0]
got = np.load(out + "/c/logits.npy")
rel = np.linalg.norm(got.astype(np.float64) - want) / np.linalg.norm(want)
print(f"[sample] libtinygpt.so called from C vs ONNX Runtime on the original: "
      f"relative L2 = {rel:.2e}, max |difference| = {np.abs(got - want).max():.2e}")
PY
  # The same model for NVIDIA GPUs: kernels in a fatbin (PTX + sm_90 cubin
  # from ptxas), Loom's CUDA runtime; the library needs only libc and, where
  # it runs, the GPU driver (docs/GPU.md).
  echo
  if [ -x "${CUDA_HOME:-/usr/local/cuda}/bin/ptxas" ]; then
    "$build/bin/loomc" compile "$out/tiny-gpt.tied.onnx" --target=cuda \
      --input-shape ids=1x16 -o "$out/libtinygpt_cuda.so"
    "$root/.venv/bin/python" "$root/scripts/check_fatbin.py" "$out/libtinygpt_cuda.so" | \
      sed -n '1p;$p' | sed 's/^/[sample] /'
    echo "[sample] libtinygpt_cuda.so needs: $(readelf -d "$out/libtinygpt_cuda.so" | \
      sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
    if nvidia-smi -L >/dev/null 2>&1; then
      "$build/bin/loomc" run "$out/libtinygpt_cuda.so" --input ids="$out/ids.npy" --benchmark 20
    else
      echo "[sample] no NVIDIA GPU here: the CUDA library is built, not run (scripts/gpu-check.sh runs such libraries on a GPU)"
    fi
  else
    echo "[sample] no CUDA toolkit (ptxas): skipping the GPU library"
  fi
fi
