#!/usr/bin/env python3
"""Throughput and scaling of --loom-tie-weights, next to onnxslim.

Generates (seeded, under --dir) ONNX models whose float32 weights repeat:
of every 16 weights, 8 are unique, 4 exact copies, 2 transposed copies,
1 a copy scaled by 0.5 and 1 the first half of another's rows. Then:

  throughput   one model of --gigabytes (default 1) of 2048x2048 weights
  scaling      models of 1x, 4x and 16x as many 512x512 weights

Each model is imported once (loom-translate --import-onnx, to .mlirbc); the
pass is timed by `loom-opt --mlir-timing` (the pass alone, not parsing or
printing). The peer, onnxslim (pip, when installed), runs on the same .onnx
and its wall time and bytes removed are printed beside Loom's. Not a test.

  .venv/bin/python bench/tie_weights.py --loom-bin build/bin
"""
import argparse
import os
import re
import subprocess
import sys
import time

import numpy as np


def generate(path, count, side):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    if os.path.exists(path):
        return
    rng = np.random.default_rng(0)
    inits, outputs, nodes = [], [], []
    uniques = []
    for i in range(count):
        kind = i % 16
        if kind < 8:
            w = rng.standard_normal((side, side), dtype=np.float32)
            uniques.append(w)
        elif kind < 12:
            w = uniques[-1 - (kind - 8)].copy()
        elif kind < 14:
            w = np.ascontiguousarray(uniques[-1 - (kind - 12)].T)
        elif kind == 14:
            w = uniques[-1] * np.float32(0.5)
        else:
            w = uniques[-2][: side // 2].copy()
        name = "w%d" % i
        inits.append(numpy_helper.from_array(w, name))
        nodes.append(helper.make_node("Identity", [name], ["o%d" % i]))
        outputs.append(helper.make_tensor_value_info("o%d" % i, TensorProto.FLOAT, list(w.shape)))
    graph = helper.make_graph(nodes, "tie_bench", [], outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    total = sum(t.ByteSize() for t in inits)
    if total >= 2**31 - 2**26:
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=os.path.basename(path) + ".data")
    else:
        onnx.save_model(model, path)


def pass_seconds(loom_bin, ir, extra=()):
    proc = subprocess.run([os.path.join(loom_bin, "loom-opt"), ir, "--loom-tie-weights=summary",
                           "--mlir-timing", "--mlir-timing-display=list", "--emit-bytecode",
                           "-o", os.devnull, *extra], capture_output=True, text=True, check=True)
    seconds = None
    for line in proc.stderr.splitlines():
        if "LoomTieWeights" in line or "loom-tie-weights" in line and "%" in line:
            seconds = float(line.split()[0])
    saved = re.search(r"(\d+) bytes saved", proc.stderr)
    return seconds, int(saved.group(1)) if saved else 0


def weight_bytes(path):
    import onnx
    m = onnx.load(path, load_external_data=False)
    total = 0
    for t in m.graph.initializer:
        n = 1
        for d in t.dims:
            n *= d
        total += 4 * n
    return total


def peer(path, folder):
    try:
        import onnxslim  # noqa: F401
    except ImportError:
        return None
    out = os.path.join(folder, "slim.onnx")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "onnxslim", path, out], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        return ("failed", proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "")
    size = os.path.getsize(out) + (os.path.getsize(out + ".data") if os.path.exists(out + ".data") else 0)
    os.remove(out)
    return seconds, size


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loom-bin", required=True)
    parser.add_argument("--dir", default="/tmp/loom-bench")
    parser.add_argument("--gigabytes", type=float, default=1.0)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    translate = os.path.join(args.loom_bin, "loom-translate")
    count = max(16, int(round(args.gigabytes * 2**30 / (2048 * 2048 * 4) / 16)) * 16)
    cases = [("throughput", count, 2048)] + [("scaling %dx" % k, 16 * k, 512) for k in (1, 4, 16)]
    print("%-14s %8s %10s %9s %8s %11s %s" % ("case", "weights", "MB", "pass s", "GB/s", "MB saved", "peer (onnxslim)"))
    base = None
    for label, n, side in cases:
        src = os.path.join(args.dir, "tie_%d_%d.onnx" % (n, side))
        generate(src, n, side)
        ir = src[:-5] + ".mlirbc"
        if not os.path.exists(ir):
            subprocess.run([translate, "--import-onnx", src, "-o", ir], check=True)
        total = weight_bytes(src)
        seconds, saved = pass_seconds(args.loom_bin, ir)
        p = peer(src, args.dir)
        if p is None:
            peer_text = "not installed"
        elif p[0] == "failed":
            peer_text = "failed: " + p[1][:60]
        else:
            peer_text = "%.2f s, file %d MB (%.1fx Loom's time)" % (p[0], p[1] / 2**20, p[0] / seconds)
        per_weight = seconds / n
        if label.startswith("scaling"):
            base = base or per_weight
            peer_text += "; %.2fx the 1x time per weight" % (per_weight / base)
        print("%-14s %8d %10.0f %9.3f %8.2f %11.1f %s" % (label, n, total / 2**20, seconds,
                                                        total / 2**30 / seconds, saved / 2**20, peer_text))


if __name__ == "__main__":
    main()
