#!/usr/bin/env python3
"""Checks Loom's typed ops against ONNX's operator schemas (pip onnx).

For every typed op (scripts/loom_ods.py: ODS's onnxName, the facts the C++
table lib/Target/ONNX/ONNXOpTable.h is generated from), reads its attributes from
the ODS files (include/loom/Dialect/Loom/IR/*.td: DefaultValuedAttr defaults,
OptionalAttr, required attributes, including those inherited from base
classes) and compares them with the newest schema of the ONNX operator:

  * every Loom attribute exists in ONNX with the same kind (INT, FLOAT,
    INTS, STRING);
  * a Loom default equals ONNX's default;
  * an attribute ONNX requires is required in Loom, and the other way round;
  * ONNX attributes Loom lacks are listed (the importer keeps such nodes
    generic), not failed.

Prints one line per op and `N passed, N failed`.
"""
import glob
import os
import re
import sys

import onnx.defs

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loom_ods import typed_ops  # noqa: E402

rows = [(onnx, mnemonic, str(opset)) for onnx, mnemonic, opset in typed_ops(root)]

td = "\n".join(open(p).read() for p in sorted(glob.glob(os.path.join(root, "include/loom/Dialect/Loom/IR/*.td"))))
# def/class name -> (base class, mnemonic, body)
records = {}
for m in re.finditer(r'^(def|class) (\w+)(?:<[^>]*>)?\s*:\s*(\w+)<"?(\w*)"?[^{]*\{(.*?)^\}', td, re.M | re.S):
    kind, name, base, mnemonic, body = m.groups()
    records[name] = (base, mnemonic, body)
by_mnemonic = {rec[1]: name for name, rec in records.items() if name.endswith("Op") and rec[1]}


def arguments(name):
    base, _, body = records.get(name, (None, None, ""))
    m = re.search(r"let arguments = \(ins(.*?)\);", body, re.S)
    if m:
        return m.group(1)
    return arguments(base) if base in records else ""


KINDS = {"Loom_I64Attr": "INT", "F32Attr": "FLOAT", "DenseI64ArrayAttr": "INTS",
         "Loom_AutoPadAttr": "STRING", "Loom_GeluApproximationAttr": "STRING",
         "Loom_AutoPadArg": "STRING"}
ENUM_DEFAULTS = {"::loom::AutoPad::NOTSET": "NOTSET", "::loom::GeluApproximation::None": "none"}


def loom_attributes(args):
    attrs = {}
    for m in re.finditer(r"DefaultValuedAttr<(\w+),\s*\"([^\"]*)\">:\$(\w+)", args):
        kind, value, name = m.groups()
        attrs[name] = (KINDS.get(kind, kind), ENUM_DEFAULTS.get(value, value), False)
    for m in re.finditer(r"OptionalAttr<(\w+)>:\$(\w+)", args):
        attrs[m.group(2)] = (KINDS.get(m.group(1), m.group(1)), None, False)
    for m in re.finditer(r"(?<![<\w])(Loom_I64Attr|DenseI64ArrayAttr|F32Attr):\$(\w+)", args):
        attrs.setdefault(m.group(2), (KINDS[m.group(1)], None, True))
    for m in re.finditer(r"DefaultValuedStrAttr<StrAttr,\s*\"([^\"]*)\">:\$(\w+)", args):
        attrs[m.group(2)] = ("STRING", m.group(1), False)
    if "Loom_AutoPadArg:$auto_pad" in args:
        attrs["auto_pad"] = ("STRING", "NOTSET", False)
    return attrs


def onnx_default(attr):
    d = attr.default_value
    if d is None or not d.name:
        return None
    if attr.type == onnx.defs.OpSchema.AttrType.INT:
        return d.i
    if attr.type == onnx.defs.OpSchema.AttrType.FLOAT:
        return d.f
    if attr.type == onnx.defs.OpSchema.AttrType.STRING:
        return d.s.decode()
    return None


passed = failed = 0
for onnx_name, mnemonic, _ in rows:
    record = by_mnemonic.get(mnemonic)
    schema = onnx.defs.get_schema(onnx_name)
    problems, missing = [], []
    ours = loom_attributes(arguments(record)) if record else {}
    if not record:
        problems.append("no ODS def found for loom.%s" % mnemonic)
    for name, (kind, default, required) in ours.items():
        theirs = schema.attributes.get(name)
        if theirs is None:
            problems.append("%s: not an attribute of ONNX %s" % (name, onnx_name))
            continue
        if theirs.type.name != kind:
            problems.append("%s: kind %s, ONNX says %s" % (name, kind, theirs.type.name))
        want = onnx_default(theirs)
        if default is not None:
            value = default.rstrip("f")
            try:
                value = float(value) if kind == "FLOAT" else int(value) if kind == "INT" else value
            except ValueError:
                pass
            same = (abs(value - want) <= 1e-7 * max(1, abs(want))) if kind == "FLOAT" and want is not None else value == want
            if not same:
                problems.append("%s: default %r, ONNX says %r" % (name, value, want))
        elif want is not None and not required:
            problems.append("%s: no default, ONNX's is %r" % (name, want))
        if required != theirs.required:
            problems.append("%s: %srequired in Loom, %srequired in ONNX" % (
                name, "" if required else "not ", "" if theirs.required else "not "))
    missing = sorted(set(schema.attributes) - set(ours))
    ok = not problems
    passed += ok
    failed += not ok
    print("%s %s (opset %d) ~ loom.%s%s%s" % (
        "PASS" if ok else "FAIL", onnx_name, schema.since_version, mnemonic,
        "; " + "; ".join(problems) if problems else "",
        "; ONNX attributes Loom leaves to the generic op: " + ", ".join(missing) if missing else ""))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
