#!/usr/bin/env bash
# Installs everything Loom needs on a fresh Debian 12 machine (run as root), then makes the
# Python virtual environment used by tests and benchmarks (.venv/). Idempotent: a second run
# installs nothing and takes a few seconds.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$here/.venv"

# C++ toolchain, LLVM/MLIR 22, ONNX, libtorch, Boost, hashing; Python for test tooling only.
apt_packages=(
  build-essential cmake ninja-build ccache git pkg-config
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  libtorch-dev python3-torch python3-torchvision
  libboost-program-options-dev libxxhash-dev
  libomp-22-dev
  python3 python3-venv python3-pip python3-numpy
  locales
)
# pip packages for tests and benchmarks (never the product; onnxslim is a benchmark peer, jsonschema checks reports).
# numpy<2 keeps Debian's torch (built against numpy 1.x) working next to pip's onnx.
pip_packages=("numpy<2" onnx onnxruntime onnxslim jsonschema)
# rapidocr only for the PaddleOCR models its wheel carries (no OpenCV etc.).
pip_nodeps_packages=(rapidocr)

say() { printf '[install-deps] %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  say "must run as root (it calls apt-get)"; exit 1
fi

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${#missing[@]} Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  say "all ${#apt_packages[@]} Debian packages already installed"
fi

# ONNX Runtime's StringNormalizer (in the ONNX test models) needs this locale.
if ! locale -a 2>/dev/null | grep -qi '^en_US\.utf-\?8$'; then
  say "generating the en_US.UTF-8 locale"
  sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' /etc/locale.gen
  locale-gen >/dev/null
fi

if [ ! -x "$venv/bin/python" ]; then
  say "creating $venv (from /usr/bin/python3, with system site packages for Debian's torch)"
  /usr/bin/python3 -m venv --system-site-packages "$venv"
fi
if ! "$venv/bin/python" - <<'PY' 2>/dev/null
import importlib.metadata as m, sys
import numpy, onnx, onnxruntime, onnxslim, rapidocr, jsonschema
sys.exit(0 if numpy.__version__.split('.')[0] == '1' else 1)
PY
then
  say "installing pip packages into .venv: ${pip_packages[*]} ${pip_nodeps_packages[*]}"
  "$venv/bin/pip" install -q --disable-pip-version-check "${pip_packages[@]}"
  "$venv/bin/pip" install -q --disable-pip-version-check --no-deps "${pip_nodeps_packages[@]}"
else
  say "pip packages already in .venv"
fi
say "done"
