// Each mode of --loom-tie-weights, positive and negative.
// RUN: loom-opt %s --split-input-file --loom-tie-weights="min-bytes=0" | FileCheck %s

// Exact: same dtype, shape and bytes; the duplicate's name and its own
// aliases move to the master, every read goes to the master.
// CHECK-LABEL: module
// CHECK: loom.weight @a frozen aliases ["b", "c"] : tensor<2x2xf32>
// CHECK-NOT: loom.weight @b
// CHECK: func.func @exact
// CHECK-NEXT: %[[A:.*]] = loom.weight_ref @a
// CHECK-NEXT: %[[A2:.*]] = loom.weight_ref @a
// CHECK-NEXT: loom.add %[[A]], %[[A2]]
loom.weight @a frozen : tensor<2x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0]]>
loom.weight @b frozen aliases ["c"] : tensor<2x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0]]>
func.func @exact() -> tensor<2x2xf32> {
  %0 = loom.weight_ref @a : tensor<2x2xf32>
  %1 = loom.weight_ref @b : tensor<2x2xf32>
  %2 = loom.add %0, %1 : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %2 : tensor<2x2xf32>
}

// -----

// A duplicate of another role (a buffer equal to a parameter, as a
// BatchNorm weight of ones and another layer's running variance) stays
// countable with its role: a copy, not an alias; its copies move along.
// CHECK-LABEL: module
// CHECK: loom.weight @w frozen copies ["v" buffer, "u" buffer, "t"] : tensor<2x2xf32>
// CHECK-NOT: loom.weight @v
loom.weight @w frozen : tensor<2x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0]]>
loom.weight @v buffer frozen aliases ["u"] copies ["t"] : tensor<2x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0]]>
func.func @roles() -> tensor<2x2xf32> {
  %0 = loom.weight_ref @w : tensor<2x2xf32>
  %1 = loom.weight_ref @v : tensor<2x2xf32>
  %2 = loom.add %0, %1 : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %2 : tensor<2x2xf32>
}

// -----

// Same bytes, different shape (and no transpose relates them): no tie.
// CHECK-LABEL: module
// CHECK: loom.weight @a frozen : tensor<2x2xf32>
// CHECK: loom.weight @b frozen : tensor<4xf32>
loom.weight @a frozen : tensor<2x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0]]>
loom.weight @b frozen : tensor<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>

// -----

// Same bytes, different dtype (0x3f800000 is 1.0f): no tie.
// CHECK-LABEL: module
// CHECK: loom.weight @f frozen : tensor<2xf32>
// CHECK: loom.weight @i constant frozen : tensor<2xi32>
loom.weight @f frozen : tensor<2xf32> = dense<[1.0, 1.0]>
loom.weight @i constant frozen : tensor<2xi32> = dense<[1065353216, 1065353216]>

// -----

// Trainable parameters tie in exact mode; the result stays trainable.
// CHECK-LABEL: module
// CHECK: loom.weight @p aliases ["q"] : tensor<2xf32>
// CHECK-NOT: loom.weight @q
loom.weight @p : tensor<2xf32> = dense<[5.0, 6.0]>
loom.weight @q frozen : tensor<2xf32> = dense<[5.0, 6.0]>

// -----

