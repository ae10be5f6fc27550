#!/usr/bin/env python3
"""TorchScript archives for the import tests, with PyTorch's own answers.

  .venv/bin/python scripts/make_torchscript_models.py OUT [NAME ...]

Each model is put in eval mode, part of it frozen (requires_grad=False on its
first layers), traced with torch.jit.trace on a seeded input and saved as
OUT/<name>.pt (with the extra file loom_inputs.txt: the input's type, as
1x3x224x224xf32, which Loom reads); beside it OUT/<name>.input.npy, OUT/<name>.output.npy
(PyTorch's output on that input) and, for all models, OUT/counts.json:
parameters (shared tensors once, as model.parameters() counts), trainable,
frozen, buffers (every buffer element, integer ones included) and the
parameter and buffer names.

  resnet18     torchvision ResNet-18; conv1, bn1 and layer1 frozen
  mobilenet_v2 torchvision MobileNetV2; features[0:4] frozen
  gpt          the GPT-style LM of make_tie_models.py (head tied to the
               token embedding); the embeddings frozen
  twice        one Linear applied twice, reached through two attribute names
  tied         a tiny LM whose head shares the embedding's tensor
  NAME_script  the same module scripted (torch.jit.script) instead of traced
  ops          a module exercising the other mapped aten ops (grouped conv
               without bias, hardswish, avg_pool2d, silu, chunk, cat,
               permute, slice, mean, clamp, stack, select, addmm, pow,
               tanh-GELU, a tensor constant, arange, a cast, a causal mask
               with masked_fill, where, expand, log_softmax)
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tie_models import GPT  # noqa: E402


class Twice(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 8)
        self.again = self.fc  # the same module under a second name
        self.out = nn.Linear(8, 3)

    def forward(self, x):
        return self.out(torch.relu(self.again(torch.relu(self.fc(x)))))


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50, 16)
        self.norm = nn.LayerNorm(16)
        self.head = nn.Linear(16, 50, bias=False)
        self.head.weight = self.embed.weight

    def forward(self, ids):
        return self.head(self.norm(self.embed(ids)))


class Ops(nn.Module):
    """Exercises the mapped aten ops the CNNs and the GPT do not."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2, bias=False)
        self.bn = nn.BatchNorm2d(6)
        self.fc = nn.Linear(6, 8)
        self.register_buffer("mask", torch.tril(torch.ones(1, 8, 8)))
        self.offset = nn.Parameter(torch.randn(1, 3))

    def forward(self, x):
        y = self.bn(self.conv(x))                                   # conv2d no bias
        y = torch.nn.functional.hardswish(y) + torch.sigmoid(y)     # hardswish, sigmoid
        y = torch.nn.functional.avg_pool2d(y, 2, ceil_mode=False)   # avg_pool2d
        y = torch.nn.functional.silu(y) * torch.tanh(y)             # silu, tanh
        a, b = torch.chunk(y, 2, dim=1)                             # chunk
        y = torch.cat([b, a], dim=1)                                # cat
        y = y.permute(0, 2, 3, 1).contiguous()                      # permute
        y = y[:, 1:, :, :]                                          # slice
        z = y.mean(dim=(1, 2))                                      # mean
        z = self.fc(z)                                              # linear (2-D: gemm)
        z = torch.clamp(z, -1.0, 1.0) - 0.5 * z                     # clamp, rsub-like
        z = torch.stack([z, z * 2], dim=1)                          # stack
        z = z.select(1, 1)                                          # select
        z = torch.addmm(z[:, :3], z, torch.ones(8, 3)) / 4         # addmm, div
        z = z.pow(2) + 1 - torch.relu(-z)                          # pow, sub, neg
        z = torch.nn.functional.gelu(z, approximate="tanh")        # gelu tanh
        z = z + torch.tensor([0.5, -1.0, 2.0]) * torch.arange(3).float()  # tensor constant, arange, cast
        # A causal mask as nanoGPT writes it: a buffer, sliced, compared,
        # masked_fill; then where and expand.
        t = z.size(1)
        att = z.unsqueeze(2) * z.unsqueeze(1)                        # [2, 3, 3]
        att = att.masked_fill(self.mask[:, :t, :t] == 0, float("-inf"))  # eq, masked_fill
        att = torch.softmax(att, dim=-1)
        z = z + (att @ z.unsqueeze(2)).squeeze(2)
        z = torch.where(z > 0, z, z * 0.1) + self.offset.expand(2, -1)  # gt, where, expand
        return torch.log_softmax(z.unsqueeze(0).squeeze(0), dim=-1)  # (un)squeeze, log_softmax


def build(name):
    torch.manual_seed(0)
    if name.endswith("_script"):
        return build(name[: -len("_script")])
    if name == "resnet18":
        model = torchvision.models.resnet18()
        frozen = [model.conv1, model.bn1, model.layer1]
        x = torch.randn(1, 3, 224, 224)
    elif name == "mobilenet_v2":
        model = torchvision.models.mobilenet_v2()
        frozen = [model.features[i] for i in range(4)]
        x = torch.randn(1, 3, 224, 224)
    elif name == "gpt":
        model = GPT()
        frozen = [model.tok]
        x = torch.randint(0, 5003, (1, 16))
    elif name == "ops":
        model = Ops()
        frozen = [model.conv]
        x = torch.randn(2, 4, 10, 10)
    elif name == "twice":
        model = Twice()
        frozen = []
        x = torch.randn(2, 8)
    elif name == "tied":
        model = Tied()
        frozen = [model.norm]
        x = torch.randint(0, 50, (1, 7))
    else:
        raise SystemExit("unknown model " + name)
    if name == "gpt":
        model.pos.requires_grad_(False)
    for module in frozen:
        for p in module.parameters():
            p.requires_grad_(False)
    # Untrained BatchNorm statistics are 0 and 1: give them values.
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    return model.eval(), x


def main(out, names):
    os.makedirs(out, exist_ok=True)
    counts = {}
    for name in names:
        model, x = build(name)
        with torch.no_grad():
            # NAME_script: torch.jit.script instead of trace (control flow
            # on module attributes, resolved at import).
            if name.endswith("_script"):
                traced = torch.jit.script(model)
            else:
                traced = torch.jit.trace(model, (x,))
            y = model(x)
        # Loom reads forward()'s input types from this extra file (or from
        # --input-types): an archive does not record them.
        dtype = {torch.float32: "f32", torch.int64: "i64"}[x.dtype]
        traced.save(os.path.join(out, name + ".pt"), _extra_files={
            "loom_inputs.txt": "x".join(str(d) for d in x.shape) + "x" + dtype})
        np.save(os.path.join(out, name + ".input.npy"), x.numpy())
        np.save(os.path.join(out, name + ".output.npy"), y.numpy())
        params = list(model.parameters())
        counts[name] = {
            "total": sum(p.numel() for p in params),
            "trainable": sum(p.numel() for p in params if p.requires_grad),
            "frozen": sum(p.numel() for p in params if not p.requires_grad),
            "buffers": sum(b.numel() for b in model.buffers()),
            # Every name, shared ones included (each module path to it).
            "parameters": ["%s%s%s" % (m, "." if m else "", p)
                           for m, mod in model.named_modules(remove_duplicate=False)
                           for p, v in mod._parameters.items() if v is not None],
            "buffer_names": [n for n, _ in model.named_buffers()],
        }
    with open(os.path.join(out, "counts.json"), "w") as f:
        json.dump(counts, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:] or ["resnet18", "mobilenet_v2", "gpt", "twice", "tied", "ops"])
