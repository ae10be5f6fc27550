#!/usr/bin/env python3
"""Runs the CUDA libraries of scripts/make_gpu_artifacts.py on a GPU.

Needs only Python with PyTorch (CUDA) and numpy, and the NVIDIA driver: no
part of Loom's toolchain. Each library is opened with ctypes and called
through Loom's C API (loom_model_run_device on PyTorch's current stream,
device tensors in and out).
  - node tests: outputs against ONNX's expected ones (rtol 1e-3, atol 1e-5;
    integers exactly);
  - models: relative L2 against Loom's CPU outputs (bound 1e-3), then
    timed against PyTorch eager and torch.compile on the same GPU and input
    shapes (the PyTorch models are built from the same definitions; their
    weights do not matter for time);
  - matmul 4096^3: Loom's fp32 and bf16 kernels against torch.matmul in
    fp32 (TF32 off and on) and bf16, checked against torch in fp64.
Prints a Markdown table and `N passed, N failed`; --out FILE also writes it.

    gpu_check.py ARTIFACTS [--out FILE] [--budget SECONDS] [--no-compile]
"""
import argparse
import ctypes
import json
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

DTYPES = {1: torch.float32, 2: torch.uint8, 3: torch.int8, 5: torch.int16,
          6: torch.int32, 7: torch.int64, 9: torch.bool, 10: torch.float16,
          11: torch.float64, 16: torch.bfloat16}
CODES = {v: k for k, v in DTYPES.items()}


class LoomTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("bytes", ctypes.c_size_t),
                ("dtype", ctypes.c_int32), ("rank", ctypes.c_int32),
                ("shape", ctypes.c_int64 * 8), ("owned", ctypes.c_int32)]


class Library:
    """One compiled model, called through loom_model.h."""

    def __init__(self, path, weights=None):
        self.lib = ctypes.CDLL(os.path.abspath(path))
        lib = self.lib
        lib.loom_model_create.restype = ctypes.c_void_p
        lib.loom_model_create.argtypes = [ctypes.c_char_p]
        lib.loom_last_error.restype = ctypes.c_char_p
        lib.loom_model_run_device.argtypes = [
            ctypes.c_void_p, ctypes.POINTER(LoomTensor), ctypes.c_int,
            ctypes.POINTER(LoomTensor), ctypes.c_int, ctypes.c_void_p]
        lib.loom_model_destroy.argtypes = [ctypes.c_void_p]
        for f in (lib.loom_model_input, lib.loom_model_output):
            f.argtypes = [ctypes.c_void_p, ctypes.c_int,
                          ctypes.POINTER(ctypes.c_char_p),
                          ctypes.POINTER(ctypes.c_int32),
                          ctypes.POINTER(ctypes.c_int32),
                          ctypes.POINTER(ctypes.POINTER(ctypes.c_int64))]
        lib.loom_model_num_inputs.argtypes = [ctypes.c_void_p]
        lib.loom_model_num_outputs.argtypes = [ctypes.c_void_p]
        self.model = lib.loom_model_create(
            os.path.abspath(weights).encode() if weights else None)
        if not self.model:
            raise RuntimeError(lib.loom_last_error().decode())
        self.inputs = self._describe(lib.loom_model_input,
                                     lib.loom_model_num_inputs(self.model))
        self.outputs = self._describe(lib.loom_model_output,
                                      lib.loom_model_num_outputs(self.model))

    def _describe(self, function, count):
        result = []
        for i in range(count):
            name = ctypes.c_char_p()
            dtype, rank = ctypes.c_int32(), ctypes.c_int32()
            shape = ctypes.POINTER(ctypes.c_int64)()
            function(self.model, i, ctypes.byref(name), ctypes.byref(dtype),
                     ctypes.byref(rank), ctypes.byref(shape))
            result.append((name.value.decode(), dtype.value,
                           [shape[d] for d in range(rank.value)]))
        return result

    def prepare(self, inputs):
        """Argument arrays for run(): `inputs` are CUDA tensors in input
        order; the outputs are allocated once here."""
        outputs = [torch.empty(shape, dtype=DTYPES[dtype], device="cuda")
                   for _, dtype, shape in self.outputs]
        ins = (LoomTensor * len(inputs))()
        for slot, tensor in zip(ins, inputs):
            self._fill(slot, tensor)
        outs = (LoomTensor * len(outputs))()
        for slot, tensor in zip(outs, outputs):
            self._fill(slot, tensor)
        return ins, outs, outputs

    @staticmethod
    def _fill(slot, tensor):
        slot.data = tensor.data_ptr()
        slot.bytes = tensor.numel() * tensor.element_size()
        slot.dtype = CODES[tensor.dtype]
        slot.rank = tensor.dim()
        for d, size in enumerate(tensor.shape):
            slot.shape[d] = size

    def run(self, prepared):
        ins, outs, outputs = prepared
        stream = torch.cuda.current_stream().cuda_stream
        if self.lib.loom_model_run_device(self.model, ins, len(ins), outs,
                                          len(outs), stream) != 0:
            raise RuntimeError(self.lib.loom_last_error().decode())
        return outputs

    def close(self):
        self.lib.loom_model_destroy(self.model)


