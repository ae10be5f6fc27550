// RUN: loom-opt %s --loom-fold-frozen="report summary" -o /dev/null 2>&1 | FileCheck %s
// RUN: loom-opt %s --loom-fold-frozen="max-growth=6400" | FileCheck %s --check-prefix=GROW

// The transposed copy of a tied embedding is refused and reported, with
// the bytes; max-growth lets a user accept it.
// CHECK: remark: loom-fold-frozen: not folded: 1 op(s) would add 6400 bytes and free only 0 (inputs read by ops that stay alive); growth 6400 > max-growth 0
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
