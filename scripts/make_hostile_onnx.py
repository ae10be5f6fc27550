#!/usr/bin/env python3
"""Writes hostile ONNX inputs: what an attacker or an unlucky user feeds Loom.

    .venv/bin/python scripts/make_hostile_onnx.py OUT_DIR [--full-sweep]

  named/      one folder per reproducer, each with model.onnx (and what it
              points at): external data through a symlink to /etc/passwd, to
              /dev/zero, a symlinked folder, a FIFO, a hard link; strides,
              dilations, kernel sizes or group of 0; required attributes or
              inputs missing (MaxPool without kernel_shape, Identity with no
              input, Relu(""), MatMul with one input); a model-local function
              that calls itself.
  sweep/      every typed operator x every attribute it has (and `axis`) x
              twelve attribute kinds and values (INT, FLOAT, STRING, INTS,
              FLOATS, STRINGS, TENSOR, empty INTS, 2^62, -7, 0, huge INTS) x
              its usual number of inputs; 0 and 1 inputs with the INT kind
              only, unless --full-sweep (every kind: 3,228 inputs).
Checked by scripts/hostile_check.py.
"""
import os
import sys

import numpy as np
import onnx
from onnx import AttributeProto, TensorProto, defs, helper, numpy_helper

out = sys.argv[1]
full_sweep = "--full-sweep" in sys.argv[2:]
f32 = TensorProto.FLOAT

# The typed operators (from ODS, as lib/Target/ONNX/ONNXOpTable.h is).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loom_ods import typed_ops  # noqa: E402

TYPED = [onnx for onnx, _, _ in typed_ops(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))]


def model(nodes, inputs, outputs, inits=(), opset=17, functions=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset),
                                                helper.make_opsetid("local", 1)],
                          functions=list(functions))
    m.ir_version = 8
    return m


def vi(name, shape=(1, 1, 8, 8), elem=f32):
    return helper.make_tensor_value_info(name, elem, None if shape is None else list(shape))


def named(name, m, extra=None):
    folder = os.path.join(out, "named", name)
    os.makedirs(folder, exist_ok=True)
    if extra:
        extra(folder)
    onnx.save(m, os.path.join(folder, "model.onnx"))


def external_model(location):
    w = numpy_helper.from_array(np.ones((4, 4), np.float32), "w")
    w.data_location = TensorProto.EXTERNAL
    w.ClearField("raw_data")
    w.external_data.add(key="location", value=location)
    return model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                 [vi("x", (4, 4))], [vi("y", (4, 4))], [w])


def symlink(target, name="w.bin"):
    return lambda folder: os.symlink(target, os.path.join(folder, name))


named("external-symlink-passwd", external_model("w.bin"), symlink("/etc/passwd"))
named("external-symlink-devzero", external_model("w.bin"), symlink("/dev/zero"))
named("external-fifo", external_model("w.bin"),
      lambda folder: os.mkfifo(os.path.join(folder, "w.bin")))


def outside_file(name):
    elsewhere = os.path.join(out, "named", "outside")
    os.makedirs(elsewhere, exist_ok=True)
    path = os.path.join(elsewhere, name)
    with open(path, "wb") as f:
        f.write(b"secret" * 64)
    return elsewhere, path


def hard_link(folder):
    _, path = outside_file("linked.bin")
    os.link(path, os.path.join(folder, "w.bin"))


def folder_link(folder):
    elsewhere, _ = outside_file("secret.bin")
    os.symlink(elsewhere, os.path.join(folder, "sub"))


named("external-hardlink", external_model("w.bin"), hard_link)
named("external-symlinked-folder", external_model("sub/secret.bin"), folder_link)

# Window attributes ONNX's own shape inference divides by.
x = [vi("x")]
w = numpy_helper.from_array(np.ones((1, 1, 3, 3), np.float32), "w")
for op, attr, value in [("Conv", "strides", [0, 0]), ("Conv", "dilations", [0, 1]),
                        ("Conv", "group", 0), ("MaxPool", "strides", [0, 0]),
                        ("AveragePool", "strides", [0, 0]), ("MaxPool", "kernel_shape", [0, 2])]:
    kw = {attr: value}
    if op != "Conv" and attr != "kernel_shape":
        kw["kernel_shape"] = [2, 2]
    node = helper.make_node(op, ["x", "w"] if op == "Conv" else ["x"], ["y"], name="n", **kw)
    named("%s-%s-%s" % (op.lower(), attr, "0"), model([node], x, [vi("y", None)],
                                                       [w] if op == "Conv" else []))

