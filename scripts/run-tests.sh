#!/usr/bin/env bash
# The README's test command: installs dependencies, builds, runs every test
# (the lit suite under test/) and ends with one line `N passed, N failed`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LOOM_BUILD_DIR:-$root/build}

bash "$root/scripts/setup.sh"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
/usr/lib/llvm-22/bin/lit -sv "$build/test" 2>&1 | tee "$log" || status=$?

count() { sed -n "s/^ *$1 *: *\([0-9]*\).*/\1/p" "$log" | tail -n 1; }
passed=$(count Passed); passed=${passed:-0}
failed=$(count Failed); failed=${failed:-0}
unsupported=$(count Unsupported); unsupported=${unsupported:-0}
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "no test ran"; status=1
fi
echo "$passed passed, $failed failed, $unsupported skipped"
exit "$status"
