#!/usr/bin/env python3
"""Writes small ONNX models whose nested graphs (If branches, Loop bodies)
read values of the enclosing graphs: the shapes real exporters produce and the
ONNX backend test data never shows.

    .venv/bin/python scripts/make_subgraph_models.py OUT_DIR

Each model is checked by pip onnx's checker before it is written. Inputs are
chosen so that ONNX Runtime runs them with seeded random feeds
(scripts/onnx_conformance.py), including both branches of every If:
`cond` inputs are fed as bool tensors, and each model computes one branch
from `cond` and the other from `Not(cond)`.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
f32, b = TensorProto.FLOAT, TensorProto.BOOL
rng = np.random.default_rng(3)


def weight(name, shape=(4,)):
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)


def graph(nodes, name, inputs, outputs, inits=()):
    return helper.make_graph(nodes, name, inputs, outputs, list(inits))


def save(name, nodes, inputs, outputs, inits=(), opset=17):
    model = helper.make_model(graph(nodes, "g", inputs, outputs, inits),
                              opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="loom-tests")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, os.path.join(out, name + ".onnx"))


def vi(name, elem=f32, shape=(4,)):
    return helper.make_tensor_value_info(name, elem, None if shape is None else list(shape))


def branch(name, nodes, output):
    return graph(nodes, name, [], [vi(output, shape=None)])


def if_node(cond, then_nodes, then_out, else_nodes, else_out, out, name):
    return helper.make_node(
        "If", [cond], [out], name=name,
        then_branch=branch(name + "_then", then_nodes, then_out),
        else_branch=branch(name + "_else", else_nodes, else_out))


cond_in = helper.make_tensor_value_info("cond", b, [])
both_conds = [helper.make_node("Not", ["cond"], ["not_cond"], name="not")]


def both_ways(make_if, extra_nodes=(), extra_outputs=()):
    """The If built on cond and on Not(cond), so both branches run."""
    return (both_conds + [make_if("cond", "y"), make_if("not_cond", "y_not")]
            + list(extra_nodes),
            [vi("y"), vi("y_not")] + list(extra_outputs))


# 1. A weight read only inside the If, by both branches.
W = weight("W")
nodes, outputs = both_ways(lambda c, o: if_node(
    c, [helper.make_node("Add", ["W", "W"], ["t_" + o], name="then_add_" + o)], "t_" + o,
    [helper.make_node("Mul", ["W", "W"], ["e_" + o], name="else_mul_" + o)], "e_" + o,
    o, "if_" + o))
save("if_weight_both_branches", nodes, [cond_in], outputs, [W])

# 2. The same, and the top level reads W after the If.
nodes, outputs = both_ways(
    lambda c, o: if_node(
        c, [helper.make_node("Add", ["W", "W"], ["t_" + o], name="then_add_" + o)], "t_" + o,
        [helper.make_node("Mul", ["W", "W"], ["e_" + o], name="else_mul_" + o)], "e_" + o,
        o, "if_" + o),
    [helper.make_node("Add", ["y", "W"], ["z"], name="after")], [vi("z")])
save("if_weight_then_top_level", nodes, [cond_in], outputs, [W])

# 3. W produced by a top-level Constant node instead of an initializer.
nodes, outputs = both_ways(lambda c, o: if_node(
    c, [helper.make_node("Add", ["W", "W"], ["t_" + o], name="then_add_" + o)], "t_" + o,
    [helper.make_node("Mul", ["W", "W"], ["e_" + o], name="else_mul_" + o)], "e_" + o,
    o, "if_" + o))
save("if_constant_both_branches",
     [helper.make_node("Constant", [], ["W"], name="const", value=weight("W"))] + nodes,
     [cond_in], outputs)

# 4. Nesting depth 3: the innermost branches read a weight, a top-level value,
# a value of the middle graph and a Resize with an absent optional input (the
# shared "none" value is created first inside the innermost graph). Its
# cubic_coeff_a, an attribute Loom's typed Resize lacks, keeps it generic.
x_in = vi("x", shape=(1, 1, 2, 2))
scales = numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales")


def nested(c, o):
    inner_then = [helper.make_node("Mul", ["W2", "xs"], ["it_" + o], name="inner_then_" + o),
                  helper.make_node("Resize", ["x", "", "scales"], ["rz_" + o],
                                   name="resize_" + o, mode="nearest",
                                   cubic_coeff_a=-0.5),
                  helper.make_node("ReduceSum", ["rz_" + o], ["rs_" + o], keepdims=0,
                                   name="rsum_" + o),
                  helper.make_node("Add", ["it_" + o, "rs_" + o], ["it2_" + o],
                                   name="inner_then_add_" + o)]
    inner_else = [helper.make_node("Sub", ["W2", "mid_" + o], ["ie_" + o],
                                   name="inner_else_" + o)]
    inner = if_node(c, inner_then, "it2_" + o, inner_else, "ie_" + o, "inner_" + o,
                    "if3_" + o)
    middle_then = [helper.make_node("Neg", ["W2"], ["mid_" + o], name="mid_neg_" + o), inner]
    middle = if_node(c, middle_then, "inner_" + o,
                     [helper.make_node("Abs", ["W2"], ["me_" + o], name="mid_abs_" + o)],
                     "me_" + o, "middle_" + o, "if2_" + o)
    return if_node(c, [middle], "middle_" + o,
                   [helper.make_node("Sigmoid", ["W2"], ["oe_" + o], name="outer_sig_" + o)],
                   "oe_" + o, o, "if1_" + o)


nodes, outputs = both_ways(nested)
save("if_nested_depth3",
     [helper.make_node("ReduceSum", ["x"], ["xs"], keepdims=0, name="xsum")] + nodes,
     [cond_in, x_in], outputs, [weight("W2"), scales])

# 5. A Loop body reading an outer weight and an outer value, with a nested If
# in the body reading the same weight; the top level reads the weight too.
trip = numpy_helper.from_array(np.array(3, np.int64), "trip")
body = graph(
    [helper.make_node("Add", ["acc", "W3"], ["acc1"], name="body_add"),
     helper.make_node("Mul", ["acc1", "xs"], ["acc2"], name="body_mul"),
     if_node("cond", [helper.make_node("Mul", ["acc2", "W3"], ["bt"], name="body_then")], "bt",
             [helper.make_node("Sub", ["acc2", "W3"], ["be"], name="body_else")], "be",
             "acc3", "body_if"),
     helper.make_node("Identity", ["c"], ["c_out"], name="body_cond")],
    "body",
    [helper.make_tensor_value_info("i", TensorProto.INT64, []),
     helper.make_tensor_value_info("c", b, []), vi("acc", shape=None)],
    [helper.make_tensor_value_info("c_out", b, []), vi("acc3", shape=None)])
save("loop_reads_outer_weight",
     [helper.make_node("ReduceSum", ["x"], ["xs0"], keepdims=0, name="xsum"),
      helper.make_node("Tanh", ["xs0"], ["xs"], name="squash"),
      helper.make_node("Loop", ["trip", "cond", "W3"], ["acc_final"], name="loop", body=body),
      helper.make_node("Add", ["acc_final", "W3"], ["z"], name="after")],
     [cond_in, x_in], [vi("z")], [weight("W3"), trip])

# 6. A Loop inside an If branch: the body reads a weight the other branch
# reads as well.
loop_body = graph(
    [helper.make_node("Mul", ["acc", "W4"], ["acc1"], name="lb_mul"),
     helper.make_node("Identity", ["c"], ["c_out"], name="lb_cond")],
    "loop_body",
    [helper.make_tensor_value_info("i", TensorProto.INT64, []),
     helper.make_tensor_value_info("c", b, []), vi("acc", shape=None)],
    [helper.make_tensor_value_info("c_out", b, []), vi("acc1", shape=None)])
nodes, outputs = both_ways(lambda c, o: if_node(
    c, [helper.make_node("Loop", ["trip", "", "W4"], ["l_" + o], name="loop_" + o,
                         body=loop_body)], "l_" + o,
    [helper.make_node("Relu", ["W4"], ["e_" + o], name="else_relu_" + o)], "e_" + o,
    o, "if_" + o))
save("loop_inside_if", nodes, [cond_in], outputs, [weight("W4"), trip])
print("wrote 6 models to", out)
