#!/usr/bin/env python3
"""ONNX Runtime latency of channel-pruned models next to the originals:
torchvision ResNet-18 and MobileNetV2 (seeded random weights, 64x64 input,
batch 8) and the BERT-style classifier of scripts/make_finetunes.py (batch
8, 16 tokens), each compressed with `loomc compress --fold --prune channel
--sparsity S`; median of --runs runs at 1 thread, the ratio, and the FLOPs
ratio (scripts/count_flops.py). Not a test.

  .venv/bin/python bench/prune_latency.py --loom-bin build/bin [--sparsity 0.5]
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "scripts"))
from count_flops import flops  # noqa: E402
from make_finetunes import export_bert  # noqa: E402
from run_vs_ort import export_torchvision  # noqa: E402


def median_ms(path, feeds, runs):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(path, options,
                                   providers=["CPUExecutionProvider"])
    session.run(None, feeds)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        session.run(None, feeds)
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--loom-bin", required=True)
    parser.add_argument("--dir", default="/tmp/loom-bench/prune")
    parser.add_argument("--sparsity", default="0.5")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    rng = np.random.default_rng(0)
    models = [
        ("resnet18", {"x": rng.random((8, 3, 64, 64), dtype=np.float32)}),
        ("mobilenet_v2", {"x": rng.random((8, 3, 64, 64), dtype=np.float32)}),
        ("bert", {"ids": rng.integers(0, 4000, (8, 16))}),
    ]
    print(f"{'model':14} {'original ms':>12} {'pruned ms':>10} {'ratio':>6} "
          f"{'FLOPs':>6}   (ONNX Runtime, 1 thread, median of {args.runs}; "
          f"--prune channel --sparsity {args.sparsity})")
    for name, feeds in models:
        path = os.path.join(args.dir, name + ".onnx")
        if not os.path.exists(path):
            (export_bert if name == "bert" else
             lambda p: export_torchvision(name, p))(path)
        pruned = os.path.join(args.dir, name + "-channel.onnx")
        subprocess.run([os.path.join(args.loom_bin, "loomc"), "compress", path,
                        "-o", pruned, "--fold", "--prune", "channel",
                        "--sparsity", args.sparsity, "--quiet"], check=True,
                       stdout=subprocess.DEVNULL)
        a, b = median_ms(path, feeds, args.runs), median_ms(pruned, feeds,
                                                            args.runs)
        print(f"{name:14} {a:12.2f} {b:10.2f} {b / a:6.2f} "
              f"{flops(pruned) / flops(path):6.2f}")


if __name__ == "__main__":
    main()
