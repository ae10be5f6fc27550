func.func @main(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = loom.onnx "FusedGelu" domain "com.microsoft" version 1 (%x) : (tensor<2x4xf32>) -> tensor<2x4xf32> loc("Fused")
  return %0 : tensor<2x4xf32>
}
