#!/usr/bin/env bash
# Installs the dependencies (when run as root) and builds Loom: the common
# first half of the README's two commands.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ "$(id -u)" -eq 0 ]; then
  bash "$root/scripts/install-deps.sh"
else
  echo "[setup] not root: skipping scripts/install-deps.sh (run it with sudo once)"
fi
bash "$root/scripts/build.sh"
