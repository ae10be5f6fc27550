#!/usr/bin/env python3
"""Initializers of every ONNX data type and storage form survive a round trip.

Builds a model whose initializers cover float32/64, float16, bfloat16, the
float8 types, int4/uint4, bool, every integer width, complex, strings, raw_data
and the typed *_data fields, external data and a sparse initializer; runs
loom-translate --import-onnx / --export-onnx; and compares every initializer of
the export with the original through pip onnx's numpy_helper (so ONNX, not
Loom, decides what the bytes mean). Prints `N passed, N failed`.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

translate = sys.argv[1]
rng = np.random.default_rng(0)
inits = []


def add(name, array, raw=True, dtype=None):
    if dtype is None:
        t = numpy_helper.from_array(array, name)
        if not raw and t.HasField("raw_data"):
            t = helper.make_tensor(name, t.data_type, array.shape, array.flatten().tolist())
    else:
        t = helper.make_tensor(name, dtype, array.shape, array.flatten().tolist(), raw=raw)
    inits.append(t)


for n in (5, 40):  # small (inline dense) and large (blob)
    add("f32_%d" % n, rng.standard_normal(n).astype(np.float32))
    add("f32_typed_%d" % n, rng.standard_normal(n).astype(np.float32), raw=False)
    add("f64_%d" % n, rng.standard_normal(n))
    add("f16_%d" % n, rng.standard_normal(n).astype(np.float16))
    add("f16_typed_%d" % n, rng.standard_normal(n).astype(np.float16), raw=False)
    add("bf16_%d" % n, rng.standard_normal(n).astype(np.float32), raw=False, dtype=TensorProto.BFLOAT16)
    for dt in ("FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ"):
        add("%s_%d" % (dt.lower(), n), rng.standard_normal(n).astype(np.float32), raw=False,
            dtype=getattr(TensorProto, dt))
    add("int4_%d" % n, rng.integers(-8, 8, n + 1), raw=False, dtype=TensorProto.INT4)
    add("uint4_%d" % n, rng.integers(0, 16, n), raw=False, dtype=TensorProto.UINT4)
    add("bool_%d" % n, rng.integers(0, 2, n).astype(np.bool_))
    add("bool_typed_%d" % n, rng.integers(0, 2, n).astype(np.bool_), raw=False)
    for dt in (np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64):
        add("%s_%d" % (np.dtype(dt).name, n), rng.integers(0, 100, n).astype(dt))
        add("%s_typed_%d" % (np.dtype(dt).name, n), rng.integers(0, 100, n).astype(dt), raw=False)
    add("c64_%d" % n, (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(np.complex64))
    add("c128_%d" % n, rng.standard_normal(n) + 1j * rng.standard_normal(n))
    add("str_%d" % n, np.array(["s%d" % i for i in range(n)], dtype=object))
add("empty", np.zeros((0, 3), np.float32))
add("scalar", np.array(3.5, np.float32))

sparse = helper.make_sparse_tensor(
    numpy_helper.from_array(np.array([1.5, -2.0, 7.0], np.float32), "sparse"),
    numpy_helper.from_array(np.array([1, 5, 10], np.int64), "sparse_idx"), [3, 4])

graph = helper.make_graph(
    [helper.make_node("Identity", ["x"], ["y"])], "dtypes",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
    inits, sparse_initializer=[sparse])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
model.ir_version = 10

passed = failed = 0
with tempfile.TemporaryDirectory() as tmp:
    for external in (False, True):
        src = os.path.join(tmp, "src%d.onnx" % external)
        if external:
            onnx.save_model(model, src, save_as_external_data=True,
                            all_tensors_to_one_file=True, location="src1.bin", size_threshold=64)
        else:
            onnx.save_model(model, src)
        ir = os.path.join(tmp, "m%d.mlirbc" % external)
        out = os.path.join(tmp, "out%d.onnx" % external)
        subprocess.run([translate, "--import-onnx", src, "-o", ir], check=True)
        subprocess.run([translate, "--export-onnx", ir, "-o", out], check=True)
        original = onnx.load(src)
        exported = onnx.load(out)
        got = {t.name: t for t in exported.graph.initializer}
        for t in original.graph.initializer:
            expected = numpy_helper.to_array(t, base_dir=tmp)
            e = got.get(t.name)
            ok = e is not None and e.data_type == t.data_type and list(e.dims) == list(t.dims)
            if ok:
                actual = numpy_helper.to_array(e, base_dir=tmp)
                ok = (expected.dtype == actual.dtype and expected.shape == actual.shape and
                      (expected.tolist() == actual.tolist() if expected.dtype == object
                       else expected.tobytes() == actual.tobytes()))
            if ok:
                passed += 1
            else:
                failed += 1
                print("FAIL: %s (external=%s)" % (t.name, external))
        dense_sparse = [numpy_helper.to_array(s.values) for s in exported.graph.sparse_initializer]
        if len(exported.graph.sparse_initializer) == 1 and dense_sparse[0].tolist() == [1.5, -2.0, 7.0]:
            passed += 1
        else:
            failed += 1
            print("FAIL: sparse initializer (external=%s)" % external)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
