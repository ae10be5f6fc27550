// Typed ops in the newest form are written in the form of the model's opset:
// constant axes become attributes before opset 13 (Squeeze) and 18
// (ReduceMean); Gelu has no form before opset 20.
// RUN: loom-translate --export-onnx %s -o %t.onnx
// RUN: loom-translate --import-onnx --generic-only %t.onnx | FileCheck %s
// CHECK: loom.onnx "Squeeze" version 11 (%{{.*}}) attributes {axes = array<i64: 0>}
// CHECK: loom.onnx "ReduceMean" version 11 (%{{.*}}) attributes {axes = array<i64: 1>, keepdims = 0 : i64}
// CHECK: loom.onnx "Softmax" version 11 (%{{.*}}) attributes {axis = -1 : i64}
// CHECK-NOT: "Constant"
// RUN: not loom-translate --export-onnx %S/Inputs/gelu-opset17.mlir -o %t.gelu.onnx 2>&1 | FileCheck %s --check-prefix=GELU
// GELU: error: 'loom.gelu' op has no form in opset 17 (ONNX Gelu needs opset 20)
module attributes {onnx.opset_import = {"ai.onnx" = 11 : i64}} {
  func.func @main(%x: tensor<1x3x4xf32> {loom.name = "x"}) -> (tensor<3xf32> {loom.name = "y"}, tensor<3x4xf32> {loom.name = "z"}) {
    %axes = loom.constant dense<[0]> : tensor<1xi64>
    %0 = loom.squeeze %x, %axes : (tensor<1x3x4xf32>, tensor<1xi64>) -> tensor<3x4xf32>
    %a1 = loom.constant dense<[1]> : tensor<1xi64>
    %1 = loom.reduce_mean %0, %a1 {keepdims = 0} : (tensor<3x4xf32>, tensor<1xi64>) -> tensor<3xf32>
    %2 = loom.softmax %0 : tensor<3x4xf32>
    return %1, %2 : tensor<3xf32>, tensor<3x4xf32>
  }
}
