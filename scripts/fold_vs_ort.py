#!/usr/bin/env python3
"""BatchNorm (and Mul/Add) folding checked numerically against ONNX Runtime.

For each small model built here with onnx.helper (seeded weights and BatchNorm
statistics, as a trained network has): Conv, grouped Conv, depthwise Conv,
ConvTranspose with groups, Gemm with transB = 0 and 1 (alpha, beta, C),
2-D MatMul, each followed by BatchNormalization; Conv followed by Mul and Add
by per-channel constants; and a negative case (a BatchNorm whose scale is a
graph input, so not frozen). Runs

  loomc compress MODEL --fold -o FOLDED.onnx

and checks that FOLDED has no BatchNormalization (the negative case keeps
it), that it is not larger than MODEL, and that ONNX Runtime, its own graph
optimizations off, gives the same outputs on both (relative L2 <= 1e-5) on a
seeded input.

  scripts/fold_vs_ort.py LOOMC WORKDIR

Prints one line per case and `N passed, N failed`; exit 1 on a failure.
"""
import os
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

RTOL_L2 = 1e-5


def tensor(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


def bn_params(rng, prefix, channels):
    return [
        tensor(prefix + ".weight", rng.uniform(0.5, 1.5, channels)),
        tensor(prefix + ".bias", rng.normal(0, 0.5, channels)),
        tensor(prefix + ".running_mean", rng.normal(0, 0.5, channels)),
        tensor(prefix + ".running_var", rng.uniform(0.2, 2.0, channels)),
    ]


def model(name, nodes, inits, x_shape, y_shape, extra_inputs=()):
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)]
        + list(extra_inputs),
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)],
        inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(m)
    return m


def bn_node(x, prefix, eps=1e-3):
    return helper.make_node(
        "BatchNormalization",
        [x, prefix + ".weight", prefix + ".bias", prefix + ".running_mean",
         prefix + ".running_var"], ["y"], epsilon=eps, name=prefix)


