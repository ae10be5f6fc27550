#!/usr/bin/env python3
"""Writes hostile Loom IR inputs (.mlir, .mlirbc) into OUT_DIR/named/NAME/:

  mlir-deep-nesting      a dense literal nested 100,000 brackets deep (MLIR's
                         parser recursed until the stack was gone)
  mlir-huge-splat        dense<1.0> : tensor<1000000x1000000xf32>, 4 TB once
                         written out
  mlir-resource-short    a dense_resource blob of 8 bytes for tensor<4xf32>
                         (exported with exit 0 before)
  mlir-resource-missing  a dense_resource with no blob
  mlir-parse-note        a parse error that comes with a note (one line)
  mlirbc-flipped-N       a valid bytecode file (LOOM_BIN/loom-translate's
                         import of samples/tiny-gpt.onnx) with bytes changed

    python3 scripts/make_hostile_mlir.py OUT_DIR LOOM_BIN
Checked by scripts/hostile_check.py.
"""
import os
import random
import subprocess
import sys

out, loom_bin = sys.argv[1], sys.argv[2]
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def named(name, text, ext=".mlir"):
    folder = os.path.join(out, "named", name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "model" + ext), "wb") as f:
        f.write(text if isinstance(text, bytes) else text.encode())


MAIN = """func.func @main(%x: tensor<4xf32> {loom.name = "x"}) -> (tensor<4xf32> {loom.name = "y"}) {
  %w = loom.weight_ref @w : tensor<4xf32>
  %0 = loom.add %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
"""
named("mlir-deep-nesting", "loom.weight @w : tensor<1xf32> = dense<" + "[" * 100000 + "1.0" +
      "]" * 100000 + ">\n")
named("mlir-huge-splat", "loom.weight @w frozen : tensor<1000000x1000000xf32> = dense<1.0>\n" +
      MAIN.replace("tensor<4xf32>", "tensor<2xf32>").replace(
          "  %w = loom.weight_ref @w : tensor<2xf32>\n  %0 = loom.add %x, %w : "
          "(tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>\n  return %0", "  return %x"))
RESOURCE = """loom.weight @w frozen : tensor<4xf32> = dense_resource<blob>
%s{-#
  dialect_resources: {
    builtin: {
      %s: "0x040000000000803F00000040"
    }
  }
#-}
"""
named("mlir-resource-short", RESOURCE % (MAIN, "blob"))
named("mlir-resource-missing", RESOURCE % (MAIN, "other"))
named("mlir-parse-note", """func.func @f(%a: tensor<2xf32>) -> tensor<3xf32> {
  %0 = loom.relu %a : (tensor<2xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
""")

bytecode = os.path.join(out, "valid.mlirbc")
subprocess.run([os.path.join(loom_bin, "loom-translate"), "--import-onnx",
                os.path.join(root, "samples", "tiny-gpt.onnx"), "-o", bytecode], check=True)
data = open(bytecode, "rb").read()
rng = random.Random(5)
flips = 0
for i in range(40):
    mutated = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        # Mostly the header and the sections before the blobs.
        pos = rng.randrange(min(len(mutated), 4096)) if rng.random() < 0.8 \
            else rng.randrange(len(mutated))
        mutated[pos] = rng.randrange(256)
    named("mlirbc-flipped-%d" % i, bytes(mutated), ".mlirbc")
    flips += 1
named("mlirbc-truncated", data[:len(data) // 3], ".mlirbc")
os.remove(bytecode)
print("wrote %d named inputs" % (5 + flips + 1))
