module attributes {onnx.opset_import = {"ai.onnx" = 17 : i64}} {
  func.func @main(%x: tensor<2xf32> {loom.name = "x"}) -> (tensor<2xf32> {loom.name = "y"}) {
    %0 = loom.gelu %x : tensor<2xf32>
    return %0 : tensor<2xf32>
  }
}
