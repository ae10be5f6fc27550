#!/usr/bin/env python3
"""Checks `loomc compress --prune` on torchvision ResNet-18 and MobileNetV2
(seeded random weights), counting from the ONNX files with numpy, never
through Loom:

  * unstructured, --sparsity 0.5 (after --fold): every pruned kernel (the
    initializer read as a Conv's W or a Gemm/MatMul's B) holds exactly
    round(0.5 * elements) zeros; the first conv and the classifier hold
    none; ONNX Runtime runs the result;
  * 2:4: in every kernel whose input channels are a multiple of 4, every
    group of 4 consecutive weights along the input channels holds at most
    2 non-zeros, and exactly half of the kernel is zero;
  * --sparsity 0: ONNX Runtime's outputs are bit-identical to the
    original's;
  * channel, --sparsity 0.5 (after --fold): the ONNX checker accepts the
    result, ONNX Runtime runs it, and its Conv/Gemm/MatMul FLOPs
    (scripts/count_flops.py, ONNX's shape inference) are at most 55% of the
    original's; a BERT-style encoder (PyTorch's TransformerEncoder: fused
    q/k/v projection, heads folded into the batch) loses half its attention
    heads, whole (the same heads in q, k and v), and half its FFN inner
    channels; its ONNX Runtime outputs equal those of the original with
    the removed heads' out_proj columns and the removed channels' linear2
    columns zeroed in numpy (removing a head or an FFN channel is exactly
    that), and its FLOPs are at most 55% of the original's.

  scripts/prune_check.py LOOMC WORKDIR
"""
import json
import os
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from count_flops import flops  # noqa: E402
from make_finetunes import export_bert  # noqa: E402
from run_vs_ort import export_torchvision  # noqa: E402

failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1


def kernels(path):
    """[(name, array, input-channel axis, op type)] in graph order."""
    model = onnx.load(path)
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    out = []
    for node in model.graph.node:
        if node.op_type == "Conv" and node.input[1] in inits:
            out.append((node.input[1], inits[node.input[1]], 1, "Conv"))
        elif node.op_type in ("Gemm", "MatMul") and len(node.input) > 1 and \
                node.input[1] in inits:
            trans = any(a.name == "transB" and a.i for a in node.attribute)
            out.append((node.input[1], inits[node.input[1]], 1 if trans else 0,
                        node.op_type))
    return out


def run(path, feeds):
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def compress(loomc, model, out, *options):
    result = subprocess.run([loomc, "compress", model, "-o", out, *options],
                            capture_output=True, text=True)
    if result.returncode != 0:
        check(False, f"loomc compress {' '.join(options)}: "
                     f"{result.stderr.strip()}")
    return result.returncode == 0


