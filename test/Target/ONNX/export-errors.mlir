// Export refuses what ONNX cannot express, naming the op; no file is left.
// RUN: rm -f %t.onnx
// RUN: not loom-translate --export-onnx %s -o %t.onnx 2>&1 | FileCheck %s
// RUN: test ! -e %t.onnx
// CHECK: error: 'arith.addf' op has no ONNX form; only Loom ops export
module attributes {onnx.opset_import = {"ai.onnx" = 17 : i64}} {
  func.func @main(%x: tensor<2xf32> {loom.name = "x"}) -> (tensor<2xf32> {loom.name = "y"}) {
    %0 = arith.addf %x, %x : tensor<2xf32>
    return %0 : tensor<2xf32>
  }
}
