#!/usr/bin/env python3
"""`loomc compile` libraries against ONNX Runtime on the same seeded inputs.

Each model is compiled once with a dynamic batch into a shared library,
then run at batch 1 and 3 through the library's C API: by `loomc run
LIB.so` (dlopen) and, for one model, by examples/loom_run.c built here with
the system C compiler against the generated header. Models: torchvision
ResNet-18 and MobileNetV2 (random weights), a BERT-style encoder at
sequence 128, a GPT-style decoder with a KV cache (prefill of 64 tokens,
then a one-token decode reading the prefill's cache), and PaddleOCR's
classifier, recognizer and detector from pip's rapidocr (real weights).
Prints `PASS`/`FAIL label: ...` and ends with `N passed, N failed`.

    compile_vs_ort.py LOOMC WORKDIR [--only NAME,...]
"""
import os
import subprocess
import sys

import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_vs_ort import compare, export_bert, export_torchvision, rapidocr_model  # noqa: E402

# Bounds (relative L2 1e-4; the detector by its largest absolute
# difference) are run_vs_ort.py's, in its compare().
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def export_bert128(path):
    """A BERT-style encoder (4 layers, d=128, GELU, LayerNormalization) at
    sequence length 128, dynamic batch."""
    export_bert(path, width=128, layers=4, ffn=256, seq=128, positions=128,
                slice_positions=False)


def gpt_module():
    """A GPT-style decoder: 2 pre-norm layers, d=64, 4 heads, vocabulary
    512, learned positions, a KV cache as inputs and outputs."""
    import torch

    class Layer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1 = torch.nn.LayerNorm(64)
            self.qkv = torch.nn.Linear(64, 192)
            self.proj = torch.nn.Linear(64, 64)
            self.ln2 = torch.nn.LayerNorm(64)
            self.fc = torch.nn.Linear(64, 256)
            self.out = torch.nn.Linear(256, 64)

        def forward(self, h, past_k, past_v, mask):
            b, t, _ = h.shape
            q, k, v = self.qkv(self.ln1(h)).split(64, dim=2)
            heads = lambda x: x.reshape(b, t, 4, 16).transpose(1, 2)
            q, k, v = heads(q), heads(k), heads(v)
            if past_k is not None:
                k = torch.cat([past_k, k], dim=2)
                v = torch.cat([past_v, v], dim=2)
            att = (q @ k.transpose(2, 3)) * 0.25
            if mask is not None:
                att = att + mask
            y = (att.softmax(-1) @ v).transpose(1, 2).reshape(b, t, 64)
            h = h + self.proj(y)
            h = h + self.out(torch.nn.functional.gelu(self.fc(self.ln2(h))))
            return h, k, v

    class Decoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = torch.nn.Embedding(512, 64)
            self.pos = torch.nn.Parameter(torch.randn(128, 64) * 0.02)
            self.layers = torch.nn.ModuleList([Layer(), Layer()])
            self.ln = torch.nn.LayerNorm(64)
            self.head = torch.nn.Linear(64, 512, bias=False)
            causal = torch.full((64, 64), float("-inf")).triu(1)
            self.register_buffer("causal", causal)

        def forward(self, ids, past_k=None, past_v=None):
            t = ids.shape[1]
            start = 0 if past_k is None else past_k.shape[3]
            h = self.tok(ids) + self.pos[start:start + t]
            mask = self.causal if past_k is None else None
            keys, values = [], []
            for i, layer in enumerate(self.layers):
                h, k, v = layer(h, None if past_k is None else past_k[i],
                                None if past_v is None else past_v[i], mask)
                keys.append(k)
                values.append(v)
            return self.head(self.ln(h)), torch.stack(keys), torch.stack(values)

    torch.manual_seed(0)
    return Decoder().eval()


def export_gpt(prefill_path, decode_path):
    import torch
    model = gpt_module()
    ids = torch.randint(0, 512, (1, 64))
    cache = {"present_k": {1: "batch"}, "present_v": {1: "batch"}}
    torch.onnx.export(model, (ids,), prefill_path, opset_version=17,
                      input_names=["ids"],
                      output_names=["logits", "present_k", "present_v"],
                      dynamic_axes={"ids": {0: "batch"},
                                    "logits": {0: "batch"}, **cache})
    with torch.no_grad():
        _, k, v = model(ids)
    torch.onnx.export(model, (ids[:, :1], k, v), decode_path, opset_version=17,
                      input_names=["ids", "past_k", "past_v"],
                      output_names=["logits", "present_k", "present_v"],
                      dynamic_axes={"ids": {0: "batch"},
                                    "past_k": {1: "batch"},
                                    "past_v": {1: "batch"},
                                    "logits": {0: "batch"}, **cache})


