#!/usr/bin/env python3
"""Loom's CPU code against ONNX's backend node tests.

For every node test (a folder with model.onnx and test_data_set_*/ of
input_*.pb / output_*.pb) under the given roots: runs `loomc run model.onnx
--input NAME=input_N.pb ... -d OUT` (loomc reads ONNX's TensorProto files),
and compares
each output with the expected one (rtol 1e-3, atol 1e-5; integers and bools
exactly; NaN equals NaN; shapes and dtypes must match).

A test is `unsupported` when loomc refuses an op (`unsupported op ...`, exit
1): the lowering has no form for that op or attribute yet; its reason is
listed. Every other outcome counts: `pass` or `fail`. Prints one line per
failure, a per-op table (--table FILE writes it as Markdown), and ends with
`N passed, N failed, N unsupported`.

  onnx_node_conformance.py --loomc build/bin/loomc ROOT... [--filter REGEX]
"""
import argparse
import collections
import glob
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

RTOL, ATOL = 1e-3, 1e-5
LOOMC = None
ORT = False


def load_pb(path):
    """A TensorProto file's name and value; sequences, maps and optionals
    (other protos in the same files) raise NotATensor."""
    tensor = onnx.TensorProto()
    with open(path, "rb") as f:
        data = f.read()
    try:
        tensor.ParseFromString(data)
        return tensor.name, numpy_helper.to_array(tensor)
    except Exception as error:  # noqa: BLE001
        raise NotATensor(str(error)) from error


def close(got, want):
    if got.shape != want.shape:
        return f"shape {got.shape}, expected {want.shape}"
    if got.dtype != want.dtype:
        return f"dtype {got.dtype}, expected {want.dtype}"
    if want.dtype.kind in "fc":
        ok = np.allclose(got, want, rtol=RTOL, atol=ATOL, equal_nan=True)
    else:
        ok = np.array_equal(got, want)
    if ok:
        return None
    diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
    return f"max abs difference {np.nanmax(diff):.3g}"


def against_ort(model_path, feeds, outputs):
    """Loom's outputs against ONNX Runtime's on the same inputs: (None,
    None) when they agree, (why, None) when they differ, (None, reason)
    when ORT cannot run the model (counted apart)."""
    import onnxruntime as ort
    model = onnx.load(model_path)
    try:
        try:
            session = ort.InferenceSession(model.SerializeToString(),
                                           providers=["CPUExecutionProvider"])
        except Exception as error:  # noqa: BLE001
            # Node tests declare the newest opset, which this ORT may not
            # implement yet: the same graph at opset 21 (QuantizeLinear's
            # and DequantizeLinear's form with blocks, int16 and
            # output_dtype), when the model declares a newer one.
            default = [o for o in model.opset_import if o.domain in ("", "ai.onnx")]
            if "NOT_IMPLEMENTED" not in str(error) or not default or \
                    default[0].version <= 21:
                raise
            default[0].version = 21
            session = ort.InferenceSession(model.SerializeToString(),
                                           providers=["CPUExecutionProvider"])
        names = [o.name for o in session.get_outputs()]
        theirs = session.run(names, feeds)
    except Exception as error:  # noqa: BLE001 - ORT's own limits
        return None, re.sub(r"\s+", " ", str(error))[:140]
    for name, value in zip(names, theirs):
        if name in outputs:
            problem = close(outputs[name], np.asarray(value))
            if problem:
                return (f"output '{name}' differs from ONNX Runtime's: "
                        f"{problem}"), None
    return None, None


def run_test(folder):
    """(name, op types, status, detail) for one node test folder."""
    try:
        return run_test_checked(folder)
    except subprocess.TimeoutExpired:
        return os.path.basename(folder), [], "fail", "timed out (300 s)"
    except NotATensor:
        return (os.path.basename(folder), [], "unsupported",
                "test data that is not a tensor (sequence, map, optional)")


class NotATensor(Exception):
    pass


