// diff.test's other model: @same identical, @tiny within 1e-3, @tuned
// changed, @same.t tied into @same (a transposed copy, gone), @shape
// reshaped, @old.name renamed, @to.transpose renamed and transposed,
// @to.scale renamed and scaled by 2, @wide stored as f16 @narrow, @gone
// removed, @new added;
// node "scale" became a sub, "act" was removed, "act2" added.
loom.weight @same frozen : tensor<2x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0]]>
loom.weight @tiny frozen : tensor<2xf32> = dense<[1.0001, -2.0]>
loom.weight @tuned : tensor<4xf32> = dense<[1.0, 2.0, 3.0, 5.0]>
loom.weight @shape frozen : tensor<3x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]>
loom.weight @new.name frozen : tensor<2x3xf32> = dense<[[7.0, 8.0, 9.0], [1.5, 2.5, 3.5]]>
loom.weight @transposed frozen : tensor<3x2xf32> = dense<[[1.0, 2.0], [0.5, 4.0], [0.25, 8.0]]>
loom.weight @scaled frozen : tensor<3xf32> = dense<[2.0, 6.0, 10.0]>
loom.weight @narrow frozen : tensor<3xf16> = dense<[0.5, 1.5, -2.25]>
loom.weight @new frozen : tensor<5xf32> = dense<[0.0, 1.0, 2.0, 3.0, 4.0]>
func.func @main(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %0 = loom.weight_ref @same : tensor<2x2xf32>
  %1 = loom.add %x, %0 {onnx.node = "add0"} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32> loc("add0")
  %2 = loom.weight_ref @tiny : tensor<2xf32>
  %3 = loom.sub %1, %2 : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32> loc("scale")
  %4 = loom.weight_ref @tuned : tensor<4xf32>
  %5 = loom.weight_ref @shape : tensor<3x2xf32>
  %6 = loom.weight_ref @new.name : tensor<2x3xf32>
  %7 = loom.weight_ref @transposed : tensor<3x2xf32>
  %8 = loom.weight_ref @scaled : tensor<3xf32>
  %9 = loom.weight_ref @new : tensor<5xf32>
  %11 = loom.weight_ref @narrow : tensor<3xf16>
  %10 = loom.sigmoid %3 : tensor<2x2xf32> loc("act2")
  return %10 : tensor<2x2xf32>
}
