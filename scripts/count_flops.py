#!/usr/bin/env python3
"""Multiply-add FLOPs of the Conv, Gemm and MatMul nodes of an ONNX model,
from ONNX's own shape inference (independent of Loom): 2 * output elements
* the reduction length (a Conv's W elements per output channel, a Gemm's or
MatMul's K). Dynamic dimensions count as 1 (batch 1).

  scripts/count_flops.py MODEL.onnx [OTHER.onnx]   # prints both and the ratio
"""
import sys

import numpy as np
import onnx
from onnx import shape_inference


def flops(path):
    model = shape_inference.infer_shapes(onnx.load(path))
    shapes = {}
    for v in list(model.graph.value_info) + list(model.graph.output) + \
            list(model.graph.input):
        shapes[v.name] = [d.dim_value if d.dim_value > 0 else 1
                          for d in v.type.tensor_type.shape.dim]
    inits = {i.name: list(i.dims) for i in model.graph.initializer}
    for i in model.graph.initializer:
        shapes.setdefault(i.name, list(i.dims))
    total = 0
    for node in model.graph.node:
        out = shapes.get(node.output[0])
        if out is None:
            continue
        if node.op_type == "Conv" and node.input[1] in inits:
            total += 2 * int(np.prod(out)) * int(np.prod(inits[node.input[1]][1:]))
        elif node.op_type in ("Gemm", "MatMul") and node.input[1] in shapes:
            b = shapes[node.input[1]]
            trans = node.op_type == "Gemm" and any(
                a.name == "transB" and a.i for a in node.attribute)
            k = b[-1] if trans else b[-2] if len(b) >= 2 else b[0]
            total += 2 * int(np.prod(out)) * int(k)
    return total


def main():
    a = flops(sys.argv[1])
    print(f"{sys.argv[1]}: {a / 1e6:.1f} MFLOP")
    if len(sys.argv) > 2:
        b = flops(sys.argv[2])
        print(f"{sys.argv[2]}: {b / 1e6:.1f} MFLOP = {100 * b / a:.1f}%")


if __name__ == "__main__":
    main()
