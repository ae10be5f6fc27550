#!/usr/bin/env python3
"""Writes ONNX's backend node tests for the given operators, from the test
cases of the onnx package this Python imports (its wheel ships the cases,
not the data), in the layout of onnx/backend/test/data/node:
OUT/node/<test name>/model.onnx and test_data_set_N/{input,output}_K.pb.

  make_onnx_node_tests.py OUT OP [OP...]

Debian's libonnx-testdata is older: the cases of newer opsets (blocked
quantization, 16-bit integers) exist only in the package.
"""
import os
import sys
import warnings

from onnx import numpy_helper
from onnx.backend.test.case import node as node_cases


def write_case(out, case):
    folder = os.path.join(out, "node", case.name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "model.onnx"), "wb") as f:
        f.write(case.model.SerializeToString())
    graph = case.model.graph
    for index, (inputs, outputs) in enumerate(case.data_sets):
        data = os.path.join(folder, f"test_data_set_{index}")
        os.makedirs(data, exist_ok=True)
        for kind, values, infos in (("input", inputs, graph.input),
                                    ("output", outputs, graph.output)):
            for k, value in enumerate(values):
                tensor = value if hasattr(value, "SerializeToString") and \
                    not hasattr(value, "dtype") else \
                    numpy_helper.from_array(value, infos[k].name)
                with open(os.path.join(data, f"{kind}_{k}.pb"), "wb") as f:
                    f.write(tensor.SerializeToString())


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, ops = sys.argv[1], sys.argv[2:]
    # The cases register themselves when their modules are first imported:
    # one collection of all of them, filtered by the models' operators.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = [c for c in node_cases.collect_testcases() if c.kind == "node"]
    count, seen = 0, set()
    for op in ops:
        mine = [c for c in cases
                if any(n.op_type == op for n in c.model.graph.node)]
        if not mine:
            sys.exit(f"no node test cases for operator '{op}'")
        for case in mine:
            if case.name not in seen:
                seen.add(case.name)
                write_case(out, case)
                count += 1
    print(f"wrote {count} node tests for {len(ops)} operator(s) into {out}")


if __name__ == "__main__":
    main()
