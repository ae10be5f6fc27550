// --loom-prune granularity=channel: output channels removed and the shapes
// that carry them shrunk. Kernels' channel norms (l1) pick what stays:
// channels 0 and 2 of @c1 have the largest norms.
// RUN: loom-opt %s --split-input-file --loom-prune="granularity=channel keep-first-last=false" | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-prune="granularity=channel keep-first-last=false report=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK

// Conv -> BatchNorm -> Relu -> Conv: the producer's kernel and bias, the
// BatchNorm's four parameters, the consumer's input channels.
// REMARK: remark: loom-prune: conv 'c1': 2 of 4 channels kept
// REMARK: remark: loom-prune: conv 'c2': 3 of 3 channels kept (left whole: its channels reach the model's output)
// CHECK-LABEL: module
// CHECK: loom.weight @c1 frozen : tensor<2x2x1x1xf32>
// CHECK: loom.weight @b1 frozen : tensor<2xf32>
// CHECK: loom.weight @s frozen : tensor<2xf32>
// CHECK: loom.weight @m frozen : tensor<2xf32>
// CHECK: loom.weight @c2 frozen : tensor<3x2x1x1xf32>
// CHECK: loom.conv {{.*}} -> tensor<1x2x4x4xf32>
// CHECK: loom.batch_norm {{.*}} -> tensor<1x2x4x4xf32>
// CHECK: loom.relu {{.*}} : tensor<1x2x4x4xf32>
// CHECK: loom.conv {{.*}} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
// CHECK-DAG: c1.pruned: "0x040000000000803F0000803F0000004000000040"
// CHECK-DAG: b1.pruned: "0x040000000000803F00004040"
// CHECK-DAG: c2.pruned: "0x040000000000803F000040400000A0400000E0400000104100003041"
loom.weight @c1 frozen : tensor<4x2x1x1xf32> = dense<[[[[1.0]], [[1.0]]], [[[0.1]], [[0.1]]], [[[2.0]], [[2.0]]], [[[0.2]], [[0.2]]]]>
loom.weight @b1 frozen : tensor<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
loom.weight @s frozen : tensor<4xf32> = dense<[1.0, 1.5, 2.0, 2.5]>
loom.weight @z frozen : tensor<4xf32> = dense<[0.0, 0.5, 1.0, 1.5]>
loom.weight @m frozen : tensor<4xf32> = dense<[0.1, 0.2, 0.3, 0.4]>
loom.weight @v frozen : tensor<4xf32> = dense<[1.1, 1.2, 1.3, 1.4]>
loom.weight @c2 frozen : tensor<3x4x1x1xf32> = dense<[[[[1.0]], [[2.0]], [[3.0]], [[4.0]]], [[[5.0]], [[6.0]], [[7.0]], [[8.0]]], [[[9.0]], [[10.0]], [[11.0]], [[12.0]]]]>
func.func @chain(%x: tensor<1x2x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %w1 = loom.weight_ref @c1 : tensor<4x2x1x1xf32>
  %b1 = loom.weight_ref @b1 : tensor<4xf32>
  %y1 = loom.conv %x, %w1, %b1 : (tensor<1x2x4x4xf32>, tensor<4x2x1x1xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32> loc("c1")
  %s = loom.weight_ref @s : tensor<4xf32>
  %z = loom.weight_ref @z : tensor<4xf32>
  %m = loom.weight_ref @m : tensor<4xf32>
  %v = loom.weight_ref @v : tensor<4xf32>
  %n = loom.batch_norm %y1, %s, %z, %m, %v : (tensor<1x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  %r = loom.relu %n : tensor<1x4x4x4xf32>
  %w2 = loom.weight_ref @c2 : tensor<3x4x1x1xf32>
  %y2 = loom.conv %r, %w2 : (tensor<1x4x4x4xf32>, tensor<3x4x1x1xf32>) -> tensor<1x3x4x4xf32> loc("c2")
  return %y2 : tensor<1x3x4x4xf32>
}

// -----

// A residual block: @a and @b meet at an Add, so they are one group and keep
// the same channels (by their summed norms: 1 and 3); the Add's result
// flows on into @c's input channels.
// REMARK: remark: loom-prune: conv 'a', conv 'b': 2 of 4 channels kept
// CHECK-LABEL: module
// CHECK: loom.weight @a frozen : tensor<2x2x1x1xf32>
// CHECK: loom.weight @b frozen : tensor<2x2x1x1xf32>
// CHECK: loom.weight @c frozen : tensor<1x2x1x1xf32>
// CHECK: loom.add {{.*}} -> tensor<1x2x4x4xf32>
loom.weight @a frozen : tensor<4x2x1x1xf32> = dense<[[[[0.1]], [[0.1]]], [[[1.0]], [[1.0]]], [[[0.1]], [[0.1]]], [[[1.0]], [[1.0]]]]>
loom.weight @b frozen : tensor<4x2x1x1xf32> = dense<[[[[0.2]], [[0.2]]], [[[0.2]], [[0.2]]], [[[0.3]], [[0.3]]], [[[2.0]], [[2.0]]]]>
loom.weight @c frozen : tensor<1x4x1x1xf32> = dense<[[[[1.0]], [[2.0]], [[3.0]], [[4.0]]]]>
func.func @residual(%x: tensor<1x2x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %wa = loom.weight_ref @a : tensor<4x2x1x1xf32>
  %ya = loom.conv %x, %wa : (tensor<1x2x4x4xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x4x4xf32> loc("a")
  %wb = loom.weight_ref @b : tensor<4x2x1x1xf32>
  %yb = loom.conv %x, %wb : (tensor<1x2x4x4xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x4x4xf32> loc("b")
  %s = loom.add %ya, %yb : (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %wc = loom.weight_ref @c : tensor<1x4x1x1xf32>
  %yc = loom.conv %s, %wc : (tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>) -> tensor<1x1x4x4xf32> loc("c")
  return %yc : tensor<1x1x4x4xf32>
}

// -----

// Concat: @p's channels land at 0..1, @q's at 2..3 of the consumer's input
// channels; each group keeps one, and the consumer loses the indices of
// both (q keeps its channel 1: index 3).
// REMARK: remark: loom-prune: conv 'p': 1 of 2 channels kept
// REMARK: remark: loom-prune: conv 'q': 1 of 2 channels kept
// CHECK-LABEL: module
// CHECK: loom.weight @r frozen : tensor<1x2x1x1xf32>
// CHECK: loom.concat {{.*}} -> tensor<1x2x4x4xf32>
// CHECK: r.pruned: "0x040000000000803F00008040"
loom.weight @p frozen : tensor<2x1x1x1xf32> = dense<[[[[2.0]]], [[[1.0]]]]>
loom.weight @q frozen : tensor<2x1x1x1xf32> = dense<[[[[1.0]]], [[[2.0]]]]>
loom.weight @r frozen : tensor<1x4x1x1xf32> = dense<[[[[1.0]], [[2.0]], [[3.0]], [[4.0]]]]>
func.func @concat(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %wp = loom.weight_ref @p : tensor<2x1x1x1xf32>
  %yp = loom.conv %x, %wp : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32> loc("p")
  %wq = loom.weight_ref @q : tensor<2x1x1x1xf32>
  %yq = loom.conv %x, %wq : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32> loc("q")
  %c = loom.concat %yp, %yq {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32>
  %wr = loom.weight_ref @r : tensor<1x4x1x1xf32>
  %y = loom.conv %c, %wr : (tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>) -> tensor<1x1x4x4xf32> loc("r")
  return %y : tensor<1x1x4x4xf32>
}

// -----

// Flatten into a Gemm: each channel is a block of 2x2 = 4 features of K.
// REMARK: remark: loom-prune: conv 'f': 1 of 2 channels kept
// CHECK-LABEL: module
// CHECK: loom.weight @fc frozen : tensor<4x3xf32>
// CHECK: loom.flatten {{.*}} -> tensor<1x4xf32>
// CHECK: loom.gemm {{.*}} : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
loom.weight @f frozen : tensor<2x1x1x1xf32> = dense<[[[[0.5]]], [[[2.0]]]]>
loom.weight @fc frozen : tensor<8x3xf32> = dense<1.0>
func.func @flatten(%x: tensor<1x1x2x2xf32>) -> tensor<1x3xf32> {
  %wf = loom.weight_ref @f : tensor<2x1x1x1xf32>
  %y = loom.conv %x, %wf : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32> loc("f")
  %fl = loom.flatten %y : (tensor<1x2x2x2xf32>) -> tensor<1x8xf32>
  %w = loom.weight_ref @fc : tensor<8x3xf32>
  %o = loom.gemm %fl, %w : (tensor<1x8xf32>, tensor<8x3xf32>) -> tensor<1x3xf32> loc("fc")
  return %o : tensor<1x3xf32>
}

// -----

// A Reshape that mixes channels with the batch: the group is left whole,
// with the reason; nothing changes.
// REMARK: remark: loom-prune: conv 'h': 2 of 2 channels kept (left whole: its channels reach reshape, a reshape that mixes them with other dimensions)
// CHECK-LABEL: module
// CHECK: loom.weight @h frozen : tensor<2x1x1x1xf32> = dense<
loom.weight @h frozen : tensor<2x1x1x1xf32> = dense<[[[[0.5]]], [[[2.0]]]]>
func.func @reshape(%x: tensor<1x1x2x2xf32>) -> tensor<2x4xf32> {
  %wh = loom.weight_ref @h : tensor<2x1x1x1xf32>
  %y = loom.conv %x, %wh : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32> loc("h")
  %s = loom.constant dense<[2, 4]> : tensor<2xi64>
  %r = loom.reshape %y, %s : (tensor<1x2x2x2xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}

// -----

// Slices along the channel axis: @s keeps channels 1 and 3 (norms 3, 4);
// the slice [0, 2) becomes [0, 1), the slice [2, 4) becomes [1, 2), and each
// consumer keeps the column of the channel that stayed.
// REMARK: remark: loom-prune: conv 's': 2 of 4 channels kept
// CHECK-LABEL: module
// CHECK: loom.weight @s frozen : tensor<2x1x1x1xf32>
// CHECK: loom.weight @u frozen : tensor<1x1x1x1xf32>
// CHECK: loom.weight @t frozen : tensor<1x1x1x1xf32>
// CHECK: loom.constant dense<4> : tensor<1xi64>
// CHECK-NEXT: %[[S0:.*]] = loom.constant dense<0> : tensor<1xi64>
// CHECK-NEXT: %[[E0:.*]] = loom.constant dense<1> : tensor<1xi64>
// CHECK-NEXT: loom.slice %{{.*}} starts %[[S0]] ends %[[E0]] axes %{{.*}} : ({{.*}}) -> tensor<1x1x4x4xf32>
// CHECK-NEXT: %[[S1:.*]] = loom.constant dense<1> : tensor<1xi64>
// CHECK-NEXT: %[[E1:.*]] = loom.constant dense<2> : tensor<1xi64>
// CHECK-NEXT: loom.slice %{{.*}} starts %[[S1]] ends %[[E1]] axes %{{.*}} : ({{.*}}) -> tensor<1x1x4x4xf32>
// CHECK-DAG: u.pruned: "0x0400000000000040"
// CHECK-DAG: t.pruned: "0x0400000000008040"
loom.weight @s frozen : tensor<4x1x1x1xf32> = dense<[[[[1.0]]], [[[3.0]]], [[[2.0]]], [[[4.0]]]]>
loom.weight @u frozen : tensor<1x2x1x1xf32> = dense<[[[[1.0]], [[2.0]]]]>
loom.weight @t frozen : tensor<1x2x1x1xf32> = dense<[[[[3.0]], [[4.0]]]]>
func.func @slices(%x: tensor<1x1x4x4xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) {
  %ws = loom.weight_ref @s : tensor<4x1x1x1xf32>
  %y = loom.conv %x, %ws : (tensor<1x1x4x4xf32>, tensor<4x1x1x1xf32>) -> tensor<1x4x4x4xf32> loc("s")
  %c0 = loom.constant dense<0> : tensor<1xi64>
  %c1 = loom.constant dense<1> : tensor<1xi64>
  %c2 = loom.constant dense<2> : tensor<1xi64>
  %c4 = loom.constant dense<4> : tensor<1xi64>
  %a = loom.slice %y starts %c0 ends %c2 axes %c1 : (tensor<1x4x4x4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x2x4x4xf32>
  %b = loom.slice %y starts %c2 ends %c4 axes %c1 : (tensor<1x4x4x4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x2x4x4xf32>
  %wu = loom.weight_ref @u : tensor<1x2x1x1xf32>
  %yu = loom.conv %a, %wu : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x4x4xf32> loc("u")
  %wt = loom.weight_ref @t : tensor<1x2x1x1xf32>
  %yt = loom.conv %b, %wt : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x4x4xf32> loc("t")
  return %yu, %yt : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>
}