def timed(fn, min_seconds=0.3, warmup=3):
    """Milliseconds per call: the fastest of three batches of calls timed
    with CUDA events, after `warmup` calls."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    start = time.perf_counter()
    fn()
    torch.cuda.synchronize()
    once = max(time.perf_counter() - start, 1e-6)
    count = max(1, min(200, int(min_seconds / once)))
    best = float("inf")
    for _ in range(3):
        begin, end = torch.cuda.Event(True), torch.cuda.Event(True)
        begin.record()
        for _ in range(count):
            fn()
        end.record()
        end.synchronize()
        best = min(best, begin.elapsed_time(end) / count)
    return best


def rel_l2(got, want):
    got = got.double().flatten()
    want = want.double().flatten()
    return float(torch.linalg.norm(got - want) / max(torch.linalg.norm(want), 1e-30))


def close(got, want):
    if tuple(got.shape) != tuple(want.shape):
        return f"shape {tuple(got.shape)}, expected {tuple(want.shape)}"
    if want.dtype.is_floating_point:
        ok = torch.allclose(got.double(), want.double(), rtol=1e-3, atol=1e-5,
                            equal_nan=True)
    else:
        ok = torch.equal(got, want)
    if ok:
        return None
    diff = (got.double() - want.double()).abs()
    return f"max abs difference {float(torch.nan_to_num(diff).max()):.3g}"


def torch_model(spec):
    if spec["kind"] == "torchvision":
        import torchvision
        return getattr(torchvision.models, spec["name"])(weights=None).eval()
    if spec["kind"] == "bert":
        from run_vs_ort import bert_module
        return bert_module(spec["width"], spec["layers"], spec["ffn"],
                           spec["positions"], spec["slice_positions"])
    if spec["kind"] == "gpt":
        from compile_vs_ort import gpt_module
        return gpt_module()
    raise ValueError(spec["kind"])


STICKY = ("ILLEGAL_ADDRESS", "LAUNCH_FAILED", "MISALIGNED", "illegal memory",
          "unspecified launch failure", "ILLEGAL_INSTRUCTION", "HARDWARE_STACK")


def emit(kind, payload):
    """One result line for the parent process."""
    print(f"@@{kind} " + json.dumps(payload), flush=True)


def run_nodes(root, manifest, first):
    """Node tests from index `first`; stops after an error that leaves the
    CUDA context unusable (the parent starts a fresh process after it)."""
    tests = node_list(manifest)
    for index in range(first, len(tests)):
        entry = tests[index]
        problem = None
        try:
            lib = Library(os.path.join(root, entry["lib"]))
            by_name = {i["name"]: i["file"] for i in entry["inputs"]}
            inputs = [torch.from_numpy(np.load(os.path.join(root, by_name[n]))).cuda()
                      for n, _, _ in lib.inputs]
            outputs = lib.run(lib.prepare(inputs))
            torch.cuda.synchronize()
            problems = []
            for (name, _, _), got, want in zip(lib.outputs, outputs, entry["expected"]):
                want = torch.from_numpy(np.load(os.path.join(root, want["file"]))).cuda()
                difference = close(got, want)
                if difference:
                    problems.append(f"output '{name}': {difference}")
            lib.close()
            problem = "; ".join(problems) or None
        except Exception as error:  # noqa: BLE001 - reported
            problem = str(error).splitlines()[0]
        emit("node", {"index": index, "name": entry["name"], "problem": problem})
        if problem and any(s in problem for s in STICKY):
            return 3
    return 0


def node_list(manifest):
    """Node tests, then their variants (NAME@tT) where the artifacts have
    them."""
    tests = list(manifest["nodes"])
    for entry in manifest["nodes"]:
        if "variant" in entry:
            tile = entry["variant"].rsplit("_t", 1)[1][:-3]
            tests.append(dict(entry, name=f"{entry['name']}@t{tile}",
                              lib=entry["variant"]))
    return tests


def run_model(root, entry, compile_models):
    name = entry["name"]
    lib = Library(os.path.join(root, entry["lib"]),
                  os.path.join(root, entry["weights"]) if "weights" in entry else None)
    by_name = {i["name"]: i["file"] for i in entry["inputs"]}
    host = [np.load(os.path.join(root, by_name[n])) for n, _, _ in lib.inputs]
    inputs = [torch.from_numpy(a).cuda() for a in host]
    prepared = lib.prepare(inputs)
    outputs = lib.run(prepared)
    torch.cuda.synchronize()
    errors = []
    for (out_name, _, _), got in zip(lib.outputs, outputs):
        files = [r["file"] for r in entry["reference"] if r["name"] == out_name]
        want = torch.from_numpy(np.load(os.path.join(root, files[0]))).cuda()
        errors.append(rel_l2(got, want))
    error = max(errors)
    loom_ms = timed(lambda: lib.run(prepared))
    model = torch_model(entry["torch"]).cuda()
    compiled_ms = eager_ms = None
    with torch.no_grad():
        if "@" not in name:  # a variant is compared with its original
            eager_ms = timed(lambda: model(*inputs))
        if compile_models and "@" not in name:
            try:
                compiled = torch.compile(model)
                compiled_ms = timed(lambda: compiled(*inputs), warmup=2)
            except Exception as error_:  # noqa: BLE001
                print(f"note: torch.compile {name}: {str(error_)[:200]}")
    lib.close()
    emit("model", {"name": name, "error": error, "loom_ms": loom_ms,
                   "eager_ms": eager_ms, "compiled_ms": compiled_ms})


def run_matmul(root, entry):
    dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16}[entry["dtype"]]
    lib = Library(os.path.join(root, entry["lib"]))
    gen = torch.Generator(device="cuda").manual_seed(0)
    a = torch.randn(4096, 4096, device="cuda", generator=gen).to(dtype)
    b = torch.randn(4096, 4096, device="cuda", generator=gen).to(dtype)
    prepared = lib.prepare([a, b])
    got = lib.run(prepared)[0]
    torch.cuda.synchronize()
    error = rel_l2(got, a.double() @ b.double())
    loom_ms = timed(lambda: lib.run(prepared), warmup=1, min_seconds=1.0)
    theirs = {}
    for label, tf32 in ([("fp32", False), ("tf32", True)] if dtype == torch.float32
                        else [("bf16", False)]):
        torch.backends.cuda.matmul.allow_tf32 = tf32
        theirs[label] = timed(lambda: a @ b)
    torch.backends.cuda.matmul.allow_tf32 = False
    lib.close()
    emit("matmul", {"dtype": entry["dtype"] + entry.get("label", ""), "error": error,
                    "loom_ms": loom_ms, "theirs": theirs})


def child(args, manifest):
    root = args.artifacts
    kind, _, what = args.part.partition(":")
    if kind == "nodes":
        return run_nodes(root, manifest, int(what or 0))
    if kind == "model":
        entry = [m for m in manifest["models"] if m["name"] == what][0]
        run_model(root, entry, not args.no_compile)
    elif kind == "matmul":
        entry = [m for m in manifest["matmul"]
                 if m["dtype"] + m.get("label", "") == what][0]
        run_matmul(root, entry)
    return 0


def spawn(args, part, extra=()):
    """Runs one part in a fresh process (a CUDA error that poisons the
    context stays there); its result lines, and its other output echoed."""
    import subprocess
    command = [sys.executable, os.path.abspath(__file__), args.artifacts,
               "--part", part] + list(extra)
    env = dict(os.environ)
    if part.startswith("nodes"):
        env["LOOM_CUDA_SYNC"] = "1"  # failures name their kernel
    run = subprocess.run(command, capture_output=True, text=True, env=env)
    results = []
    for line in run.stdout.splitlines():
        if line.startswith("@@"):
            kind, payload = line[2:].split(" ", 1)
            results.append((kind, json.loads(payload)))
        else:
            print(line, flush=True)
    if run.returncode not in (0, 3):
        tail = (run.stderr.strip().splitlines() or ["?"])[-1]
        results.append(("crash", {"part": part, "message": tail}))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("artifacts")
    parser.add_argument("--out")
    parser.add_argument("--budget", type=float, default=420,
                        help="seconds after which torch.compile is skipped")
    parser.add_argument("--no-compile", action="store_true")
    parser.add_argument("--part", help=argparse.SUPPRESS)
    args = parser.parse_args()
    with open(os.path.join(args.artifacts, "manifest.json")) as f:
        manifest = json.load(f)
    if args.part:
        return child(args, manifest)
    started = time.time()
    gpu = torch.cuda.get_device_name()
    cap = torch.cuda.get_device_capability()
    lines = [f"GPU: {gpu} (sm_{cap[0]}{cap[1]}), CUDA {torch.version.cuda}, "
             f"PyTorch {torch.__version__}; libraries compiled for "
             f"{manifest['gpu_arch']}", ""]
    passed = failed = 0

    def say(text):
        print(text, flush=True)

    # Node tests, restarted after an error that poisons the context.
    node_results = {}
    first = 0
    tests = node_list(manifest)
    while first < len(tests):
        results = spawn(args, f"nodes:{first}")
        indices = [p["index"] for k, p in results if k == "node"]
        for kind, payload in results:
            if kind == "node":
                node_results[payload["index"]] = payload
            elif kind == "crash":
                say(f"note: node tests from {first}: the process died: {payload['message']}")
        if not indices:
            node_results[first] = {"index": first, "name": tests[first]["name"],
                                   "problem": "the process died before a result"}
            first += 1
        else:
            first = max(indices) + 1
    node_passed = sum(1 for r in node_results.values() if not r["problem"])
    for index in sorted(node_results):
        result = node_results[index]
        if result["problem"]:
            say(f"FAIL node {result['name']}: {result['problem']}")
    passed += node_passed
    failed += len(node_results) - node_passed
    lines.append(f"ONNX node tests on the GPU: {node_passed} of "
                 f"{len(tests)} equal ONNX's expected outputs "
                 f"(rtol 1e-3, atol 1e-5)")
    lines.append("")

    rows = ["| model | rel. L2 vs Loom CPU | Loom ms | PyTorch eager ms | "
            "torch.compile ms | Loom / eager |", "|---|---|---|---|---|---|"]
    eager = {}
    for entry in manifest["models"]:
        name = entry["name"]
        extra = ["--no-compile"] if args.no_compile or time.time() - started > args.budget else []
        results = spawn(args, f"model:{name}", extra)
        model = [p for k, p in results if k == "model"]
        if not model:
            why = [p["message"] for k, p in results if k == "crash"] or ["no result"]
            say(f"FAIL {name}: {why[0]}")
            rows.append(f"| {name} | error: {why[0][:100]} | | | | |")
            failed += 1
            continue
        r = model[0]
        ok = r["error"] <= 1e-3
        if r["eager_ms"]:
            eager[name] = r["eager_ms"]
        base = eager.get(name.split("@")[0])
        compiled = f"{r['compiled_ms']:.3f}" if r["compiled_ms"] else "not run"
        eager_text = f"{r['eager_ms']:.3f}" if r["eager_ms"] else "(above)"
        ratio = f"{r['loom_ms'] / base:.2f}" if base else "?"
        rows.append(f"| {name} | {r['error']:.2e} | {r['loom_ms']:.3f} | "
                    f"{eager_text} | {compiled} | {ratio} |")
        say(("PASS" if ok else "FAIL") + f" {name}: rel. L2 {r['error']:.2e}, Loom "
            f"{r['loom_ms']:.3f} ms, eager {eager_text} ms, compile {compiled}")
        passed += ok
        failed += not ok
    lines += rows + [""]

    rows = ["| matmul 4096^3 | Loom TFLOP/s | PyTorch TFLOP/s | PyTorch / Loom | "
            "Loom rel. L2 vs fp64 |", "|---|---|---|---|---|"]
    flops = 2 * 4096 ** 3
    for entry in manifest["matmul"]:
        results = spawn(args, f"matmul:{entry['dtype']}{entry.get('label', '')}")
        found = [p for k, p in results if k == "matmul"]
        if not found:
            why = [p["message"] for k, p in results if k == "crash"] or ["no result"]
            say(f"FAIL matmul {entry['dtype']}: {why[0]}")
            failed += 1
            continue
        r = found[0]
        for label, theirs in r["theirs"].items():
            rows.append(f"| {r['dtype']} vs PyTorch {label} | "
                        f"{flops / r['loom_ms'] / 1e9:.1f} | {flops / theirs / 1e9:.1f} | "
                        f"{r['loom_ms'] / theirs:.1f} | {r['error']:.1e} |")
        bound = 1e-3 if r["dtype"].startswith("float32") else 1e-2
        ok = r["error"] <= bound
        say(("PASS" if ok else "FAIL") + f" matmul {r['dtype']}: rel. L2 {r['error']:.1e}, "
            f"{flops / r['loom_ms'] / 1e9:.1f} TFLOP/s")
        passed += ok
        failed += not ok
    lines += rows + ["", f"{time.time() - started:.0f} s in all"]
    text = "\n".join(lines)
    say("")
    say(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    say(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
