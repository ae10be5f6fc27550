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

// -----

// With a dynamic batch, Gather and Slice that pick only static dimensions
// out of the shape fold (BERT's sequence length); one that picks the batch
// stays.
// CHECK-LABEL: func.func @partial_shape
// CHECK-DAG: loom.constant dense<16> : tensor<i64>
// CHECK-DAG: loom.constant dense<[16, 64]> : tensor<2xi64>
// CHECK: %[[S:.*]] = loom.shape %arg0
// CHECK: loom.gather %[[S]]
func.func @partial_shape(%x: tensor<?x16x64xf32>) -> (tensor<i64>, tensor<2xi64>, tensor<i64>) {
  %s = loom.shape %x : (tensor<?x16x64xf32>) -> tensor<3xi64>
  %one = loom.constant dense<1> : tensor<i64>
  %zero = loom.constant dense<0> : tensor<i64>
  %seq = loom.gather %s, %one : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %b1 = loom.constant dense<1> : tensor<1xi64>
  %e3 = loom.constant dense<3> : tensor<1xi64>
  %a0 = loom.constant dense<0> : tensor<1xi64>
  %tail = loom.slice %s starts %b1 ends %e3 axes %a0 : (tensor<3xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %batch = loom.gather %s, %zero : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  return %seq, %tail, %batch : tensor<i64>, tensor<2xi64>, tensor<i64>
}

// -----

// A Reshape target with one element computed at run time (batch x heads)
// gets -1 there; an element that is the input's own dynamic dimension at
// the same place becomes 0 (copy).
// CHECK-LABEL: func.func @reshape_targets
// CHECK-DAG: %[[HEADS:.*]] = loom.constant dense<[-1, 16, 64]> : tensor<3xi64>
// CHECK-DAG: %[[COPY:.*]] = loom.constant dense<[0, 1, 4, 256]> : tensor<4xi64>
// CHECK: loom.reshape %arg0, %[[HEADS]]
// CHECK: loom.reshape %arg0, %[[COPY]]
func.func @reshape_targets(%x: tensor<?x16x256xf32>) -> (tensor<?x16x64xf32>, tensor<?x1x4x256xf32>) {
  %s = loom.shape %x : (tensor<?x16x256xf32>) -> tensor<3xi64>
  %zero = loom.constant dense<0> : tensor<i64>
  %batch = loom.gather %s, %zero : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %four = loom.constant dense<4> : tensor<i64>
  %bh = loom.mul %batch, %four : (tensor<i64>, tensor<i64>) -> tensor<i64>
  %axis = loom.constant dense<0> : tensor<1xi64>
  %bh1 = loom.unsqueeze %bh, %axis : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %rest = loom.constant dense<[16, 64]> : tensor<2xi64>
  %t1 = loom.concat %bh1, %rest {axis = 0 : i64} : (tensor<1xi64>, tensor<2xi64>) -> tensor<3xi64>
  %y1 = loom.reshape %x, %t1 : (tensor<?x16x256xf32>, tensor<3xi64>) -> tensor<?x16x64xf32>
  %b1 = loom.unsqueeze %batch, %axis : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %dims = loom.constant dense<[1, 4, 256]> : tensor<3xi64>
  %t2 = loom.concat %b1, %dims {axis = 0 : i64} : (tensor<1xi64>, tensor<3xi64>) -> tensor<4xi64>
  %y2 = loom.reshape %x, %t2 : (tensor<?x16x256xf32>, tensor<4xi64>) -> tensor<?x1x4x256xf32>
  return %y1, %y2 : tensor<?x16x64xf32>, tensor<?x1x4x256xf32>
}

// -----

// Left alone: two unknown elements; one unknown next to a known -1; a
// dynamic dimension of another tensor, which is unknown (not a copy of the
// input's own), next to another unknown.
// CHECK-LABEL: func.func @reshape_targets_kept
// CHECK-NOT: loom.constant dense<[-1
// CHECK-COUNT-3: loom.reshape %{{.*}}, %{{.*}} : (tensor<?x?x64xf32>
func.func @reshape_targets_kept(%x: tensor<?x?x64xf32>, %other: tensor<?x8xf32>) -> (tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?x64xf32>) {
  %s = loom.shape %x : (tensor<?x?x64xf32>) -> tensor<3xi64>
  %zero = loom.constant dense<0> : tensor<i64>
  %one = loom.constant dense<1> : tensor<i64>
  %axis = loom.constant dense<0> : tensor<1xi64>
  %b = loom.gather %s, %zero : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %t = loom.gather %s, %one : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %two = loom.constant dense<2> : tensor<i64>
  %b2 = loom.mul %b, %two : (tensor<i64>, tensor<i64>) -> tensor<i64>
  %t2 = loom.mul %t, %two : (tensor<i64>, tensor<i64>) -> tensor<i64>
  %b21 = loom.unsqueeze %b2, %axis : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %t21 = loom.unsqueeze %t2, %axis : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %c32 = loom.constant dense<32> : tensor<1xi64>
  %two_unknown = loom.concat %b21, %t21, %c32 {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3xi64>
  %y1 = loom.reshape %x, %two_unknown : (tensor<?x?x64xf32>, tensor<3xi64>) -> tensor<?x?x64xf32>
  %minus = loom.constant dense<-1> : tensor<1xi64>
  %with_minus = loom.concat %b21, %minus, %c32 {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3xi64>
  %y2 = loom.reshape %x, %with_minus : (tensor<?x?x64xf32>, tensor<3xi64>) -> tensor<?x?x64xf32>
  %os = loom.shape %other : (tensor<?x8xf32>) -> tensor<2xi64>
  %ob = loom.gather %os, %zero : (tensor<2xi64>, tensor<i64>) -> tensor<i64>
  %ob1 = loom.unsqueeze %ob, %axis : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %c16 = loom.constant dense<[16, 64]> : tensor<2xi64>
  %foreign = loom.concat %t21, %ob1, %c32 {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3xi64>
  %y3 = loom.reshape %x, %foreign : (tensor<?x?x64xf32>, tensor<3xi64>) -> tensor<?x?x64xf32>
  return %y1, %y2, %y3 : tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?x64xf32>
}
