#!/usr/bin/env bash
# The README's first command: installs dependencies, builds, then runs the main
# job on the sample that ships in the repo, samples/tiny-gpt.onnx (a GPT-style
# model whose exporter wrote its tied head as a second, transposed copy of the
# embedding): `loomc compress --tie` (import, infer shapes, tie duplicated
# weights, export, before/after), the parameter report of the result
# (`loomc stats`), and ONNX Runtime's outputs of both models compared.
# Outputs go to build/sample/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LOOM_BUILD_DIR:-$root/build}

bash "$root/scripts/setup.sh"

out="$build/sample"
mkdir -p "$out"
model="$root/samples/tiny-gpt.onnx"
"$build/bin/loomc" compress "$model" -o "$out/tiny-gpt.tied.onnx" --tie \
  --report "$out/compress.json" --verbose
echo
"$build/bin/loomc" stats "$out/tiny-gpt.tied.onnx" --plot "$out/tiny-gpt.tied.svg"
echo "[sample] histogram figure: $out/tiny-gpt.tied.svg; JSON: $out/compress.json"
if [ -x "$root/.venv/bin/python" ]; then
  "$root/.venv/bin/python" "$root/scripts/ort_compare.py" "$model" \
    "$out/tiny-gpt.tied.onnx" --int-high 512 --label "[sample] ONNX Runtime"
fi
