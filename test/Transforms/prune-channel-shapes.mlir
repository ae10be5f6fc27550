// RUN: loom-opt %s --split-input-file --loom-prune="granularity=channel keep-first-last=false" | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-prune="granularity=channel keep-first-last=false report=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK

// Channel pruning through Reshape, Split, Transpose and ConvTranspose.
// @c keeps channels 1 and 3 (l1 norms 3 and 4 of 1, 3, 2, 4) everywhere.

// A Reshape that flattens into a Gemm: its explicit 16 becomes 8, and the
// Gemm keeps rows 4-7 and 12-15 (values 1 and 3).
// REMARK: remark: loom-prune: conv 'c': 2 of 4 channels kept
// CHECK-LABEL: module
// CHECK: loom.weight @fc frozen : tensor<8x2xf32>
// CHECK: %[[S:.*]] = loom.constant dense<[1, 8]> : tensor<2xi64>
// CHECK-NEXT: loom.reshape %{{.*}}, %[[S]] : (tensor<1x2x2x2xf32>, tensor<2xi64>) -> tensor<1x8xf32>
// CHECK: loom.gemm {{.*}} : (tensor<1x8xf32>, tensor<8x2xf32>) -> tensor<1x2xf32>
// CHECK: fc.pruned: "0x040000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000404000004040000040400000404000004040000040400000404000004040"
loom.weight @c frozen : tensor<4x1x1x1xf32> = dense<[[[[1.0]]], [[[3.0]]], [[[2.0]]], [[[4.0]]]]>
loom.weight @fc frozen : tensor<16x2xf32> = dense<[[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [2.0, 2.0], [2.0, 2.0], [2.0, 2.0], [2.0, 2.0], [3.0, 3.0], [3.0, 3.0], [3.0, 3.0], [3.0, 3.0]]>
func.func @reshape_gemm(%x: tensor<1x1x2x2xf32>) -> tensor<1x2xf32> {
  %wc = loom.weight_ref @c : tensor<4x1x1x1xf32>
  %y = loom.conv %x, %wc : (tensor<1x1x2x2xf32>, tensor<4x1x1x1xf32>) -> tensor<1x4x2x2xf32> loc("c")
  %s = loom.constant dense<[1, 16]> : tensor<2xi64>
  %r = loom.reshape %y, %s : (tensor<1x4x2x2xf32>, tensor<2xi64>) -> tensor<1x16xf32>
  %w = loom.weight_ref @fc : tensor<16x2xf32>
  %o = loom.gemm %r, %w : (tensor<1x16xf32>, tensor<16x2xf32>) -> tensor<1x2xf32> loc("fc")
  return %o : tensor<1x2xf32>
}

// -----

// A Split along the channels into equal halves: each half keeps one
// channel, so the Split gets explicit sizes [1, 1]; each consumer keeps the
// input channel that stayed.
// REMARK: remark: loom-prune: conv 'c': 2 of 4 channels kept
// CHECK-LABEL: module
// CHECK-DAG: loom.weight @u frozen : tensor<1x1x1x1xf32>
// CHECK-DAG: loom.weight @t frozen : tensor<1x1x1x1xf32>
// CHECK: %[[SIZES:.*]] = loom.constant dense<1> : tensor<2xi64>
// CHECK-NEXT: loom.split %{{.*}}, %[[SIZES]] {axis = 1 : i64} : (tensor<1x2x2x2xf32>, tensor<2xi64>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>)
// CHECK-DAG: u.pruned: "0x0400000000000040"
// CHECK-DAG: t.pruned: "0x0400000000008040"
loom.weight @c frozen : tensor<4x1x1x1xf32> = dense<[[[[1.0]]], [[[3.0]]], [[[2.0]]], [[[4.0]]]]>
loom.weight @u frozen : tensor<1x2x1x1xf32> = dense<[[[[1.0]], [[2.0]]]]>
loom.weight @t frozen : tensor<1x2x1x1xf32> = dense<[[[[3.0]], [[4.0]]]]>
func.func @split(%x: tensor<1x1x2x2xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) {
  %wc = loom.weight_ref @c : tensor<4x1x1x1xf32>
  %y = loom.conv %x, %wc : (tensor<1x1x2x2xf32>, tensor<4x1x1x1xf32>) -> tensor<1x4x2x2xf32> loc("c")
  %a, %b = loom.split %y {axis = 1 : i64} : (tensor<1x4x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>)
  %wu = loom.weight_ref @u : tensor<1x2x1x1xf32>
  %yu = loom.conv %a, %wu : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x2x2xf32> loc("u")
  %wt = loom.weight_ref @t : tensor<1x2x1x1xf32>
  %yt = loom.conv %b, %wt : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x2x2xf32> loc("t")
  return %yu, %yt : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>
}

// -----

// NCHW to NHWC, then a MatMul over the channels (its K): the Transpose
// carries the channels to the last axis.
// REMARK: remark: loom-prune: conv 'c': 2 of 4 channels kept
// CHECK-LABEL: module
// CHECK: loom.weight @m frozen : tensor<2x3xf32>
// CHECK: loom.transpose {{.*}} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
// CHECK: loom.matmul {{.*}} : (tensor<1x2x2x2xf32>, tensor<2x3xf32>) -> tensor<1x2x2x3xf32>
loom.weight @c frozen : tensor<4x1x1x1xf32> = dense<[[[[1.0]]], [[[3.0]]], [[[2.0]]], [[[4.0]]]]>
loom.weight @m frozen : tensor<4x3xf32> = dense<1.0>
func.func @transpose(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x3xf32> {
  %wc = loom.weight_ref @c : tensor<4x1x1x1xf32>
  %y = loom.conv %x, %wc : (tensor<1x1x2x2xf32>, tensor<4x1x1x1xf32>) -> tensor<1x4x2x2xf32> loc("c")
  %t = loom.transpose %y {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x4x2x2xf32>) -> tensor<1x2x2x4xf32>
  %wm = loom.weight_ref @m : tensor<4x3xf32>
  %o = loom.matmul %t, %wm : (tensor<1x2x2x4xf32>, tensor<4x3xf32>) -> tensor<1x2x2x3xf32>
  return %o : tensor<1x2x2x3xf32>
}

// -----

// A ConvTranspose produces channels (W's axis 1, with its bias) and reads
// them (W's axis 0).
// REMARK: remark: loom-prune: conv_transpose 'up': 2 of 4 channels kept
// CHECK-LABEL: module
// CHECK-DAG: loom.weight @up frozen : tensor<1x2x2x2xf32>
// CHECK-DAG: loom.weight @upb frozen : tensor<2xf32>
// CHECK-DAG: loom.weight @down frozen : tensor<2x1x2x2xf32>
// CHECK: loom.conv_transpose {{.*}} -> tensor<1x2x4x4xf32>
// CHECK: loom.relu {{.*}} : tensor<1x2x4x4xf32>
// CHECK: loom.conv_transpose {{.*}} : (tensor<1x2x4x4xf32>, tensor<2x1x2x2xf32>) -> tensor<1x1x8x8xf32>
loom.weight @up frozen : tensor<1x4x2x2xf32> = dense<[[[[1.0, 1.0], [1.0, 1.0]], [[3.0, 3.0], [3.0, 3.0]], [[2.0, 2.0], [2.0, 2.0]], [[4.0, 4.0], [4.0, 4.0]]]]>
loom.weight @upb frozen : tensor<4xf32> = dense<[0.1, 0.2, 0.3, 0.4]>
loom.weight @down frozen : tensor<4x1x2x2xf32> = dense<1.0>
func.func @deconv(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x8x8xf32> {
  %wu = loom.weight_ref @up : tensor<1x4x2x2xf32>
  %bu = loom.weight_ref @upb : tensor<4xf32>
  %y = loom.conv_transpose %x, %wu, %bu {strides = array<i64: 2, 2>} : (tensor<1x1x2x2xf32>, tensor<1x4x2x2xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32> loc("up")
  %r = loom.relu %y : tensor<1x4x4x4xf32>
  %wd = loom.weight_ref @down : tensor<4x1x2x2xf32>
  %o = loom.conv_transpose %r, %wd {strides = array<i64: 2, 2>} : (tensor<1x4x4x4xf32>, tensor<4x1x2x2xf32>) -> tensor<1x1x8x8xf32> loc("down")
  return %o : tensor<1x1x8x8xf32>
}

// -----

// A Reshape whose shape is computed at run time: left whole, with the
// reason; nothing changes.
// REMARK: remark: loom-prune: conv 'c': 4 of 4 channels kept (left whole: its channels reach reshape, a reshape that mixes them with other dimensions)
// CHECK-LABEL: module
// CHECK: loom.weight @c frozen : tensor<4x1x1x1xf32> = dense<
loom.weight @c frozen : tensor<4x1x1x1xf32> = dense<[[[[1.0]]], [[[3.0]]], [[[2.0]]], [[[4.0]]]]>
func.func @dynamic_reshape(%x: tensor<1x1x2x2xf32>, %shape: tensor<2xi64>) -> tensor<1x16xf32> {
  %wc = loom.weight_ref @c : tensor<4x1x1x1xf32>
  %y = loom.conv %x, %wc : (tensor<1x1x2x2xf32>, tensor<4x1x1x1xf32>) -> tensor<1x4x2x2xf32> loc("c")
  %r = loom.reshape %y, %shape : (tensor<1x4x2x2xf32>, tensor<2xi64>) -> tensor<1x16xf32>
  return %r : tensor<1x16xf32>
}
