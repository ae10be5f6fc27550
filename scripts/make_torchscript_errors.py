#!/usr/bin/env python3
"""Small TorchScript archives for the importer's error paths and IR tests.

  .venv/bin/python scripts/make_torchscript_errors.py OUT

  branch.pt      scripted: an `if` on a tensor's value (cannot be resolved)
  loop.pt        scripted: a `for` loop over a tensor's size
  static_if.pt   scripted: an `if` on a module constant (resolved, imported)
  int_input.pt   scripted: forward takes an int besides the tensor
  not_torch.pt   a zip file that is no TorchScript archive
  garbage.pt     not a zip file
  unknown_op.pt  traced: an op Loom has no mapping for (aten::cumsum)
  returns_int.pt scripted: forward returns a number, not a tensor
  complex.pt     scripted: a complex parameter (a dtype Loom does not import)
  truncated_storage.pt  traced Linear(4, 4) whose weight's storage
                 (archive/data/0) is cut to 8 bytes: libtorch loads it, and
                 reading the weight would read past the storage
"""
import os
import sys
import zipfile

import torch
import torch.nn as nn


class Branch(nn.Module):
    def forward(self, x):
        if bool(x.sum() > 0):
            return x * 2
        return x - 1


class Loop(nn.Module):
    def forward(self, x):
        y = x
        for _ in range(x.size(0)):
            y = y + 1
        return y


class StaticIf(nn.Module):
    use_relu: bool

    def __init__(self):
        super().__init__()
        self.use_relu = True
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        if self.use_relu:
            return torch.relu(self.fc(x))
        return self.fc(x)


class IntInput(nn.Module):
    def forward(self, x, n: int):
        return x * n


class Unknown(nn.Module):
    def forward(self, x):
        return torch.cumsum(x, 1) + 1


class ReturnsInt(nn.Module):
    def forward(self, x):
        return x.size(0)


class Complex(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(2, dtype=torch.complex64))

    def forward(self, x):
        return x


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.jit.script(Branch()).save(os.path.join(out, "branch.pt"))
    torch.jit.script(Loop()).save(os.path.join(out, "loop.pt"))
    torch.jit.script(StaticIf()).save(os.path.join(out, "static_if.pt"),
                                      _extra_files={"loom_inputs.txt": "3x4xf32"})
    torch.jit.script(IntInput()).save(os.path.join(out, "int_input.pt"))
    torch.jit.trace(Unknown(), (torch.randn(2, 5),)).save(
        os.path.join(out, "unknown_op.pt"), _extra_files={"loom_inputs.txt": "2x5xf32"})
    torch.jit.script(ReturnsInt()).save(os.path.join(out, "returns_int.pt"),
                                        _extra_files={"loom_inputs.txt": "3x4xf32"})
    torch.jit.script(Complex()).save(os.path.join(out, "complex.pt"))
    linear = os.path.join(out, "linear.pt")
    torch.manual_seed(0)
    torch.jit.trace(nn.Linear(4, 4), (torch.randn(1, 4),)).save(linear)
    with zipfile.ZipFile(linear) as src, \
            zipfile.ZipFile(os.path.join(out, "truncated_storage.pt"), "w",
                            zipfile.ZIP_STORED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.endswith("/data/0"):
                data = data[:8]
            dst.writestr(item, data)
    with zipfile.ZipFile(os.path.join(out, "not_torch.pt"), "w") as z:
        z.writestr("hello.txt", "not a model")
    with open(os.path.join(out, "garbage.pt"), "wb") as f:
        f.write(b"\x00garbage" * 10)
    # Forwards that ask for huge tensors: importing must not build them.
    torch.jit.script(HugeRange()).save(os.path.join(out, "huge_arange.pt"))
    torch.jit.script(HugeZeros()).save(os.path.join(out, "huge_zeros.pt"))


class HugeRange(nn.Module):
    def forward(self, x):
        return x + torch.arange(10 ** 12).sum()


class HugeZeros(nn.Module):
    def forward(self, x):
        return torch.zeros(x.shape[0], 1000000, 1000000).sum() + x


if __name__ == "__main__":
    main(sys.argv[1])
