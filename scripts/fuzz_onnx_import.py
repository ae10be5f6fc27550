#!/usr/bin/env python3
"""Mutation smoke test of the ONNX importer and exporter: never a crash.

Takes ONNX test models (Debian's libonnx-testdata, subgraph models included),
flips, deletes and inserts random bytes (seeded), and runs
`loom-translate --import-onnx M --export-onnx-to out.onnx` on each. Exit code
0 (the mutation kept a valid model) or 1 (one clear error) is fine; anything
else — a signal, an abort — is a crash, and the mutated file is kept in the
work folder. Prints `N crashes in M runs`.

  .venv/bin/python scripts/fuzz_onnx_import.py build/bin/loom-translate --seed 1 --runs 800
"""
import argparse
import glob
import os
import random
import subprocess
import tempfile

parser = argparse.ArgumentParser()
parser.add_argument("loom_translate")
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--runs", type=int, default=200)
parser.add_argument("--data", default="/usr/share/libonnx-testdata/data")
args = parser.parse_args()

rng = random.Random(args.seed)
seeds = (sorted(glob.glob(os.path.join(args.data, "node/*/model.onnx")))[::5] +
         sorted(glob.glob(os.path.join(args.data, "pytorch-*/*/model.onnx"))) +
         sorted(glob.glob(os.path.join(args.data, "node/test_*loop*/model.onnx"))) +
         sorted(glob.glob(os.path.join(args.data, "node/test_if*/model.onnx"))))
work = tempfile.mkdtemp(prefix="loom-fuzz-")
crashes = 0
for run in range(args.runs):
    data = bytearray(open(rng.choice(seeds), "rb").read())
    for _ in range(rng.randint(1, 8)):
        choice = rng.random()
        if choice < 0.5 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif choice < 0.75 and data:
            start = rng.randrange(len(data))
            del data[start:start + rng.randint(1, 16)]
        else:
            pos = rng.randrange(len(data) + 1)
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    case = os.path.join(work, "case.onnx")
    with open(case, "wb") as f:
        f.write(data)
    proc = subprocess.run([args.loom_translate, "--import-onnx", case, "--export-onnx-to",
                           os.path.join(work, "out.onnx"), "-o", os.devnull],
                          capture_output=True, timeout=120)
    if proc.returncode not in (0, 1):
        crashes += 1
        kept = os.path.join(work, "crash%d.onnx" % crashes)
        os.rename(case, kept)
        print("CRASH (exit %d): %s\n%s" % (proc.returncode, kept,
                                           proc.stderr.decode(errors="replace")[-400:]))
print("%d crashes in %d runs" % (crashes, args.runs))
