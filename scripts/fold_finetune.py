#!/usr/bin/env python3
"""Fine-tuning: freeze part of a TorchScript network, fold only that part.

A small CNN (stem, layer1..layer3: Conv + BatchNorm + ReLU each, a 1x1 conv
head), every parameter trainable (requires_grad, as PyTorch leaves them),
BatchNorm statistics seeded as a trained network has them, traced and saved.
Then:

  loomc compress net.pt --freeze-until layer2 --fold -o until.onnx
  loomc compress net.pt --freeze 'stem.*' 'layer1.*' --fold -o pattern.onnx

and checks for each: exactly the BatchNorms of the frozen layers are gone;
every trainable parameter is in the output, byte for byte as PyTorch has it;
the output of ONNX Runtime on the folded model equals PyTorch's on the same
seeded input (relative L2 <= 1e-4).

  scripts/fold_finetune.py LOOMC WORKDIR
"""
import os
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fold_models import randomize_batchnorm  # noqa: E402

LAYERS = ["stem", "layer1", "layer2", "layer3"]


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        channels = [3, 8, 16, 16, 32]
        for i, name in enumerate(LAYERS):
            block = torch.nn.Sequential(
                torch.nn.Conv2d(channels[i], channels[i + 1], 3, padding=1,
                                bias=False),
                torch.nn.BatchNorm2d(channels[i + 1]),
                torch.nn.ReLU())
            setattr(self, name, block)
        self.head = torch.nn.Conv2d(32, 4, 1)

    def forward(self, x):
        for name in LAYERS:
            x = getattr(self, name)(x)
        return self.head(x)


def main():
    loomc, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    torch.manual_seed(0)
    net = Net().eval()
    randomize_batchnorm(net)
    x = torch.rand(2, 3, 16, 16, generator=torch.Generator().manual_seed(1))
    path = os.path.join(work, "net.pt")
    torch.jit.trace(net, x).save(path)
    with torch.no_grad():
        want = net(x).numpy()
    params = {name: p.detach().numpy() for name, p in net.named_parameters()}

    cases = [
        ("until layer2", ["--freeze-until", "layer2"], {"stem", "layer1"}),
        ("pattern stem.* layer1.*", ["--freeze", "stem.*", "layer1.*"],
         {"stem", "layer1"}),
        ("pattern layer2.*", ["--freeze", "layer2.*"], {"layer2"}),
    ]
    passed = failed = 0
    for index, (label, flags, frozen) in enumerate(cases):
        out = os.path.join(work, f"case{index}.onnx")
        run = subprocess.run([loomc, "compress", path, *flags, "--fold", "-o",
                              out, "-q"], capture_output=True, text=True)
        if run.returncode != 0:
            print(f"FAIL {label}: loomc compress exit {run.returncode}: "
                  f"{run.stderr.strip().splitlines()[-1:]}")
            failed += 1
            continue
        model = onnx.load(out)
        problems = []
        bn_left = {n.name.split(".")[0] for n in model.graph.node
                   if n.op_type == "BatchNormalization"}
        if bn_left != set(LAYERS) - frozen:
            problems.append(f"BatchNorms left in {sorted(bn_left)}, expected "
                            f"{sorted(set(LAYERS) - frozen)}")
        initializers = {t.name: numpy_helper.to_array(t)
                        for t in model.graph.initializer}
        for name, value in params.items():
            if name.split(".")[0] in frozen:
                continue
            if name not in initializers:
                problems.append(f"trainable {name} missing")
            elif not np.array_equal(initializers[name], value):
                problems.append(f"trainable {name} changed")
        feeds = {model.graph.input[0].name: x.numpy()}
        got = ort.InferenceSession(out).run(None, feeds)[0]
        rel = float(np.linalg.norm(got - want) / np.linalg.norm(want))
        if not rel <= 1e-4:
            problems.append(f"relative L2 {rel:.2e} against PyTorch")
        if problems:
            print(f"FAIL {label}: " + "; ".join(problems))
            failed += 1
        else:
            print(f"PASS {label}: BatchNorms left in {sorted(bn_left)}, "
                  f"relative L2 {rel:.1e}")
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
