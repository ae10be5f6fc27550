#!/usr/bin/env python3
"""Checks weight tying on the torch-exported models of make_tie_models.py.

For each model: loom-translate --import-onnx, loom-opt --loom-tie-weights,
--export-onnx; a plain round trip (no tying) is the size baseline. Checks:
  * the tied file is smaller than the plain round trip by at least the bytes
    of the duplicated initializers, which numpy finds in the original
    (exact, transposed, scaled by a scalar, leading-row slices, leading rows
    shared with a larger weight), minus 1 KiB
    for the nodes the views add;
  * ONNX Runtime (one thread) gives the original's outputs: bit-identical
    when the duplicates are exact or sliced copies, within 1e-6 relative
    (max |a - b| / max |a|) when transposed or scaled copies were tied.
Prints one line per model and `N passed, N failed`.
"""
import glob
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

translate, opt, folder = sys.argv[1], sys.argv[2], sys.argv[3]


def duplicates(model):
    """(bytes, kinds) of initializers that copy another one."""
    arrays = [numpy_helper.to_array(t) for t in model.graph.initializer]
    arrays = [a for a in arrays if a.nbytes >= 1024 and a.dtype.kind == "f"]
    total, kinds, used = 0, set(), set()
    for i, a in enumerate(arrays):
        for j, b in enumerate(arrays):
            if i == j or j in used or i in used:
                continue
            kind = None
            if a.shape == b.shape and a.tobytes() == b.tobytes() and j < i:
                kind = "exact"
            elif a.ndim == 2 and a.shape == b.T.shape and np.array_equal(a, b.T):
                kind = "transpose"
            elif a.shape == b.shape and np.any(b):
                k = np.flatnonzero(b)[0]
                c = a.flat[k] / b.flat[k]
                if c not in (0, 1) and np.array_equal(a, (b * np.float32(c)).astype(a.dtype)):
                    kind = "scale"
            shared = a.nbytes
            if kind is None and a.ndim >= 2 and a.shape[1:] == b.shape[1:] and a.shape[0] <= b.shape[0]:
                if a.shape[0] < b.shape[0] and np.array_equal(a, b[: a.shape[0]]):
                    kind = "slice"
                else:
                    rows = 0
                    while rows < a.shape[0] and np.array_equal(a[rows], b[rows]):
                        rows += 1
                    if rows and rows * a[0].nbytes >= 1024:
                        kind, shared = "partial", rows * a[0].nbytes
            if kind:
                total += shared
                kinds.add(kind)
                used.add(i)
                break
    return total, kinds


def run(path, feeds):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


passed = failed = 0
for model_path in sorted(glob.glob(os.path.join(folder, "*.onnx"))):
    if model_path.endswith((".tied.onnx", ".plain.onnx")):
        continue
    name = os.path.basename(model_path)[:-5]
    x = np.load(os.path.join(folder, name.rsplit("_", 1)[0] + "_input.npy"))
    with tempfile.TemporaryDirectory() as tmp:
        ir, tied_ir = os.path.join(tmp, "m.mlirbc"), os.path.join(tmp, "t.mlirbc")
        plain, tied = os.path.join(tmp, "plain.onnx"), os.path.join(tmp, "tied.onnx")
        subprocess.run([translate, "--import-onnx", model_path, "-o", ir,
                        "--export-onnx-to", plain], check=True)
        subprocess.run([opt, ir, "--loom-tie-weights", "--emit-bytecode", "-o", tied_ir], check=True)
        subprocess.run([translate, "--export-onnx", tied_ir, "-o", tied], check=True)
        original = onnx.load(model_path)
        dup_bytes, kinds = duplicates(original)
        plain_size, tied_size = os.path.getsize(plain), os.path.getsize(tied)
        # The tied graph adds view nodes (Slice, Concat, Mul and their constant
        # operands, named after the weight they rebuild): allow 2 KiB for them.
        size_ok = plain_size - tied_size >= dup_bytes - 2048 and (dup_bytes == 0 or tied_size < plain_size)
        feeds = {original.graph.input[0].name: x}
        expected, actual = run(model_path, feeds), run(tied, feeds)
        exact = not (kinds & {"transpose", "scale"})
        worst = 0.0
        same = len(expected) == len(actual)
        for e, a in zip(expected, actual):
            if exact:
                same &= e.dtype == a.dtype and e.shape == a.shape and e.tobytes() == a.tobytes()
            else:
                rel = float(np.max(np.abs(e - a)) / max(np.max(np.abs(e)), 1e-30))
                worst = max(worst, rel)
                same &= e.shape == a.shape and rel <= 1e-6
        ok = size_ok and same
        passed += ok
        failed += not ok
        print("%s %s: %d -> %d bytes (plain round trip %d; duplicates found by numpy: %d bytes %s); "
              "outputs %s" % ("PASS" if ok else "FAIL", name, os.path.getsize(model_path), tied_size,
                              plain_size, dup_bytes, sorted(kinds) or "none",
                              "bit-identical" if exact and same else "max rel. diff %.2e" % worst))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
