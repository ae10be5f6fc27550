// --loom-prune: which weights are pruned, exact counts, ties, N:M, scope,
// the first/last layer rule, trainable and tied weights. A pruned weight's
// new value is a resource printed as hex: 4 bytes of alignment (04000000),
// then little-endian f32 elements (1.0 = 0000803F, 2.0 = 00000040,
// -3.0 = 000040C0, 0.5 = 0000003F, 0.0 = 00000000).
// RUN: loom-opt %s --split-input-file --loom-prune="keep-first-last=false" | FileCheck %s --check-prefix=HALF
// RUN: loom-opt %s --split-input-file --loom-prune="keep-first-last=false force=true" | FileCheck %s --check-prefix=FORCE
// RUN: loom-opt %s --split-input-file --loom-prune="keep-first-last=false sparsity=0" | FileCheck %s --check-prefix=ZERO
// RUN: loom-opt %s --split-input-file --loom-prune="keep-first-last=false scope=global" | FileCheck %s --check-prefix=GLOBAL
// RUN: loom-opt %s --split-input-file --loom-prune="keep-first-last=false exclude=[cmfea]*" | FileCheck %s --check-prefix=EXCL

// The two smallest magnitudes of four (0.5, then 1) become 0.
// HALF-LABEL: module
// HALF: loom.weight @conv.w frozen : tensor<2x2x1x1xf32> = dense_resource<conv.w.pruned>
// HALF: conv.w.pruned: "0x0400000000000000000040C00000004000000000"
// ZERO: loom.weight @conv.w frozen : tensor<2x2x1x1xf32> = dense<{{.*}}>
// ZERO-NOT: pruned
// EXCL: loom.weight @conv.w frozen : tensor<2x2x1x1xf32> = dense<{{.*}}>
// EXCL-NOT: pruned
loom.weight @conv.w frozen : tensor<2x2x1x1xf32> = dense<[[[[1.0]], [[-3.0]]], [[[2.0]], [[0.5]]]]>
func.func @conv(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = loom.weight_ref @conv.w : tensor<2x2x1x1xf32>
  %y = loom.conv %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Equal magnitudes: the earlier elements go first.
// HALF-LABEL: module
// HALF: mm.w.pruned: "0x0400000000000000000000000000803F0000803F"
loom.weight @mm.w frozen : tensor<2x2xf32> = dense<[[1.0, -1.0], [1.0, 1.0]]>
func.func @ties(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = loom.weight_ref @mm.w : tensor<2x2xf32>
  %y = loom.matmul %x, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// A trainable weight is pruned only with force; the bias never.
// HALF-LABEL: module
// HALF: loom.weight @fc.w : tensor<2x2xf32> = dense<
// HALF: loom.weight @fc.b frozen : tensor<2xf32> = dense<
// HALF-NOT: pruned
// FORCE-LABEL: module
// FORCE: loom.weight @fc.w : tensor<2x2xf32> = dense_resource<fc.w.pruned>
// FORCE: loom.weight @fc.b frozen : tensor<2xf32> = dense<
loom.weight @fc.w : tensor<2x2xf32> = dense<[[4.0, 3.0], [2.0, 1.0]]>
loom.weight @fc.b frozen : tensor<2xf32> = dense<[0.25, 0.5]>
func.func @trainable(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = loom.weight_ref @fc.w : tensor<2x2xf32>
  %b = loom.weight_ref @fc.b : tensor<2xf32>
  %y = loom.gemm %x, %w, %b : (tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// A tied weight (an embedding that is also the head) is pruned only when
// every op reading it is a pruned kernel: the Gather keeps it whole.
// HALF-LABEL: module
// HALF: loom.weight @emb frozen : tensor<4x4xf32> = dense<
// HALF-NOT: pruned
loom.weight @emb frozen : tensor<4x4xf32> = dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]>
func.func @tied(%ids: tensor<2xi64>, %h: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %e = loom.weight_ref @emb : tensor<4x4xf32>
  %g = loom.gather %e, %ids {axis = 0 : i64} : (tensor<4x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  %e2 = loom.weight_ref @emb : tensor<4x4xf32>
  %y = loom.matmul %h, %e2 : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  return %g, %y : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// Global scope: one ranking over both tensors; the first holds the two
// smallest and loses both, the second keeps both.
// HALF-LABEL: module
// HALF: a.pruned: "0x040000000000000000000040"
// HALF: b.pruned: "0x040000000000000000008040"
// EXCL-LABEL: loom.weight @a frozen : tensor<1x2xf32> = dense<[
// EXCL: loom.weight @b frozen : tensor<1x2xf32> = dense_resource<b.pruned>
// GLOBAL-LABEL: module
// GLOBAL: loom.weight @a frozen : tensor<1x2xf32> = dense_resource<a.pruned>
// GLOBAL: loom.weight @b frozen : tensor<1x2xf32> = dense<[
// GLOBAL: a.pruned: "0x040000000000000000000000"
loom.weight @a frozen : tensor<1x2xf32> = dense<[[1.0, 2.0]]>
loom.weight @b frozen : tensor<1x2xf32> = dense<[[3.0, 4.0]]>
func.func @global(%x: tensor<3x1xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %a = loom.weight_ref @a : tensor<1x2xf32>
  %b = loom.weight_ref @b : tensor<1x2xf32>
  %ya = loom.matmul %x, %a : (tensor<3x1xf32>, tensor<1x2xf32>) -> tensor<3x2xf32>
  %yb = loom.matmul %x, %b : (tensor<3x1xf32>, tensor<1x2xf32>) -> tensor<3x2xf32>
  return %ya, %yb : tensor<3x2xf32>, tensor<3x2xf32>
}
