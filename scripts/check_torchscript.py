#!/usr/bin/env python3
"""TorchScript import checked against PyTorch.

  check_torchscript.py BUILD_BIN WORKDIR [NAME ...]

Writes the archives of scripts/make_torchscript_models.py (ResNet-18,
MobileNetV2, the GPT with a tied head, a submodule applied twice, a head
sharing the embedding), each with its first layers frozen, then per model:
  * `loomc stats --json MODEL.pt`: total, trainable, frozen and buffers equal
    PyTorch's own counts on the same module;
  * every parameter name PyTorch lists (shared ones included) is a weight or
    an alias, and tensors shared in PyTorch are one weight;
  * `loomc compress MODEL.pt -o MODEL.onnx`: `loomc stats` of the ONNX file
    gives the same counts; run in ONNX Runtime on the
    traced input: outputs within 1e-4 relative (max |diff| / max |ref|) of
    PyTorch's;
  * ResNet-18 and the GPT again with a dynamic batch (`--input-types
    ?x...`), run at batch 3 against the archive run by PyTorch.
Prints one line per check and 'N passed, N failed'.
"""
import json
import os
import subprocess
import sys

import numpy as np
import onnxruntime as ort

ort.set_default_logger_severity(3)  # unread buffers (num_batches_tracked) are fine

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_torchscript_models  # noqa: E402


def main():
    bin_dir, work = sys.argv[1], sys.argv[2]
    names = sys.argv[3:] or ["resnet18", "mobilenet_v2", "gpt", "twice", "tied", "ops",
                             "mobilenet_v2_script"]
    loomc = os.path.join(bin_dir, "loomc")
    make_torchscript_models.main(work, names)
    with open(os.path.join(work, "counts.json")) as f:
        counts = json.load(f)
    passed = failed = 0

    def check(ok, text):
        nonlocal passed, failed
        passed += ok
        failed += not ok
        print("%s %s" % ("PASS" if ok else "FAIL", text))

    for name in names:
        pt = os.path.join(work, name + ".pt")
        report = json.loads(subprocess.run([loomc, "stats", "--json", "--bins", "0", pt],
                                           check=True, capture_output=True, text=True).stdout)
        ref = counts[name]
        got = tuple(report[k] for k in ("total", "trainable", "frozen", "buffers"))
        want = tuple(ref[k] for k in ("total", "trainable", "frozen", "buffers"))
        check(got == want, "%s counts (total, trainable, frozen, buffers): loomc %s, PyTorch %s"
              % (name, got, want))
        known = set()
        for t in report["tensors"]:
            known.add(t["name"])
            known.update(t["aliases"])
        missing = [p for p in ref["parameters"] + ref["buffer_names"] if p not in known]
        shared = len(ref["parameters"]) - len(set(ref["parameters"]))
        check(not missing, "%s names: %d parameter and %d buffer names, %d missing%s"
              % (name, len(ref["parameters"]), len(ref["buffer_names"]), len(missing),
                 (": " + ", ".join(missing[:5])) if missing else ""))
        onnx_path = os.path.join(work, name + ".onnx")
        subprocess.run([loomc, "compress", pt, "-o", onnx_path, "--quiet"], check=True,
                       stdout=subprocess.DEVNULL)
        # The ONNX file keeps what ONNX cannot say (buffers, trainable
        # parameters) in the initializers' doc strings: same counts.
        exported = json.loads(subprocess.run(
            [loomc, "stats", "--json", "--bins", "0", onnx_path], check=True,
            capture_output=True, text=True).stdout)
        got = tuple(exported[k] for k in ("total", "trainable", "frozen", "buffers"))
        check(got == want, "%s counts of the exported ONNX: loomc %s, PyTorch %s"
              % (name, got, want))
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
        x = np.load(os.path.join(work, name + ".input.npy"))
        expected = np.load(os.path.join(work, name + ".output.npy"))
        actual = session.run(None, {session.get_inputs()[0].name: x})[0]
        rel = float(np.max(np.abs(actual - expected)) / max(np.max(np.abs(expected)), 1e-30)) \
            if actual.shape == expected.shape else float("inf")
        check(rel <= 1e-4, "%s ONNX Runtime on Loom's export vs PyTorch: shape %s, max rel. diff %.2e"
              % (name, list(actual.shape), rel))
        del shared
        if name in ("resnet18", "gpt"):
            # A dynamic batch: `?` for the first dimension; run at batch 3.
            import torch
            shape = "x".join(["?"] + [str(d) for d in x.shape[1:]])
            dtype = "i64" if x.dtype == np.int64 else "f32"
            dynamic = os.path.join(work, name + ".dynamic.onnx")
            subprocess.run([loomc, "compress", pt, "-o", dynamic, "--quiet",
                            "--input-types", shape + "x" + dtype], check=True,
                           stdout=subprocess.DEVNULL)
            rng = np.random.default_rng(1)
            x3 = (rng.integers(0, 5003, (3,) + x.shape[1:]) if dtype == "i64"
                  else rng.standard_normal((3,) + x.shape[1:]).astype(np.float32))
            with torch.no_grad():
                want3 = torch.jit.load(pt)(torch.from_numpy(x3)).numpy()
            session = ort.InferenceSession(dynamic, options, providers=["CPUExecutionProvider"])
            got3 = session.run(None, {session.get_inputs()[0].name: x3})[0]
            rel = float(np.max(np.abs(got3 - want3)) / max(np.max(np.abs(want3)), 1e-30)) \
                if got3.shape == want3.shape else float("inf")
            check(rel <= 1e-4, "%s with input types %s, batch 3: shape %s, max rel. diff %.2e"
                  % (name, shape + "x" + dtype, list(got3.shape), rel))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
