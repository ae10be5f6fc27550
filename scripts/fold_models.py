#!/usr/bin/env python3
"""`loomc compress --fold` on real exports, next to ONNX Runtime's offline
optimizer and onnxslim.

Models (exported here from Debian's torch, seeded, without the exporter's
constant folding):
  resnet18, mobilenet_v2   torchvision, random weights, BatchNorm kept
                           (training=PRESERVE); BatchNorm statistics and
                           affine parameters randomized as a trained network
                           has them
  bert                     a BERT-style encoder (GELU, LayerNorm)
  gpt                      the GPT-style LM of make_tie_models.py, head tied
                           to the token embedding
Every parameter is moved off its initial value (seeded noise), as training
moves it: fresh initializations are full of equal tensors (LayerNorm's ones,
deep-copied layers) that tell nothing about a trained model.

For each: Loom (`loomc compress MODEL --fold`), ONNX Runtime's offline
optimizer at its standard-ONNX level (ORT_ENABLE_BASIC,
optimized_model_filepath) and onnxslim (`onnxslim.slim`). Prints nodes and
file bytes of the input and of each output, and checks Loom's output: no
BatchNormalization, no more nodes than ORT's or onnxslim's, not larger than
the input, and ONNX Runtime gives the input's outputs within 1e-4 relative
L2 on a seeded input.

  scripts/fold_models.py LOOMC WORKDIR
"""
import os
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tie_models import GPT  # noqa: E402

RTOL_L2 = 1e-4


def perturb(model, seed):
    """Every parameter moved off its initial value, as training moves it:
    fresh initializations are full of equal tensors (LayerNorm's ones,
    deep-copied layers) that optimizers can merge or drop, which tells
    nothing about a trained model. Shared parameters stay shared."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=generator) * 0.02)


def randomize_batchnorm(model):
    generator = torch.Generator().manual_seed(1)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            c = module.num_features
            with torch.no_grad():
                module.weight.copy_(torch.rand(c, generator=generator) + 0.5)
                module.bias.copy_(torch.randn(c, generator=generator) * 0.1)
                module.running_mean.copy_(torch.randn(c, generator=generator) * 0.1)
                module.running_var.copy_(torch.rand(c, generator=generator) + 0.5)


def export_vision(name, path):
    import torchvision
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None).eval()
    randomize_batchnorm(model)
    perturb(model, 2)
    torch.onnx.export(model, torch.rand(1, 3, 64, 64), path, opset_version=17,
                      input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}},
                      training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False)


class Encoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(1000, 64)
        self.pos = torch.nn.Parameter(torch.randn(1, 16, 64) * 0.02)
        layer = torch.nn.TransformerEncoderLayer(64, 4, 128, dropout=0.0,
                                                 activation="gelu",
                                                 batch_first=True)
        self.enc = torch.nn.TransformerEncoder(layer, 2,
                                               enable_nested_tensor=False)
        self.norm = torch.nn.LayerNorm(64)

    def forward(self, ids):
        return self.norm(self.enc(self.emb(ids) + self.pos))


def export_bert(path):
    torch.manual_seed(0)
    model = Encoder().eval()
    perturb(model, 3)
    torch.onnx.export(model, torch.randint(0, 1000, (1, 16)), path,
                      opset_version=17, input_names=["ids"],
                      output_names=["h"], do_constant_folding=False)


def export_gpt(path):
    torch.manual_seed(0)
    model = GPT().eval()
    perturb(model, 4)
    torch.onnx.export(model, torch.randint(0, 5003, (1, 16)), path,
                      opset_version=14, input_names=["ids"],
                      output_names=["logits"], do_constant_folding=False)


def nodes(path):
    return len(onnx.load(path, load_external_data=False).graph.node)


def size(path):
    total = os.path.getsize(path)
    data = path + ".data"
    return total + (os.path.getsize(data) if os.path.exists(data) else 0)


def main():
    loomc, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(5)
    models = [
        ("resnet18", export_vision, {"x": lambda: rng.random((2, 3, 64, 64), dtype=np.float32)}),
        ("mobilenet_v2", export_vision, {"x": lambda: rng.random((2, 3, 64, 64), dtype=np.float32)}),
        ("bert", lambda n, p: export_bert(p), {"ids": lambda: rng.integers(0, 1000, (1, 16))}),
        ("gpt", lambda n, p: export_gpt(p), {"ids": lambda: rng.integers(0, 5003, (1, 16))}),
    ]
    import onnxslim
    passed = failed = 0
    print(f"{'model':14} {'':>8} {'input':>10} {'Loom':>10} {'ORT basic':>10} "
          f"{'onnxslim':>10}")
    for name, export, feeds in models:
        path = os.path.join(work, name + ".onnx")
        if not os.path.exists(path):
            export(name, path)
        loom_out = os.path.join(work, name + ".loom.onnx")
        run = subprocess.run([loomc, "compress", path, "--fold", "-o",
                              loom_out, "-q"], capture_output=True, text=True)
        if run.returncode != 0:
            print(f"FAIL {name}: loomc compress exit {run.returncode}: "
                  f"{run.stderr.strip().splitlines()[-1:]}")
            failed += 1
            continue
        ort_out = os.path.join(work, name + ".ort.onnx")
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = ort_out
        options.log_severity_level = 3
        ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        slim_out = os.path.join(work, name + ".slim.onnx")
        onnx.save(onnxslim.slim(onnx.load(path)), slim_out)

        counts = [nodes(p) for p in (path, loom_out, ort_out, slim_out)]
        sizes = [size(p) for p in (path, loom_out, ort_out, slim_out)]
        print(f"{name:14} {'nodes':>8} " + " ".join(f"{c:>10}" for c in counts))
        print(f"{'':14} {'bytes':>8} " + " ".join(f"{s:>10}" for s in sizes))

        plain = ort.SessionOptions()
        plain.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        plain.log_severity_level = 3
        inputs = {k: v() for k, v in feeds.items()}
        want = ort.InferenceSession(path, plain).run(None, inputs)
        got = ort.InferenceSession(loom_out, plain).run(None, inputs)
        rel = max(float(np.linalg.norm(g - w) / max(np.linalg.norm(w), 1e-30))
                  for g, w in zip(got, want))
        ops = {n.op_type for n in onnx.load(loom_out, load_external_data=False).graph.node}
        problems = []
        if "BatchNormalization" in ops:
            problems.append("BatchNormalization left")
        if counts[1] > counts[2] or counts[1] > counts[3]:
            problems.append("more nodes than ORT or onnxslim")
        if sizes[1] > sizes[0]:
            problems.append("larger than the input")
        if not rel <= RTOL_L2:
            problems.append(f"relative L2 {rel:.2e} > {RTOL_L2}")
        if problems:
            print(f"FAIL {name}: " + "; ".join(problems))
            failed += 1
        else:
            print(f"PASS {name}: relative L2 {rel:.1e}")
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