// Transpose: a 2-D transposed copy reads the master through loom.transpose;
// a MatMul reading it becomes Gemm with transB, which reads the master as it
// is (a runtime would fold the Transpose into a second copy).
// CHECK-LABEL: module
// CHECK: loom.weight @w frozen aliases ["wt"] : tensor<2x3xf32>
// CHECK-NOT: loom.weight @wt
// CHECK: func.func @head(%[[X:.*]]: tensor<1x3xf32>)
// CHECK: %[[W:.*]] = loom.weight_ref @w : tensor<2x3xf32>
// CHECK-NOT: loom.transpose
// CHECK: loom.gemm %[[X]], %[[W]] {transB = 1 : i64} : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
// CHECK: func.func @other
// CHECK: loom.transpose %{{.*}} {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
loom.weight @w frozen : tensor<2x3xf32> = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]>
loom.weight @wt frozen : tensor<3x2xf32> = dense<[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]>
func.func @head(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %0 = loom.weight_ref @wt : tensor<3x2xf32>
  %1 = loom.matmul %x, %0 : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  return %1 : tensor<1x2xf32>
}
func.func @other() -> tensor<3x2xf32> {
  %0 = loom.weight_ref @wt : tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// A batched MatMul (static leading dimensions) goes through Reshape-Gemm-Reshape.
// CHECK-LABEL: module
// CHECK: func.func @lm_head(%[[H:.*]]: tensor<2x4x3xf32>)
// CHECK: %[[E:.*]] = loom.weight_ref @emb : tensor<2x3xf32>
// CHECK: %[[S1:.*]] = loom.constant dense<[8, 3]> : tensor<2xi64>
// CHECK: %[[A:.*]] = loom.reshape %[[H]], %[[S1]] : (tensor<2x4x3xf32>, tensor<2xi64>) -> tensor<8x3xf32>
// CHECK: %[[G:.*]] = loom.gemm %[[A]], %[[E]] {transB = 1 : i64} : (tensor<8x3xf32>, tensor<2x3xf32>) -> tensor<8x2xf32>
// CHECK: %[[S2:.*]] = loom.constant dense<[2, 4, 2]> : tensor<3xi64>
// CHECK: loom.reshape %[[G]], %[[S2]] : (tensor<8x2xf32>, tensor<3xi64>) -> tensor<2x4x2xf32>
loom.weight @emb frozen : tensor<2x3xf32> = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]>
loom.weight @head frozen : tensor<3x2xf32> = dense<[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]>
func.func @lm_head(%h: tensor<2x4x3xf32>) -> tensor<2x4x2xf32> {
  %0 = loom.weight_ref @head : tensor<3x2xf32>
  %1 = loom.matmul %h, %0 : (tensor<2x4x3xf32>, tensor<3x2xf32>) -> tensor<2x4x2xf32>
  return %1 : tensor<2x4x2xf32>
}

// -----

// A 4-D kernel in another layout (OIHW -> OHWI).
// CHECK-LABEL: module
// CHECK: loom.weight @k frozen aliases ["k_ohwi"] : tensor<2x3x1x2xf32>
// CHECK: loom.transpose %{{.*}} {perm = array<i64: 0, 2, 3, 1>} : (tensor<2x3x1x2xf32>) -> tensor<2x1x2x3xf32>
loom.weight @k frozen : tensor<2x3x1x2xf32> = dense<[[[[1.0, 2.0]], [[3.0, 4.0]], [[5.0, 6.0]]], [[[7.0, 8.0]], [[9.0, 10.0]], [[11.0, 12.0]]]]>
loom.weight @k_ohwi frozen : tensor<2x1x2x3xf32> = dense<[[[[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]], [[[7.0, 9.0, 11.0], [8.0, 10.0, 12.0]]]]>
func.func @use() -> tensor<2x1x2x3xf32> {
  %0 = loom.weight_ref @k_ohwi : tensor<2x1x2x3xf32>
  return %0 : tensor<2x1x2x3xf32>
}

// -----

// The same values reshaped, not transposed: no tie.
// CHECK-LABEL: module
// CHECK: loom.weight @w frozen : tensor<2x3xf32>
// CHECK: loom.weight @v frozen : tensor<3x2xf32>
loom.weight @w frozen : tensor<2x3xf32> = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]>
loom.weight @v frozen : tensor<3x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]>

// -----

// A trainable parameter is not tied in a non-exact mode.
// CHECK-LABEL: module
// CHECK: loom.weight @w : tensor<2x3xf32>
// CHECK: loom.weight @wt frozen : tensor<3x2xf32>
loom.weight @w : tensor<2x3xf32> = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]>
loom.weight @wt frozen : tensor<3x2xf32> = dense<[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]>

// -----

