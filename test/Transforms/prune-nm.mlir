// --loom-prune granularity=2:4 along the input-channel axis of each kernel
// (Gemm B: dimension 0, or 1 with transB; Conv W: dimension 1), and the
// default rule that keeps the first convolution and the last Gemm/MatMul.
// Resources print as hex: 04000000 (alignment), then little-endian f32
// (3.0 = 00004040, 4.0 = 00008040, 6.0 = 0000C040, 7.0 = 0000E040).
// RUN: loom-opt %s --split-input-file --loom-prune="granularity=2:4 keep-first-last=false" | FileCheck %s --check-prefix=NM
// RUN: loom-opt %s --split-input-file --loom-prune | FileCheck %s --check-prefix=DEFAULT

// Groups [1 4 2 3] and [5 0.5 6 7]: each keeps its two largest.
// NM-LABEL: module
// NM: loom.weight @g.b frozen : tensor<8x1xf32> = dense_resource<g.b.pruned>
// NM: loom.weight @g.bt frozen : tensor<1x8xf32> = dense_resource<g.bt.pruned>
// NM: loom.weight @c.w frozen : tensor<1x8x1x1xf32> = dense_resource<c.w.pruned>
// Six input channels are no multiple of 4: left as they are.
// NM: loom.weight @odd frozen : tensor<6x1xf32> = dense<
// NM-DAG: g.b.pruned: "0x040000000000000000008040000000000000404000000000000000000000C0400000E040"
loom.weight @g.b frozen : tensor<8x1xf32> = dense<[[1.0], [4.0], [2.0], [3.0], [5.0], [0.5], [6.0], [7.0]]>
loom.weight @g.bt frozen : tensor<1x8xf32> = dense<[[1.0, 4.0, 2.0, 3.0, 5.0, 0.5, 6.0, 7.0]]>
loom.weight @c.w frozen : tensor<1x8x1x1xf32> = dense<[[[[1.0]], [[4.0]], [[2.0]], [[3.0]], [[5.0]], [[0.5]], [[6.0]], [[7.0]]]]>
loom.weight @odd frozen : tensor<6x1xf32> = dense<[[1.0], [4.0], [2.0], [3.0], [5.0], [0.5]]>
func.func @nm(%x: tensor<1x8xf32>, %i: tensor<1x8x2x2xf32>, %z: tensor<1x6xf32>) -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1x2x2xf32>, tensor<1x1xf32>) {
  %b = loom.weight_ref @g.b : tensor<8x1xf32>
  %y = loom.gemm %x, %b : (tensor<1x8xf32>, tensor<8x1xf32>) -> tensor<1x1xf32>
  %bt = loom.weight_ref @g.bt : tensor<1x8xf32>
  %yt = loom.gemm %x, %bt {transB = 1 : i64} : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x1xf32>
  %w = loom.weight_ref @c.w : tensor<1x8x1x1xf32>
  %c = loom.conv %i, %w : (tensor<1x8x2x2xf32>, tensor<1x8x1x1xf32>) -> tensor<1x1x2x2xf32>
  %o = loom.weight_ref @odd : tensor<6x1xf32>
  %yo = loom.matmul %z, %o : (tensor<1x6xf32>, tensor<6x1xf32>) -> tensor<1x1xf32>
  return %y, %yt, %c, %yo : tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1x2x2xf32>, tensor<1x1xf32>
}

// -----

// By default the first convolution and the last Gemm stay whole.
// DEFAULT-LABEL: module
// DEFAULT: loom.weight @conv1 frozen : tensor<2x2x1x1xf32> = dense<
// DEFAULT: loom.weight @conv2 frozen : tensor<2x2x1x1xf32> = dense_resource<conv2.pruned>
// DEFAULT: loom.weight @fc1 frozen : tensor<8x2xf32> = dense_resource<fc1.pruned>
// DEFAULT: loom.weight @fc2 frozen : tensor<2x2xf32> = dense<
loom.weight @conv1 frozen : tensor<2x2x1x1xf32> = dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]>
loom.weight @conv2 frozen : tensor<2x2x1x1xf32> = dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]>
loom.weight @fc1 frozen : tensor<8x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0], [1.0, 2.0], [3.0, 4.0], [1.0, 2.0], [3.0, 4.0], [1.0, 2.0], [3.0, 4.0]]>
loom.weight @fc2 frozen : tensor<2x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0]]>
func.func @net(%x: tensor<1x2x2x2xf32>) -> tensor<1x2xf32> {
  %w1 = loom.weight_ref @conv1 : tensor<2x2x1x1xf32>
  %c1 = loom.conv %x, %w1 : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %w2 = loom.weight_ref @conv2 : tensor<2x2x1x1xf32>
  %c2 = loom.conv %c1, %w2 : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %s = loom.constant dense<[1, 8]> : tensor<2xi64>
  %f = loom.reshape %c2, %s : (tensor<1x2x2x2xf32>, tensor<2xi64>) -> tensor<1x8xf32>
  %v1 = loom.weight_ref @fc1 : tensor<8x2xf32>
  %h = loom.gemm %f, %v1 : (tensor<1x8xf32>, tensor<8x2xf32>) -> tensor<1x2xf32>
  %v2 = loom.weight_ref @fc2 : tensor<2x2xf32>
  %y = loom.gemm %h, %v2 : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
