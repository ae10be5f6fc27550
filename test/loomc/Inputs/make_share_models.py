"""Two small ONNX models for compress-share.test, written into argv[1]:

  a.onnx: y = Gemm(x, W, C) + D              W: 32x256, C, D: 256
  b.onnx: y = Gemm(x, Wt, C, transB=1) + E   Wt = W^T stored, E != D

C is equal in both (stored once), Wt is a transposed view of W (b reads a
Transpose of the shared W), D and E are each model's own.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(0)
W = rng.standard_normal((32, 256)).astype(np.float32)
C = rng.standard_normal(256).astype(np.float32)
D = rng.standard_normal(256).astype(np.float32)
E = rng.standard_normal(256).astype(np.float32)


def model(path, weight, trans_b, bias):
    nodes = [helper.make_node("Gemm", ["x", "w", "c"], ["g"], name="fc",
                              transB=trans_b),
             helper.make_node("Add", ["g", "d"], ["y"], name="add")]
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 32])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 256])],
        [numpy_helper.from_array(weight, "w"), numpy_helper.from_array(C, "c"),
         numpy_helper.from_array(bias, "d")])
    onnx.save(helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", 17)]), os.path.join(out, path))


model("a.onnx", W, 0, D)
model("b.onnx", np.ascontiguousarray(W.T), 1, E)
os.makedirs(os.path.join(out, "other"), exist_ok=True)
model(os.path.join("other", "a.onnx"), W, 0, E)
