"""The typed ops Loom declares in ODS, for test scripts.

`typed_ops(root)` returns (onnx_name, mnemonic, min_opset) for every op of
include/loom/Dialect/Loom/IR/*.td that mirrors an ONNX operator: the second
template argument of a Loom_*Op base (Loom_TypedOp<"relu", "Relu">), or
`let onnxName = "X";`, with `let onnxMinOpset = N;` (default 1). The same
facts the C++ table (lib/Target/ONNX/ONNXOpTable.h) is generated from.
"""
import glob
import os
import re


def typed_ops(root):
    td = "\n".join(open(p).read() for p in sorted(
        glob.glob(os.path.join(root, "include/loom/Dialect/Loom/IR/*.td"))))
    ops = []
    for m in re.finditer(r'^def (Loom_\w+Op)\s*:\s*(\w+)<"(\w+)"(?:,\s*"(\w+)")?[^{]*\{(.*?)^\}',
                         td, re.M | re.S):
        _, base, mnemonic, onnx, body = m.groups()
        named = re.search(r'let onnxName = "(\w+)";', body)
        if named:
            onnx = named.group(1)
        if not onnx or not base.startswith("Loom_"):
            continue
        opset = re.search(r"let onnxMinOpset = (\d+);", body)
        ops.append((onnx, mnemonic, int(opset.group(1)) if opset else 1))
    return sorted(ops)