# Required attributes and inputs missing.
named("maxpool-no-kernel", model([helper.make_node("MaxPool", ["x"], ["y"], name="n")], x,
                                 [vi("y", None)]))
named("identity-no-input", model([helper.make_node("Identity", [], ["y"], name="n")], x,
                                 [vi("y", None)]))
named("relu-empty-input", model([helper.make_node("Relu", [""], ["y"], name="n")], x,
                                [vi("y", None)]))
named("matmul-one-input", model([helper.make_node("MatMul", ["x"], ["y"], name="n")], x,
                                [vi("y", None)]))

# A model-local function that calls itself, and two that call each other.
recursive = helper.make_function("local", "Loop1", ["a"], ["b"],
                                 [helper.make_node("Loop1", ["a"], ["b"], domain="local")],
                                 [helper.make_opsetid("", 17)])
named("function-calls-itself",
      model([helper.make_node("Loop1", ["x"], ["y"], domain="local", name="call")], x,
            [vi("y", None)], functions=[recursive]))
ping = helper.make_function("local", "Ping", ["a"], ["b"],
                            [helper.make_node("Pong", ["a"], ["b"], domain="local", name="to_pong")],
                            [helper.make_opsetid("", 17), helper.make_opsetid("local", 1)])
pong = helper.make_function("local", "Pong", ["a"], ["b"],
                            [helper.make_node("Ping", ["a"], ["b"], domain="local", name="to_ping")],
                            [helper.make_opsetid("", 17), helper.make_opsetid("local", 1)])
named("functions-call-each-other",
      model([helper.make_node("Ping", ["x"], ["y"], domain="local", name="call")], x,
            [vi("y", None)], functions=[ping, pong]))

# Element counts and allocation sizes from a few bytes: dims of 10^6 x 10^6
# with four float_data values; dims whose element count overflows int64
# (2^32 x 2^32 multiplies to 0); 2^62 + 1 elements.
def sized(name, dims, floats=()):
    t = TensorProto(name=name, data_type=f32, dims=dims)
    t.float_data.extend(floats)
    return t


identity = [helper.make_node("Identity", ["x"], ["y"], name="id")]
named("huge-dims-few-values", model(identity, x, [vi("y")], [sized("big", [10 ** 6, 10 ** 6],
                                                                  [1, 2, 3, 4])]))
named("dims-overflow-int64", model(identity, x, [vi("y")], [sized("ov", [2 ** 32, 2 ** 32])]))
named("dims-2pow62", model(identity, x, [vi("y")], [sized("ov", [2 ** 62 + 1])]))
# Not a model: 0 bytes; a model without a graph; an input without a type.
named("empty-file", model(identity, x, [vi("y")]))
open(os.path.join(out, "named", "empty-file", "model.onnx"), "wb").close()
no_graph = onnx.ModelProto(ir_version=8)
no_graph.opset_import.add(domain="", version=17)
os.makedirs(os.path.join(out, "named", "no-graph"), exist_ok=True)
with open(os.path.join(out, "named", "no-graph", "model.onnx"), "wb") as f:
    f.write(no_graph.SerializeToString())
named("input-elem-type-0", model(identity, [vi("x", elem=0)], [vi("y")]))

