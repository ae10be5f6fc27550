// Conv + BatchNorm with frozen weights (an ONNX model's state) and one
// weight, `head.weight`, that stays trainable.
loom.weight @conv1.weight frozen : tensor<2x1x1x1xf32> = dense<[[[[2.0]]], [[[3.0]]]]>
loom.weight @bn1.weight frozen : tensor<2xf32> = dense<[1.0, 2.0]>
loom.weight @bn1.bias frozen : tensor<2xf32> = dense<[0.5, -0.5]>
loom.weight @bn1.running_mean buffer frozen : tensor<2xf32> = dense<[1.0, 0.0]>
loom.weight @bn1.running_var buffer frozen : tensor<2xf32> = dense<[3.0, 0.0]>
loom.weight @head.weight : tensor<2x2x1x1xf32> = dense<1.0>
func.func @main(%x: tensor<1x1x2x2xf32> {loom.name = "x"}) -> (tensor<1x2x2x2xf32> {loom.name = "y"}) {
  %w1 = loom.weight_ref @conv1.weight : tensor<2x1x1x1xf32>
  %c1 = loom.conv %x, %w1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %g = loom.weight_ref @bn1.weight : tensor<2xf32>
  %b = loom.weight_ref @bn1.bias : tensor<2xf32>
  %m = loom.weight_ref @bn1.running_mean : tensor<2xf32>
  %v = loom.weight_ref @bn1.running_var : tensor<2xf32>
  %n1 = loom.batch_norm %c1, %g, %b, %m, %v {epsilon = 1.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %h = loom.weight_ref @head.weight : tensor<2x2x1x1xf32>
  %y = loom.conv %n1, %h : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}
