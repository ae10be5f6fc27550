#!/usr/bin/env python3
"""Checks Loom's outputs that FileCheck cannot: a JSON report against
docs/ParamStats.schema.json, an SVG for well-formed XML with an <svg> root.

  check_report.py json REPORT.json [SCHEMA]    prints 'schema ok' or the error
  check_report.py svg FIGURE.svg               prints 'svg ok: N rects'
"""
import json
import os
import sys
import xml.etree.ElementTree as ET


def main():
    kind, path = sys.argv[1], sys.argv[2]
    if kind == "json":
        import jsonschema
        schema_path = sys.argv[3] if len(sys.argv) > 3 else os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "..", "docs", "ParamStats.schema.json")
        with open(schema_path) as f:
            schema = json.load(f)
        with open(path) as f:
            report = json.load(f)
        jsonschema.validate(report, schema)
        print("schema ok: %d layers, %d tensors" % (len(report["layers"]), len(report["tensors"])))
    elif kind == "svg":
        root = ET.parse(path).getroot()
        if root.tag != "{http://www.w3.org/2000/svg}svg":
            sys.exit("root element is %s, not svg" % root.tag)
        for attr in ("width", "height", "viewBox"):
            if attr not in root.attrib:
                sys.exit("svg root has no %s" % attr)
        rects = root.findall(".//{http://www.w3.org/2000/svg}rect")
        texts = [t.text or "" for t in root.findall(".//{http://www.w3.org/2000/svg}text")]
        print("svg ok: %d rects" % len(rects))
        for t in texts:
            print("text: " + t)
    else:
        sys.exit("unknown kind " + kind)


if __name__ == "__main__":
    main()