def cases(rng):
    def conv_bn(name, cin, cout, group, bias):
        w = tensor("conv.weight", rng.normal(0, 0.3, (cout, cin // group, 3, 3)))
        inits = [w] + bn_params(rng, "bn", cout)
        inputs = ["x", "conv.weight"]
        if bias:
            inits.append(tensor("conv.bias", rng.normal(0, 0.3, cout)))
            inputs.append("conv.bias")
        nodes = [helper.make_node("Conv", inputs, ["c"], group=group,
                                  pads=[1, 1, 1, 1], name="conv"),
                 bn_node("c", "bn")]
        return name, model(name, nodes, inits, [2, cin, 8, 8],
                           [2, cout, 8, 8]), (2, cin, 8, 8), True

    yield conv_bn("conv", 4, 6, 1, True)
    yield conv_bn("conv without bias", 4, 6, 1, False)
    yield conv_bn("grouped conv", 4, 6, 2, True)
    yield conv_bn("depthwise conv", 4, 4, 4, False)

    # ConvTranspose: W is (Cin, Cout/group, k, k); BN scales axis 1.
    w = tensor("deconv.weight", rng.normal(0, 0.3, (4, 3, 3, 3)))
    nodes = [helper.make_node("ConvTranspose", ["x", "deconv.weight"], ["c"],
                              group=2, strides=[2, 2], name="deconv"),
             bn_node("c", "bn")]
    yield ("conv_transpose group 2",
           model("deconv", nodes, [w] + bn_params(rng, "bn", 6),
                 [1, 4, 5, 5], [1, 6, 11, 11]), (1, 4, 5, 5), True)

    for trans_b in (0, 1):
        shape = (6, 5) if trans_b else (5, 6)
        inits = [tensor("fc.weight", rng.normal(0, 0.3, shape)),
                 tensor("fc.bias", rng.normal(0, 0.3, 6))] + bn_params(rng, "bn", 6)
        nodes = [helper.make_node("Gemm", ["x", "fc.weight", "fc.bias"], ["g"],
                                  alpha=0.7, beta=0.3, transB=trans_b,
                                  name="fc"),
                 bn_node("g", "bn")]
        yield (f"gemm transB={trans_b}",
               model("gemm", nodes, inits, [3, 5], [3, 6]), (3, 5), True)

    inits = [tensor("mm.weight", rng.normal(0, 0.3, (5, 6)))] + bn_params(rng, "bn", 6)
    nodes = [helper.make_node("MatMul", ["x", "mm.weight"], ["m"], name="mm"),
             bn_node("m", "bn")]
    yield "matmul", model("matmul", nodes, inits, [3, 5], [3, 6]), (3, 5), True

    inits = [tensor("conv.weight", rng.normal(0, 0.3, (6, 4, 3, 3))),
             tensor("conv.bias", rng.normal(0, 0.3, 6)),
             tensor("scale", rng.uniform(0.5, 2, (6, 1, 1))),
             tensor("shift", rng.normal(0, 1, (1, 6, 1, 1)))]
    nodes = [helper.make_node("Conv", ["x", "conv.weight", "conv.bias"], ["c"],
                              pads=[1, 1, 1, 1], name="conv"),
             helper.make_node("Mul", ["c", "scale"], ["m"], name="mul"),
             helper.make_node("Add", ["m", "shift"], ["y"], name="add")]
    yield ("conv mul add", model("convmuladd", nodes, inits, [2, 4, 8, 8],
                                 [2, 6, 8, 8]), (2, 4, 8, 8), True)

    # Negative: the BatchNorm's scale is a graph input (trainable, fed by
    # the caller), so nothing may fold through it.
    w = tensor("conv.weight", rng.normal(0, 0.3, (6, 4, 3, 3)))
    params = bn_params(rng, "bn", 6)
    scale_input = helper.make_tensor_value_info("bn.weight", TensorProto.FLOAT, [6])
    nodes = [helper.make_node("Conv", ["x", "conv.weight"], ["c"],
                              pads=[1, 1, 1, 1], name="conv"),
             bn_node("c", "bn")]
    yield ("not frozen (scale is an input)",
           model("negative", nodes, [w] + params, [2, 4, 8, 8], [2, 6, 8, 8],
                 extra_inputs=[scale_input]), (2, 4, 8, 8), False)


def main():
    loomc, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(11)
    passed = failed = 0
    for index, (label, m, x_shape, folds) in enumerate(cases(rng)):
        path = os.path.join(work, f"case{index}.onnx")
        folded = os.path.join(work, f"case{index}.folded.onnx")
        onnx.save(m, path)
        run = subprocess.run([loomc, "compress", path, "--fold", "-o", folded,
                              "-q"], capture_output=True, text=True)
        if run.returncode != 0:
            print(f"FAIL {label}: loomc compress exit {run.returncode}: "
                  f"{run.stderr.strip().splitlines()[-1:]}")
            failed += 1
            continue
        out = onnx.load(folded)
        ops = [n.op_type for n in out.graph.node]
        feeds = {"x": rng.normal(0, 1, x_shape).astype(np.float32)}
        if not folds:
            feeds["bn.weight"] = rng.uniform(0.5, 1.5, 6).astype(np.float32)
        # Without ONNX Runtime's own graph optimizations (it fuses Conv and
        # BatchNorm itself): the reference is the unfused model.
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        options.log_severity_level = 3
        want = ort.InferenceSession(path, options).run(None, feeds)[0]
        got = ort.InferenceSession(folded, options).run(None, feeds)[0]
        rel = float(np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-30))
        problems = []
        if folds and "BatchNormalization" in ops:
            problems.append("BatchNormalization left")
        # MatMul has no bias: its shift stays as one Add.
        if folds and ("Mul" in ops or "Add" in ops) and ops != ["MatMul", "Add"]:
            problems.append(f"Mul/Add left: {ops}")
        if not folds and "BatchNormalization" not in ops:
            problems.append("folded through a graph input")
        if folds and os.path.getsize(folded) > os.path.getsize(path):
            problems.append(f"grew: {os.path.getsize(path)} -> "
                            f"{os.path.getsize(folded)} bytes")
        if not rel <= RTOL_L2:
            problems.append(f"relative L2 {rel:.2e} > {RTOL_L2}")
        if problems:
            print(f"FAIL {label}: " + "; ".join(problems))
            failed += 1
        else:
            print(f"PASS {label}: nodes {len(m.graph.node)} -> {len(ops)}, "
                  f"relative L2 {rel:.1e}")
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
