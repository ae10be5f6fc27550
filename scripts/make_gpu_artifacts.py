#!/usr/bin/env python3
"""Builds what scripts/gpu-check.sh runs on a GPU machine that has no Loom.

Here (Loom's toolchain, no GPU): every model is compiled by `loomc compile
--target=cuda` into a self-contained library, and its expected outputs are
written beside it:
  - models: torchvision ResNet-18 (1x3x224x224), a BERT-style encoder
    (batch 8, sequence 128), a GPT-style decoder's prefill (batch 4, 64
    tokens), all with the seeded weights of scripts/run_vs_ort.py and
    compile_vs_ort.py; expected outputs from Loom's CPU path (`loomc run`,
    which test/e2e/compile-vs-ort.test checks against ONNX Runtime);
  - matmul: 4096x4096x4096 in fp32 and bf16 (no data carried: the device
    script makes its inputs and checks against PyTorch);
  - node tests: ONNX's backend node tests that Loom's CPU path runs, each at
    its test data's shapes, with ONNX's own expected outputs (.npy).
Writes DIR/manifest.json and prints what it compiled and what failed; the
folder must stay under 64 MiB (the device tool's limit).

    make_gpu_artifacts.py LOOMC DIR [--gpu-arch sm_90] [--node-root ROOT ...]
                          [--node-filter REGEX] [--node-limit N]
                          [--passing-list FILE]
                          [--models resnet18,bert,gpt,matmul] [--jobs N]
"""
import argparse
import glob
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

LOOMC = None
ARCH = "sm_90"


def compile_cuda(model, library, shapes, extra=()):
    """loomc compile --target=cuda; (ok, message)."""
    args = [LOOMC, "compile", model, "--target=cuda", "--gpu-arch", ARCH,
            "-o", library, "--no-header", "-q"] + list(extra)
    for name, shape in shapes:
        args += ["--input-shape", f"{name}=" + "x".join(map(str, shape))]
    run = subprocess.run(args, capture_output=True, text=True, timeout=900)
    if run.returncode != 0:
        lines = run.stderr.strip().splitlines() or ["?"]
        return False, lines[-1]
    return True, ""


def run_cpu(model, feeds, folder):
    """Loom's CPU path on `feeds` ({name: .npy path}); {output name: file}."""
    os.makedirs(folder, exist_ok=True)
    args = [LOOMC, "run", model, "-q", "-d", folder]
    for name, path in feeds.items():
        args += ["--input", f"{name}={path}"]
    subprocess.run(args, check=True, timeout=900)
    return sorted(os.listdir(folder))


def make_model(name, work):
    """(onnx path, {input: array}, torch spec for the device script)."""
    import compile_vs_ort
    import run_vs_ort
    rng = np.random.default_rng(19)
    path = os.path.join(work, name + ".onnx")
    if name == "resnet18":
        run_vs_ort.export_torchvision("resnet18", path, size=224)
        feeds = {"x": rng.standard_normal((1, 3, 224, 224), dtype=np.float32)}
        spec = {"kind": "torchvision", "name": "resnet18"}
    elif name == "bert":
        compile_vs_ort.export_bert128(path)
        feeds = {"ids": rng.integers(0, 1000, (8, 128)).astype(np.int64)}
        spec = {"kind": "bert", "width": 128, "layers": 4, "ffn": 256,
                "positions": 128, "slice_positions": False}
    elif name == "gpt":
        decode = os.path.join(work, "gpt_decode.onnx")
        compile_vs_ort.export_gpt(path, decode)
        feeds = {"ids": rng.integers(0, 512, (4, 64)).astype(np.int64)}
        spec = {"kind": "gpt"}
    else:
        raise ValueError(name)
    return path, feeds, spec


def make_matmul(path, dtype):
    import onnx
    from onnx import TensorProto, helper
    elem = {"float32": TensorProto.FLOAT, "bfloat16": TensorProto.BFLOAT16}[dtype]
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "b"], ["c"], name="matmul")],
        "matmul",
        [helper.make_tensor_value_info("a", elem, [4096, 4096]),
         helper.make_tensor_value_info("b", elem, [4096, 4096])],
        [helper.make_tensor_value_info("c", elem, [4096, 4096])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, path)


