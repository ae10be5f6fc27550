#!/usr/bin/env python3
"""Checks loomc's parameter counts against PyTorch's own, computed now.

  check_counts.py BUILD_BIN WORKDIR

Exports torchvision's ResNet-18 (BatchNorm kept) and a GPT-style LM with a
tied head (scripts/make_count_models.py), then compares `loomc stats --json`:
  total          = sum(p.numel() for p in model.parameters())
  buffers        = floating-point buffer elements (BatchNorm's integer
                   num_batches_tracked is not part of an eval-mode graph)
  unique_params  = elements of the distinct ONNX initializers that the
                   parameters' names resolve to (directly or through the
                   exporter's Identity nodes), found with pip's onnx
and, for the GPT exported with constant folding (the tied head written a
second time, transposed), the counts after `loomc compress --tie`.
Prints one line per check and 'N passed, N failed'.
"""
import json
import os
import subprocess
import sys

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_count_models  # noqa: E402


def loomc_stats(loomc, path):
    out = subprocess.run([loomc, "stats", "--json", "--bins", "0", path],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def unique_params(onnx_path, param_names):
    """Distinct initializers reached by PyTorch's parameter names."""
    model = onnx.load(onnx_path)
    sizes = {t.name: int(np.prod(t.dims)) for t in model.graph.initializer}
    source = {n.output[0]: n.input[0] for n in model.graph.node
              if n.op_type == "Identity" and n.input[0] in sizes or
              n.op_type == "Identity" and n.input[0] in
              {m.output[0] for m in model.graph.node if m.op_type == "Identity"}}
    reached = set()
    for name in param_names:
        while name in source:
            name = source[name]
        if name in sizes:
            reached.add(name)
    return sum(sizes[n] for n in reached), len(reached)


def main():
    bin_dir, work = sys.argv[1], sys.argv[2]
    loomc = os.path.join(bin_dir, "loomc")
    names = make_count_models.main(work)
    with open(os.path.join(work, "counts.json")) as f:
        torch_counts = json.load(f)
    passed = failed = 0

    def check(what, loom, torch_value):
        nonlocal passed, failed
        ok = loom == torch_value
        passed += ok
        failed += not ok
        print("%s %s: loomc %s, reference %s" % ("PASS" if ok else "FAIL", what, loom, torch_value))

    for model in ("resnet18", "gpt"):
        path = os.path.join(work, model + ".onnx")
        report = loomc_stats(loomc, path)
        ref = torch_counts[model]
        check(model + " total", report["total"], ref["total"])
        check(model + " buffers", report["buffers"], ref["buffers"])
        unique, tensors = unique_params(path, names[model])
        check(model + " unique_params (%d initializers)" % tensors, report["unique_params"], unique)

    folded = os.path.join(work, "gpt-folded.onnx")
    tied = os.path.join(work, "gpt-folded.tied.onnx")
    subprocess.run([loomc, "compress", folded, "-o", tied, "--tie", "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)
    before, after = loomc_stats(loomc, folded), loomc_stats(loomc, tied)
    check("gpt-folded total before tying (the transposed copy counts)",
          before["total"] > torch_counts["gpt-folded"]["total"], True)
    check("gpt-folded total after compress --tie", after["total"], torch_counts["gpt-folded"]["total"])
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
