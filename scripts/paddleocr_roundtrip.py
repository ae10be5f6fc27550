#!/usr/bin/env python3
"""Round-trips the PaddleOCR models that ship in pip's rapidocr through Loom.

For the detection, recognition and classification models: import, export,
run the original and the export in ONNX Runtime (one thread) on the same
seeded inputs, and require bit-identical outputs. Prints one line per model
and `N passed, N failed`.
"""
import glob
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnxruntime as ort

import rapidocr

translate = sys.argv[1]
models = sorted(glob.glob(os.path.join(os.path.dirname(rapidocr.__file__), "models", "*.onnx")))
# Input sizes the models accept (detection wants multiples of 32).
SHAPES = {"det": [1, 3, 96, 128], "rec": [1, 3, 48, 160], "cls": [1, 3, 48, 192]}


def session(path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


passed = failed = 0
kinds = set()
for model in models:
    kind = next(k for k in SHAPES if "_%s" % k in os.path.basename(model))
    kinds.add(kind)
    with tempfile.TemporaryDirectory() as tmp:
        ir, out = os.path.join(tmp, "m.mlirbc"), os.path.join(tmp, "out.onnx")
        subprocess.run([translate, "--import-onnx", model, "-o", ir], check=True)
        subprocess.run([translate, "--export-onnx", ir, "-o", out], check=True)
        text = subprocess.run([os.path.join(os.path.dirname(translate), "loom-opt"), ir],
                              capture_output=True, text=True, check=True).stdout
        generic = text.count("loom.onnx \"")
        ops = sum(1 for line in text.splitlines() if " = loom." in line and "weight_ref" not in line)
        reference, candidate = session(model), session(out)
        feeds = {}
        rng = np.random.default_rng(0)
        for inp in reference.get_inputs():
            feeds[inp.name] = rng.random(SHAPES[kind], dtype=np.float32)
        expected = reference.run(None, feeds)
        actual = candidate.run(None, feeds)
        same = len(expected) == len(actual) and all(
            e.dtype == a.dtype and e.shape == a.shape and e.tobytes() == a.tobytes()
            for e, a in zip(expected, actual))
        sizes = (os.path.getsize(model), os.path.getsize(out))
        print("%s %s: %s; %d ops, %d generic; %d -> %d bytes" % (
            "PASS" if same else "FAIL", os.path.basename(model), kind, ops, generic, *sizes))
        passed += same
        failed += not same
if kinds != set(SHAPES):
    print("FAIL: expected det, rec and cls models, found %s" % sorted(kinds))
    failed += 1
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
