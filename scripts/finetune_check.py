#!/usr/bin/env python3
"""Checks `loomc diff` and `loomc compress --share-weights` on the
fine-tuned variants of scripts/make_finetunes.py, against numpy and ONNX
Runtime (never against Loom itself).

diff: for each pair, the tensors numpy finds different (same-name
initializers compared with array_equal) are exactly those loomc reports
changed, with the same max abs and relative L2; `--expect-frozen` passes on
the right fine-tune and fails on the wrong one naming exactly the tensor it
changed; the renamed and the transposed tensor are reported as such; a model
against its own Loom IR form is identical.

share: five BERT fine-tunes compressed together: the output folder is at
most 1.3x one model's size, and ONNX Runtime gives every variant outputs
identical to its original's.

mixed (where TorchScript import is built): the ONNX and the TorchScript
export of one ResNet-18 differ only by TorchScript's num_batches_tracked.

  scripts/finetune_check.py LOOMC WORKDIR [diff|share|mixed]...
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1


def initializers(path):
    model = onnx.load(path)
    return {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}


def numpy_changes(base, other):
    """name -> (max abs, rel L2) of same-name tensors that differ."""
    a, b = initializers(base), initializers(other)
    changed = {}
    for name in sorted(set(a) & set(b)):
        x, y = a[name], b[name]
        if x.shape == y.shape and np.array_equal(x, y):
            continue
        d = (y.astype(np.float64) - x.astype(np.float64)).ravel()
        norm = np.linalg.norm(x.astype(np.float64))
        changed[name] = (float(np.abs(d).max()),
                         float(np.linalg.norm(d) / norm) if norm else
                         float("inf"))
    return changed


def loomc_diff(loomc, base, other, *extra):
    run = subprocess.run([loomc, "diff", base, other, "--json", *extra],
                         capture_output=True, text=True)
    return run, (json.loads(run.stdout) if run.returncode == 0 else None)


def check_diff(loomc, work):
    p = lambda name: os.path.join(work, name + ".onnx")  # noqa: E731
    pairs = [("resnet18", "resnet18-tuned"), ("resnet18", "resnet18-wrong")]
    pairs += [("bert", f"bert-ft{k}") for k in range(1, 6)]
    for base, other in pairs:
        run, report = loomc_diff(loomc, p(base), p(other))
        if report is None:
            check(False, f"diff {base} {other}: {run.stderr.strip()}")
            continue
        want = numpy_changes(p(base), p(other))
        got = {t["name"]: t for t in report["tensors"]
               if t["change"] not in ("identical",)}
        check(set(got) == set(want),
              f"diff {base} {other}: changed {sorted(got)} == numpy's "
              f"{sorted(want)}")
        for name, (max_abs, rel) in want.items():
            t = got.get(name)
            close = t is not None and t["change"] == "changed" and \
                np.isclose(t["max_abs"], max_abs, rtol=1e-6) and \
                (np.isclose(t["rel_l2"], rel, rtol=1e-5) if rel != float("inf")
                 else t["rel_l2"] == "inf")
            check(close, f"  {name}: max abs {t and t.get('max_abs')} vs "
                         f"{max_abs:.6g}, rel L2 {t and t.get('rel_l2')} vs "
                         f"{rel:.6g}")

    # --expect-frozen: the backbone of the right fine-tune is unchanged;
    # the wrong one changed exactly layer1.0.conv1.weight.
    backbone = ["conv1.*", "bn1.*", "layer*"]
    run = subprocess.run([loomc, "diff", p("resnet18"), p("resnet18-tuned"),
                          "-o", os.devnull, "--expect-frozen", *backbone],
                         capture_output=True, text=True)
    check(run.returncode == 0 and not run.stderr,
          f"--expect-frozen passes on the right fine-tune (exit "
          f"{run.returncode}) {run.stderr.strip()}")
    run = subprocess.run([loomc, "diff", p("resnet18"), p("resnet18-wrong"),
                          "-o", os.devnull, "--expect-frozen", *backbone],
                         capture_output=True, text=True)
    lines = run.stderr.strip().splitlines()
    check(run.returncode == 1 and len(lines) == 1 and
          "'layer1.0.conv1.weight' changed" in lines[0],
          f"--expect-frozen fails on the wrong one, one line naming the "
          f"tensor: {lines}")

    # Renamed, and renamed + transposed (with the Gemm's transB changed).
    run, report = loomc_diff(loomc, p("resnet18"), p("resnet18-renamed"))
    tensors = {t["name"]: t for t in report["tensors"]} if report else {}
    conv = tensors.get("layer4.1.conv2.weight", {})
    check(conv.get("change") == "renamed" and
          conv.get("other_name") == "backbone.last_conv.weight" and
          conv.get("view") == "exact",
          f"renamed tensor reported as renamed: {conv}")
    fc = tensors.get("fc.weight", {})
    check(fc.get("change") == "renamed" and
          fc.get("other_name") == "classifier.weight_t" and
          fc.get("view") == "transpose, perm [1, 0]",
          f"transposed tensor reported as renamed + transposed: {fc}")
    graph = report["graph"] if report else []
    check(any(g["kind"] == "changed" and "attribute transB" in g["what"]
              for g in graph), f"the Gemm's transB change is in the graph "
                               f"section: {graph}")
    check(report is not None and report["counts"]["changed"] == 0 and
          report["counts"]["identical"] == len(tensors) - 2,
          "everything else identical")

    # Mixed formats: the ONNX model against its Loom IR.
    mlir = os.path.join(work, "bert.mlir")
    subprocess.run([loomc, "compress", p("bert"), "-o", mlir],
                   check=True, capture_output=True)
    run, report = loomc_diff(loomc, p("bert"), mlir)
    check(report is not None and
          report["counts"]["identical"] == len(report["tensors"]) and
          not report["graph"],
          "bert.onnx against its .mlir: every tensor identical, no graph "
          "change")


def check_mixed(loomc, work):
    """ONNX against TorchScript: the same network, exported two ways."""
    run, report = loomc_diff(loomc, os.path.join(work, "resnet18.onnx"),
                             os.path.join(work, "resnet18.pt"),
                             "--input-types", "1x3x64x64xf32")
    if report is None:
        check(False, f"diff resnet18.onnx resnet18.pt: {run.stderr.strip()}")
        return
    counts = report["counts"]
    added = {t["name"] for t in report["tensors"] if t["change"] == "added"}
    check(counts["identical"] == 102 and counts["changed"] == 0 and
          counts["removed"] == 0 and
          all(n.endswith("num_batches_tracked") for n in added),
          f"resnet18.onnx against resnet18.pt: {counts['identical']} "
          f"identical, only the {len(added)} num_batches_tracked buffers "
          f"TorchScript keeps added")


def main():
    loomc, work = sys.argv[1], sys.argv[2]
    parts = sys.argv[3:] or ["diff", "share"]
    if "diff" in parts:
        check_diff(loomc, work)
    if "mixed" in parts:
        check_mixed(loomc, work)
    if "share" in parts:
        check_share(loomc, work)
    print(f"{failures} failure(s)")
    sys.exit(1 if failures else 0)


def ort_outputs(path, feeds):
    import onnxruntime as ort
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def folder_bytes(folder):
    return sum(os.path.getsize(os.path.join(folder, f))
               for f in os.listdir(folder))


def check_share(loomc, work):
    p = lambda name: os.path.join(work, name + ".onnx")  # noqa: E731
    rng = np.random.default_rng(0)
    ids = {"ids": rng.integers(0, 4000, (2, 16)).astype(np.int64)}
    image = {"x": rng.random((2, 3, 64, 64), dtype=np.float32)}

    # Five fine-tunes of one backbone: stored about once.
    variants = [f"bert-ft{k}" for k in range(1, 6)]
    out = os.path.join(work, "fleet")
    shutil.rmtree(out, ignore_errors=True)
    report = os.path.join(work, "fleet.json")
    run = subprocess.run([loomc, "compress", *map(p, variants),
                          "--share-weights", "-o", out, "--report", report],
                         capture_output=True, text=True)
    print(run.stdout, end="")
    check(run.returncode == 0, f"compress --share-weights of 5 BERT "
                               f"fine-tunes (exit {run.returncode}) "
                               f"{run.stderr.strip()}")
    if run.returncode != 0:
        return
    one = os.path.getsize(p("bert-ft1"))
    total = folder_bytes(out)
    separate = sum(os.path.getsize(p(v)) for v in variants)
    print(f"     5 separate files: {separate:,} bytes; shared folder: "
          f"{total:,} bytes = {total / one:.3f}x one model ({one:,})")
    check(total <= 1.3 * one, f"the shared folder is <= 1.3x one model "
                              f"({total / one:.3f}x)")
    for v in variants:
        want = ort_outputs(p(v), ids)
        got = ort_outputs(os.path.join(out, v + ".onnx"), ids)
        same = all(np.array_equal(a, b) for a, b in zip(want, got))
        check(same, f"{v}: ONNX Runtime outputs identical to the original's")
    data = json.load(open(report))
    check(sum(m["shared_bytes_read"] > 0 for m in data["models"]) == 5 and
          data["bytes_after"] == total,
          f"the report's bytes after ({data['bytes_after']:,}) are the "
          f"folder's ({total:,})")

    # A view across models: resnet18-renamed stores fc.weight transposed;
    # it becomes a Transpose of the base's tensor, stored once.
    out = os.path.join(work, "fleet-r18")
    report = os.path.join(work, "fleet-r18.json")
    run = subprocess.run([loomc, "compress", p("resnet18"),
                          p("resnet18-renamed"), "--share-weights", "-o", out,
                          "--report", report], capture_output=True, text=True)
    print(run.stdout, end="")
    check(run.returncode == 0, f"compress --share-weights of ResNet-18 and "
                               f"its renamed copy {run.stderr.strip()}")
    if run.returncode != 0:
        return
    data = json.load(open(report))
    renamed = data["models"][1]
    check(renamed["views_of_other_models"] == {"transpose": 1} and
          renamed["own_bytes_after"] < 200_000,
          f"the transposed fc.weight became a view: "
          f"{renamed['views_of_other_models']}, own bytes "
          f"{renamed['own_bytes_after']:,}")
    for name in ("resnet18", "resnet18-renamed"):
        want = ort_outputs(p(name), image)
        got = ort_outputs(os.path.join(out, name + ".onnx"), image)
        same = all(np.array_equal(a, b) for a, b in zip(want, got))
        check(same, f"{name}: ONNX Runtime outputs identical to the "
                    f"original's")


if __name__ == "__main__":
    main()
