#!/usr/bin/env python3
"""Time of --loom-param-stats on a 1 GB model, next to reading the file once
and to a numpy peer computing the same statistics.

Uses the model bench/tie_weights.py generates (run that first, or pass
--model): imports it to .mlirbc once, then times
  read        cat MODEL.mlirbc > /dev/null            (the floor: one read)
  loom        loom-opt MODEL.mlirbc --loom-param-stats (pass time, --mlir-timing)
  peer        onnx.load + numpy: count, zeros, NaN, Inf, min, max, mean, std
and prints seconds and ratios. Not a test.

  .venv/bin/python bench/param_stats.py --loom-bin build/bin
"""
import argparse
import os
import subprocess
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--loom-bin", required=True)
parser.add_argument("--model", default="/tmp/loom-bench/tie_64_2048.onnx")
args = parser.parse_args()
if not os.path.exists(args.model):
    sys.exit("no %s: run bench/tie_weights.py first" % args.model)
ir = args.model[:-5] + ".mlirbc"
if not os.path.exists(ir):
    subprocess.run([os.path.join(args.loom_bin, "loom-translate"), "--import-onnx", args.model,
                    "-o", ir], check=True)

start = time.perf_counter()
subprocess.run("cat %s > /dev/null" % ir, shell=True, check=True)
read = time.perf_counter() - start

proc = subprocess.run([os.path.join(args.loom_bin, "loom-opt"), ir,
                       "--loom-param-stats=output=/dev/null", "--mlir-timing",
                       "--mlir-timing-display=list", "--emit-bytecode", "-o", os.devnull],
                      capture_output=True, text=True, check=True)
loom = next(float(line.split()[0]) for line in proc.stderr.splitlines() if "LoomParamStats" in line)

PEER = r"""
import sys, time, numpy as np, onnx
from onnx import numpy_helper
t = time.perf_counter()
m = onnx.load(sys.argv[1])
for init in m.graph.initializer:
    a = numpy_helper.to_array(init).astype(np.float64, copy=False).ravel()
    finite = a[np.isfinite(a)]
    stats = (a.size, int((a == 0).sum()), int(np.isnan(a).sum()), int(np.isinf(a).sum()),
             finite.min(), finite.max(), finite.mean(), finite.std())
print(time.perf_counter() - t)
"""
peer = float(subprocess.run([sys.executable, "-c", PEER, args.model], capture_output=True,
                            text=True, check=True).stdout.split()[-1])
size = os.path.getsize(ir)
print("model: %s (%.0f MB)" % (ir, size / 2**20))
print("  read once (cat)         %6.2f s" % read)
print("  loom-param-stats        %6.2f s  (%.2fx the read, %.1f GB/s)" % (loom, loom / read, size / 2**30 / loom))
print("  peer: onnx + numpy      %6.2f s  (%.1fx Loom's time)" % (peer, peer / loom))
