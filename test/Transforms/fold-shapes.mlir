// RUN: loom-opt %s --split-input-file --loom-fold-shapes | FileCheck %s

// Shape -> Cast -> Slice -> Cast -> Concat, as exporters write it, becomes
// one constant.
// CHECK-LABEL: func.func @chain
// CHECK: %[[C:.*]] = loom.constant dense<[1, -1]> : tensor<2xi64>
// CHECK: loom.reshape %arg0, %[[C]]
func.func @chain(%x: tensor<1x200x1x1xf32>) -> tensor<?x?xf32> {
  %shape = loom.shape %x : (tensor<1x200x1x1xf32>) -> tensor<4xi64>
  %i32 = loom.cast %shape : (tensor<4xi64>) -> tensor<4xi32>
  %zero = loom.constant dense<0> : tensor<1xi64>
  %one = loom.constant dense<1> : tensor<1xi64>
  %first = loom.slice %i32 starts %zero ends %one axes %zero steps %one : (tensor<4xi32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1xi32>
  %first64 = loom.cast %first : (tensor<1xi32>) -> tensor<1xi64>
  %minus = loom.constant dense<-1> : tensor<1xi64>
  %target = loom.concat %first64, %minus {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %y = loom.reshape %x, %target : (tensor<1x200x1x1xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// -----

// Gather with a negative index and integer arithmetic.
// CHECK-LABEL: func.func @gather_arith
// CHECK: loom.constant dense<12> : tensor<1xi64>
func.func @gather_arith() -> tensor<1xi64> {
  %s = loom.constant dense<[2, 3, 4]> : tensor<3xi64>
  %i = loom.constant dense<[-1]> : tensor<1xi64>
  %g = loom.gather %s, %i : (tensor<3xi64>, tensor<1xi64>) -> tensor<1xi64>
  %three = loom.constant dense<3> : tensor<i64>
  %m = loom.mul %g, %three : (tensor<1xi64>, tensor<i64>) -> tensor<1xi64>
  return %m : tensor<1xi64>
}

// -----

// Not folded: data that is not constant, and division by zero.
// CHECK-LABEL: func.func @negative
// CHECK: loom.concat
// CHECK: loom.div
func.func @negative(%a: tensor<1xi64>) -> (tensor<2xi64>, tensor<1xi64>) {
  %b = loom.constant dense<4> : tensor<1xi64>
  %c = loom.concat %a, %b {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %z = loom.constant dense<0> : tensor<1xi64>
  %d = loom.div %b, %z : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  return %c, %d : tensor<2xi64>, tensor<1xi64>
}
