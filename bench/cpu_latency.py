#!/usr/bin/env python3
"""CPU latency of Loom next to ONNX Runtime and IREE, in one run.

For each model (torchvision ResNet-18 and MobileNetV2 at 224x224, random
weights, exported here; the tied GPT sample; PaddleOCR's classifier,
recognizer and detector from pip's rapidocr) and each thread count (1, 2):

  Loom   `loomc run MODEL --input ... --benchmark N --threads T` (median)
  ORT    InferenceSession with intra_op_num_threads=T, N timed runs after a
         warm-up (median)
  IREE   iree-import-onnx, iree-compile --iree-llvmcpu-target-cpu=host,
         iree-benchmark-module --task_topology_max_group_count=T (median);
         skipped with a printed reason when IREE is not in the venv
         (`.venv/bin/pip install iree-base-compiler iree-base-runtime`)

prints one table row per model and thread count with the ratios to ONNX
Runtime (lower is better). Not a test.

  .venv/bin/python bench/cpu_latency.py --loomc build/bin/loomc [--runs 20]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np


def export_torchvision(name, path, size):
    import torch
    import torchvision
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None).eval()
    torch.onnx.export(model, torch.rand(1, 3, size, size), path,
                      opset_version=17, input_names=["x"], output_names=["y"])


def rapidocr_model(prefix):
    try:
        import rapidocr
    except ImportError:
        return None
    folder = os.path.join(os.path.dirname(rapidocr.__file__), "models")
    for name in sorted(os.listdir(folder)):
        if name.startswith(prefix) and name.endswith(".onnx"):
            return os.path.join(folder, name)
    return None


def loom_latency(loomc, model, inputs, runs, threads):
    args = [loomc, "run", model, "-q", "--benchmark", str(runs),
            "--threads", str(threads)]
    for name, path in inputs.items():
        args += ["--input", f"{name}={path}"]
    start = time.perf_counter()
    out = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - start
    m = re.search(r"median ([0-9.]+) ms", out.stdout)
    if out.returncode or not m:
        return None, (out.stderr.strip().splitlines() or ["?"])[-1]
    return float(m.group(1)), wall


def ort_latency(model, feeds, runs, threads):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(model, options,
                                   providers=["CPUExecutionProvider"])
    session.run(None, feeds)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        session.run(None, feeds)
        times.append((time.perf_counter() - start) * 1000)
    return float(np.median(times))


def iree_bin(name):
    path = os.path.join(os.path.dirname(sys.executable), name)
    return path if os.path.exists(path) else shutil.which(name)


def iree_compile(model, work):
    """The .vmfb and entry function of `model`, or (None, reason)."""
    importer, compiler = iree_bin("iree-import-onnx"), iree_bin("iree-compile")
    if not importer or not compiler:
        return None, "IREE not installed in the venv"
    base = os.path.join(work, os.path.basename(model).replace(".onnx", ""))
    mlir, vmfb = base + ".iree.mlir", base + ".vmfb"
    run = subprocess.run([importer, model, "-o", mlir, "--opset-version", "17"],
                         capture_output=True, text=True)
    if run.returncode:
        return None, "iree-import-onnx failed"
    m = re.search(r"func\.func @([\w$.]+)", open(mlir).read())
    function = m.group(1) if m else "main"
    run = subprocess.run([compiler, mlir, "--iree-hal-target-device=local",
                          "--iree-hal-local-target-device-backends=llvm-cpu",
                          "--iree-llvmcpu-target-cpu=host", "-o", vmfb],
                         capture_output=True, text=True)
    if run.returncode:
        return None, "iree-compile failed: " + (run.stderr.strip().splitlines() or ["?"])[0][:80]
    return (vmfb, function), None


def iree_latency(compiled, inputs, runs, threads):
    vmfb, function = compiled
    args = [iree_bin("iree-benchmark-module"), f"--module={vmfb}",
            "--device=local-task", f"--function={function}",
            f"--task_topology_max_group_count={threads}",
            f"--benchmark_repetitions={max(3, runs // 5)}"]
    for path in inputs.values():
        args.append(f"--input=@{path}")
    out = subprocess.run(args, capture_output=True, text=True)
    m = re.search(r"_median\s+([0-9.]+) ms", out.stdout)
    return float(m.group(1)) if m else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loomc", default="build/bin/loomc")
    parser.add_argument("--dir", default="/tmp/loom-cpu-latency")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--threads", default="1,2")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    rng = np.random.default_rng(0)

    models = []  # (label, path, {name: array})
    for name in ("resnet18", "mobilenet_v2"):
        path = os.path.join(args.dir, f"{name}-224.onnx")
        if not os.path.exists(path):
            export_torchvision(name, path, 224)
        models.append((f"{name} 224", path,
                       {"x": rng.random((1, 3, 224, 224), dtype=np.float32)}))
    models.append(("tiny-gpt 16", os.path.join(root, "samples", "tiny-gpt.onnx"),
                   {"ids": rng.integers(0, 512, (1, 16), dtype=np.int64)}))
    for prefix, shape in (("ch_ppocr_mobile_v2.0_cls", (48, 192)),
                          ("PP-OCRv6_rec", (48, 320)),
                          ("PP-OCRv6_det", (320, 320))):
        path = rapidocr_model(prefix)
        if path:
            x = (rng.random((1, 3) + shape, dtype=np.float32) - 0.5) / 0.25
            models.append((f"{prefix} {shape[0]}x{shape[1]}", path, {"x": x}))

    threads = [int(t) for t in args.threads.split(",")]
    print(f"{'model':34} {'thr':>3} {'ORT ms':>9} {'Loom ms':>9} {'IREE ms':>9}"
          f" {'Loom/ORT':>9} {'IREE/ORT':>9}")
    for label, path, feeds in models:
        inputs = {}
        for name, value in feeds.items():
            file = os.path.join(args.dir, f"{label.split()[0]}-{name}.npy")
            np.save(file, value)
            inputs[name] = file
        compiled, why = iree_compile(path, args.dir)
        for t in threads:
            ort_ms = ort_latency(path, feeds, args.runs, t)
            loom_ms, loom_note = loom_latency(args.loomc, path, inputs,
                                              args.runs, t)
            iree_ms = iree_latency(compiled, inputs, args.runs, t) if compiled else None
            ratio = lambda v: f"{v / ort_ms:9.2f}" if v else f"{'-':>9}"
            cell = lambda v: f"{v:9.2f}" if v else f"{'-':>9}"
            print(f"{label:34} {t:3d} {ort_ms:9.2f} {cell(loom_ms)} "
                  f"{cell(iree_ms)} {ratio(loom_ms)} {ratio(iree_ms)}")
            if loom_ms is None:
                print(f"  Loom: {loom_note}")
        if not compiled:
            print(f"  IREE: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
