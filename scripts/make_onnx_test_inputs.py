#!/usr/bin/env python3
"""Writes the small ONNX files under test/Target/ONNX/Inputs/ (committed).

Valid models show the imported IR; malformed ones exercise every error path
of the importer. Run with the repository's .venv (pip's onnx):
    .venv/bin/python scripts/make_onnx_test_inputs.py test/Target/ONNX/Inputs
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def save(model, name, check=True):
    if check:
        onnx.checker.check_model(model)
    with open(os.path.join(out, name), "wb") as f:
        f.write(model.SerializeToString())


def model(nodes, inputs, outputs, inits=(), opset=17, **kw):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(inits), **kw)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                          producer_name="loom-tests")
    m.ir_version = 8
    return m


f32 = TensorProto.FLOAT
rng = np.random.default_rng(0)

# A small MLP: initializers (one large enough for a blob), Gemm, Relu, a
# symbolic batch dimension, metadata.
w1 = numpy_helper.from_array(rng.standard_normal((8, 4)).astype(np.float32), "fc1.weight")
b1 = numpy_helper.from_array(np.zeros(8, np.float32), "fc1.bias")
shape = numpy_helper.from_array(np.array([-1, 8], np.int64), "shape")
mlp = model(
    [helper.make_node("Gemm", ["x", "fc1.weight", "fc1.bias"], ["h"], name="fc1", transB=1),
     helper.make_node("Relu", ["h"], ["r"], name="relu"),
     helper.make_node("Reshape", ["r", "shape"], ["y"], name="flat")],
    [helper.make_tensor_value_info("x", f32, ["batch", 4])],
    [helper.make_tensor_value_info("y", f32, ["batch", 8])],
    [w1, b1, shape], doc_string="a tiny MLP")
mlp.metadata_props.add(key="author", value="loom")
save(mlp, "mlp.onnx")

# PyTorch's exporter merges equal tensors and reads the other names through
# Identity: a BatchNorm weight of ones is also another BatchNorm's running
# variance; a chain of Identity; an Identity that is a graph output stays.
ones = numpy_helper.from_array(np.ones(4, np.float32), "bn1.weight")
zeros = numpy_helper.from_array(np.zeros(4, np.float32), "bn1.bias")
merged = model(
    [helper.make_node("Identity", ["bn1.weight"], ["bn1.running_var"]),
     helper.make_node("Identity", ["bn1.bias"], ["bn1.running_mean"]),
     helper.make_node("Identity", ["bn1.weight"], ["bn2.weight"]),
     helper.make_node("Identity", ["bn2.weight"], ["bn2.running_var"]),
     helper.make_node("Identity", ["bn1.bias"], ["bn2.bias"]),
     helper.make_node("Identity", ["bn1.bias"], ["bn2.running_mean"]),
     helper.make_node("Identity", ["bn1.weight"], ["scale_out"], name="out"),
     helper.make_node("BatchNormalization", ["x", "bn1.weight", "bn1.bias", "bn1.running_mean",
                                             "bn1.running_var"], ["h"], name="bn1"),
     helper.make_node("BatchNormalization", ["h", "bn2.weight", "bn2.bias", "bn2.running_mean",
                                             "bn2.running_var"], ["y"], name="bn2")],
    [helper.make_tensor_value_info("x", f32, [1, 4, 2, 2])],
    [helper.make_tensor_value_info("y", f32, [1, 4, 2, 2]),
     helper.make_tensor_value_info("scale_out", f32, [4])],
    [ones, zeros])
save(merged, "merged-bn.onnx")

# Weights holding NaN and Inf (loomc stats --check names them).
nan_w = numpy_helper.from_array(np.array([[1, np.nan], [np.inf, -np.inf]], np.float32), "fc.weight")
nan_b = numpy_helper.from_array(np.array([0.5, np.nan], np.float32), "fc.bias")
ok_w = numpy_helper.from_array(np.ones((2, 2), np.float32), "ok.weight")
save(model([helper.make_node("Gemm", ["x", "fc.weight", "fc.bias"], ["h"], name="fc"),
            helper.make_node("MatMul", ["h", "ok.weight"], ["y"], name="ok")],
           [helper.make_tensor_value_info("x", f32, [1, 2])],
           [helper.make_tensor_value_info("y", f32, [1, 2])],
           [nan_w, nan_b, ok_w]), "nan-weight.onnx")

# An initializer that is also a graph input (a trainable parameter).
trainable = model(
    [helper.make_node("Add", ["x", "bias"], ["y"], name="add")],
    [helper.make_tensor_value_info("x", f32, [2]),
     helper.make_tensor_value_info("bias", f32, [2])],
    [helper.make_tensor_value_info("y", f32, [2])],
    [numpy_helper.from_array(np.array([1, 2], np.float32), "bias")])
save(trainable, "trainable.onnx")

# Nodes out of topological order and a custom-domain op.
unordered = model(
    [helper.make_node("Neg", ["t"], ["y"], name="second"),
     helper.make_node("MyOp", ["x"], ["t"], name="first", domain="com.example", alpha=0.5)],
    [helper.make_tensor_value_info("x", f32, [3])],
    [helper.make_tensor_value_info("y", f32, [3])])
unordered.opset_import.append(helper.make_opsetid("com.example", 2))
save(unordered, "unordered.onnx", check=False)

# External data next to the model.
ext = model(
    [helper.make_node("Add", ["x", "w"], ["y"], name="add")],
    [helper.make_tensor_value_info("x", f32, [64])],
    [helper.make_tensor_value_info("y", f32, [64])],
    [numpy_helper.from_array(np.arange(64, dtype=np.float32), "w")])
onnx.save_model(ext, os.path.join(out, "external.onnx"), save_as_external_data=True,
                all_tensors_to_one_file=True, location="external.onnx.bin",
                size_threshold=0)

# --- malformed ----------------------------------------------------------
good = mlp.SerializeToString()
with open(os.path.join(out, "truncated.onnx"), "wb") as f:
    f.write(good[: len(good) // 2])
with open(os.path.join(out, "not-protobuf.onnx"), "wb") as f:
    f.write(b"this is not an ONNX model\n")

bad = onnx.ModelProto(); bad.CopyFrom(trainable)
bad.graph.initializer[0].data_type = 99
save(bad, "bad-dtype.onnx", check=False)

bad = onnx.ModelProto(); bad.CopyFrom(trainable)
bad.graph.initializer[0].raw_data = b"\0" * 5
save(bad, "bad-raw-size.onnx", check=False)

bad = onnx.ModelProto(); bad.CopyFrom(ext)
bad.graph.initializer[0].external_data[0].value = "missing.bin"
save(bad, "missing-external.onnx", check=False)



def with_external(key, value):
    m = onnx.ModelProto(); m.CopyFrom(ext)
    entries = m.graph.initializer[0].external_data
    for entry in entries:
        if entry.key == key:
            entry.value = value
            break
    else:
        entries.add(key=key, value=value)
    return m


save(with_external("offset", "1000000"), "external-offset.onnx", check=False)
save(with_external("length", "1000000"), "external-length.onnx", check=False)
save(with_external("location", "../outside.bin"), "external-escape.onnx", check=False)

bad = onnx.ModelProto(); bad.CopyFrom(trainable)
bad.graph.initializer.append(bad.graph.initializer[0])
save(bad, "duplicate-initializer.onnx", check=False)

save(model([helper.make_node("Neg", ["x"], ["y"], name="a"),
            helper.make_node("Abs", ["x"], ["y"], name="b")],
           [helper.make_tensor_value_info("x", f32, [3])],
           [helper.make_tensor_value_info("y", f32, [3])]),
     "duplicate-output.onnx", check=False)

save(model([helper.make_node("Neg", ["b"], ["a"], name="n1"),
            helper.make_node("Abs", ["a"], ["b"], name="n2")],
           [helper.make_tensor_value_info("x", f32, [3])],
           [helper.make_tensor_value_info("b", f32, [3])]),
     "cycle.onnx", check=False)

save(model([helper.make_node("Neg", ["nowhere"], ["y"], name="neg")],
           [helper.make_tensor_value_info("x", f32, [3])],
           [helper.make_tensor_value_info("y", f32, [3])]),
     "dangling-input.onnx", check=False)

save(model([helper.make_node("Neg", ["x"], ["y"], name="neg")],
           [helper.make_tensor_value_info("x", f32, [3])],
           [helper.make_tensor_value_info("z", f32, [3])]),
     "dangling-output.onnx", check=False)
print("wrote", sorted(os.listdir(out)))
