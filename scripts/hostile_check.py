#!/usr/bin/env python3
"""Feeds hostile inputs (scripts/make_hostile_onnx.py) to Loom's tools and
checks the contract of docs/ONNX.md on every one:

  * exit 0 or 1, never a signal, never more than 10 s (LOOM_TIMEOUT_SCALE
    multiplies it);
  * exit 1: exactly one line on stderr, naming the file, and no output file;
  * exit 0: the output exists and, when the ONNX checker accepts the input,
    it accepts the output too.

    .venv/bin/python scripts/hostile_check.py --loom-bin build/bin DIR [--verbose]

The tools: `loom-translate --import-onnx X --export-onnx-to OUT` (for a
named input given as model.mlir/.mlirbc, `--export-onnx X -o OUT`; as
model.pt, `--import-torchscript`), and for the named inputs also
`loomc stats X`, `loomc compress X -o OUT` (also with `--fold --prune
channel`, `--fold --quantize weight-only --bits 4 --granularity block=32`
and `--quantize dynamic`) and `loomc diff
X X`. With
--verbose, one line per named input: `NAME: exit N: first stderr line`.
The last line is `N inputs: N exit 0, N exit 1, N violations`.
"""
import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile

# Seconds an input may take; scripts/sanitize.sh scales it (instrumented
# tools run about 3x slower).
TIMEOUT = 10 * int(os.environ.get("LOOM_TIMEOUT_SCALE", "1"))

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_zoo_check import checks  # noqa: E402


def run_one(job):
    path, bin_dir, named = job
    problems = []
    codes = []
    first = ""
    with tempfile.TemporaryDirectory() as tmp:
        output = os.path.join(tmp, "out.onnx")
        translate = os.path.join(bin_dir, "loom-translate")
        if path.endswith((".mlir", ".mlirbc")):
            commands = [[translate, "--export-onnx", path, "-o", output]]
        elif path.endswith(".pt"):
            commands = [[translate, "--import-torchscript", path, "--export-onnx-to", output]]
        else:
            commands = [[translate, "--import-onnx", path, "--export-onnx-to", output]]
        if named:
            commands += [[os.path.join(bin_dir, "loomc"), "stats", path],
                         [os.path.join(bin_dir, "loomc"), "compress", path, "-o", output,
                          "--quiet"],
                         [os.path.join(bin_dir, "loomc"), "compress", path, "-o", output,
                          "--quiet", "--fold", "--prune", "channel", "--no-drift"],
                         [os.path.join(bin_dir, "loomc"), "compress", path, "-o", output,
                          "--quiet", "--fold", "--quantize", "weight-only", "--bits", "4",
                          "--granularity", "block=32", "--no-drift"],
                         [os.path.join(bin_dir, "loomc"), "compress", path, "-o", output,
                          "--quiet", "--quantize", "dynamic", "--no-drift"],
                         [os.path.join(bin_dir, "loomc"), "diff", path, path, "-o",
                          os.path.join(tmp, "diff.txt"), "--quiet"]]
        for cmd in commands:
            tool = " ".join(os.path.basename(c) for c in cmd[:2])
            if os.path.exists(output):
                os.remove(output)
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT,
                                      errors="replace")
            except subprocess.TimeoutExpired:
                problems.append("%s: more than %d s" % (tool, TIMEOUT))
                continue
            codes.append(proc.returncode)
            lines = proc.stderr.splitlines()
            if cmd is commands[0]:
                first = lines[0] if lines else ""
            if proc.returncode not in (0, 1):
                problems.append("%s: exit %d: %s" % (tool, proc.returncode,
                                                     lines[0] if lines else ""))
            elif proc.returncode == 1:
                if len(lines) != 1:
                    problems.append("%s: %d lines on stderr: %s" % (tool, len(lines),
                                                                     " | ".join(lines[:3])))
                elif path not in lines[0]:
                    problems.append("%s: the error does not name the file: %s" % (tool, lines[0]))
                if os.path.exists(output):
                    problems.append("%s: exit 1 left an output" % tool)
            elif tool not in ("loomc stats", "loomc diff"):
                if not os.path.exists(output):
                    problems.append("%s: exit 0 without an output" % tool)
                elif path.endswith(".onnx") and checks(path) and not checks(output):
                    problems.append("%s: the checker accepts the input, not the output" % tool)
    return path, codes, first, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loom-bin", required=True)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("root")
    args = parser.parse_args()
    jobs = []
    named_root = os.path.join(args.root, "named")
    for entry in sorted(os.listdir(named_root)):
        for name in ("model.onnx", "model.mlir", "model.mlirbc", "model.pt"):
            path = os.path.join(named_root, entry, name)
            if os.path.exists(path):
                jobs.append((path, args.loom_bin, True))
    sweep = os.path.join(args.root, "sweep")
    if os.path.isdir(sweep):
        jobs += [(os.path.join(sweep, f), args.loom_bin, False) for f in sorted(os.listdir(sweep))]
    with multiprocessing.Pool(args.jobs) as pool:
        results = pool.map(run_one, jobs, chunksize=16)
    exits = {0: 0, 1: 0}
    violations = 0
    for path, codes, first, problems in results:
        if codes:
            exits[codes[0]] = exits.get(codes[0], 0) + 1
        if args.verbose and os.path.basename(path).startswith("model."):
            print("%s: exit %s: %s" % (os.path.basename(os.path.dirname(path)),
                                       codes[0] if codes else "-", first))
        for problem in problems:
            violations += 1
            print("VIOLATION: %s: %s" % (path, problem))
    print("%d inputs: %d exit 0, %d exit 1, %d violations"
          % (len(jobs), exits.get(0, 0), exits.get(1, 0), violations))
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