def node_test(job):
    """Compiles one node test for CUDA: an entry for the manifest, or
    (None, why) when it does not compile."""
    folder, out, tile = job
    import onnx_node_conformance as conf
    name = os.path.basename(folder)
    model_path = os.path.join(folder, "model.onnx")
    data = sorted(glob.glob(os.path.join(folder, "test_data_set_*")))
    if not data:
        return name, None, "no test data"
    import onnx
    try:
        model = onnx.load(model_path)
    except Exception as error:  # noqa: BLE001
        return name, None, f"onnx cannot load it: {error}"
    initializers = {i.name for i in model.graph.initializer}
    graph_inputs = [i.name for i in model.graph.input if i.name not in initializers]
    number = lambda p: int(re.findall(r"\d+", os.path.basename(p))[0])
    inputs = sorted(glob.glob(os.path.join(data[0], "input_*.pb")), key=number)
    outputs = sorted(glob.glob(os.path.join(data[0], "output_*.pb")), key=number)
    target = os.path.join(out, "nodes", name)
    os.makedirs(target, exist_ok=True)
    entry = {"name": name, "lib": f"nodes/{name}/lib{name}.so", "inputs": [],
             "expected": []}
    shapes = []
    try:
        for index, path in enumerate(inputs):
            tensor_name, value = conf.load_pb(path)
            key = tensor_name or graph_inputs[index]
            if value.dtype == object:
                raise conf.NotATensor("strings")
            np.save(os.path.join(target, f"in{index}.npy"), value)
            entry["inputs"].append({"name": key, "file": f"nodes/{name}/in{index}.npy"})
            shapes.append((key, value.shape))
        for index, path in enumerate(outputs):
            tensor_name, value = conf.load_pb(path)
            np.save(os.path.join(target, f"out{index}.npy"), value)
            entry["expected"].append({"name": tensor_name or model.graph.output[index].name,
                                      "file": f"nodes/{name}/out{index}.npy"})
    except conf.NotATensor as error:
        shutil.rmtree(target)
        return name, None, f"test data that is not a tensor ({error})"
    ok, message = compile_cuda(model_path, os.path.join(out, entry["lib"]),
                               [(k, s) for k, s in shapes if len(s) > 0] +
                               [(k, s) for k, s in shapes if len(s) == 0])
    if not ok:
        shutil.rmtree(target)
        return name, None, message
    if tile > 1:
        # The same test with T x T outputs per thread, beside it.
        variant = f"nodes/{name}/lib{name}_t{tile}.so"
        ok, message = compile_cuda(model_path, os.path.join(out, variant),
                                   shapes, ["--thread-tile", str(tile)])
        if not ok:
            shutil.rmtree(target)
            return name, None, f"--thread-tile {tile}: {message}"
        entry["variant"] = variant
    return name, entry, ""


def cpu_passing(roots, work, pattern, jobs):
    """The node tests Loom's CPU path passes (onnx_node_conformance.py)."""
    listing = os.path.join(work, "cpu-conformance.txt")
    run = subprocess.run(
        [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                      "onnx_node_conformance.py"),
         "--loomc", LOOMC, "--list-passing", listing, "--jobs", str(jobs)]
        + (["--filter", pattern] if pattern else []) + roots,
        capture_output=True, text=True)
    if run.returncode not in (0, 1) or not os.path.exists(listing):
        sys.exit("onnx_node_conformance.py failed: " + run.stderr[-2000:])
    with open(listing) as f:
        return [line.strip() for line in f if line.strip()]


