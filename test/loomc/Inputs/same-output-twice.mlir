// Two outputs that CSE makes one value: the compiled function returns the
// same buffer twice.
func.func @main(%x: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %a = loom.relu %x : tensor<2x4xf32>
  %b = loom.relu %x : tensor<2x4xf32>
  return %a, %b : tensor<2x4xf32>, tensor<2x4xf32>
}