def main():
    loomc, work = sys.argv[1], sys.argv[2]
    only = None
    if "--only" in sys.argv:
        only = set(sys.argv[sys.argv.index("--only") + 1].split(","))
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(11)
    image = lambda b, h, w: ((rng.random((b, 3, h, w), dtype=np.float32) - 0.5)
                             / 0.25)
    # (name, model, compile options, [feeds per batch])
    models = []
    for name in ("resnet18", "mobilenet_v2"):
        path = os.path.join(work, name + ".onnx")
        if not os.path.exists(path):
            export_torchvision(name, path)
        models.append((name, path, [], {b: {"x": image(b, 64, 64)} for b in (1, 3)}))
    bert = os.path.join(work, "bert128.onnx")
    if not os.path.exists(bert):
        export_bert128(bert)
    models.append(("bert128", bert, [], {
        b: {"ids": rng.integers(0, 1000, (b, 128), dtype=np.int64)} for b in (1, 3)}))
    prefill = os.path.join(work, "gpt_prefill.onnx")
    decode = os.path.join(work, "gpt_decode.onnx")
    if not os.path.exists(decode):
        export_gpt(prefill, decode)
    prefill_feeds = {b: {"ids": rng.integers(0, 512, (b, 64), dtype=np.int64)}
                     for b in (1, 3)}
    models.append(("gpt_prefill", prefill, [], prefill_feeds))
    # The decode step reads the cache ONNX Runtime's prefill wrote.
    prefill_session = ort.InferenceSession(prefill,
                                           providers=["CPUExecutionProvider"])
    decode_feeds = {}
    for b in (1, 3):
        _, k, v = prefill_session.run(None, prefill_feeds[b])
        decode_feeds[b] = {"ids": rng.integers(0, 512, (b, 1), dtype=np.int64),
                           "past_k": k, "past_v": v}
    models.append(("gpt_decode", decode, [], decode_feeds))
    for prefix, h, w in (("ch_ppocr_mobile_v2.0_cls", 48, 192),
                         ("PP-OCRv6_rec", 48, 320), ("PP-OCRv6_det", 64, 96)):
        path = rapidocr_model(prefix)
        if path is None:
            print(f"SKIP {prefix}: not in this rapidocr wheel")
            continue
        models.append((prefix, path, ["--input-shape", f"x=?x3x{h}x{w}"],
                       {b: {"x": image(b, h, w)} for b in (1, 3)}))

    passed = failed = 0
    c_example_done = False
    for name, path, options, feeds in models:
        if only and name not in only:
            continue
        library = os.path.join(work, f"lib{name.replace('.', '_')}.so")
        compiled = subprocess.run([loomc, "compile", path, "-o", library, "-q"]
                                  + options, capture_output=True, text=True)
        if compiled.returncode != 0:
            print(f"FAIL {name}: loomc compile exit {compiled.returncode}: "
                  f"{compiled.stderr.strip().splitlines()[-1:]}")
            failed += 2
            continue
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        for batch, inputs in feeds.items():
            label = f"{name} batch {batch}"
            case = os.path.join(work, f"{name}-b{batch}")
            os.makedirs(case, exist_ok=True)
            args = [loomc, "run", library, "-d", case, "-q"]
            # At batch 3 the library runs twice and the second run's
            # outputs are compared: it reuses the buffers the first one
            # freed (the runtime's buffer cache), left as they were.
            if batch == 3:
                args += ["--benchmark", "2"]
            for input_name, value in inputs.items():
                file = os.path.join(case, input_name + ".npy")
                np.save(file, value)
                args += ["--input", f"{input_name}={file}"]
            run = subprocess.run(args, capture_output=True, text=True)
            if run.returncode != 0:
                print(f"FAIL {label}: loomc run exit {run.returncode}: "
                      f"{run.stderr.strip().splitlines()[-1:]}")
                failed += 1
                continue
            ok = compare(label, case, session, inputs)
            passed += ok
            failed += not ok
        if not c_example_done and name == "resnet18":
            # The C example, built against the generated header and linked
            # with the library, as a user's program would be.
            c_example_done = True
            program = os.path.join(work, "loom_run")
            header = os.path.join(work, "resnet18.h")
            build = subprocess.run(
                ["cc", "-O2", "-Wall", "-Werror", f"-I{work}",
                 f'-DLOOM_MODEL_HEADER="{os.path.basename(header)}"',
                 os.path.join(ROOT, "examples", "loom_run.c"), f"-L{work}",
                 "-lresnet18", f"-Wl,-rpath,{work}", "-o", program],
                capture_output=True, text=True)
            if build.returncode != 0:
                print(f"FAIL resnet18 C example: build: {build.stderr.strip()}")
                failed += 1
                continue
            case = os.path.join(work, "resnet18-c")
            os.makedirs(case, exist_ok=True)
            x = os.path.join(work, "resnet18-b3", "x.npy")
            run = subprocess.run([program, x, "-o", case], capture_output=True,
                                 text=True)
            if run.returncode != 0:
                print(f"FAIL resnet18 C example: exit {run.returncode}: "
                      f"{run.stderr.strip()}")
                failed += 1
                continue
            ok = compare("resnet18 C example batch 3", case, session,
                         {"x": np.load(x)})
            passed += ok
            failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