def check_sparse(loomc, work, name, model, feeds, first_conv):
    """Unstructured 50% and 2:4 hit their targets exactly in every kernel
    but the first conv (when `first_conv`) and the classifier; --sparsity 0
    changes no output bit."""
    out = os.path.join(work, name + "-unstructured.onnx")
    if compress(loomc, model, out, "--fold", "--prune", "unstructured",
                "--sparsity", "0.5"):
        ks = kernels(out)
        first, last = ks[0], ks[-1]
        pruned = ks[1 if first_conv else 0:-1]
        exact = [(n, a) for n, a, _, _ in pruned
                 if int((a == 0).sum()) == int(np.round(0.5 * a.size))]
        check(len(exact) == len(pruned),
              f"{name} unstructured 50%: {len(exact)} of {len(pruned)} "
              f"kernels hold exactly round(0.5 * n) zeros")
        if first_conv:
            check(not (first[1] == 0).any() and not (last[1] == 0).any(),
                  f"{name}: the first conv ({first[0]}) and the classifier "
                  f"({last[0]}) are whole")
        else:
            check(not (last[1] == 0).any(),
                  f"{name}: the classifier ({last[0]}) is whole")
        y = run(out, feeds)
        check(all(np.isfinite(t).all() for t in y),
              f"{name} unstructured: ONNX Runtime runs it")

    out = os.path.join(work, name + "-2of4.onnx")
    if compress(loomc, model, out, "--fold", "--prune", "2:4"):
        ks = kernels(out)
        pruned = bad = 0
        for n, a, axis, _ in ks[1 if first_conv else 0:-1]:
            if a.shape[axis] % 4:
                continue
            pruned += 1
            groups = np.moveaxis(a, axis, -1)
            groups = groups.reshape(-1, a.shape[axis] // 4, 4)
            if (np.count_nonzero(groups, axis=-1) > 2).any() or \
                    int((a == 0).sum()) < a.size // 2:
                bad += 1
        check(pruned > 0 and bad == 0,
              f"{name} 2:4: the pattern holds in every group of all "
              f"{pruned} kernels with input channels a multiple of 4")
        y = run(out, feeds)
        check(all(np.isfinite(t).all() for t in y),
              f"{name} 2:4: ONNX Runtime runs it")

    out = os.path.join(work, name + "-zero.onnx")
    if compress(loomc, model, out, "--prune", "unstructured",
                "--sparsity", "0"):
        same = all(np.array_equal(a, b)
                   for a, b in zip(run(model, feeds), run(out, feeds)))
        check(same, f"{name} --sparsity 0: ONNX Runtime outputs "
                    f"bit-identical to the original's")


def check_bert(loomc, work):
    """PyTorch's TransformerEncoder: fused q/k/v, heads folded into the
    batch."""
    bert = os.path.join(work, "bert.onnx")
    if not os.path.exists(bert):
        export_bert(bert)
    check_sparse(loomc, work, "bert", bert, {"ids": np.random.default_rng(0)
                                             .integers(0, 4000, (2, 16))},
                 first_conv=False)
    out = os.path.join(work, "bert-channel.onnx")
    if compress(loomc, bert, out, "--fold", "--prune", "channel",
                "--sparsity", "0.5"):
        pruned = {i.name: numpy_helper.to_array(i)
                  for i in onnx.load(out).graph.initializer}
        original = onnx.load(bert)
        weights = {i.name: numpy_helper.to_array(i)
                   for i in original.graph.initializer}

        def kept(rows, columns):
            """Which rows of `rows` (torch's [out, in]) the columns of the
            pruned MatMul operand `columns` ([in, kept]) are."""
            out = []
            for j in range(columns.shape[1]):
                hits = np.where((rows == columns[:, j]).all(axis=1))[0]
                out.append(int(hits[0]) if len(hits) else -1)
            return out

        head, width, heads = 32, 128, 4
        ablated = {}
        whole, ffn_halved, layers = True, True, 0
        for name in weights:
            if not name.endswith("self_attn.in_proj_weight"):
                continue
            layers += 1
            prefix = name[:-len("self_attn.in_proj_weight")]
            rows = kept(weights[name], pruned[name])
            q = sorted(r for r in rows if r < width)
            left = sorted({r // head for r in q})
            expect = [h * head + k for h in left for k in range(head)]
            whole &= (len(left) == heads // 2 and q == expect and
                      sorted(rows) == expect + [width + r for r in expect] +
                      [2 * width + r for r in expect])
            out_proj = weights[prefix + "self_attn.out_proj.weight"].copy()
            for h in set(range(heads)) - set(left):
                out_proj[:, h * head:(h + 1) * head] = 0
            ablated[prefix + "self_attn.out_proj.weight"] = out_proj
            inner = kept(weights[prefix + "linear1.weight"],
                         pruned[prefix + "linear1.weight"])
            ffn_halved &= len(inner) == 256 and -1 not in inner
            linear2 = weights[prefix + "linear2.weight"].copy()
            linear2[:, sorted(set(range(512)) - set(inner))] = 0
            ablated[prefix + "linear2.weight"] = linear2
        check(layers == 4 and whole,
              f"bert channel 50%: {layers} layers keep 2 of 4 heads each, "
              f"whole heads, the same in q, k and v")
        check(ffn_halved, "bert channel 50%: every FFN keeps 256 of 512 "
                          "inner channels")
        for init in original.graph.initializer:
            if init.name in ablated:
                init.CopyFrom(numpy_helper.from_array(ablated[init.name],
                                                      init.name))
        ids = {"ids": np.random.default_rng(0).integers(0, 4000, (2, 16))}
        got = ort.InferenceSession(out, providers=["CPUExecutionProvider"]) \
            .run(None, ids)[0]
        want = ort.InferenceSession(original.SerializeToString(),
                                    providers=["CPUExecutionProvider"]) \
            .run(None, ids)[0]
        err = float(np.abs(got - want).max())
        moved = float(np.abs(want - ort.InferenceSession(
            bert, providers=["CPUExecutionProvider"]).run(None, ids)[0]).max())
        check(got.shape == (2, 3) and err < 1e-4 and moved > 1e-3,
              f"bert channel 50%: ONNX Runtime runs it; max abs difference "
              f"from the ablated original {err:.2e} (< 1e-4; from the "
              f"original {moved:.2g})")
        ratio = flops(out) / flops(bert)
        check(ratio <= 0.55, f"bert channel 50%: matmul FLOPs "
                             f"{100 * ratio:.1f}% of the original's (<= 55%)")


def export_split_heads(path, width=64, heads=4, layers=2, vocab=1000):
    """An encoder written as Hugging Face's BERT is: separate q, k and v
    Linears, heads split with view(b, n, H, d), dynamic batch."""
    import torch

    class Layer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.d = width // heads
            self.q, self.k, self.v, self.o = (
                torch.nn.Linear(width, width) for _ in range(4))
            self.ln1 = torch.nn.LayerNorm(width)
            self.f1 = torch.nn.Linear(width, 4 * width)
            self.f2 = torch.nn.Linear(4 * width, width)
            self.ln2 = torch.nn.LayerNorm(width)

        def forward(self, x):
            b, n, w = x.shape

            def split(t):
                return t.view(b, n, heads, self.d).transpose(1, 2)

            q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
            a = torch.softmax(q @ k.transpose(-1, -2) / self.d ** 0.5, -1) @ v
            x = self.ln1(x + self.o(a.transpose(1, 2).reshape(b, n, w)))
            return self.ln2(x + self.f2(torch.nn.functional.gelu(self.f1(x))))

    class Encoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = torch.nn.Embedding(vocab, width)
            self.layers = torch.nn.ModuleList(Layer() for _ in range(layers))
            self.head = torch.nn.Linear(width, 3)

        def forward(self, ids):
            x = self.emb(ids)
            for layer in self.layers:
                x = layer(x)
            return self.head(x[:, 0])

    torch.manual_seed(0)
    torch.onnx.export(Encoder().eval(), torch.randint(0, vocab, (2, 8)), path,
                      opset_version=17, input_names=["ids"],
                      output_names=["logits"],
                      dynamic_axes={"ids": {0: "batch"},
                                    "logits": {0: "batch"}})


def check_split_heads(loomc, work, width=64, heads=4, layers=2):
    """Separate q/k/v projections, heads split into [b, H, n, d]."""
    model = os.path.join(work, "split-heads.onnx")
    if not os.path.exists(model):
        export_split_heads(model)
    out = os.path.join(work, "split-heads-channel.onnx")
    if not compress(loomc, model, out, "--fold", "--prune", "channel"):
        return
    original = onnx.load(model)
    weights = {i.name: numpy_helper.to_array(i)
               for i in original.graph.initializer}
    pruned = {i.name: numpy_helper.to_array(i)
              for i in onnx.load(out).graph.initializer}

    def operands(m):  # MatMul node name -> its weight operand
        return {n.name: n.input[1] for n in m.graph.node
                if n.op_type == "MatMul" and n.input[1]}

    before, after = operands(original), operands(onnx.load(out))

    def kept(node):
        """The columns of the original MatMul weight the pruned one kept."""
        rows, cols = weights[before[node]].T, pruned[after[node]]
        return [int(np.where((rows == cols[:, j]).all(axis=1))[0][0])
                if (rows == cols[:, j]).all(axis=1).any() else -1
                for j in range(cols.shape[1])]

    d = width // heads
    same, ablated = True, {}
    for layer in range(layers):
        p = f"/layers.{layer}/"
        q = kept(p + "q/MatMul")
        left = sorted({c // d for c in q})
        same &= (len(left) == heads // 2 and
                 q == [h * d + k for h in left for k in range(d)] and
                 kept(p + "k/MatMul") == q and kept(p + "v/MatMul") == q)
        o = weights[before[p + "o/MatMul"]].copy()  # [in, out]
        for h in set(range(heads)) - set(left):
            o[h * d:(h + 1) * d, :] = 0
        ablated[before[p + "o/MatMul"]] = o
        inner = kept(p + "f1/MatMul")
        f2 = weights[before[p + "f2/MatMul"]].copy()
        f2[sorted(set(range(4 * width)) - set(inner)), :] = 0
        ablated[before[p + "f2/MatMul"]] = f2
        same &= len(inner) == 2 * width and -1 not in inner
    check(same, f"split heads channel 50%: {layers} layers keep 2 of "
                f"{heads} heads each, the same in q, k and v, and half "
                f"their FFN channels")
    for init in original.graph.initializer:
        if init.name in ablated:
            init.CopyFrom(numpy_helper.from_array(ablated[init.name],
                                                  init.name))
    ids = {"ids": np.random.default_rng(0).integers(0, 1000, (3, 8))}

    def run_ids(m):
        return ort.InferenceSession(
            m, providers=["CPUExecutionProvider"]).run(None, ids)[0]

    got, want = run_ids(out), run_ids(original.SerializeToString())
    err = float(np.abs(got - want).max())
    moved = float(np.abs(want - run_ids(model)).max())
    check(got.shape == (3, 3) and err < 1e-4 and moved > 1e-3,
          f"split heads channel 50%: ONNX Runtime runs it (batch 3); max abs "
          f"difference from the ablated original {err:.2e} (< 1e-4; from the "
          f"original {moved:.2g})")



def main():
    loomc, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    x = np.random.default_rng(0).random((1, 3, 64, 64), dtype=np.float32)
    for name in ("resnet18", "mobilenet_v2"):
        model = os.path.join(work, name + ".onnx")
        if not os.path.exists(model):
            export_torchvision(name, model)

        check_sparse(loomc, work, name, model, {"x": x}, first_conv=True)
        out = os.path.join(work, name + "-channel.onnx")
        report = os.path.join(work, name + "-channel.json")
        if compress(loomc, model, out, "--fold", "--prune", "channel",
                    "--sparsity", "0.5", "--report", report):
            r = json.load(open(report))
            check(r["before"]["flops"] == flops(model) and
                  r["after"]["flops"] == flops(out),
                  f"{name}: loomc's FLOPs before/after "
                  f"({r['before']['flops']:,} -> {r['after']['flops']:,}) "
                  f"equal count_flops.py's")
            check(len(r["drift"]) == 1 and 0 < r["drift"][0]["rel_l2"],
                  f"{name}: the report has the output drift "
                  f"(rel L2 {r['drift'][0]['rel_l2']:.3g})")
            onnx.checker.check_model(out)
            y = run(out, {"x": x})
            check(all(np.isfinite(t).all() for t in y) and
                  y[0].shape == run(model, {"x": x})[0].shape,
                  f"{name} channel 50%: checker-clean, ONNX Runtime runs it")
            ratio = flops(out) / flops(model)
            check(ratio <= 0.55, f"{name} channel 50%: conv/gemm FLOPs "
                                 f"{100 * ratio:.1f}% of the original's "
                                 f"(<= 55%)")

    check_bert(loomc, work)
    check_split_heads(loomc, work)
    print(f"{failures} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
