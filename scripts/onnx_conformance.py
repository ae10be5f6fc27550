#!/usr/bin/env python3
"""Round-trips ONNX models through Loom and compares ONNX Runtime's outputs.

For every model folder (model.onnx plus test_data_set_*/) under the given
roots, and every *.onnx file with no test data beside it:

  1. loom-translate --import-onnx model.onnx -o m.mlirbc
  2. loom-translate --export-onnx m.mlirbc -o out.onnx
  3. the ONNX checker (pip onnx) must accept out.onnx when it accepts the
     original;
  4. ONNX Runtime (one thread) runs the original and out.onnx on every
     test_data_set_* (or on seeded random inputs when there is none); the
     outputs must be bit-identical (same dtype, shape and bytes; NaNs equal).

Models that ONNX Runtime cannot run in their original form are listed with
ORT's reason and counted apart. The last line is `N passed, N failed`.
"""
import argparse
import glob
import multiprocessing
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

ort.set_default_logger_severity(3)


def session(path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    # Default optimizations: an export that makes ORT fuse differently shows.
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def load_value(path, type_string):
    data = open(path, "rb").read()
    if type_string.startswith("seq("):
        proto = onnx.SequenceProto()
        proto.ParseFromString(data)
        return numpy_helper.to_list(proto)
    if type_string.startswith("optional("):
        proto = onnx.OptionalProto()
        proto.ParseFromString(data)
        return numpy_helper.to_optional(proto)
    if type_string.startswith("map("):
        proto = onnx.MapProto()
        proto.ParseFromString(data)
        return numpy_helper.to_dict(proto)
    proto = onnx.TensorProto()
    proto.ParseFromString(data)
    return numpy_helper.to_array(proto)


NP_TYPES = {
    "tensor(float)": np.float32, "tensor(double)": np.float64,
    "tensor(float16)": np.float16, "tensor(int64)": np.int64,
    "tensor(int32)": np.int32, "tensor(int16)": np.int16,
    "tensor(int8)": np.int8, "tensor(uint8)": np.uint8,
    "tensor(uint16)": np.uint16, "tensor(uint32)": np.uint32,
    "tensor(uint64)": np.uint64, "tensor(bool)": np.bool_,
}


def random_inputs(sess, seed=0):
    rng = np.random.default_rng(seed)
    feeds = {}
    for inp in sess.get_inputs():
        dtype = NP_TYPES.get(inp.type)
        if dtype is None:
            return None
        shape = [d if isinstance(d, int) and d > 0 else 1 for d in inp.shape]
        if dtype == np.bool_:
            feeds[inp.name] = rng.integers(0, 2, size=shape).astype(np.bool_)
        elif np.issubdtype(dtype, np.integer):
            feeds[inp.name] = rng.integers(0, 3, size=shape).astype(dtype)
        else:
            feeds[inp.name] = rng.standard_normal(shape).astype(dtype)
    return [feeds]


def identical(a, b):
    if isinstance(a, list) or isinstance(b, list):
        return (isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
                and all(identical(x, y) for x, y in zip(a, b)))
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, dict) or isinstance(b, dict):
        return a.keys() == b.keys() and all(identical(a[k], b[k]) for k in a)
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype == object:
        return a.tolist() == b.tolist()
    return a.tobytes() == b.tobytes()


def check_one(args):
    model, translate, pipeline = args
    folder = os.path.dirname(model)
    with tempfile.TemporaryDirectory() as tmp:
        ir = os.path.join(tmp, "m.mlirbc")
        out = os.path.join(tmp, "out.onnx")
        steps = [[translate, "--import-onnx", model, "-o", ir]]
        if pipeline:
            opt = os.path.join(os.path.dirname(translate), "loom-opt")
            optimized = os.path.join(tmp, "opt.mlirbc")
            steps.append([opt, ir, "--pass-pipeline=builtin.module(%s)" % pipeline,
                          "--emit-bytecode", "-o", optimized])
            ir = optimized
        steps.append([translate, "--export-onnx", ir, "-o", out])
        for cmd in steps:
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                return ("fail", model, "%s: %s" % (cmd[1], proc.stderr.strip()[:400]))
        try:
            onnx.checker.check_model(model)
            original_checks = True
        except Exception:
            original_checks = False
        if original_checks:
            try:
                onnx.checker.check_model(out)
            except Exception as e:
                return ("fail", model, "checker: %s" % str(e).splitlines()[0][:300])
        try:
            reference = session(model)
        except Exception as e:
            return ("ort", model, str(e).splitlines()[0][:300])
        try:
            candidate = session(out)
        except Exception as e:
            return ("fail", model, "ORT refuses the export: %s" % str(e).splitlines()[0][:300])
        feeds_list = []
        inputs = reference.get_inputs()
        sets = sorted(glob.glob(os.path.join(folder, "test_data_set_*")))
        if os.path.basename(model) == "model.onnx" and sets:
            for data_set in sets:
                files = sorted(glob.glob(os.path.join(data_set, "input_*.pb")),
                               key=lambda p: int(p.rsplit("_", 1)[1][:-3]))
                feeds = {}
                for inp, path in zip(inputs, files):
                    feeds[inp.name] = load_value(path, inp.type)
                feeds_list.append(feeds)
        else:
            feeds_list = random_inputs(reference)
            if feeds_list is None:
                return ("ort", model, "no test data and inputs of types random data cannot fill")
        for feeds in feeds_list:
            try:
                expected = reference.run(None, feeds)
            except Exception as e:
                return ("ort", model, "run: " + str(e).splitlines()[0][:300])
            try:
                actual = candidate.run(None, feeds)
            except Exception as e:
                return ("fail", model, "ORT fails on the export: %s" % str(e).splitlines()[0][:300])
            if len(expected) != len(actual):
                return ("fail", model, "output count differs")
            for i, (e, a) in enumerate(zip(expected, actual)):
                if not identical(e, a):
                    return ("fail", model, "output %d differs" % i)
    return ("pass", model, "")


def find_models(roots):
    models = []
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith(".onnx"):
                    models.append(os.path.join(dirpath, name))
    return models


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loom-translate", required=True)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--verbose", action="store_true", help="list every model")
    parser.add_argument("--pipeline", default="",
                        help="a loom-opt pass pipeline run between import and export")
    parser.add_argument("roots", nargs="+", help="folders searched for *.onnx")
    args = parser.parse_args()
    models = find_models(args.roots)
    with multiprocessing.Pool(args.jobs) as pool:
        results = pool.map(check_one, [(m, args.loom_translate, args.pipeline) for m in models],
                           chunksize=4)
    counts = {"pass": 0, "fail": 0, "ort": 0}
    for status, model, reason in results:
        counts[status] += 1
        if status == "fail" or args.verbose:
            print("%s: %s %s" % (status.upper(), model, reason))
    ort_skipped = [(m, r) for s, m, r in results if s == "ort"]
    if ort_skipped:
        print("\nNot runnable by ONNX Runtime in their original form (%d):" % len(ort_skipped))
        for model, reason in ort_skipped:
            print("  %s: %s" % (model, reason))
    print("\n%d models; %d not runnable by ONNX Runtime" % (len(models), counts["ort"]))
    print("%d passed, %d failed" % (counts["pass"], counts["fail"]))
    return 1 if counts["fail"] or counts["pass"] == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
