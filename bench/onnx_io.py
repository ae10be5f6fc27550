#!/usr/bin/env python3
"""Import/export throughput and peak memory of Loom's ONNX translator.

Generates (seeded, under --dir) a model with about 1 GB of float32 weights
stored inside the .onnx file, and one with over 2 GB in an external data file,
then times, each in its own process:

  loom import   loom-translate --import-onnx M.onnx -o M.mlirbc
  loom export   loom-translate --export-onnx M.mlirbc -o out.onnx
  loom both     loom-translate --import-onnx M.onnx --export-onnx-to out2.onnx
  peer          python: onnx.load(M.onnx) + onnx.save(...)   (pip onnx)

and prints seconds, GB/s of weights, peak RSS and RSS / weight bytes, with the
peer's numbers and ratios side by side. Not a test: run it by hand.

  .venv/bin/python bench/onnx_io.py --loom-translate build/bin/loom-translate
"""
import argparse
import glob
import os
import resource
import subprocess
import sys
import time

import numpy as np


def generate(path, gigabytes, external):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    if os.path.exists(path):
        return
    side = 4096
    count = max(1, round(gigabytes * 2**30 / (side * side * 4)))
    rng = np.random.default_rng(0)
    inits, nodes = [], []
    prev = "x"
    for i in range(count):
        w = rng.standard_normal((side, side), dtype=np.float32)
        inits.append(numpy_helper.from_array(w, "layer%d.weight" % i))
        nodes.append(helper.make_node("MatMul", [prev, "layer%d.weight" % i], ["h%d" % i],
                                      name="layer%d" % i))
        prev = "h%d" % i
    graph = helper.make_graph(nodes, "bench",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, side])],
                              [helper.make_tensor_value_info(prev, TensorProto.FLOAT, [1, side])],
                              inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    if external:
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=os.path.basename(path) + ".data")
    else:
        onnx.save_model(model, path)


def measure(cmd):
    """Runs cmd in a child; returns (seconds, peak RSS bytes of that child)."""
    wrapper = [sys.executable, "-c",
               "import resource, subprocess, sys, time;"
               "t=time.perf_counter(); r=subprocess.run(sys.argv[1:]);"
               "d=time.perf_counter()-t;"
               "m=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
               "print('%f %d' % (d, m*1024), file=sys.stderr); sys.exit(r.returncode)"] + cmd
    proc = subprocess.run(wrapper, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit("failed: %s\n%s" % (" ".join(cmd), proc.stderr))
    seconds, rss = proc.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(rss)


PEER = ("import onnx, sys; m = onnx.load(sys.argv[1]);"
        "ext = len(sys.argv) > 3;"
        "onnx.save_model(m, sys.argv[2], save_as_external_data=ext,"
        " all_tensors_to_one_file=True, location='peer.onnx.data')")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loom-translate", required=True)
    parser.add_argument("--dir", default="/tmp/loom-bench")
    parser.add_argument("--sizes", default="1.0,2.25", help="GB of weights, comma separated")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    t = os.path.abspath(args.loom_translate)
    print("%-24s %8s %8s %9s %9s %10s" % ("model / step", "seconds", "GB/s", "peak RSS", "RSS/wts", "vs peer"))
    for size in [float(s) for s in args.sizes.split(",")]:
        external = size >= 2.0
        name = "model_%sgb%s" % (str(size).replace(".", "_"), "_ext" if external else "")
        src = os.path.join(args.dir, name + ".onnx")
        generate(src, size, external)
        weights = os.path.getsize(src) + (os.path.getsize(src + ".data") if external else 0)
        ir = os.path.join(args.dir, name + ".mlirbc")
        out = os.path.join(args.dir, name + ".out.onnx")
        both = os.path.join(args.dir, name + ".both.onnx")
        peer_out = os.path.join(args.dir, "peer.onnx")
        flag = ["--external-data=always"] if external else []
        steps = [
            ("loom import", [t, "--import-onnx", src, "-o", ir]),
            ("loom export", [t, "--export-onnx", ir, "-o", out] + flag),
            ("loom import+export", [t, "--import-onnx", src, "--export-onnx-to", both] + flag),
            ("peer onnx load+save", [sys.executable, "-c", PEER, src, peer_out] + (["ext"] if external else [])),
        ]
        results = {}
        for label, cmd in steps:
            results[label] = measure(cmd)
        print("%s: %.2f GB of weights%s" % (name, weights / 2**30, ", external data" if external else ""))
        peer_s, peer_rss = results["peer onnx load+save"]
        for label, (seconds, rss) in results.items():
            ratio = "" if label.startswith("peer") else "%.2fx time" % (seconds / peer_s)
            print("  %-22s %8.2f %8.2f %7.2f GB %9.2f %10s" % (
                label, seconds, weights / 2**30 / seconds, rss / 2**30, rss / weights, ratio))
        for f in (ir, out, both, peer_out):
            # Loom names external data after its content: OUT.onnx.<hash>.data.
            for g in [f, f + ".data"] + glob.glob(glob.escape(f) + ".*.data"):
                if os.path.exists(g):
                    os.remove(g)
    print("\n(time: wall clock of each step in its own process; peak RSS: that process's"
          " maximum resident set; GB/s: weight bytes / seconds)")


if __name__ == "__main__":
    main()