// Scale: W2 = c * W1 exactly; a negative c too.
// CHECK-LABEL: module
// CHECK: loom.weight @t frozen aliases ["s", "n"] : tensor<2x2xf32>
// CHECK: func.func @student
// CHECK: %[[T:.*]] = loom.weight_ref @t
// CHECK: %[[C:.*]] = loom.constant dense<5.000000e-01> : tensor<f32>
// CHECK: loom.mul %[[T]], %[[C]] : (tensor<2x2xf32>, tensor<f32>) -> tensor<2x2xf32>
// CHECK: loom.constant dense<-3.000000e+00> : tensor<f32>
loom.weight @t frozen : tensor<2x2xf32> = dense<[[1.0, -2.0], [0.0, 4.5]]>
loom.weight @s frozen : tensor<2x2xf32> = dense<[[0.5, -1.0], [0.0, 2.25]]>
loom.weight @n frozen : tensor<2x2xf32> = dense<[[-3.0, 6.0], [-0.0, -13.5]]>
func.func @student() -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %0 = loom.weight_ref @s : tensor<2x2xf32>
  %1 = loom.weight_ref @n : tensor<2x2xf32>
  return %0, %1 : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// One element one ulp off (2.25 -> 2.2500002): no tie at zero tolerance.
// CHECK-LABEL: module
// CHECK: loom.weight @t frozen : tensor<2x2xf32>
// CHECK: loom.weight @s frozen : tensor<2x2xf32>
loom.weight @t frozen : tensor<2x2xf32> = dense<[[1.0, -2.0], [0.0, 4.5]]>
loom.weight @s frozen : tensor<2x2xf32> = dense<[[0.5, -1.0], [0.0, 2.25000024]]>

// -----

// c = 0: an all-zero weight is no scaled copy of a non-zero one.
// CHECK-LABEL: module
// CHECK: loom.weight @t frozen : tensor<2x2xf32>
// CHECK: loom.weight @z frozen : tensor<2x2xf32>
loom.weight @t frozen : tensor<2x2xf32> = dense<[[1.0, -2.0], [0.0, 4.5]]>
loom.weight @z frozen : tensor<2x2xf32> = dense<0.0>

// -----

// Cast: an fp32 weight that is an fp16 one cast up reads it through
// loom.cast; the fp16 one stays (upcasting is exact).
// CHECK-LABEL: module
// CHECK: loom.weight @h frozen aliases ["f"] : tensor<4xf16>
// CHECK: %[[H:.*]] = loom.weight_ref @h : tensor<4xf16>
// CHECK: loom.cast %[[H]] : (tensor<4xf16>) -> tensor<4xf32>
loom.weight @h frozen : tensor<4xf16> = dense<[1.0, 2.5, -3.0, 0.25]>
loom.weight @f frozen : tensor<4xf32> = dense<[1.0, 2.5, -3.0, 0.25]>
func.func @use() -> tensor<4xf32> {
  %0 = loom.weight_ref @f : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// 0.1 is not an fp16 value: the fp32 weight is no exact cast of the fp16 one.
// CHECK-LABEL: module
// CHECK: loom.weight @h frozen : tensor<2xf16>
// CHECK: loom.weight @f frozen : tensor<2xf32>
loom.weight @h frozen : tensor<2xf16> = dense<[0.1, 1.0]>
loom.weight @f frozen : tensor<2xf32> = dense<[0.1, 1.0]>

// -----

// Slice: consecutive rows of a larger weight.
// CHECK-LABEL: module
// CHECK: loom.weight @big frozen aliases ["part"] : tensor<4x2xf32>
// CHECK: %[[B:.*]] = loom.weight_ref @big
// CHECK-DAG: %[[S:.*]] = loom.constant dense<1> : tensor<1xi64>
// CHECK-DAG: %[[E:.*]] = loom.constant dense<3> : tensor<1xi64>
// CHECK-DAG: %[[X:.*]] = loom.constant dense<0> : tensor<1xi64>
// CHECK: loom.slice %[[B]] starts %[[S]] ends %[[E]] axes %[[X]] : (tensor<4x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2x2xf32>
loom.weight @big frozen : tensor<4x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]>
loom.weight @part frozen : tensor<2x2xf32> = dense<[[3.0, 4.0], [5.0, 6.0]]>
func.func @use() -> tensor<2x2xf32> {
  %0 = loom.weight_ref @part : tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Rows that are not consecutive: no slice tie; the partial mode shares the
// leading row only.
// CHECK-LABEL: module
// CHECK: loom.weight @big frozen : tensor<4x2xf32>
// CHECK: loom.weight @part frozen : tensor<1x2xf32> = dense_resource<part.own>
loom.weight @big frozen : tensor<4x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]>
loom.weight @part frozen : tensor<2x2xf32> = dense<[[1.0, 2.0], [5.0, 6.0]]>