def main():
    global LOOMC, ARCH
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("loomc")
    parser.add_argument("out")
    parser.add_argument("--gpu-arch", default="sm_90")
    parser.add_argument("--node-root", action="append", default=[])
    parser.add_argument("--node-filter", default="")
    parser.add_argument("--node-limit", type=int, default=0)
    parser.add_argument("--models", default="resnet18,bert,gpt,matmul")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-reference", action="store_true",
                        help="compile only: no CPU reference outputs (tests)")
    parser.add_argument("--variant-thread-tile", type=int, default=1,
                        help="also compile every model and node test with "
                             "--thread-tile T (entries named NAME@tT; "
                             "ResNet-18 shares its weights file)")
    parser.add_argument("--passing-list",
                        help="the CPU-passing node tests, one folder per line "
                             "(onnx_node_conformance.py --list-passing), "
                             "instead of running the CPU conformance here")
    args = parser.parse_args()
    LOOMC, ARCH = os.path.abspath(args.loomc), args.gpu_arch
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    work = os.path.join(out, "work")
    os.makedirs(work, exist_ok=True)
    manifest = {"gpu_arch": ARCH, "models": [], "matmul": [], "nodes": []}
    failed = 0
    models = [m for m in args.models.split(",") if m]
    for name in models:
        if name == "matmul":
            for dtype in ("float32", "bfloat16"):
                path = os.path.join(work, f"matmul_{dtype}.onnx")
                make_matmul(path, dtype)
                lib = f"matmul_{dtype}/libmatmul_{dtype}.so"
                os.makedirs(os.path.join(out, os.path.dirname(lib)), exist_ok=True)
                ok, message = compile_cuda(path, os.path.join(out, lib), [])
                print(("compiled" if ok else "FAIL") + f" matmul {dtype}" +
                      ("" if ok else ": " + message), flush=True)
                failed += not ok
                if ok:
                    manifest["matmul"].append({"dtype": dtype, "lib": lib, "n": 4096})
                tile = args.variant_thread_tile
                if ok and tile > 1:
                    variant = f"matmul_{dtype}/libmatmul_{dtype}_t{tile}.so"
                    ok, message = compile_cuda(path, os.path.join(out, variant), [],
                                               ["--thread-tile", str(tile)])
                    print(("compiled" if ok else "FAIL") + f" matmul {dtype}@t{tile}" +
                          ("" if ok else ": " + message), flush=True)
                    failed += not ok
                    if ok:
                        manifest["matmul"].append({"dtype": dtype, "lib": variant,
                                                   "n": 4096, "label": f"@t{tile}"})
            continue
        path, feeds, spec = make_model(name, work)
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        files = {}
        for key, value in feeds.items():
            np.save(os.path.join(folder, f"in_{key}.npy"), value)
            files[key] = os.path.join(folder, f"in_{key}.npy")
        lib = f"{name}/lib{name}.so"
        # Weights beside the library: a variant shares the file.
        ok, message = compile_cuda(path, os.path.join(out, lib),
                                   [(k, v.shape) for k, v in feeds.items()],
                                   ["--weights=file"])
        print(("compiled" if ok else "FAIL") + f" {name}" +
              ("" if ok else ": " + message), flush=True)
        if not ok:
            failed += 1
            continue
        reference = os.path.join(folder, "cpu")
        outputs = [] if args.no_reference else run_cpu(path, files, reference)
        entry = {
            "name": name, "lib": lib, "torch": spec,
            "weights": f"{name}/lib{name}.weights",
            "inputs": [{"name": k, "file": f"{name}/in_{k}.npy"} for k in feeds],
            "reference": [{"name": o[:-4], "file": f"{name}/cpu/{o}"} for o in outputs]}
        manifest["models"].append(entry)
        tile = args.variant_thread_tile
        if tile > 1:
            variant = f"{name}/lib{name}_t{tile}.so"
            ok, message = compile_cuda(path, os.path.join(out, variant),
                                       [(k, v.shape) for k, v in feeds.items()],
                                       ["--weights=file", "--thread-tile", str(tile)])
            print(("compiled" if ok else "FAIL") + f" {name}@t{tile}" +
                  ("" if ok else ": " + message), flush=True)
            failed += not ok
            if ok:
                copy = os.path.join(out, name, f"lib{name}_t{tile}.weights")
                with open(copy, "rb") as a, open(os.path.join(out, entry["weights"]), "rb") as b:
                    if a.read() != b.read():
                        sys.exit(f"{name}@t{tile}: its weights file differs")
                os.remove(copy)
                manifest["models"].append(dict(entry, name=f"{name}@t{tile}", lib=variant))
    if args.node_root:
        if args.passing_list:
            with open(args.passing_list) as f:
                passing = [line.strip() for line in f if line.strip()]
        else:
            passing = cpu_passing(args.node_root, work, args.node_filter,
                                  args.jobs)
        if args.node_filter:
            passing = [p for p in passing if re.search(args.node_filter, os.path.basename(p))]
        if args.node_limit:
            passing = passing[: args.node_limit]
        with multiprocessing.Pool(args.jobs) as pool:
            jobs = [(p, out, args.variant_thread_tile) for p in passing]
            for name, entry, message in pool.imap(node_test, jobs):
                if entry:
                    manifest["nodes"].append(entry)
                else:
                    failed += 1
                    print(f"FAIL node {name}: {message}", flush=True)
        print(f"node tests: {len(manifest['nodes'])} compiled for {ARCH}, "
              f"{len(passing) - len(manifest['nodes'])} not", flush=True)
    shutil.rmtree(work)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    size = sum(os.path.getsize(os.path.join(d, f))
               for d, _, fs in os.walk(out) for f in fs)
    print(f"{out}: {size / 2**20:.1f} MiB")
    print(f"{len(manifest['models']) + len(manifest['matmul']) + len(manifest['nodes'])} "
          f"compiled, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
