#!/usr/bin/env python3
"""Replays the fuzzers' findings (test/Fuzz/TARGET/*) through the normal tools,
so that every input that once crashed, leaked or hung stays fixed, on builds
without the fuzzers (CI):

  onnx-import, onnx-roundtrip   loom-translate --import-onnx F --export-onnx-to OUT
                                (roundtrip: that OUT must import again, and
                                loomc compress F --tie -o OUT)
  mlir-parser                   loom-translate --export-onnx F -o OUT
  torchscript-import            loom-translate --import-torchscript F.pt --export-onnx-to OUT

The contract of docs/ONNX.md: exit 0 or 1, never a signal, never more than
10 s; exit 1 prints exactly one line, naming the file. Prints one line per
violation and ends with `N inputs: N exit 0, N exit 1, N violations`.

    .venv/bin/python scripts/fuzz_replay.py --loom-bin build/bin test/Fuzz
"""
import argparse
import os
import shutil
import subprocess
import tempfile

# Seconds an input may take; scripts/sanitize.sh scales it (instrumented
# tools run about 3x slower).
TIMEOUT = 10 * int(os.environ.get("LOOM_TIMEOUT_SCALE", "1"))


def commands(target, path, out, bin_dir):
    translate = os.path.join(bin_dir, "loom-translate")
    if target == "onnx-import":
        return [[translate, "--import-onnx", path, "--export-onnx-to", out]]
    if target == "onnx-roundtrip":
        # The second command runs only when the first wrote OUT, and must
        # succeed: what Loom exports, Loom imports.
        return [[translate, "--import-onnx", path, "--export-onnx-to", out],
                [translate, "--import-onnx", out, "-o", out + ".mlir"],
                [os.path.join(bin_dir, "loomc"), "compress", path, "--tie", "-o", out,
                 "--quiet"]]
    if target == "mlir-parser":
        return [[translate, "--export-onnx", path, "-o", out]]
    if target == "torchscript-import":
        return [[translate, "--import-torchscript", path, "--export-onnx-to", out]]
    raise SystemExit("fuzz_replay: unknown target folder '%s'" % target)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loom-bin", required=True)
    parser.add_argument("root")
    args = parser.parse_args()
    total = ok = refused = violations = 0
    with tempfile.TemporaryDirectory() as tmp:
        for target in sorted(os.listdir(args.root)):
            folder = os.path.join(args.root, target)
            if not os.path.isdir(folder):
                continue
            for name in sorted(os.listdir(folder)):
                source = os.path.join(folder, name)
                # The tools pick the reader by extension.
                ext = {"onnx-import": ".onnx", "onnx-roundtrip": ".onnx",
                       "torchscript-import": ".pt"}.get(target, "")
                if target == "mlir-parser":
                    with open(source, "rb") as f:
                        ext = ".mlirbc" if f.read(4) == b"ML\xefR" else ".mlir"
                path = os.path.join(tmp, name + ext)
                shutil.copyfile(source, path)
                out = os.path.join(tmp, "out.onnx")
                for cmd in commands(target, path, out, args.loom_bin):
                    reimport = cmd[2] == out
                    if reimport and not os.path.exists(out):
                        continue  # the export was refused: nothing to read
                    if not reimport and os.path.exists(out):
                        os.remove(out)
                    total += 1
                    tool = " ".join(os.path.basename(c) for c in cmd[:2])
                    try:
                        proc = subprocess.run(cmd, capture_output=True, text=True,
                                              errors="replace", timeout=TIMEOUT)
                    except subprocess.TimeoutExpired:
                        violations += 1
                        print("VIOLATION %s/%s: %s: more than %d s" % (target, name, tool, TIMEOUT))
                        continue
                    lines = proc.stderr.splitlines()
                    if reimport and proc.returncode != 0:
                        violations += 1
                        print("VIOLATION %s/%s: the exported model does not import again: %s"
                              % (target, name, " | ".join(lines[:3])))
                        continue
                    if proc.returncode == 0:
                        ok += 1
                    elif proc.returncode == 1 and len(lines) == 1 and path in lines[0]:
                        refused += 1
                    else:
                        violations += 1
                        print("VIOLATION %s/%s: %s: exit %d, %d stderr lines: %s" % (
                            target, name, tool, proc.returncode, len(lines),
                            " | ".join(lines[:3])))
                if os.path.exists(out):
                    os.remove(out)
    print("%d inputs: %d exit 0, %d exit 1, %d violations" % (total, ok, refused, violations))
    return 1 if violations else 0


if __name__ == "__main__":
    raise SystemExit(main())
