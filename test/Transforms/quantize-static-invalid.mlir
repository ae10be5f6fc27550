// RUN: loom-opt %s --split-input-file --verify-diagnostics

// The calibrated range is verified by the dialect.
func.func @bad_range(%x: tensor<1x2xf32>, %w: tensor<2x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'loom.activation_range' must be array<f32: min, max> with min <= max}}
  %y = loom.matmul %x, %w {loom.activation_range = array<f32: 2.0, 1.0>} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

func.func @misplaced_range(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'loom.activation_range' belongs on a Conv, Gemm or MatMul}}
  %y = loom.relu %x {loom.activation_range = array<f32: 0.0, 1.0>} : tensor<2xf32>
  return %y : tensor<2xf32>
}
