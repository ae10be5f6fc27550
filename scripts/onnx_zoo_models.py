#!/usr/bin/env python3
"""The ONNX zoo's models: exported by a real exporter (Debian's PyTorch 1.13
and torchvision 0.14, random weights). Used by scripts/onnx_zoo.py.

Families:
  * every torchvision classification model, segmentation model and the
    detection models that export (Loop, If, NonMaxSuppression, RoiAlign, TopK);
  * torch.jit.script models with data-dependent control flow (an `if` on a
    tensor, a `for` over a tensor dimension, an LSTM cell in a scripted loop),
    whose If/Loop bodies read the module's weights;
  * nn.LSTM / nn.GRU with initial states, nn.TransformerEncoder and
    nn.MultiheadAttention.
Each can be exported at opsets 11, 13 and 17, with and without constant
folding (`NAME-op17-fold.onnx`). DEFAULT is one or two variants of each
family, small enough for every CI run; FULL is every model at every setting.
"""
import io
import os
import sys
import traceback
import warnings

OPSETS = (11, 13, 17)


# --- model builders (imported lazily in the workers) --------------------------

def classification(name, size=64, **kw):
    def build():
        import torchvision
        return getattr(torchvision.models, name)(weights=None, **kw), image(size)
    return build


def segmentation(name, size=64, **kw):
    def build():
        import torchvision
        model = getattr(torchvision.models.segmentation, name)(
            weights=None, weights_backbone=None, **kw)
        return model, image(size)
    return build


def detection(name, size=128, **kw):
    def build():
        import torch
        import torchvision
        # Random weights score every box near 1/num_classes: a zero score
        # threshold keeps boxes (and the NMS/RoiAlign paths) in the outputs.
        model = getattr(torchvision.models.detection, name)(
            weights=None, weights_backbone=None, box_score_thresh=0.0, **kw)
        torch.manual_seed(1)
        x = torch.rand(3, size, size)
        return model, ([x],)
    return build


def image(size):
    import torch
    torch.manual_seed(1)
    return (torch.randn(1, 3, size, size),)


