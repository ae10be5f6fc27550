#!/usr/bin/env python3
"""CPU latency of Loom's compiled libraries next to ONNX Runtime and IREE.

For each model (torchvision ResNet-18 and MobileNetV2 at 224x224, random
weights; a BERT-style encoder at sequence 128; a GPT-style decoder's
prefill of 64 tokens and its one-token decode with a KV cache; PaddleOCR's
classifier, recognizer and detector from pip's rapidocr) and each thread
count (1, 2), batch 1:

  Loom   `loomc compile` (dynamic batch) -> libNAME.so, called from C by
         examples/loom_run.c --benchmark N --threads T (median); compile
         time and library size are printed too
  ORT    InferenceSession with intra_op_num_threads=T, N timed runs after a
         warm-up (median)
  IREE   iree-import-onnx, iree-compile --iree-llvmcpu-target-cpu=host,
         iree-benchmark-module --task_topology_max_group_count=T (median);
         skipped with a printed reason when IREE is not in the venv
         (`.venv/bin/pip install iree-base-compiler iree-base-runtime`)

prints one row per model and thread count with the ratios to ONNX Runtime
(lower is better); then this machine's fp32 FMA peak (bench/fma_peak.c)
next to a 2048x2048x2048 matmul compiled by Loom. Not a test.

  .venv/bin/python bench/cpu_latency.py --loomc build/bin/loomc [--runs 20]
      [--only resnet18,...]
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


def build_runner(loomc, model, work, name, options):
    """Compiles `model` into lib<name>.so and links examples/loom_run.c with
    it. Returns (program, compile seconds, library bytes) or (None, why)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    library = os.path.join(work, f"lib{name}.so")
    start = time.perf_counter()
    out = subprocess.run([loomc, "compile", model, "-o", library, "-q"] + options,
                         capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if out.returncode:
        return None, (out.stderr.strip().splitlines() or ["?"])[-1]
    size = os.path.getsize(library)
    weights = os.path.join(work, f"lib{name}.weights")
    if os.path.exists(weights):
        size += os.path.getsize(weights)
    program = os.path.join(work, f"run-{name}")
    out = subprocess.run(
        ["cc", "-O2", f"-I{work}", f'-DLOOM_MODEL_HEADER="{name}.h"',
         os.path.join(root, "examples", "loom_run.c"), f"-L{work}", f"-l{name}",
         f"-Wl,-rpath,{work}", "-o", program], capture_output=True, text=True)
    if out.returncode:
        return None, "cc failed: " + out.stderr.strip()[:80]
    return (program, seconds, size), None


def loom_latency(program, inputs, runs, threads):
    args = [program] + list(inputs.values()) + [
        "--benchmark", str(runs), "--threads", str(threads)]
    out = subprocess.run(args, capture_output=True, text=True)
    m = re.search(r"median ([0-9.]+) ms", out.stdout)
    if out.returncode or not m:
        return None, (out.stderr.strip().splitlines() or ["?"])[-1]
    return float(m.group(1)), None


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


def matmul_vs_peak(loomc, work, threads):
    """A 2048^3 fp32 matmul compiled by Loom, against the FMA peak."""
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    peak_bin = os.path.join(work, "fma_peak")
    out = subprocess.run(["cc", "-O3", "-march=native", "-pthread",
                          os.path.join(root, "bench", "fma_peak.c"), "-o",
                          peak_bin], capture_output=True, text=True)
    if out.returncode:
        print("FMA peak: cc failed")
        return
    peaks = {}
    out = subprocess.run([peak_bin, str(max(threads))], capture_output=True,
                         text=True)
    for m in re.finditer(r"threads (\d+): ([0-9.]+) GFLOP/s \((.*)\)", out.stdout):
        peaks[int(m.group(1))] = (float(m.group(2)), m.group(3))
    n = 2048
    model = os.path.join(work, "matmul2048.onnx")
    if not os.path.exists(model):
        rng = np.random.default_rng(0)
        b = numpy_helper.from_array(rng.standard_normal((n, n)).astype(np.float32), "b")
        graph = helper.make_graph(
            [helper.make_node("MatMul", ["a", "b"], ["c"], name="matmul")],
            "matmul", [helper.make_tensor_value_info("a", TensorProto.FLOAT, [n, n])],
            [helper.make_tensor_value_info("c", TensorProto.FLOAT, [n, n])], [b])
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        m.ir_version = 8
        onnx.save(m, model)
    a = os.path.join(work, "matmul-a.npy")
    np.save(a, np.random.default_rng(1).standard_normal((n, n)).astype(np.float32))
    runner, why = build_runner(loomc, model, work, "matmul2048", [])
    for t in threads:
        peak, isa = peaks.get(t, (None, "?"))
        ms = loom_latency(runner[0], {"a": a}, 3, t)[0] if runner else None
        gflops = 2 * n ** 3 / (ms / 1e3) / 1e9 if ms else None
        print(f"matmul 2048^3 fp32, {t} thread(s): Loom "
              + (f"{ms:.1f} ms = {gflops:.1f} GFLOP/s" if ms else f"- ({why})")
              + (f"; FMA peak {peak:.1f} GFLOP/s ({isa})" if peak else "")
              + (f"; {100 * gflops / peak:.0f}% of peak" if peak and gflops else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loomc", default="build/bin/loomc")
    parser.add_argument("--dir", default="/tmp/loom-cpu-latency")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--only", help="model names, comma-separated "
                        "(resnet18, bert128, gpt_decode, ...)")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    rng = np.random.default_rng(0)

    sys.path.insert(0, os.path.join(root, "scripts"))
    from compile_vs_ort import export_bert128, export_gpt
    models = []  # (label, path, {name: array}, compile options)
    for name in ("resnet18", "mobilenet_v2"):
        path = os.path.join(args.dir, f"{name}-224.onnx")
        if not os.path.exists(path):
            export_torchvision(name, path, 224)
        models.append((f"{name} 224", path,
                       {"x": rng.random((1, 3, 224, 224), dtype=np.float32)}, []))
    bert = os.path.join(args.dir, "bert128.onnx")
    if not os.path.exists(bert):
        export_bert128(bert)
    models.append(("bert128 seq128", bert,
                   {"ids": rng.integers(0, 1000, (1, 128), dtype=np.int64)}, []))
    prefill = os.path.join(args.dir, "gpt_prefill.onnx")
    decode = os.path.join(args.dir, "gpt_decode.onnx")
    if not os.path.exists(decode):
        export_gpt(prefill, decode)
    models.append(("gpt_prefill 64", prefill,
                   {"ids": rng.integers(0, 512, (1, 64), dtype=np.int64)}, []))
    cache = rng.standard_normal((2, 1, 4, 64, 16)).astype(np.float32)
    models.append(("gpt_decode 1+64", decode,
                   {"ids": rng.integers(0, 512, (1, 1), dtype=np.int64),
                    "past_k": cache, "past_v": cache.copy()}, []))
    for prefix, shape in (("ch_ppocr_mobile_v2.0_cls", (48, 192)),
                          ("PP-OCRv6_rec", (48, 320)),
                          ("PP-OCRv6_det", (320, 320))):
        path = rapidocr_model(prefix)
        if path:
            x = (rng.random((1, 3) + shape, dtype=np.float32) - 0.5) / 0.25
            models.append((f"{prefix} {shape[0]}x{shape[1]}", path, {"x": x},
                           ["--input-shape", f"x=?x3x{shape[0]}x{shape[1]}"]))
    if args.only:
        keep = set(args.only.split(","))
        models = [m for m in models if m[0].split()[0] in keep]

    threads = [int(t) for t in args.threads.split(",")]
    print(f"{'model':30} {'thr':>3} {'ORT ms':>9} {'Loom ms':>9} {'IREE ms':>9}"
          f" {'Loom/ORT':>9} {'IREE/ORT':>9} {'compile s':>9} {'lib MB':>7}")
    for label, path, feeds, options in models:
        inputs = {}
        stem = re.sub(r"[^A-Za-z0-9_]", "_", label.split()[0])
        for name, value in feeds.items():
            file = os.path.join(args.dir, f"{stem}-{name}.npy")
            np.save(file, value)
            inputs[name] = file
        runner, loom_why = build_runner(args.loomc, path, args.dir, stem, options)
        compiled, why = iree_compile(path, args.dir)
        for t in threads:
            # Loom, then ONNX Runtime. Small models at two threads are
            # bimodal on a shared 2-vCPU VM (GPT prefill: 0.8 ms or 3.5 ms,
            # OpenMP barriers waiting on a descheduled vCPU).
            loom_ms = None
            if runner:
                loom_ms, loom_why = loom_latency(runner[0], inputs, args.runs, t)
            ort_ms = ort_latency(path, feeds, args.runs, t)
            iree_ms = iree_latency(compiled, inputs, args.runs, t) if compiled else None
            ratio = lambda v: f"{v / ort_ms:9.2f}" if v else f"{'-':>9}"
            cell = lambda v: f"{v:9.2f}" if v else f"{'-':>9}"
            extra = (f" {runner[1]:9.1f} {runner[2] / 1e6:7.1f}" if runner
                     else "")
            print(f"{label:30} {t:3d} {ort_ms:9.2f} {cell(loom_ms)} "
                  f"{cell(iree_ms)} {ratio(loom_ms)} {ratio(iree_ms)}{extra}",
                  flush=True)
            if loom_ms is None:
                print(f"  Loom: {loom_why}")
        if not compiled:
            print(f"  IREE: {why}")
    matmul_vs_peak(args.loomc, args.dir, threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
