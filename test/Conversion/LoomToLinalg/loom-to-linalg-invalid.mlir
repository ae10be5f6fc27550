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

func.func @quantize(%x: tensor<4xf32>, %s: tensor<f32>) -> tensor<4xi8> {
  %z = loom.constant dense<0> : tensor<i8>
  // expected-error @+1 {{unsupported op 'loom.quantize_linear': no lowering yet}}
  %0 = loom.quantize_linear %x, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<i8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
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

func.func @dequantize_uint8(%x: tensor<4xui8>, %s: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{unsupported op 'loom.dequantize_linear': unsigned integers (only signed 8-bit ones are dequantized yet)}}
  %y = loom.dequantize_linear %x, %s : (tensor<4xui8>, tensor<f32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
