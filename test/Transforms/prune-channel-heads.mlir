// RUN: loom-opt %s --split-input-file --loom-prune="granularity=channel keep-first-last=false" | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-prune="granularity=channel keep-first-last=false report=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK

// Channel pruning of attention: whole heads, the same ones in q, k and v,
// with the shapes and Reshape constants that carry them.

// PyTorch's MultiheadAttention as exported: one fused q/k/v projection,
// sliced, heads folded into the batch ([s, b*H, d]). Head 0 (small in q, k
// and v) goes: the projection keeps columns 4-7 of each section, the slices
// take [0, 4), [4, 8), [8, 12), the merge Reshape's 8 becomes 4, and
// out_proj keeps input columns 4-7 (values 4..7).
// REMARK: remark: loom-prune: matmul 'in_proj': 1 of 2 heads of 4 channels kept
// REMARK: remark: loom-prune: gemm 'out_proj': 8 of 8 channels kept (left whole: its channels reach the model's output)
// CHECK-LABEL: module
// CHECK-DAG: loom.weight @in_w frozen : tensor<8x12xf32>
// CHECK-DAG: loom.weight @in_b frozen : tensor<12xf32>
// CHECK-DAG: loom.weight @out_w frozen : tensor<8x4xf32>
// CHECK: loom.matmul {{.*}} -> tensor<2x?x12xf32>
// CHECK: loom.add {{.*}} -> tensor<2x?x12xf32>
// CHECK: loom.constant dense<-1> : tensor<1xi64>
// CHECK-NEXT: %[[S0:.*]] = loom.constant dense<0> : tensor<1xi64>
// CHECK-NEXT: %[[E0:.*]] = loom.constant dense<4> : tensor<1xi64>
// CHECK-NEXT: loom.slice %{{.*}} starts %[[S0]] ends %[[E0]] {{.*}} -> tensor<2x?x4xf32>
// CHECK-NEXT: %[[S1:.*]] = loom.constant dense<4> : tensor<1xi64>
// CHECK-NEXT: %[[E1:.*]] = loom.constant dense<8> : tensor<1xi64>
// CHECK-NEXT: loom.slice %{{.*}} starts %[[S1]] ends %[[E1]] {{.*}} -> tensor<2x?x4xf32>
// CHECK-NEXT: %[[S2:.*]] = loom.constant dense<8> : tensor<1xi64>
// CHECK-NEXT: %[[E2:.*]] = loom.constant dense<12> : tensor<1xi64>
// CHECK-NEXT: loom.slice %{{.*}} starts %[[S2]] ends %[[E2]] {{.*}} -> tensor<2x?x4xf32>
// CHECK: loom.matmul {{.*}} -> tensor<?x2x2xf32>
// CHECK: %[[M:.*]] = loom.constant dense<[-1, 4]> : tensor<2xi64>
// CHECK: loom.reshape %{{.*}}, %[[M]] : (tensor<2x?x4xf32>, tensor<2xi64>) -> tensor<?x4xf32>
// CHECK: loom.gemm {{.*}} : (tensor<?x4xf32>, tensor<8x4xf32>) -> tensor<?x8xf32>
// CHECK-DAG: out_w.pruned: "0x04000000000080400000A0400000C0400000E040{{.*}}"
loom.weight @in_w frozen : tensor<8x24xf32> = dense<[[0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0]]>
loom.weight @in_b frozen : tensor<24xf32> = dense<0.5>
loom.weight @out_w frozen : tensor<8x8xf32> = dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]]>
func.func @mha(%x: tensor<2x?x8xf32>) -> tensor<?x8xf32> {
  %w = loom.weight_ref @in_w : tensor<8x24xf32>
  %p = loom.matmul %x, %w : (tensor<2x?x8xf32>, tensor<8x24xf32>) -> tensor<2x?x24xf32> loc("in_proj")
  %b = loom.weight_ref @in_b : tensor<24xf32>
  %pb = loom.add %b, %p : (tensor<24xf32>, tensor<2x?x24xf32>) -> tensor<2x?x24xf32>
  %c0 = loom.constant dense<0> : tensor<1xi64>
  %c8 = loom.constant dense<8> : tensor<1xi64>
  %c16 = loom.constant dense<16> : tensor<1xi64>
  %c24 = loom.constant dense<24> : tensor<1xi64>
  %last = loom.constant dense<-1> : tensor<1xi64>
  %q = loom.slice %pb starts %c0 ends %c8 axes %last : (tensor<2x?x24xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2x?x8xf32>
  %k = loom.slice %pb starts %c8 ends %c16 axes %last : (tensor<2x?x24xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2x?x8xf32>
  %v = loom.slice %pb starts %c16 ends %c24 axes %last : (tensor<2x?x24xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2x?x8xf32>
  %split = loom.constant dense<[2, -1, 4]> : tensor<3xi64>
  %qh = loom.reshape %q, %split : (tensor<2x?x8xf32>, tensor<3xi64>) -> tensor<2x?x4xf32>
  %kh = loom.reshape %k, %split : (tensor<2x?x8xf32>, tensor<3xi64>) -> tensor<2x?x4xf32>
  %vh = loom.reshape %v, %split : (tensor<2x?x8xf32>, tensor<3xi64>) -> tensor<2x?x4xf32>
  %qt = loom.transpose %qh {perm = array<i64: 1, 0, 2>} : (tensor<2x?x4xf32>) -> tensor<?x2x4xf32>
  %kt = loom.transpose %kh {perm = array<i64: 1, 2, 0>} : (tensor<2x?x4xf32>) -> tensor<?x4x2xf32>
  %vt = loom.transpose %vh {perm = array<i64: 1, 0, 2>} : (tensor<2x?x4xf32>) -> tensor<?x2x4xf32>
  %scale = loom.constant dense<2.0> : tensor<f32>
  %qs = loom.div %qt, %scale : (tensor<?x2x4xf32>, tensor<f32>) -> tensor<?x2x4xf32>
  %s = loom.matmul %qs, %kt : (tensor<?x2x4xf32>, tensor<?x4x2xf32>) -> tensor<?x2x2xf32>
  %sm = loom.softmax %s : tensor<?x2x2xf32>
  %ctx = loom.matmul %sm, %vt : (tensor<?x2x2xf32>, tensor<?x2x4xf32>) -> tensor<?x2x4xf32>
  %ct = loom.transpose %ctx {perm = array<i64: 1, 0, 2>} : (tensor<?x2x4xf32>) -> tensor<2x?x4xf32>
  %merge = loom.constant dense<[-1, 8]> : tensor<2xi64>
  %flat = loom.reshape %ct, %merge : (tensor<2x?x4xf32>, tensor<2xi64>) -> tensor<?x8xf32>
  %ow = loom.weight_ref @out_w : tensor<8x8xf32>
  %o = loom.gemm %flat, %ow {transB = 1 : i64} : (tensor<?x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32> loc("out_proj")
  return %o : tensor<?x8xf32>
}
// -----

// Separate q, k and v projections split into [b, s, H, d]: three groups of
// heads, coupled by the q.k and scores.v MatMuls, lose the same head (0:
// small in all three); the split Reshapes' H becomes 1, the merge's 8
// becomes 4, and the output projection keeps input rows 4-7.
// REMARK: remark: loom-prune: matmul 'q', matmul 'k', matmul 'v': 1 of 2 heads of 4 channels kept
// CHECK-LABEL: module
// CHECK-DAG: loom.weight @wq frozen : tensor<8x4xf32>
// CHECK-DAG: loom.weight @wk frozen : tensor<8x4xf32>
// CHECK-DAG: loom.weight @wv frozen : tensor<8x4xf32>
// CHECK-DAG: loom.weight @wo frozen : tensor<4x8xf32>
// CHECK: %[[H:.*]] = loom.constant dense<[1, 3, 1, 4]> : tensor<4xi64>
// CHECK-NEXT: loom.reshape %{{.*}}, %[[H]] : (tensor<1x3x4xf32>, tensor<4xi64>) -> tensor<1x3x1x4xf32>
// CHECK: loom.softmax {{.*}} : tensor<1x1x3x3xf32>
// CHECK: %[[M:.*]] = loom.constant dense<[1, 3, 4]> : tensor<3xi64>
// CHECK-NEXT: loom.reshape %{{.*}}, %[[M]] : (tensor<1x3x1x4xf32>, tensor<3xi64>) -> tensor<1x3x4xf32>
// CHECK: loom.matmul {{.*}} : (tensor<1x3x4xf32>, tensor<4x8xf32>) -> tensor<1x3x8xf32>
loom.weight @wq frozen : tensor<8x8xf32> = dense<[[0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0]]>
loom.weight @wk frozen : tensor<8x8xf32> = dense<[[0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0]]>
loom.weight @wv frozen : tensor<8x8xf32> = dense<[[0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0], [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0, 1.0]]>
loom.weight @wo frozen : tensor<8x8xf32> = dense<1.0>
func.func @bert(%x: tensor<1x3x8xf32>) -> tensor<1x3x8xf32> {
  %split = loom.constant dense<[1, 3, 2, 4]> : tensor<4xi64>
  %rq = loom.weight_ref @wq : tensor<8x8xf32>
  %q = loom.matmul %x, %rq : (tensor<1x3x8xf32>, tensor<8x8xf32>) -> tensor<1x3x8xf32> loc("q")
  %qh = loom.reshape %q, %split : (tensor<1x3x8xf32>, tensor<4xi64>) -> tensor<1x3x2x4xf32>
  %qt = loom.transpose %qh {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x3x2x4xf32>) -> tensor<1x2x3x4xf32>
  %rk = loom.weight_ref @wk : tensor<8x8xf32>
  %k = loom.matmul %x, %rk : (tensor<1x3x8xf32>, tensor<8x8xf32>) -> tensor<1x3x8xf32> loc("k")
  %kh = loom.reshape %k, %split : (tensor<1x3x8xf32>, tensor<4xi64>) -> tensor<1x3x2x4xf32>
  %kt = loom.transpose %kh {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x3x2x4xf32>) -> tensor<1x2x4x3xf32>
  %rv = loom.weight_ref @wv : tensor<8x8xf32>
  %v = loom.matmul %x, %rv : (tensor<1x3x8xf32>, tensor<8x8xf32>) -> tensor<1x3x8xf32> loc("v")
  %vh = loom.reshape %v, %split : (tensor<1x3x8xf32>, tensor<4xi64>) -> tensor<1x3x2x4xf32>
  %vt = loom.transpose %vh {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x3x2x4xf32>) -> tensor<1x2x3x4xf32>
  %s = loom.matmul %qt, %kt : (tensor<1x2x3x4xf32>, tensor<1x2x4x3xf32>) -> tensor<1x2x3x3xf32>
  %mask = loom.constant dense<0.0> : tensor<1x1x1x3xf32>
  %sk = loom.add %s, %mask : (tensor<1x2x3x3xf32>, tensor<1x1x1x3xf32>) -> tensor<1x2x3x3xf32>
  %sm = loom.softmax %sk : tensor<1x2x3x3xf32>
  %ctx = loom.matmul %sm, %vt : (tensor<1x2x3x3xf32>, tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32>
  %ct = loom.transpose %ctx {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x2x3x4xf32>) -> tensor<1x3x2x4xf32>
  %merge = loom.constant dense<[1, 3, 8]> : tensor<3xi64>
  %flat = loom.reshape %ct, %merge : (tensor<1x3x2x4xf32>, tensor<3xi64>) -> tensor<1x3x8xf32>
  %ro = loom.weight_ref @wo : tensor<8x8xf32>
  %o = loom.matmul %flat, %ro : (tensor<1x3x8xf32>, tensor<8x8xf32>) -> tensor<1x3x8xf32> loc("o")
  return %o : tensor<1x3x8xf32>
}

// -----

// Softmax along the heads' axis mixes them: left whole, with the reason.
// REMARK: remark: loom-prune: matmul 'q2': 2 of 2 heads of 4 channels kept (left whole: softmax normalizes along its channels)
// CHECK-LABEL: module
// CHECK: loom.weight @wq2 frozen : tensor<8x8xf32>
loom.weight @wq2 frozen : tensor<8x8xf32> = dense<1.0>
func.func @softmax_heads(%x: tensor<1x3x8xf32>) -> tensor<1x3x2x4xf32> {
  %split = loom.constant dense<[1, 3, 2, 4]> : tensor<4xi64>
  %rq = loom.weight_ref @wq2 : tensor<8x8xf32>
  %q = loom.matmul %x, %rq : (tensor<1x3x8xf32>, tensor<8x8xf32>) -> tensor<1x3x8xf32> loc("q2")
  %qh = loom.reshape %q, %split : (tensor<1x3x8xf32>, tensor<4xi64>) -> tensor<1x3x2x4xf32>
  %sm = loom.softmax %qh {axis = 2 : i64} : tensor<1x3x2x4xf32>
  return %sm : tensor<1x3x2x4xf32>
}

// -----

// Heads folded into the batch reach an op that mixes batch elements: left
// whole, with the reason.
// REMARK: remark: loom-prune: matmul 'p': 2 of 2 heads of 4 channels kept (left whole: its heads, folded into a batch axis, reach reduce_sum)
// CHECK-LABEL: module
// CHECK: loom.weight @wp frozen : tensor<8x8xf32>
loom.weight @wp frozen : tensor<8x8xf32> = dense<1.0>
func.func @folded(%x: tensor<2x1x8xf32>) -> tensor<1x2x4xf32> {
  %rp = loom.weight_ref @wp : tensor<8x8xf32>
  %p = loom.matmul %x, %rp : (tensor<2x1x8xf32>, tensor<8x8xf32>) -> tensor<2x1x8xf32> loc("p")
  %split = loom.constant dense<[2, -1, 4]> : tensor<3xi64>
  %ph = loom.reshape %p, %split : (tensor<2x1x8xf32>, tensor<3xi64>) -> tensor<2x2x4xf32>
  %axes = loom.constant dense<[1]> : tensor<1xi64>
  %r = loom.reduce_sum %ph, %axes : (tensor<2x2x4xf32>, tensor<1xi64>) -> tensor<2x1x4xf32>
  %t = loom.transpose %r {perm = array<i64: 1, 0, 2>} : (tensor<2x1x4xf32>) -> tensor<1x2x4xf32>
  return %t : tensor<1x2x4xf32>
}
