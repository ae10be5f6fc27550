// RUN: loom-opt %s --split-input-file --convert-loom-to-linalg --verify-diagnostics
//
// What the lowering does not support: each case is one error on the op.

func.func @generic_op(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{unsupported op 'com.microsoft.FusedGelu': no typed Loom op carries it}}
  %0 = loom.onnx "FusedGelu" domain "com.microsoft" version 1 (%a) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @unranked(%a: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{unsupported op 'loom.relu': an operand has an unranked type}}
  %0 = loom.relu %a : tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv3d(%x: tensor<1x1x4x4x4xf32>, %w: tensor<1x1x2x2x2xf32>) -> tensor<1x1x3x3x3xf32> {
  // expected-error @+1 {{unsupported op 'loom.conv': 3-D convolution (1-D and 2-D only)}}
  %0 = loom.conv %x, %w : (tensor<1x1x4x4x4xf32>, tensor<1x1x2x2x2xf32>) -> tensor<1x1x3x3x3xf32>
  return %0 : tensor<1x1x3x3x3xf32>
}

// -----

func.func @dynamic_spatial(%x: tensor<1x1x?x?xf32>, %w: tensor<1x1x2x2xf32>) -> tensor<1x1x?x?xf32> {
  // expected-error @+1 {{unsupported op 'loom.conv': dynamic spatial sizes (give the input shape)}}
  %0 = loom.conv %x, %w : (tensor<1x1x?x?xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x?x?xf32>
  return %0 : tensor<1x1x?x?xf32>
}

// -----

func.func @maxpool_indices(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xi64> {
  // expected-error @+1 {{unsupported op 'loom.max_pool': MaxPool's Indices output}}
  %0, %1 = loom.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>)
  return %1 : tensor<1x1x2x2xi64>
}

// -----

func.func @slice_not_constant(%a: tensor<5xf32>, %s: tensor<1xi64>) -> tensor<?xf32> {
  %e = loom.constant dense<4> : tensor<1xi64>
  // expected-error @+1 {{unsupported op 'loom.slice': starts or ends is not a constant}}
  %0 = loom.slice %a starts %s ends %e : (tensor<5xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @unsigned(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  // expected-error @+1 {{unsupported op 'loom.add': arithmetic on unsigned integer tensors}}
  %0 = loom.add %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// A typed op with no lowering (an absent operand that something still
// reads).
func.func @none() -> none {
  // expected-error @+1 {{unsupported op 'loom.none': no lowering yet}}
  %0 = loom.none
  return %0 : none
}

// -----

func.func @resize_dynamic_spatial(%x: tensor<1x1x?x2xf32>) -> tensor<1x1x?x4xf32> {
  %scales = loom.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  // expected-error @+1 {{unsupported op 'loom.resize': dynamic shapes (give the input shape)}}
  %0 = loom.resize %x scales %scales : (tensor<1x1x?x2xf32>, tensor<4xf32>) -> tensor<1x1x?x4xf32>
  return %0 : tensor<1x1x?x4xf32>
}

// -----

func.func @resize_cubic(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %sizes = loom.constant dense<[1, 1, 4, 4]> : tensor<4xi64>
  // expected-error @+1 {{unsupported op 'loom.resize': mode 'cubic'}}
  %0 = loom.resize %x sizes %sizes {mode = "cubic"} : (tensor<1x1x2x2xf32>, tensor<4xi64>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

func.func @dequantize_int4(%x: tensor<4xi4>, %s: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{unsupported op 'loom.dequantize_linear': 4-bit integers (the runtime binds no 4-bit tensor yet)}}
  %y = loom.dequantize_linear %x, %s : (tensor<4xi4>, tensor<f32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @quantize_int4(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<ui4>) -> tensor<4xui4> {
  // expected-error @+1 {{unsupported op 'loom.quantize_linear': 4-bit integers (the runtime binds no 4-bit tensor yet)}}
  %y = loom.quantize_linear %x, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<ui4>) -> tensor<4xui4>
  return %y : tensor<4xui4>
}

// -----

func.func @quantize_f16(%x: tensor<4xf16>, %s: tensor<f16>) -> tensor<4xui8> {
  // expected-error @+1 {{unsupported op 'loom.quantize_linear': only f32 inputs}}
  %y = loom.quantize_linear %x, %s : (tensor<4xf16>, tensor<f16>) -> tensor<4xui8>
  return %y : tensor<4xui8>
}

// -----

func.func @qlinear_matmul_f64(%a: tensor<2x4xui8>, %b: tensor<4x3xi8>, %s: tensor<f64>, %za: tensor<ui8>, %zb: tensor<i8>) -> tensor<2x3xui8> {
  // expected-error @+1 {{unsupported op 'loom.qlinear_matmul': scales of different or 64-bit types}}
  %0 = loom.qlinear_matmul %a, %s, %za, %b, %s, %zb, %s, %za : (tensor<2x4xui8>, tensor<f64>, tensor<ui8>, tensor<4x3xi8>, tensor<f64>, tensor<i8>, tensor<f64>, tensor<ui8>) -> tensor<2x3xui8>
  return %0 : tensor<2x3xui8>
}

// -----

func.func @conv_integer_3d(%x: tensor<1x1x3x3x3xui8>, %w: tensor<1x1x2x2x2xui8>) -> tensor<1x1x2x2x2xi32> {
  // expected-error @+1 {{unsupported op 'loom.conv_integer': 3-D convolution (1-D and 2-D only)}}
  %0 = loom.conv_integer %x, %w : (tensor<1x1x3x3x3xui8>, tensor<1x1x2x2x2xui8>) -> tensor<1x1x2x2x2xi32>
  return %0 : tensor<1x1x2x2x2xi32>
}
