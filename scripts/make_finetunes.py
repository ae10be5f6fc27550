#!/usr/bin/env python3
"""Fine-tuned variants of two models, for `loomc diff` and
`loomc compress --share-weights`.

A base model is exported once; a "fine-tune" is the same ONNX file with
only its unfrozen (head) tensors perturbed, as a script that trained a head
on a frozen backbone would deploy it. Written into WORKDIR:

  resnet18.onnx             torchvision ResNet-18, seeded random weights
  resnet18.pt               the same network traced to TorchScript
  resnet18-tuned.onnx       fc.weight and fc.bias perturbed
  resnet18-wrong.onnx       the same, and (wrongly) layer1.0.conv1.weight too
  resnet18-renamed.onnx     layer4.1.conv2.weight renamed, fc.weight stored
                            transposed under another name (Gemm transB=0)
  bert.onnx                 a BERT-style encoder with a classifier head
  bert-ftK.onnx (K=1..5)    the head (classifier + final LayerNorm) perturbed

  scripts/make_finetunes.py WORKDIR
"""
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

BERT_HEAD = ("head.weight", "head.bias", "norm.weight", "norm.bias")


def export_resnet18(path):
    import torchvision
    torch.manual_seed(0)
    model = torchvision.models.resnet18(weights=None).eval()
    # No constant folding: BatchNorm stays, every tensor keeps its
    # PyTorch name (conv1.weight, layer1.0.bn1.running_mean, fc.weight).
    torch.jit.trace(model, torch.rand(1, 3, 64, 64)).save(
        path[: -len(".onnx")] + ".pt")
    torch.onnx.export(model, torch.rand(1, 3, 64, 64), path, opset_version=17,
                      input_names=["x"], output_names=["y"],
                      do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE,
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})


def export_bert(path, width=128, layers=4, ffn=512, vocab=4000, seq=16,
                classes=3):
    class Classifier(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = torch.nn.Embedding(vocab, width)
            self.pos = torch.nn.Parameter(torch.randn(seq, width) * 0.02)
            layer = torch.nn.TransformerEncoderLayer(
                width, 4, ffn, dropout=0.0, activation="gelu",
                batch_first=True)
            self.enc = torch.nn.TransformerEncoder(
                layer, layers, enable_nested_tensor=False)
            self.norm = torch.nn.LayerNorm(width)
            self.head = torch.nn.Linear(width, classes)

        def forward(self, ids):
            h = self.norm(self.enc(self.tok(ids) + self.pos))
            return self.head(h[:, 0])

    torch.manual_seed(0)
    model = Classifier().eval()
    # TransformerEncoder deep-copies one layer: give each its own weights
    # (the exporter would merge equal ones).
    with torch.no_grad():
        for p in model.enc.parameters():
            p.add_(torch.randn_like(p) * 0.02)
    torch.onnx.export(model, torch.randint(0, vocab, (1, seq)), path,
                      opset_version=17, input_names=["ids"],
                      output_names=["logits"], do_constant_folding=False,
                      dynamic_axes={"ids": {0: "batch"},
                                    "logits": {0: "batch"}})


def perturb(model, names, seed):
    """Adds seeded noise to the named initializers (all must exist)."""
    rng = np.random.default_rng(seed)
    found = set()
    for init in model.graph.initializer:
        if init.name in names:
            a = numpy_helper.to_array(init).copy()
            a += rng.normal(0, 0.01, a.shape).astype(a.dtype)
            init.CopyFrom(numpy_helper.from_array(a, init.name))
            found.add(init.name)
    missing = set(names) - found
    assert not missing, f"no initializer {sorted(missing)}"


def rename(model, old, new):
    for init in model.graph.initializer:
        if init.name == old:
            init.name = new
    for node in model.graph.node:
        node.input[:] = [new if i == old else i for i in node.input]


def transpose_gemm_weight(model, old, new):
    """Stores the Gemm's B = old (read with transB=1) transposed as `new`
    and reads it with transB=0: the same outputs, a transposed tensor."""
    for init in model.graph.initializer:
        if init.name == old:
            a = numpy_helper.to_array(init)
            init.CopyFrom(numpy_helper.from_array(
                np.ascontiguousarray(a.T), new))
    for node in model.graph.node:
        if node.op_type == "Gemm" and node.input[1] == old:
            node.input[1] = new
            for attr in node.attribute:
                if attr.name == "transB":
                    attr.i = 0


def main():
    work = sys.argv[1]
    os.makedirs(work, exist_ok=True)
    path = lambda name: os.path.join(work, name + ".onnx")  # noqa: E731

    export_resnet18(path("resnet18"))
    base = onnx.load(path("resnet18"))
    tuned = onnx.ModelProto()
    tuned.CopyFrom(base)
    perturb(tuned, {"fc.weight", "fc.bias"}, seed=1)
    onnx.save(tuned, path("resnet18-tuned"))
    wrong = onnx.ModelProto()
    wrong.CopyFrom(tuned)
    perturb(wrong, {"layer1.0.conv1.weight"}, seed=2)
    onnx.save(wrong, path("resnet18-wrong"))
    renamed = onnx.ModelProto()
    renamed.CopyFrom(base)
    rename(renamed, "layer4.1.conv2.weight", "backbone.last_conv.weight")
    transpose_gemm_weight(renamed, "fc.weight", "classifier.weight_t")
    onnx.save(renamed, path("resnet18-renamed"))

    export_bert(path("bert"))
    bert = onnx.load(path("bert"))
    for k in range(1, 6):
        variant = onnx.ModelProto()
        variant.CopyFrom(bert)
        perturb(variant, set(BERT_HEAD), seed=10 + k)
        onnx.save(variant, path(f"bert-ft{k}"))


if __name__ == "__main__":
    main()
