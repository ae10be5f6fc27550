// RUN: loom-opt %s --split-input-file --convert-loom-to-linalg | FileCheck %s

// Numpy broadcasting: the 1-D operand is read along the last dimension.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[LAST:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[LAST]], #[[ID]]]
// CHECK: arith.addf
// CHECK-NOT: loom.
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = loom.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A static 1 against a dynamic size broadcasts; the dynamic size is read
// from the operand that has it.
// CHECK-DAG: #[[BCAST:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @dynamic_batch
// CHECK: %[[DIM:.*]] = tensor.dim %arg0, %c0
// CHECK: tensor.empty(%[[DIM]]) : tensor<?x4xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BCAST]], #{{.*}}]
// CHECK: arith.mulf
func.func @dynamic_batch(%a: tensor<?x4xf32>, %b: tensor<1x4xf32>) -> tensor<?x4xf32> {
  %0 = loom.mul %a, %b : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Integer division truncates (ONNX Runtime's C semantics).
// CHECK-LABEL: func.func @int_div
// CHECK: arith.divsi
func.func @int_div(%a: tensor<4xi64>, %b: tensor<4xi64>) -> tensor<4xi64> {
  %0 = loom.div %a, %b : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// Relu propagates NaN (maximumf, not maxnumf); HardSigmoid clamps to [0, 1].
// CHECK-LABEL: func.func @activations
// CHECK: arith.maximumf
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK: arith.minimumf
func.func @activations(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = loom.relu %a : tensor<4xf32>
  %1 = loom.hard_sigmoid %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Gelu's exact form uses erf; the tanh form uses tanh.
// CHECK-LABEL: func.func @gelu
// CHECK: math.erf
// CHECK: math.tanh
func.func @gelu(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = loom.gelu %a : tensor<4xf32>
  %1 = loom.gelu %0 {approximate = #loom.gelu_approximation<tanh>} : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Cast float to int truncates toward zero; to bool compares with zero.
// CHECK-LABEL: func.func @casts
// CHECK: arith.fptosi
// CHECK: arith.cmpf une
func.func @casts(%a: tensor<4xf32>) -> (tensor<4xi32>, tensor<4xi1>) {
  %0 = loom.cast %a : (tensor<4xf32>) -> tensor<4xi32>
  %1 = loom.cast %a : (tensor<4xf32>) -> tensor<4xi1>
  return %0, %1 : tensor<4xi32>, tensor<4xi1>
}
