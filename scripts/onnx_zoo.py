#!/usr/bin/env python3
"""The real-exporter ONNX zoo: exports each model (scripts/onnx_zoo_models.py)
and runs it through Loom (scripts/onnx_zoo_check.py: round trip, the usual
passes, loomc stats, loomc compress --tie; bit-identical ONNX Runtime outputs).

    .venv/bin/python scripts/onnx_zoo.py --loom-bin build/bin --cache build/zoo/default
    .venv/bin/python scripts/onnx_zoo.py --loom-bin build/bin --cache build/zoo/full --full

One line per model (`NAME: ok (...)`, `NAME: FAILED STEP: reason`, or why it
never reached Loom), then `N passed, N failed`.

Exported files are cached in --cache and reused while this script and the
model list are unchanged (their hash is in CACHE/.generator); a variant
PyTorch's exporter refuses is remembered there too (export-failures.txt).
`--full` (every model, opsets 11/13/17, with and without constant folding:
well over 100 GB) deletes each model after checking it unless --keep.
"""
import argparse
import hashlib
import multiprocessing
import os
import re
import shutil
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import onnx_zoo_models as zoo  # noqa: E402  (imports no torch until a model is built)


def work(job):
    name, opset, fold, cache, bin_dir, keep = job
    from onnx_zoo_check import check_model
    variant = zoo.variant_name(name, opset, fold)
    # A folder each: PyTorch writes the weights of a model over 2 GB as
    # external files beside it.
    folder = os.path.join(cache, variant)
    path = os.path.join(folder, variant + ".onnx")
    start = time.time()
    if not os.path.exists(path):
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        refused = zoo.export(name, opset, fold, path)
        if refused:
            return variant, "refused", refused, time.time() - start
    exported = time.time() - start
    _, status, reason, _ = check_model((path, bin_dir))
    if not keep:
        shutil.rmtree(folder)
    return variant, status, reason, (exported, time.time() - start - exported)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loom-bin", required=True, help="folder of loom-translate, loom-opt, loomc")
    parser.add_argument("--cache", required=True, help="folder for the exported models")
    parser.add_argument("--full", action="store_true",
                        help="every model at opsets 11, 13, 17, with and without folding")
    parser.add_argument("--keep", action="store_true",
                        help="with --full: keep the exported models (the default set is always kept)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--only", default="", help="a regex over variant names")
    parser.add_argument("--list", action="store_true", help="print the variants and stop")
    args = parser.parse_args()

    jobs = list(zoo.FULL if args.full else zoo.DEFAULT)
    if args.only:
        jobs = [j for j in jobs if re.search(args.only, zoo.variant_name(*j))]
    if args.list:
        for job in jobs:
            print(zoo.variant_name(*job))
        return 0

    cache = os.path.abspath(args.cache)
    os.makedirs(cache, exist_ok=True)
    digest = hashlib.sha256(open(os.path.join(here, "onnx_zoo_models.py"), "rb").read()).hexdigest()
    stamp = os.path.join(cache, ".generator")
    if not os.path.exists(stamp) or open(stamp).read() != digest:
        for entry in os.listdir(cache):
            entry = os.path.join(cache, entry)
            if os.path.isdir(entry):
                shutil.rmtree(entry)
            elif entry.endswith("export-failures.txt"):
                os.remove(entry)
        with open(stamp, "w") as f:
            f.write(digest)
    refused_path = os.path.join(cache, "export-failures.txt")
    refused = {}
    if os.path.exists(refused_path):
        for line in open(refused_path):
            variant, _, reason = line.rstrip("\n").partition(": ")
            refused[variant] = reason
    todo = [j for j in jobs if zoo.variant_name(*j) not in refused]
    cached = sum(os.path.exists(os.path.join(cache, v, v + ".onnx"))
                 for v in (zoo.variant_name(*j) for j in todo))
    print("[zoo] %d variants: %d cached, %d to export, %d refused by the exporter before; %d jobs"
          % (len(jobs), cached, len(todo) - cached, len(jobs) - len(todo), args.jobs), flush=True)

    start = time.time()
    keep = args.keep or not args.full
    counts = {"pass": 0, "fail": 0, "ort": 0}
    lines = []
    export_seconds = check_seconds = 0.0
    # The biggest models first keeps both workers busy to the end; spawn, so
    # that no worker inherits another's threads; a fresh worker every few
    # models keeps PyTorch's memory from piling up.
    todo.sort(key=lambda j: (j[0].startswith(("scripted", "lstm", "gru", "transformer",
                                               "multihead")), j))
    with multiprocessing.get_context("spawn").Pool(args.jobs, maxtasksperchild=4) as pool:
        for variant, status, reason, seconds in pool.imap_unordered(
                work, [j + (cache, args.loom_bin, keep) for j in todo]):
            if status == "refused":
                shutil.rmtree(os.path.join(cache, variant), ignore_errors=True)
                refused[variant] = reason
                line = "%s: refused by PyTorch's exporter, never reached Loom: %s" % (variant, reason)
            else:
                counts[status] += 1
                export_seconds += seconds[0]
                check_seconds += seconds[1]
                if status == "pass":
                    line = "%s: ok (%s; export %.1f s, Loom and ORT %.1f s)" % (
                        variant, reason, seconds[0], seconds[1])
                elif status == "ort":
                    line = "%s: ok through Loom; not runnable by ONNX Runtime: %s" % (variant, reason)
                else:
                    line = "%s: FAILED %s" % (variant, reason)
            lines.append(line)
            print(line, flush=True)
    with open(refused_path, "w") as f:
        for variant, reason in sorted(refused.items()):
            f.write("%s: %s\n" % (variant, reason))

    print("\n[zoo] summary, sorted:")
    for line in sorted(lines):
        print("  " + line)
    previously = [v for v in (zoo.variant_name(*j) for j in jobs) if v in refused
                  and not any(l.startswith(v + ":") for l in lines)]
    for variant in previously:
        print("  %s: refused by PyTorch's exporter (earlier run): %s" % (variant, refused[variant]))
    total_refused = sum(1 for j in jobs if zoo.variant_name(*j) in refused)
    print("\n%d variants in %.0f s (export %.0f s, Loom and ONNX Runtime %.0f s, summed over "
          "workers); %d refused by PyTorch's exporter; %d not runnable by ONNX Runtime"
          % (len(jobs), time.time() - start, export_seconds, check_seconds, total_refused,
             counts["ort"]))
    print("%d passed, %d failed" % (counts["pass"] + counts["ort"], counts["fail"]))
    return 1 if counts["fail"] or not (counts["pass"] + counts["ort"]) else 0


if __name__ == "__main__":
    sys.exit(main())
