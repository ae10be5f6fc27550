#!/usr/bin/env bash
# The GPU check of issue #19, for a machine with an NVIDIA GPU, its driver and
# Python with PyTorch (CUDA) and numpy, and nothing of Loom's toolchain.
#
#   here:  python3 scripts/make_gpu_artifacts.py build/bin/loomc gpu-artifacts \
#              --node-root /usr/share/libonnx-testdata/data
#   there: bash scripts/gpu-check.sh gpu-artifacts [RESULT.md]
#
# Runs every library of the artifacts folder on the GPU through Loom's C API
# (scripts/gpu_check.py): node tests against ONNX's expected outputs, ResNet-18
# and a BERT-style encoder and a GPT-style decoder against Loom's CPU outputs,
# timed against PyTorch eager and torch.compile; matmul 4096^3 throughput.
# Sized for 10 minutes on an H200 (torch.compile is skipped after 7).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
artifacts=${1:?usage: gpu-check.sh ARTIFACTS [RESULT.md]}
result=${2:-}
if ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu-check: skipped: no NVIDIA GPU or driver here (nvidia-smi -L fails)"
  exit 0
fi
nvidia-smi -L
python=${PYTHON:-python3}
if ! "$python" -c "import torch, numpy; assert torch.cuda.is_available()" 2>/dev/null; then
  echo "gpu-check: error: $python has no PyTorch with CUDA"
  exit 1
fi
export PYTHONUNBUFFERED=1
exec "$python" "$here/gpu_check.py" "$artifacts" ${result:+--out "$result"} ${GPU_CHECK_ARGS:-}