# Sparse initializers whose indices leave the tensor.
def sparse_model(indices, dims=(4,), coords=False):
    values = helper.make_tensor("s", f32, [len(indices) // (len(dims) if coords else 1)],
                                [1.0] * (len(indices) // (len(dims) if coords else 1)))
    shape = [len(indices) // len(dims), len(dims)] if coords else [len(indices)]
    idx = helper.make_tensor("s_idx", TensorProto.INT64, shape, indices)
    m = model([helper.make_node("Add", ["x", "s"], ["y"], name="add")],
              [vi("x", dims)], [vi("y", dims)])
    m.graph.sparse_initializer.append(helper.make_sparse_tensor(values, idx, list(dims)))
    return m


named("sparse-index-out-of-range", sparse_model([1, 100]))
named("sparse-index-negative", sparse_model([-3]))
named("sparse-coordinate-out-of-range", sparse_model([0, 1, 5, 0], dims=(2, 2), coords=True))

# A node name with a newline and an ANSI escape: the error must stay one
# line, the name escaped.
named("name-with-controls", model([helper.make_node("Conv", ["x", "w"], ["y"],
                                                    name="evil\nline\x1b[31m", strides=[0, 0])],
                                  x, [vi("y", None)], [w]))
# An input that nothing defines (ONNX's MaxUnpool inference read its type as
# a null pointer; found by the fuzzer).
named("undefined-input", model([helper.make_node("MaxUnpool", ["x", "nowhere"], ["y"], name="n",
                                                 kernel_shape=[2, 2])], x, [vi("y", None)],
                               opset=11))


# 40,000 initializers, each read once: export was quadratic in the number of
# weights (18 s here; the checker's 10 s limit catches a relapse).
chain, inits = [], []
for i in range(40000):
    inits.append(numpy_helper.from_array(np.full((2,), i, np.float32), "w%d" % i))
    chain.append(helper.make_node("Add", ["x" if i == 0 else "y%d" % (i - 1), "w%d" % i],
                                  ["y%d" % i], name="add%d" % i))
named("many-initializers", model(chain, [vi("x", (2,))], [vi("y39999", (2,))], inits))


# If nested deeper than protobuf's default limit (100 levels, about 31 Ifs):
# written by hand, as Python's protobuf refuses to build it. Loom reads up to
# 1000 levels (about 330 Ifs) and refuses deeper ones with one line.
def varint(n):
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def nested_if_bytes(depth):
    def graph(node_bytes, name, out_name):
        g = helper.make_graph([], name, [], [helper.make_tensor_value_info(out_name, f32, [2])])
        return g.SerializeToString() + field(1, node_bytes)
    body = graph(helper.make_node("Identity", ["x"], ["y%d" % depth]).SerializeToString(),
                 "b%d" % depth, "y%d" % depth)
    for d in range(depth - 1, -1, -1):
        other = helper.make_graph([helper.make_node("Identity", ["x"], ["e%d" % d])], "e%d" % d,
                                  [], [helper.make_tensor_value_info("e%d" % d, f32, [2])])
        node = helper.make_node("If", ["c"], ["y%d" % d], name="if%d" % d, else_branch=other)
        then = AttributeProto(name="then_branch", type=AttributeProto.GRAPH)
        body = graph(node.SerializeToString() + field(5, then.SerializeToString() + field(6, body)),
                     "b%d" % d, "y%d" % d)
    inputs = helper.make_graph([], "g", [helper.make_tensor_value_info("c", TensorProto.BOOL, []),
                                         helper.make_tensor_value_info("x", f32, [2])], [])
    head = onnx.ModelProto(ir_version=8)
    head.opset_import.add(domain="", version=17)
    return head.SerializeToString() + field(7, inputs.SerializeToString() + body)


for depth in (300, 400):
    folder = os.path.join(out, "named", "if-nested-%d" % depth)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "model.onnx"), "wb") as f:
        f.write(nested_if_bytes(depth))

# The attribute sweep.
KINDS = {
    "int": lambda n: helper.make_attribute(n, 2),
    "float": lambda n: helper.make_attribute(n, 1.5),
    "string": lambda n: helper.make_attribute(n, "x"),
    "ints": lambda n: helper.make_attribute(n, [0, 0]),
    "floats": lambda n: helper.make_attribute(n, [1.5, 2.5]),
    "strings": lambda n: helper.make_attribute(n, ["a"]),
    "tensor": lambda n: helper.make_attribute(n, helper.make_tensor("t", f32, [1], [1.0])),
    "emptyints": lambda n: helper.make_attribute(n, [], attr_type=AttributeProto.INTS),
    "bigint": lambda n: helper.make_attribute(n, 2 ** 62),
    "negint": lambda n: helper.make_attribute(n, -7),
    "zeroint": lambda n: helper.make_attribute(n, 0),
    "bigints": lambda n: helper.make_attribute(n, [2 ** 62, -2 ** 62, 0, 0]),
}
sweep = os.path.join(out, "sweep")
os.makedirs(sweep, exist_ok=True)
count = 0
for op in TYPED:
    opset = 20 if op == "Gelu" else 17
    schema = defs.get_schema(op, opset)
    for attr in sorted(set(schema.attributes) | {"axis"}):
        for kind, make in KINDS.items():
            usual = max(1, schema.min_input)
            for inputs in sorted({0, 1, usual} if full_sweep or kind == "int" else {usual}):
                names = ["x%d" % i for i in range(inputs)]
                node = helper.make_node(op, names, ["y"], name="n")
                node.attribute.append(make(attr))
                m = helper.make_model(
                    helper.make_graph([node], "g", [vi(n, (2, 3, 4, 4)) for n in names],
                                      [vi("y", None)]),
                    opset_imports=[helper.make_opsetid("", opset)])
                onnx.save(m, os.path.join(sweep, "%s-%s-%s-%d.onnx" % (op, attr, kind, inputs)))
                count += 1
print("wrote %d named inputs and %d sweep inputs" % (len(os.listdir(os.path.join(out, "named"))) - 1,
                                                      count))
