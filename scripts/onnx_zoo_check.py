#!/usr/bin/env python3
"""Runs every model of a folder of ONNX files (scripts/onnx_zoo.py) through Loom and
compares ONNX Runtime's outputs with the original's:

  roundtrip  loom-translate --import-onnx, then --export-onnx
  passes     import, loom-opt PIPELINE (tying every size, canonicalize, shape
             inference), export
  stats      loomc stats MODEL --json (exit 0, a JSON report)
  compress   loomc compress MODEL -o OUT --tie

Every output must pass the ONNX checker when the original does, and give
bit-identical ONNX Runtime outputs (one thread, default optimizations, seeded
random inputs; same dtype, shape and bytes). A model ONNX Runtime cannot run
in its original form must still go through every Loom step; it is listed with
ORT's reason. One line per model (`NAME: ok` or `NAME: STEP: reason`), then
`N passed, N failed`.

    .venv/bin/python scripts/onnx_zoo_check.py --loom-bin build/bin ZOO_DIR
"""
import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time

import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_conformance import identical, random_inputs, session  # noqa: E402

PIPELINE = "loom-tie-weights{min-bytes=0},canonicalize,loom-infer-shapes{report-unknown=false}"


def first_line(text):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return (lines[0] if lines else "(no message)")[:300]


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return "%s exit %d: %s" % (os.path.basename(cmd[0]), proc.returncode,
                                   first_line(proc.stderr or proc.stdout))
    return None


def checks(path):
    try:
        onnx.checker.check_model(path)
        return True
    except Exception:
        return False


def check_model(job):
    model, bin_dir = job
    translate = os.path.join(bin_dir, "loom-translate")
    opt = os.path.join(bin_dir, "loom-opt")
    loomc = os.path.join(bin_dir, "loomc")
    start = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        ir = os.path.join(tmp, "m.mlirbc")
        opt_ir = os.path.join(tmp, "opt.mlirbc")
        outputs = {"roundtrip": os.path.join(tmp, "roundtrip.onnx"),
                   "passes": os.path.join(tmp, "passes.onnx"),
                   "compress": os.path.join(tmp, "compress.onnx")}
        steps = [
            ("roundtrip", [translate, "--import-onnx", model, "-o", ir]),
            ("roundtrip", [translate, "--export-onnx", ir, "-o", outputs["roundtrip"]]),
            ("passes", [opt, ir, "--pass-pipeline=builtin.module(%s)" % PIPELINE,
                        "--emit-bytecode", "-o", opt_ir]),
            ("passes", [translate, "--export-onnx", opt_ir, "-o", outputs["passes"]]),
            ("compress", [loomc, "compress", model, "-o", outputs["compress"], "--tie",
                          "--quiet"]),
        ]
        for step, cmd in steps:
            error = run(cmd)
            if error:
                return (model, "fail", "%s: %s" % (step, error), time.time() - start)
        proc = subprocess.run([loomc, "stats", model, "--json"], capture_output=True, text=True)
        if proc.returncode != 0:
            return (model, "fail", "stats: exit %d: %s" % (proc.returncode, first_line(proc.stderr)),
                    time.time() - start)
        try:
            report = json.loads(proc.stdout)
            params = report["total"]
        except Exception as e:
            return (model, "fail", "stats: no JSON report: %s" % e, time.time() - start)

        if checks(model):
            for step, path in outputs.items():
                try:
                    onnx.checker.check_model(path)
                except Exception as e:
                    return (model, "fail", "%s: checker: %s" % (step, first_line(str(e))),
                            time.time() - start)
        try:
            reference = session(model)
        except Exception as e:
            return (model, "ort", "ORT cannot load the original: " + first_line(str(e)),
                    time.time() - start)
        feeds_list = random_inputs(reference)
        if feeds_list is None:
            return (model, "ort", "inputs of types random data cannot fill", time.time() - start)
        try:
            expected = [reference.run(None, feeds) for feeds in feeds_list]
        except Exception as e:
            return (model, "ort", "ORT cannot run the original: " + first_line(str(e)),
                    time.time() - start)
        for step, path in outputs.items():
            try:
                candidate = session(path)
                actual = [candidate.run(None, feeds) for feeds in feeds_list]
            except Exception as e:
                return (model, "fail", "%s: ORT fails on Loom's output: %s"
                        % (step, first_line(str(e))), time.time() - start)
            for exp, act in zip(expected, actual):
                if len(exp) != len(act):
                    return (model, "fail", "%s: output count differs" % step, time.time() - start)
                for i, (e, a) in enumerate(zip(exp, act)):
                    if not identical(e, a):
                        return (model, "fail", "%s: output %d differs" % (step, i),
                                time.time() - start)
    return (model, "pass", "%d parameters" % params, time.time() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loom-bin", required=True, help="folder of loom-translate, loom-opt, loomc")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("zoo")
    args = parser.parse_args()
    models = sorted(os.path.join(args.zoo, f) for f in os.listdir(args.zoo) if f.endswith(".onnx"))
    start = time.time()
    counts = {"pass": 0, "fail": 0, "ort": 0}
    with multiprocessing.Pool(args.jobs) as pool:
        results = list(pool.imap(check_model, [(m, args.loom_bin) for m in models]))
    for model, status, reason, seconds in results:
        counts[status] += 1
        name = os.path.basename(model)[:-len(".onnx")]
        if status == "pass":
            print("%s: ok (%s; %.1f s)" % (name, reason, seconds))
        elif status == "ort":
            print("%s: ok through Loom; not runnable by ONNX Runtime: %s" % (name, reason))
        else:
            print("%s: FAILED %s" % (name, reason))
    refused = os.path.join(args.zoo, "export-failures.txt")
    if os.path.exists(refused):
        lines = [l.rstrip("\n") for l in open(refused) if l.strip()]
        if lines:
            print("\nRefused by PyTorch's exporter, never reached Loom (%d):" % len(lines))
            for line in lines:
                print("  " + line)
    print("\n%d models in %.0f s; %d not runnable by ONNX Runtime"
          % (len(models), time.time() - start, counts["ort"]))
    print("%d passed, %d failed" % (counts["pass"] + counts["ort"], counts["fail"]))
    return 1 if counts["fail"] or not models else 0


if __name__ == "__main__":
    sys.exit(main())
