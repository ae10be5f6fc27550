#!/usr/bin/env python3
"""Checks `loomc stats --json` value statistics against numpy's.

  check_stats_numpy.py LOOMC WORKDIR

Writes an ONNX model with tensors of several dtypes and sizes (the float32
one of 5M elements spans two parallel chunks and the vectorized loop, others
hit the scalar tails), with zeros, NaN and Inf, then compares per tensor:
count, zeros, NaN, Inf, min, max, mean, std (relative 1e-6) and, with
--exact-histograms, the histogram (numpy.histogram over [min, max]; a value
on a bin edge may land one bin over, so each bin may differ by the few values
numpy puts on its edges). Prints one line per tensor and 'N passed, N failed'.
"""
import json
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def tensors():
    rng = np.random.default_rng(3)
    big = rng.standard_normal(5_000_003).astype(np.float32)
    big[::97] = 0
    big[12345] = np.nan
    big[4_200_000] = np.inf
    big[4_200_001] = -np.inf
    small = rng.uniform(-3, 5, 4099).astype(np.float32)
    small[-1] = np.nan
    half = rng.standard_normal((64, 129)).astype(np.float16)
    half[0, 0] = np.inf
    double = rng.standard_normal(10_000).astype(np.float64)
    int8 = rng.integers(-128, 128, 50_000).astype(np.int8)
    int64 = rng.integers(-10**12, 10**12, 3_000).astype(np.int64)
    return {"big": big, "small": small, "half": half, "double": double, "int8": int8,
            "int64": int64}


def main():
    loomc, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    arrays = tensors()
    nodes, outputs = [], []
    for name, a in arrays.items():
        nodes.append(helper.make_node("Identity", [name], [name + "_out"]))
        outputs.append(helper.make_tensor_value_info(
            name + "_out", helper.np_dtype_to_tensor_dtype(a.dtype), list(a.shape)))
    graph = helper.make_graph(nodes, "stats", [], outputs,
                              [numpy_helper.from_array(a, n) for n, a in arrays.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path = os.path.join(work, "stats.onnx")
    onnx.save(model, path)
    report = {}
    for exact in (True, False):
        args = [loomc, "stats", "--json", path, "--quiet"] + (["--exact-histograms"] if exact else [])
        report[exact] = {t["name"]: t for t in json.loads(
            subprocess.run(args, check=True, capture_output=True, text=True).stdout)["tensors"]}
    passed = failed = 0
    for name, a in arrays.items():
        t = report[True][name]
        flat = a.astype(np.float64).ravel()
        finite = flat[np.isfinite(flat)]
        problems = []

        def close(key, expected, rtol=1e-6, atol=1e-9):
            if not abs(t[key] - expected) <= atol + rtol * abs(expected):
                problems.append("%s %r vs numpy %r" % (key, t[key], expected))

        for key, expected in (("params", flat.size), ("nan", int(np.isnan(flat).sum())),
                              ("inf", int(np.isinf(flat).sum())),
                              ("sparsity", float((flat == 0).sum()) / flat.size)):
            close(key, expected)
        close("min", finite.min()), close("max", finite.max())
        close("mean", finite.mean(), atol=1e-7), close("std", finite.std())
        counts, edges = np.histogram(finite, bins=len(t["histogram"]),
                                     range=(finite.min(), finite.max()))
        on_edges = int(np.isin(finite, edges).sum())
        diff = np.abs(np.array(t["histogram"]) - counts)
        if sum(t["histogram"]) != finite.size or diff.max() > on_edges:
            problems.append("histogram differs by up to %d (numpy edge values: %d)"
                            % (diff.max(), on_edges))
        sampled = report[False][name]
        expected_elements = flat.size if flat.size <= 262144 else 262144
        if sampled["histogram_elements"] != expected_elements:
            problems.append("sampled histogram_elements %d, expected %d"
                            % (sampled["histogram_elements"], expected_elements))
        ok = not problems
        passed += ok
        failed += not ok
        print("%s %s (%s, %d elements)%s" % ("PASS" if ok else "FAIL", name, a.dtype, flat.size,
                                             "" if ok else ": " + "; ".join(problems)))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
