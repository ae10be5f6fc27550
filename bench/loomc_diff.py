#!/usr/bin/env python3
"""`loomc diff` on two 1 GiB ONNX models, next to one read of both files,
`loomc stats` of one, and a numpy peer computing the same comparison.
Goal (issue #20): diff in the throughput class of `loomc stats` (linear in
weight bytes, parallel, memory-mapped).

Generates (seeded, once, under --dir) the model of bench/loomc_stats.py
(64 float32 weights of 2048x2048, 1 GiB) and a "fine-tune" of it whose last
four weights are perturbed. Then, for --runs rounds, with both files in the
page cache (a first read warms them):
  read     cat BASE OTHER > /dev/null                 (the floor: one read)
  diff     loomc diff BASE OTHER -o /dev/null         (wall time: import of
           both, every byte compared, the report)
  stats    loomc stats BASE -o /dev/null              (the reference class)
  peer     onnx.load both + numpy per tensor: array_equal, max abs, rel L2,
           cosine, changed count
and prints seconds, GB/s over both files and ratios. Not a test.

  .venv/bin/python bench/loomc_diff.py --loom-bin build/bin
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loomc_stats import generate  # noqa: E402

PEER = r"""
import sys, time, numpy as np, onnx
from onnx import numpy_helper
t = time.perf_counter()
a = {i.name: numpy_helper.to_array(i) for i in onnx.load(sys.argv[1]).graph.initializer}
b = {i.name: numpy_helper.to_array(i) for i in onnx.load(sys.argv[2]).graph.initializer}
for name in a:
    x, y = a[name], b[name]
    if np.array_equal(x, y):
        continue
    d = (y.astype(np.float64) - x).ravel()
    xf = x.astype(np.float64).ravel(); yf = y.astype(np.float64).ravel()
    stats = (np.abs(d).max(), np.linalg.norm(d) / np.linalg.norm(xf),
             xf @ yf / (np.linalg.norm(xf) * np.linalg.norm(yf)), int((d != 0).sum()))
print(time.perf_counter() - t)
"""


def finetune(base, path):
    import onnx
    from onnx import numpy_helper
    if os.path.exists(path):
        return
    model = onnx.load(base)
    rng = np.random.default_rng(1)
    for init in model.graph.initializer[-4:]:
        w = numpy_helper.to_array(init).copy()
        w += rng.standard_normal(w.shape, dtype=np.float32) * np.float32(1e-3)
        init.CopyFrom(numpy_helper.from_array(w, init.name))
    onnx.save_model(model, path)


def timed(command, shell=False):
    start = time.perf_counter()
    subprocess.run(command, shell=shell, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--loom-bin", required=True)
    parser.add_argument("--dir", default="/tmp/loom-bench")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    base = os.path.join(args.dir, "stats_64_2048.onnx")
    other = os.path.join(args.dir, "stats_64_2048-tuned.onnx")
    generate(base)
    finetune(base, other)
    loomc = os.path.join(args.loom_bin, "loomc")
    size = os.path.getsize(base) + os.path.getsize(other)
    print("models: %s and %s (%.0f MiB together), in the page cache"
          % (base, other, size / 2**20))
    both = "cat %s %s > /dev/null" % (base, other)
    timed(both, shell=True)  # warm the page cache
    for run in range(args.runs):
        read = timed(both, shell=True)
        diff = timed([loomc, "diff", base, other, "-o", os.devnull, "--quiet"])
        stats = timed([loomc, "stats", base, "-o", os.devnull, "--quiet"])
        print("run %d: read both %.2f s | loomc diff %.2f s = %.2fx the read "
              "(%.1f GB/s over both files) | loomc stats of one %.2f s "
              "(%.1f GB/s)" % (run + 1, read, diff, diff / read,
                               size / 1e9 / diff, stats,
                               size / 2 / 1e9 / stats))
    peer = float(subprocess.run([sys.executable, "-c", PEER, base, other],
                                capture_output=True, text=True,
                                check=True).stdout.split()[-1])
    print("peer: onnx.load both + numpy %.2f s = %.1fx loomc diff (last run)"
          % (peer, peer / diff))


if __name__ == "__main__":
    main()