def run_test_checked(folder):
    name = os.path.basename(folder)
    model_path = os.path.join(folder, "model.onnx")
    try:
        model = onnx.load(model_path)
    except Exception as error:  # noqa: BLE001 - reported, not raised
        return name, [], "fail", f"onnx cannot load it: {error}"
    ops = sorted({n.op_type for n in model.graph.node})
    data_sets = sorted(glob.glob(os.path.join(folder, "test_data_set_*")))
    # NumPy has no bfloat16: such tests cannot cross the .npy boundary.
    types = [v.type.tensor_type.elem_type
             for v in list(model.graph.input) + list(model.graph.output)]
    if onnx.TensorProto.BFLOAT16 in types:
        return name, ops, "unsupported", "bfloat16 inputs or outputs (no .npy dtype)"
    if not data_sets:
        return name, ops, "unsupported", "no test data"
    initializers = {i.name for i in model.graph.initializer}
    graph_inputs = [i.name for i in model.graph.input if i.name not in initializers]
    with tempfile.TemporaryDirectory() as work:
        for data_set in data_sets:
            outputs = {}
            args = [LOOMC, "run", model_path, "-q", "-d", work, "--threads", "1"]
            inputs = sorted(glob.glob(os.path.join(data_set, "input_*.pb")),
                            key=lambda p: int(re.findall(r"\d+", os.path.basename(p))[0]))
            feeds = {}
            for index, path in enumerate(inputs):
                tensor_name, value = load_pb(path)
                feeds[tensor_name or (graph_inputs[index] if index < len(graph_inputs) else str(index))] = value
                if value.dtype == object:
                    return name, ops, "unsupported", "string tensors"
                # The .pb file itself: loomc reads ONNX's test data format.
                key = tensor_name or (graph_inputs[index] if index < len(graph_inputs) else str(index))
                args += ["--input", f"{key}={path}"]
            run = subprocess.run(args, capture_output=True, text=True, timeout=300)
            if run.returncode != 0:
                message = (run.stderr.strip().splitlines() or ["?"])[-1]
                lines = run.stderr.strip().splitlines()
                refused = [l for l in lines if "unsupported op" in l or
                           "which compiled code cannot" in l or
                           "cannot be passed to compiled code" in l or
                           "has no Loom element type" in l]
                if refused:
                    reason = re.sub(r"^.*?error: ", "", refused[0])
                    return name, ops, "unsupported", reason
                return name, ops, "fail", f"exit {run.returncode}: {message}"
            for index, path in enumerate(sorted(
                    glob.glob(os.path.join(data_set, "output_*.pb")),
                    key=lambda p: int(re.findall(r"\d+", os.path.basename(p))[0]))):
                tensor_name, want = load_pb(path)
                out_name = tensor_name or model.graph.output[index].name
                safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in out_name)
                got_path = os.path.join(work, safe + ".npy")
                if not os.path.exists(got_path):
                    return name, ops, "fail", f"no output '{out_name}'"
                got = np.load(got_path)
                problem = close(got, want)
                if problem:
                    return name, ops, "fail", f"output '{out_name}': {problem}"
                outputs[out_name] = got
            if ORT:
                problem, skipped = against_ort(model_path, feeds, outputs)
                if problem:
                    return name, ops, "fail", problem
                if skipped:
                    return name, ops, "pass", "ONNX Runtime cannot run it: " + skipped
    return name, ops, "pass", "checked against ONNX Runtime" if ORT else ""


def main():
    global LOOMC
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loomc", required=True)
    parser.add_argument("--filter", default="")
    parser.add_argument("--table", help="write the per-op table as Markdown")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--all-kinds", action="store_true",
                        help="also the model tests (pytorch-converted, pytorch-operator, simple), not only node/")
    parser.add_argument("--pip-data", action="store_true",
                        help="also the test data of the onnx package this "
                             "Python imports (onnx/backend/test/data)")
    parser.add_argument("--ort", action="store_true",
                        help="also compare every passing test's outputs with "
                             "ONNX Runtime's on the same inputs")
    parser.add_argument("--list-passing", metavar="FILE",
                        help="write the folders of the passing tests, one "
                             "per line (scripts/make_gpu_artifacts.py)")
    parser.add_argument("roots", nargs="+")
    args = parser.parse_args()
    LOOMC = args.loomc
    global ORT
    ORT = args.ort
    if args.pip_data:
        import onnx
        args.roots.append(os.path.join(os.path.dirname(onnx.__file__),
                                       "backend", "test", "data"))
    folders, seen = [], set()
    for root in args.roots:
        for model in sorted(glob.glob(os.path.join(root, "**", "model.onnx"),
                                      recursive=True)):
            folder = os.path.dirname(model)
            name = os.path.basename(folder)
            if (not args.all_kinds and "/node/" not in folder + "/") or name in seen:
                continue
            if args.filter and not re.search(args.filter, name):
                continue
            seen.add(name)
            folders.append(folder)
    with multiprocessing.Pool(args.jobs) as pool:
        results = pool.map(run_test, folders, chunksize=4)
    if args.list_passing:
        with open(args.list_passing, "w") as f:
            for folder, (_, _, status, _) in zip(folders, results):
                if status == "pass":
                    f.write(folder + "\n")
    per_op = collections.defaultdict(lambda: collections.Counter())
    counts = collections.Counter()
    for name, ops, status, detail in results:
        counts[status] += 1
        for op in ops or ["?"]:
            per_op[op][status] += 1
        if status == "fail":
            print(f"FAIL {name}: {detail}")
    unsupported = collections.Counter(d for _, _, s, d in results if s == "unsupported")
    print("unsupported, by reason:")
    for reason, count in unsupported.most_common():
        print(f"  {count:4d}  {reason}")
    if args.ort:
        passed = [(n, d) for n, _, s, d in results if s == "pass"]
        skipped = [(n, d) for n, d in passed if d.startswith("ONNX Runtime cannot")]
        print(f"{len(passed) - len(skipped)} of {len(passed)} passing tests "
              f"also equal ONNX Runtime's outputs; ONNX Runtime cannot run "
              f"{len(skipped)}:")
        for name, detail in skipped:
            print(f"  {name}: {detail[len('ONNX Runtime cannot run it: '):]}")
    rows = ["| op | passed | failed | unsupported |", "|---|---|---|---|"]
    for op in sorted(per_op):
        c = per_op[op]
        rows.append(f"| {op} | {c['pass']} | {c['fail']} | {c['unsupported']} |")
    if args.table:
        with open(args.table, "w") as f:
            f.write("\n".join(rows) + "\n")
    print(f"{counts['pass']} passed, {counts['fail']} failed, "
          f"{counts['unsupported']} unsupported")
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
