#!/usr/bin/env python3
"""Exports models for the parameter-counting tests and writes PyTorch's own
counts next to them.

  .venv/bin/python scripts/make_count_models.py OUT

Writes into OUT/:
  resnet18.onnx       torchvision ResNet-18 (untrained, seeded), BatchNorm
                      kept (training=PRESERVE, do_constant_folding=False)
  gpt.onnx            the GPT-style LM of make_tie_models.py (head tied to the
                      token embedding), do_constant_folding=False
  gpt-folded.onnx     the same with do_constant_folding=True: the exporter
                      writes the embedding a second time, transposed
  counts.json         per model: PyTorch's parameter count (shared tensors
                      once), buffer elements ONNX can see (floating-point
                      buffers; BatchNorm's integer num_batches_tracked is not
                      read in eval mode and never exported) and the integer
                      buffers left out
"""
import json
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tie_models import GPT  # noqa: E402


def counts(model):
    params = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    float_buffers = sum(b.numel() for b in model.buffers() if b.is_floating_point())
    other_buffers = sum(b.numel() for b in model.buffers() if not b.is_floating_point())
    return {"total": params, "trainable": trainable, "frozen": params - trainable,
            "buffers": float_buffers, "integer_buffers": other_buffers}


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    result = {}

    resnet = torchvision.models.resnet18().eval()
    x = torch.randn(1, 3, 224, 224)
    torch.onnx.export(resnet, (x,), os.path.join(out, "resnet18.onnx"),
                      input_names=["image"], output_names=["logits"], opset_version=14,
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    result["resnet18"] = counts(resnet)

    gpt = GPT().eval()
    ids = torch.randint(0, 5003, (1, 16))
    for name, fold in (("gpt", False), ("gpt-folded", True)):
        torch.onnx.export(gpt, (ids,), os.path.join(out, name + ".onnx"),
                          input_names=["ids"], output_names=["logits"], opset_version=14,
                          do_constant_folding=fold)
        result[name] = counts(gpt)

    with open(os.path.join(out, "counts.json"), "w") as f:
        json.dump(result, f, indent=2)
    # Parameter names, for checks that follow them into the ONNX graph.
    return {"resnet18": [n for n, _ in resnet.named_parameters()],
            "gpt": [n for n, _ in gpt.named_parameters()]}


if __name__ == "__main__":
    main(sys.argv[1])
