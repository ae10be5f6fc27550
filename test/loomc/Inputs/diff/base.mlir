// The base model of diff.test: one of each kind of change lives in other.mlir.
loom.weight @same frozen : tensor<2x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0]]>
loom.weight @tiny frozen : tensor<2xf32> = dense<[1.0, -2.0]>
loom.weight @tuned : tensor<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
loom.weight @shape frozen : tensor<2x3xf32> = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]>
loom.weight @old.name frozen : tensor<2x3xf32> = dense<[[7.0, 8.0, 9.0], [1.5, 2.5, 3.5]]>
loom.weight @to.transpose frozen : tensor<2x3xf32> = dense<[[1.0, 0.5, 0.25], [2.0, 4.0, 8.0]]>
loom.weight @to.scale frozen : tensor<3xf32> = dense<[1.0, 3.0, 5.0]>
loom.weight @same.t frozen : tensor<2x2xf32> = dense<[[1.0, 3.0], [2.0, 4.0]]>
loom.weight @wide frozen : tensor<3xf32> = dense<[0.5, 1.5, -2.25]>
loom.weight @gone frozen : tensor<3xf32> = dense<[9.0, 9.5, 10.0]>
func.func @main(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %0 = loom.weight_ref @same : tensor<2x2xf32>
  %1 = loom.add %x, %0 {onnx.node = "add0"} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32> loc("add0")
  %2 = loom.weight_ref @tiny : tensor<2xf32>
  %3 = loom.mul %1, %2 : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32> loc("scale")
  %4 = loom.weight_ref @tuned : tensor<4xf32>
  %5 = loom.weight_ref @shape : tensor<2x3xf32>
  %6 = loom.weight_ref @old.name : tensor<2x3xf32>
  %7 = loom.weight_ref @to.transpose : tensor<2x3xf32>
  %8 = loom.weight_ref @to.scale : tensor<3xf32>
  %9 = loom.weight_ref @gone : tensor<3xf32>
  %11 = loom.weight_ref @same.t : tensor<2x2xf32>
  %12 = loom.weight_ref @wide : tensor<3xf32>
  %10 = loom.relu %3 : tensor<2x2xf32> loc("act")
  return %10 : tensor<2x2xf32>
}
