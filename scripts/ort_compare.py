#!/usr/bin/env python3
"""Runs two ONNX models in ONNX Runtime on the same random inputs and
compares every output: max |difference|, relative L2 error, cosine.

  ort_compare.py REFERENCE.onnx CANDIDATE.onnx [--seed N] [--int-high N]
                 [--atol X] [--rtol X] [--label TEXT]

Float inputs are standard normal, integer inputs uniform in [0, int-high);
symbolic dimensions are 1. Exit 1 when an output differs by more than
atol + rtol * max|reference|, or when the outputs do not match in number,
shape or dtype.
"""
import argparse
import sys

import numpy as np
import onnxruntime as ort


def feeds_for(session, rng, int_high):
    feeds = {}
    for arg in session.get_inputs():
        shape = [d if isinstance(d, int) and d > 0 else 1 for d in arg.shape]
        kind = arg.type[len("tensor("):-1]
        if kind in ("float", "double", "float16"):
            dtype = {"float": np.float32, "double": np.float64, "float16": np.float16}[kind]
            feeds[arg.name] = rng.standard_normal(shape).astype(dtype)
        elif kind in ("int64", "int32", "int8", "uint8", "int16"):
            feeds[arg.name] = rng.integers(0, int_high, shape).astype(np.dtype(kind))
        elif kind == "bool":
            feeds[arg.name] = rng.integers(0, 2, shape).astype(bool)
        else:
            sys.exit("input %s: type %s not supported" % (arg.name, arg.type))
    return feeds


def main():
    p = argparse.ArgumentParser()
    p.add_argument("reference")
    p.add_argument("candidate")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--int-high", type=int, default=16)
    p.add_argument("--atol", type=float, default=0.0)
    p.add_argument("--rtol", type=float, default=1e-5)
    p.add_argument("--label", default="ONNX Runtime")
    args = p.parse_args()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    sessions = [ort.InferenceSession(m, options, providers=["CPUExecutionProvider"])
                for m in (args.reference, args.candidate)]
    feeds = feeds_for(sessions[0], np.random.default_rng(args.seed), args.int_high)
    ref, cand = (s.run(None, feeds) for s in sessions)
    if len(ref) != len(cand):
        sys.exit("%d outputs vs %d" % (len(ref), len(cand)))
    ok = True
    for index, (r, c) in enumerate(zip(ref, cand)):
        if r.shape != c.shape or r.dtype != c.dtype:
            print("output %d: %s %s vs %s %s" % (index, r.dtype, r.shape, c.dtype, c.shape))
            ok = False
            continue
        r64, c64 = r.astype(np.float64), c.astype(np.float64)
        diff = float(np.max(np.abs(r64 - c64))) if r.size else 0.0
        scale = float(np.max(np.abs(r64))) if r.size else 0.0
        l2 = float(np.linalg.norm(r64 - c64) / max(np.linalg.norm(r64), 1e-30))
        cosine = float(np.dot(r64.ravel(), c64.ravel()) /
                       max(np.linalg.norm(r64) * np.linalg.norm(c64), 1e-30))
        good = diff <= args.atol + args.rtol * scale
        ok &= good
        print("%s output %d %s: max |difference| = %g, relative L2 = %g, cosine = %.9f%s"
              % (args.label, index, list(r.shape), diff, l2, cosine, "" if good else "  FAIL"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