def scripted_if():
    import torch

    class Gate(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Linear(8, 8)
            self.b = torch.nn.Linear(8, 8)
            self.scale = torch.nn.Parameter(torch.randn(8))

        def forward(self, x):
            if x.sum() > 0:
                y = self.a(x) * self.scale
            else:
                y = self.b(x) + self.scale
            if y.mean() > 0:
                if y.max() > 1.0:
                    y = y * self.scale
                else:
                    y = self.a(y)
            return y

    torch.manual_seed(0)
    return torch.jit.script(Gate()), (torch.randn(2, 8),)


def scripted_loop():
    import torch

    class Accumulate(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = torch.nn.Linear(8, 8)
            self.bias = torch.nn.Parameter(torch.randn(8))

        def forward(self, x):
            h = torch.zeros(x.size(1), 8)
            for t in range(x.size(0)):
                h = torch.tanh(self.proj(x[t]) + h + self.bias)
                if h.sum() > 0:
                    h = h * 0.5
            return h

    torch.manual_seed(0)
    return torch.jit.script(Accumulate()), (torch.randn(5, 2, 8),)


def scripted_lstm_cell():
    import torch

    class Unrolled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = torch.nn.LSTMCell(8, 16)
            self.head = torch.nn.Linear(16, 4)

        def forward(self, x):
            h = torch.zeros(x.size(1), 16)
            c = torch.zeros(x.size(1), 16)
            for t in range(x.size(0)):
                h, c = self.cell(x[t], (h, c))
            return self.head(h)

    torch.manual_seed(0)
    return torch.jit.script(Unrolled()), (torch.randn(6, 2, 8),)


def rnn(kind):
    def build():
        import torch

        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = getattr(torch.nn, kind)(8, 16, num_layers=2, batch_first=True,
                                                   bidirectional=True)
                self.head = torch.nn.Linear(32, 4)

            def forward(self, x, h0, *c0):
                state = (h0, c0[0]) if c0 else h0
                y, _ = self.rnn(x, state)
                return self.head(y)

        torch.manual_seed(0)
        inputs = (torch.randn(2, 5, 8), torch.randn(4, 2, 16))
        if kind == "LSTM":
            inputs += (torch.randn(4, 2, 16),)
        return Net(), inputs
    return build


def transformer_encoder():
    import torch
    torch.manual_seed(0)

    class Encoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(100, 32)
            layer = torch.nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True)
            self.encoder = torch.nn.TransformerEncoder(layer, 2)

        def forward(self, tokens):
            return self.encoder(self.embed(tokens))

    return Encoder(), (torch.randint(0, 100, (2, 7)),)


def multihead_attention():
    import torch
    torch.manual_seed(0)

    class Attention(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.attn = torch.nn.MultiheadAttention(32, 4)

        def forward(self, q, kv):
            out, weights = self.attn(q, kv, kv)
            return out, weights

    return Attention(), (torch.randn(5, 2, 32), torch.randn(7, 2, 32))


# name -> (builder, default variants [(opset, fold)])
CLASSIFICATION = [
    "alexnet", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19",
    "vgg19_bn", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
    "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2",
    "wide_resnet101_2", "squeezenet1_0", "squeezenet1_1", "densenet121", "densenet161",
    "densenet169", "densenet201", "googlenet", "inception_v3", "mobilenet_v2",
    "mobilenet_v3_small", "mobilenet_v3_large", "shufflenet_v2_x0_5", "shufflenet_v2_x1_0",
    "shufflenet_v2_x1_5", "shufflenet_v2_x2_0", "mnasnet0_5", "mnasnet0_75", "mnasnet1_0",
    "mnasnet1_3", "efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3",
    "efficientnet_b4", "efficientnet_b5", "efficientnet_b6", "efficientnet_b7",
    "efficientnet_v2_s", "efficientnet_v2_m", "efficientnet_v2_l", "regnet_y_400mf",
    "regnet_y_800mf", "regnet_y_1_6gf", "regnet_y_3_2gf", "regnet_y_8gf", "regnet_y_16gf",
    "regnet_y_32gf", "regnet_y_128gf", "regnet_x_400mf", "regnet_x_800mf", "regnet_x_1_6gf",
    "regnet_x_3_2gf", "regnet_x_8gf", "regnet_x_16gf", "regnet_x_32gf", "convnext_tiny",
    "convnext_small", "convnext_base", "convnext_large", "vit_b_16", "vit_b_32", "vit_l_16",
    "vit_l_32", "vit_h_14", "swin_t", "swin_s", "swin_b", "swin_v2_t", "swin_v2_s",
    "swin_v2_b",
]
# Sizes: Inception v3 needs at least 75 pixels; AlexNet and VGG pool to a
# fixed grid that PyTorch exports only from a multiple of it (224); ViTs get
# a 64-pixel image size (their position embeddings follow); the rest run at 64.
SIZE = {"inception_v3": 96}
SIZE.update({name: 224 for name in CLASSIFICATION if name.startswith(("alexnet", "vgg"))})
KWARGS = {name: {"image_size": 64} for name in CLASSIFICATION if name.startswith("vit_")}
KWARGS["vit_h_14"] = {"image_size": 56}
SIZE["vit_h_14"] = 56
KWARGS["googlenet"] = {"init_weights": True}
KWARGS["inception_v3"] = {"init_weights": True}

MODELS = {}
for name in CLASSIFICATION:
    MODELS[name] = classification(name, SIZE.get(name, 64), **KWARGS.get(name, {}))
for name in ["fcn_resnet50", "fcn_resnet101", "deeplabv3_resnet50", "deeplabv3_resnet101",
             "deeplabv3_mobilenet_v3_large", "lraspp_mobilenet_v3_large"]:
    MODELS[name] = segmentation(name)
for name in ["fasterrcnn_resnet50_fpn", "fasterrcnn_resnet50_fpn_v2",
             "fasterrcnn_mobilenet_v3_large_fpn", "fasterrcnn_mobilenet_v3_large_320_fpn",
             "maskrcnn_resnet50_fpn", "maskrcnn_resnet50_fpn_v2", "keypointrcnn_resnet50_fpn",
             "retinanet_resnet50_fpn", "retinanet_resnet50_fpn_v2", "ssdlite320_mobilenet_v3_large",
             "ssd300_vgg16", "fcos_resnet50_fpn"]:
    # Small images keep the R-CNNs fast; the SSDs resize to their own size.
    kw = {} if name.startswith("ssd") else {"min_size": 128, "max_size": 128}
    MODELS[name] = detection(name, 128, **kw)
MODELS["scripted_if"] = scripted_if
MODELS["scripted_loop"] = scripted_loop
MODELS["scripted_lstm_cell"] = scripted_lstm_cell
MODELS["lstm"] = rnn("LSTM")
MODELS["gru"] = rnn("GRU")
MODELS["transformer_encoder"] = transformer_encoder
MODELS["multihead_attention"] = multihead_attention

# The default set: every family at least once, both folding settings and all
# three opsets represented, the control-flow models at every opset.
DEFAULT = [
    ("resnet18", 17, True), ("resnet18", 11, False), ("mobilenet_v2", 13, True),
    ("mobilenet_v3_small", 17, False), ("efficientnet_b0", 17, True),
    ("regnet_x_400mf", 13, True), ("shufflenet_v2_x0_5", 11, True),
    ("squeezenet1_1", 17, False), ("densenet121", 13, True), ("googlenet", 17, True),
    ("inception_v3", 11, True), ("mnasnet0_5", 17, True), ("convnext_tiny", 17, True),
    ("vit_b_32", 17, True), ("swin_t", 17, True), ("alexnet", 13, False),
    ("lraspp_mobilenet_v3_large", 17, True), ("deeplabv3_mobilenet_v3_large", 11, True),
    ("fcn_resnet50", 13, True),
    ("fasterrcnn_mobilenet_v3_large_320_fpn", 17, True), ("ssdlite320_mobilenet_v3_large", 11, True),
    ("retinanet_resnet50_fpn", 13, True), ("maskrcnn_resnet50_fpn", 17, True),
    ("lstm", 17, True), ("lstm", 11, False), ("gru", 13, True),
    ("transformer_encoder", 17, True), ("transformer_encoder", 13, False),
    ("multihead_attention", 17, True),
] + [(name, opset, fold) for name in ("scripted_if", "scripted_loop", "scripted_lstm_cell")
     for opset in OPSETS for fold in (True, False)]


FULL = [(name, opset, fold) for name in MODELS for opset in OPSETS for fold in (True, False)]


def variant_name(name, opset, fold):
    return "%s-op%d-%s" % (name, opset, "fold" if fold else "nofold")


def export(name, opset, fold, path):
    """Exports one variant to `path` (written under a temporary name, then
    renamed). Returns None, or the exporter's one-line reason for refusing."""
    import torch
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    try:
        model, inputs = MODELS[name]()
        model.eval()
        tmp = path + ".tmp"
        # Not under torch.no_grad(): with gradients off, nn.TransformerEncoder
        # takes its fused fast path, which has no ONNX export.
        # The exporter's own chatter is silenced; failures come back as text.
        stdout, stderr = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = io.StringIO()
        try:
            torch.onnx.export(model, inputs, tmp, opset_version=opset,
                              do_constant_folding=fold)
        finally:
            sys.stdout, sys.stderr = stdout, stderr
        os.replace(tmp, path)
        return None
    except Exception as e:
        lines = [l for l in traceback.format_exception_only(type(e), e)[-1].splitlines() if l]
        return (lines[0] if lines else type(e).__name__)[:300]
