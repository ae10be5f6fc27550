#!/usr/bin/env python3
"""Exports the weight-tying test models with Debian's torch (seeded).

Four models, each exported with do_constant_folding on and off, into OUT/:
  gpt       a GPT-style LM whose head is tied to its 5003x192 token embedding
  albert    an ALBERT-style encoder that applies one layer three times
  cnn       a CNN that applies one convolution twice
  distill   a teacher/student pair: the student's conv kernels are the first
            half of the teacher's, its classifier the teacher's times 0.5, and
            a third conv copies 32 of the teacher's kernels and has 16 own
Also writes OUT/<name>_input.npy (the input the test feeds ONNX Runtime).

  .venv/bin/python scripts/make_tie_models.py OUT
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn



class Block(nn.Module):
    """A pre-norm Transformer block written out (torch's fused fast path does
    not export)."""

    def __init__(self, d, heads, hidden):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, hidden)
        self.fc2 = nn.Linear(hidden, d)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=-1)
        shape = (b, t, self.heads, d // self.heads)
        q, k, v = (z.reshape(shape).transpose(1, 2) for z in (q, k, v))
        att = torch.softmax(q @ k.transpose(-1, -2) / (d // self.heads) ** 0.5, dim=-1)
        x = x + self.proj((att @ v).transpose(1, 2).reshape(b, t, d))
        return x + self.fc2(torch.nn.functional.gelu(self.fc1(self.ln2(x))))


class GPT(nn.Module):
    def __init__(self, vocab=5003, d=192, seq=16, layers=2):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(seq, d) * 0.02)
        self.blocks = nn.Sequential(*[Block(d, 4, 4 * d) for _ in range(layers)])
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)
        self.head.weight = self.tok.weight  # tied

    def forward(self, ids):
        h = self.tok(ids) + self.pos
        return self.head(self.ln(self.blocks(h)))


class Albert(nn.Module):
    def __init__(self, d=128, repeats=3):
        super().__init__()
        self.embed = nn.Linear(32, d)
        self.layer = Block(d, 4, 2 * d)
        self.repeats = repeats

    def forward(self, x):
        h = self.embed(x)
        for _ in range(self.repeats):
            h = self.layer(h)
        return h


class SharedConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 32, 3, padding=1)
        self.conv = nn.Conv2d(32, 32, 3, padding=1)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        h = torch.relu(self.stem(x))
        h = torch.relu(self.conv(h))
        h = torch.relu(self.conv(h))  # the same convolution again
        return self.fc(h.mean(dim=(2, 3)))


class Distill(nn.Module):
    def __init__(self):
        super().__init__()
        self.teacher_conv = nn.Conv2d(3, 64, 3, padding=1)
        self.teacher_fc = nn.Linear(64, 100)
        self.student_conv = nn.Conv2d(3, 32, 3, padding=1)
        self.student_fc = nn.Linear(64, 100)
        self.mixed_conv = nn.Conv2d(3, 48, 3, padding=1)
        with torch.no_grad():
            self.mixed_conv.weight[:32].copy_(self.teacher_conv.weight[:32])
            self.student_conv.weight.copy_(self.teacher_conv.weight[:32])
            self.student_conv.bias.copy_(self.teacher_conv.bias[:32])
            self.student_fc.weight.copy_(self.teacher_fc.weight * 0.5)

    def forward(self, x):
        t = torch.relu(self.teacher_conv(x)).mean(dim=(2, 3))
        s = torch.relu(self.student_conv(x)).mean(dim=(2, 3))
        s = torch.cat([s, s], dim=1)
        m = torch.relu(self.mixed_conv(x)).mean(dim=(2, 3))
        return self.teacher_fc(t), self.student_fc(s), m


def main(out):
    torch.manual_seed(0)
    os.makedirs(out, exist_ok=True)
    models = {
        "gpt": (GPT(), torch.randint(0, 5003, (1, 16))),
        "albert": (Albert(), torch.randn(1, 8, 32)),
        "cnn": (SharedConv(), torch.randn(1, 3, 16, 16)),
        "distill": (Distill(), torch.randn(1, 3, 8, 8)),
    }
    for name, (model, example) in models.items():
        model.eval()
        np.save(os.path.join(out, name + "_input.npy"), example.numpy())
        for folding in (False, True):
            path = os.path.join(out, "%s_%s.onnx" % (name, "fold" if folding else "nofold"))
            with torch.no_grad():
                torch.onnx.export(model, (example,), path, input_names=["input"],
                                  opset_version=14, do_constant_folding=folding)
            print(path, os.path.getsize(path))


if __name__ == "__main__":
    main(sys.argv[1])
