#!/usr/bin/env python3
"""Writes samples/tiny-gpt.onnx: the sample model the README's main job uses.

A small GPT-style language model (vocabulary 512, width 64, 2 blocks, 16
tokens) whose output head is tied to its token embedding, exported by
Debian's torch 1.13 with constant folding on: the export carries the
embedding twice (once transposed), which weight tying takes back. Seeded, so
re-running it writes the same model.

  .venv/bin/python scripts/make_sample_model.py samples/tiny-gpt.onnx
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from make_tie_models import GPT  # noqa: E402

torch.manual_seed(0)
model = GPT(vocab=512, d=64, seq=16, layers=2).eval()
ids = torch.randint(0, 512, (1, 16))
with torch.no_grad():
    torch.onnx.export(model, (ids,), sys.argv[1], input_names=["ids"], output_names=["logits"],
                      opset_version=14, do_constant_folding=True)
print(sys.argv[1], os.path.getsize(sys.argv[1]), "bytes")