// -----

// Slice along another axis: columns 1..2 of every row.
// CHECK-LABEL: module
// CHECK: loom.weight @wide frozen aliases ["cols"] : tensor<2x4xf32>
// CHECK-DAG: %[[S:.*]] = loom.constant dense<1> : tensor<1xi64>
// CHECK-DAG: %[[E:.*]] = loom.constant dense<3> : tensor<1xi64>
// CHECK-DAG: %[[A:.*]] = loom.constant dense<1> : tensor<1xi64>
// CHECK: loom.slice %{{.*}} starts %{{.*}} ends %[[E]] axes %{{.*}} : (tensor<2x4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2x2xf32>
loom.weight @wide frozen : tensor<2x4xf32> = dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]>
loom.weight @cols frozen : tensor<2x2xf32> = dense<[[2.0, 3.0], [6.0, 7.0]]>
func.func @use() -> tensor<2x2xf32> {
  %0 = loom.weight_ref @cols : tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Partial: the student's first two output channels are the teacher's rows
// 1..2, the third is its own: the student keeps only its own row and reads
// concat(slice(teacher), own).
// CHECK-LABEL: module
// CHECK: loom.weight @teacher frozen : tensor<4x2xf32>
// CHECK: loom.weight @student frozen : tensor<1x2xf32> = dense_resource<student.own>
// CHECK: func.func @use
// CHECK: %[[T:.*]] = loom.weight_ref @teacher : tensor<4x2xf32>
// CHECK: %[[S:.*]] = loom.slice %[[T]] {{.*}} -> tensor<2x2xf32>
// CHECK: %[[O:.*]] = loom.weight_ref @student : tensor<1x2xf32>
// CHECK: loom.concat %[[S]], %[[O]] {axis = 0 : i64} : (tensor<2x2xf32>, tensor<1x2xf32>) -> tensor<3x2xf32>
// CHECK: student.own: "0x040000000000104100002041"
loom.weight @teacher frozen : tensor<4x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]>
loom.weight @student frozen : tensor<3x2xf32> = dense<[[3.0, 4.0], [5.0, 6.0], [9.0, 10.0]]>
func.func @use() -> tensor<3x2xf32> {
  %0 = loom.weight_ref @student : tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// A partly matching weight whose own rows are all different: no partial tie
// unless rows match at its start or end.
// CHECK-LABEL: module
// CHECK: loom.weight @teacher frozen : tensor<4x2xf32>
// CHECK: loom.weight @student frozen : tensor<3x2xf32> = dense<
loom.weight @teacher frozen : tensor<4x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]>
loom.weight @student frozen : tensor<3x2xf32> = dense<[[0.0, 4.0], [5.0, 6.0], [9.0, 10.0]]>

// -----

// A weight that is also a graph input is part of the model's interface: it
// is never tied, not even exactly.
// CHECK-LABEL: module
// CHECK: loom.weight @a input 1 : tensor<2xf32> = dense<[5.000000e+00, 6.000000e+00]>{{$}}
// CHECK: loom.weight @b frozen : tensor<2xf32>
loom.weight @a input 1 : tensor<2xf32> = dense<[5.0, 6.0]>
loom.weight @b frozen : tensor<2xf32> = dense<[5.0, 6.0]>
