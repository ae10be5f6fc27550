#!/usr/bin/env python3
"""`loomc stats` on a 1 GB ONNX model, next to reading the file once and to
a numpy peer computing the same statistics. Goal (issue #6): loomc stats
within 2x the time of one read of the file.

Generates (seeded, once, under --dir) a 1 GiB model: 64 float32 weights of
2048x2048 in a MatMul chain, some with zeros, one with NaN and Inf. Then, for
--runs rounds, with the file in the page cache (a first read warms it):
  read     cat MODEL > /dev/null                       (the floor: one read)
  loomc    loomc stats MODEL -o /dev/null              (wall time: import,
           every byte read once for counts and moments and once more for
           the histograms, the text report)
  json     loomc stats --json MODEL -o /dev/null
  peer     onnx.load + numpy per tensor: zeros, NaN, Inf, min, max, mean, std
and prints seconds and ratios. With --cold (root), the page cache is dropped
before every read and every loomc run, so both read from the disk. Not a
test.

  .venv/bin/python bench/loomc_stats.py --loom-bin build/bin [--cold]
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np

PEER = r"""
import sys, time, numpy as np, onnx
from onnx import numpy_helper
t = time.perf_counter()
m = onnx.load(sys.argv[1])
for init in m.graph.initializer:
    a = numpy_helper.to_array(init).astype(np.float64, copy=False).ravel()
    finite = a[np.isfinite(a)]
    stats = (a.size, int((a == 0).sum()), int(np.isnan(a).sum()), int(np.isinf(a).sum()),
             finite.min(), finite.max(), finite.mean(), finite.std(),
             np.histogram(finite, 32))
print(time.perf_counter() - t)
"""


def generate(path, count=64, side=2048):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    if os.path.exists(path):
        return
    rng = np.random.default_rng(0)
    inits, nodes = [], []
    previous = "x"
    for i in range(count):
        w = rng.standard_normal((side, side), dtype=np.float32) * np.float32(0.02)
        if i % 8 == 1:
            w[: side // 4] = 0  # a quarter zeros
        if i == 5:
            w[0, 0], w[0, 1] = np.nan, np.inf
        name = "layers.%d.weight" % i
        inits.append(numpy_helper.from_array(w, name))
        out = "h%d" % i if i + 1 < count else "y"
        nodes.append(helper.make_node("MatMul", [previous, name], [out], name="layers.%d" % i))
        previous = out
    graph = helper.make_graph(nodes, "stats_bench",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, side])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, side])],
                              inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save_model(model, path)


COLD = False


def drop_caches():
    subprocess.run("sync", check=True)
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")


def timed(command, shell=False):
    if COLD:
        drop_caches()
    start = time.perf_counter()
    subprocess.run(command, shell=shell, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--loom-bin", required=True)
    parser.add_argument("--dir", default="/tmp/loom-bench")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold", action="store_true",
                        help="drop the page cache before each measurement (root)")
    args = parser.parse_args()
    global COLD
    COLD = args.cold
    os.makedirs(args.dir, exist_ok=True)
    model = os.path.join(args.dir, "stats_64_2048.onnx")
    generate(model)
    loomc = os.path.join(args.loom_bin, "loomc")
    size = os.path.getsize(model)
    print("model: %s (%.0f MiB)%s" % (model, size / 2**20,
                                        ", page cache dropped before each run" if COLD else
                                        ", in the page cache"))
    timed("cat %s > /dev/null" % model, shell=True)  # warm the page cache
    for run in range(args.runs):
        read = timed("cat %s > /dev/null" % model, shell=True)
        text = timed([loomc, "stats", model, "-o", os.devnull, "--quiet"])
        json = timed([loomc, "stats", "--json", model, "-o", os.devnull, "--quiet"])
        print("run %d: read %.2f s | loomc stats %.2f s = %.2fx the read (%.1f GB/s) | "
              "--json %.2f s = %.2fx" % (run + 1, read, text, text / read, size / 2**30 / text,
                                         json, json / read))
    peer = float(subprocess.run([sys.executable, "-c", PEER, model], capture_output=True,
                                text=True, check=True).stdout.split()[-1])
    print("peer: onnx.load + numpy %.2f s = %.1fx loomc stats (last run)" % (peer, peer / text))


if __name__ == "__main__":
    main()
