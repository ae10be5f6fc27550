// RUN: loom-opt %s --split-input-file --loom-fold-frozen="report summary" -o /dev/null 2>&1 | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-fold-frozen="max-growth=6400" | FileCheck %s --check-prefix=GROW

// The transposed copy of a tied embedding is refused and reported, with
// the bytes; max-growth lets a user accept it.
// CHECK: remark: loom-fold-frozen: not folded: 1 op(s) would add at least 6400 bytes and free at most 0; growth > max-growth 0 (not evaluated)
// CHECK: remark: loom-fold-frozen: folded 0 op(s) in 0 group(s) into 0 weight(s): +0 bytes, -0 bytes (net 0); 1 group(s) refused by the size guard
// GROW: loom.weight @emb frozen : tensor<100x16xf32>
// GROW: loom.weight @emb.folded frozen : tensor<16x100xf32>
// GROW-NOT: loom.transpose
loom.weight @emb frozen : tensor<100x16xf32> = dense<1.0>
func.func @tied_head(%ids: tensor<4xi64>) -> tensor<4x100xf32> {
  %e = loom.weight_ref @emb : tensor<100x16xf32>
  %h = loom.gather %e, %ids : (tensor<100x16xf32>, tensor<4xi64>) -> tensor<4x16xf32>
  %t = loom.transpose %e {perm = array<i64: 1, 0>} : (tensor<100x16xf32>) -> tensor<16x100xf32>
  %y = loom.matmul %h, %t : (tensor<4x16xf32>, tensor<16x100xf32>) -> tensor<4x100xf32>
  return %y : tensor<4x100xf32>
}

// -----

// A result far larger than what it frees (an Expand of a scalar to 4 TB) is
// refused before anything is computed: nothing is allocated.
// CHECK: remark: loom-fold-frozen: not folded: 1 op(s) would add at least 4000000000000 bytes and free at most 20; growth > max-growth 0 (not evaluated)
loom.weight @one frozen : tensor<f32> = dense<1.0>
func.func @huge(%x: tensor<1000000x1000000xf32>) -> tensor<1000000x1000000xf32> {
  %o = loom.weight_ref @one : tensor<f32>
  %s = loom.constant dense<[1000000, 1000000]> : tensor<2xi64>
  %e = loom.expand %o, %s : (tensor<f32>, tensor<2xi64>) -> tensor<1000000x1000000xf32>
  %y = loom.add %x, %e : (tensor<1000000x1000000xf32>, tensor<1000000x1000000xf32>) -> tensor<1000000x1000000xf32>
  return %y : tensor<1000000x1000000xf32>
}
