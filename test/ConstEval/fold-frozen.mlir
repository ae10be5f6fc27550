// RUN: loom-opt %s --split-input-file --loom-fold-frozen | FileCheck %s

// BatchNorm after a Conv folds into its weight and a new bias (eps = 1):
// k = scale / sqrt(var + eps) = [0.5, 2]; W' = W * k = [1, 6];
// bias' = beta - mean * k = [0, -0.5]. The weight keeps its name; the bias
// takes the BatchNorm's bias name; the statistics are gone.
// CHECK-NOT: loom.weight @bn1.running
// CHECK-DAG: loom.weight @bn1.bias frozen : tensor<2xf32> = dense_resource<[[B:.*]]>
// CHECK-DAG: loom.weight @conv1.weight frozen : tensor<2x1x1x1xf32> = dense_resource<[[W:.*]]>
// CHECK-LABEL: func.func @bn_after_conv
// CHECK: %[[BR:.*]] = loom.weight_ref @bn1.bias
// CHECK: %[[WR:.*]] = loom.weight_ref @conv1.weight
// CHECK: %[[Y:.*]] = loom.conv %arg0, %[[WR]], %[[BR]]
// CHECK-NOT: loom.batch_norm
// CHECK: return %[[Y]]
// CHECK-DAG: [[W]]: "0x040000000000803F0000C040"
// CHECK-DAG: [[B]]: "0x0400000000000000000000BF"
loom.weight @conv1.weight frozen : tensor<2x1x1x1xf32> = dense<[[[[2.0]]], [[[3.0]]]]>
loom.weight @bn1.weight frozen : tensor<2xf32> = dense<[1.0, 2.0]>
loom.weight @bn1.bias frozen : tensor<2xf32> = dense<[0.5, -0.5]>
loom.weight @bn1.running_mean buffer frozen : tensor<2xf32> = dense<[1.0, 0.0]>
loom.weight @bn1.running_var buffer frozen : tensor<2xf32> = dense<[3.0, 0.0]>
func.func @bn_after_conv(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w1 = loom.weight_ref @conv1.weight : tensor<2x1x1x1xf32>
  %c1 = loom.conv %x, %w1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %g = loom.weight_ref @bn1.weight : tensor<2xf32>
  %b = loom.weight_ref @bn1.bias : tensor<2xf32>
  %m = loom.weight_ref @bn1.running_mean : tensor<2xf32>
  %v = loom.weight_ref @bn1.running_var : tensor<2xf32>
  %n1 = loom.batch_norm %c1, %g, %b, %m, %v {epsilon = 1.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %n1 : tensor<1x2x2x2xf32>
}

// -----

// Not frozen, not folded: the BatchNorm's scale is trainable, so neither
// the rewrite nor the evaluation touches anything.
// CHECK-LABEL: func.func @trainable_scale
// CHECK: loom.conv %arg0, %{{.*}} :
// CHECK: loom.batch_norm
loom.weight @conv1.weight frozen : tensor<2x1x1x1xf32> = dense<1.0>
loom.weight @bn1.weight : tensor<2xf32> = dense<[1.0, 2.0]>
loom.weight @bn1.bias frozen : tensor<2xf32> = dense<0.0>
loom.weight @bn1.running_mean buffer frozen : tensor<2xf32> = dense<0.0>
loom.weight @bn1.running_var buffer frozen : tensor<2xf32> = dense<1.0>
func.func @trainable_scale(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w1 = loom.weight_ref @conv1.weight : tensor<2x1x1x1xf32>
  %c1 = loom.conv %x, %w1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %g = loom.weight_ref @bn1.weight : tensor<2xf32>
  %b = loom.weight_ref @bn1.bias : tensor<2xf32>
  %m = loom.weight_ref @bn1.running_mean : tensor<2xf32>
  %v = loom.weight_ref @bn1.running_var : tensor<2xf32>
  %n1 = loom.batch_norm %c1, %g, %b, %m, %v : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %n1 : tensor<1x2x2x2xf32>
}

// -----

// A trainable weight is never an input of a fold, even through ops: the
// Transpose of a trainable weight stays.
// CHECK-LABEL: func.func @trainable_transpose
// CHECK: loom.transpose
loom.weight @w : tensor<64x32xf32> = dense<1.0>
func.func @trainable_transpose(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %w = loom.weight_ref @w : tensor<64x32xf32>
  %t = loom.transpose %w {perm = array<i64: 1, 0>} : (tensor<64x32xf32>) -> tensor<32x64xf32>
  %y = loom.matmul %x, %w : (tensor<4x64xf32>, tensor<64x32xf32>) -> tensor<4x32xf32>
  %z = loom.matmul %y, %t : (tensor<4x32xf32>, tensor<32x64xf32>) -> tensor<4x64xf32>
  return %z : tensor<4x64xf32>
}

// -----

// A frozen weight read only by a Transpose: the transposed copy replaces
// it (no growth) and keeps its name.
// CHECK: loom.weight @w frozen : tensor<32x64xf32> = dense_resource<w>
// CHECK-LABEL: func.func @transpose_only_reader
// CHECK-NOT: loom.transpose
// CHECK: loom.matmul
loom.weight @w frozen : tensor<64x32xf32> = dense<1.0>
func.func @transpose_only_reader(%x: tensor<4x32xf32>) -> tensor<4x64xf32> {
  %w = loom.weight_ref @w : tensor<64x32xf32>
  %t = loom.transpose %w {perm = array<i64: 1, 0>} : (tensor<64x32xf32>) -> tensor<32x64xf32>
  %z = loom.matmul %x, %t : (tensor<4x32xf32>, tensor<32x64xf32>) -> tensor<4x64xf32>
  return %z : tensor<4x64xf32>
}

// -----

// Mul by a per-channel constant after a Conv goes into its weight and
// bias; Add by one goes into its bias.
// CHECK-LABEL: func.func @mul_add_after_conv
// CHECK-NOT: loom.mul
// CHECK-NOT: loom.add
// CHECK: loom.conv %arg0, %{{.*}}, %{{.*}} :
// CHECK-NOT: loom.mul
// CHECK-NOT: loom.add
// CHECK: return
loom.weight @conv.weight frozen : tensor<2x1x1x1xf32> = dense<[[[[2.0]]], [[[3.0]]]]>
loom.weight @conv.bias frozen : tensor<2xf32> = dense<[1.0, 1.0]>
loom.weight @scale frozen : tensor<1x2x1x1xf32> = dense<[[[[2.0]], [[4.0]]]]>
loom.weight @shift frozen : tensor<2x1x1xf32> = dense<[[[1.0]], [[2.0]]]>
func.func @mul_add_after_conv(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = loom.weight_ref @conv.weight : tensor<2x1x1x1xf32>
  %b = loom.weight_ref @conv.bias : tensor<2xf32>
  %c = loom.conv %x, %w, %b : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %s = loom.weight_ref @scale : tensor<1x2x1x1xf32>
  %m = loom.mul %c, %s : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %t = loom.weight_ref @shift : tensor<2x1x1xf32>
  %a = loom.add %t, %m : (tensor<2x1x1xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %a : tensor<1x2x2x2xf32>
}

// -----

// Negative cases of the rewrites: a Mul whose operand varies along the
// spatial axes, and an Add after a Conv whose result has another reader.
// CHECK-LABEL: func.func @not_per_channel
// CHECK: loom.mul
// CHECK: loom.add
loom.weight @conv.weight frozen : tensor<2x1x1x1xf32> = dense<1.0>
loom.weight @plane frozen : tensor<1x1x2x2xf32> = dense<2.0>
loom.weight @shift frozen : tensor<2x1x1xf32> = dense<1.0>
func.func @not_per_channel(%x: tensor<1x1x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w = loom.weight_ref @conv.weight : tensor<2x1x1x1xf32>
  %c = loom.conv %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %p = loom.weight_ref @plane : tensor<1x1x2x2xf32>
  %m = loom.mul %c, %p : (tensor<1x2x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32>
  %c2 = loom.conv %x, %w : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %t = loom.weight_ref @shift : tensor<2x1x1xf32>
  %a = loom.add %c2, %t : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %m, %a, %c2 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// The size guard: the head reads Transpose(E) while the embedding lookup
// still reads E, so folding would add a second 6400-byte copy. Refused
// (see fold-frozen-report.mlir for the remark and max-growth).
// CHECK-LABEL: func.func @tied_head
// CHECK: loom.gather
// CHECK: loom.transpose
loom.weight @emb frozen : tensor<100x16xf32> = dense<1.0>
func.func @tied_head(%ids: tensor<4xi64>) -> tensor<4x100xf32> {
  %e = loom.weight_ref @emb : tensor<100x16xf32>
  %h = loom.gather %e, %ids : (tensor<100x16xf32>, tensor<4xi64>) -> tensor<4x16xf32>
  %t = loom.transpose %e {perm = array<i64: 1, 0>} : (tensor<100x16xf32>) -> tensor<16x100xf32>
  %y = loom.matmul %h, %t : (tensor<4x16xf32>, tensor<16x100xf32>) -> tensor<4x100xf32>
  return %y : tensor<4x100xf32>
}

// -----

// A model input is never folded, even when it is also a weight.
// CHECK-LABEL: func.func @input_weight
// CHECK: loom.transpose
loom.weight @w frozen input 1 : tensor<64x32xf32> = dense<1.0>
func.func @input_weight(%x: tensor<4x32xf32>, %in: tensor<64x32xf32>) -> tensor<4x64xf32> {
  %w = loom.weight_ref @w : tensor<64x32xf32>
  %t = loom.transpose %w {perm = array<i64: 1, 0>} : (tensor<64x32xf32>) -> tensor<32x64xf32>
  %z = loom.matmul %x, %t : (tensor<4x32xf32>, tensor<32x64xf32>) -> tensor<4x64xf32>
  return %z : tensor<4x64xf32>
}

// -----

// Consecutive views collapse, on any data: Transpose(Transpose(x)) is one
// Transpose with the composed permutation (here the identity: none left);
// Reshape(Reshape(x)) is one Reshape when the outer shape has no 0.
// CHECK-LABEL: func.func @collapse_views
// CHECK-NOT: loom.transpose
// CHECK: %[[R:.*]] = loom.reshape %arg0, %{{.*}} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
// CHECK: return %arg0, %[[R]]
func.func @collapse_views(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<6x4xf32>) {
  %t1 = loom.transpose %x {perm = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %t2 = loom.transpose %t1 {perm = array<i64: 2, 0, 1>} : (tensor<3x4x2xf32>) -> tensor<2x3x4xf32>
  %s1 = loom.constant dense<[24]> : tensor<1xi64>
  %r1 = loom.reshape %x, %s1 : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<24xf32>
  %s2 = loom.constant dense<[6, 4]> : tensor<2xi64>
  %r2 = loom.reshape %r1, %s2 : (tensor<24xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  return %t2, %r2 : tensor<2x3x4xf32>, tensor<6x4xf32>
}

// -----

// Not collapsed: a 0 in the outer shape copies a dimension of its own input
// (the inner Reshape's result), which the collapse would change.
// CHECK-LABEL: func.func @reshape_zero
// CHECK: loom.reshape
// CHECK: loom.reshape
func.func @reshape_zero(%x: tensor<?x12xf32>) -> tensor<?x4x3xf32> {
  %s1 = loom.constant dense<[0, 4, 3]> : tensor<3xi64>
  %r1 = loom.reshape %x, %s1 : (tensor<?x12xf32>, tensor<3xi64>) -> tensor<?x4x3xf32>
  %s2 = loom.constant dense<[0, 4, 3]> : tensor<3xi64>
  %r2 = loom.reshape %r1, %s2 : (tensor<?x4x3xf32>, tensor<3xi64>) -> tensor<?x4x3xf32>
  return %r2 : tensor<?x4x3xf32>
}

// -----

// With static shapes, a shape chain (Shape -> Gather -> Concat -> Reshape)
// becomes a constant shape.
// CHECK-LABEL: func.func @shape_chain
// CHECK-NOT: loom.shape
// CHECK-NOT: loom.concat
// CHECK: loom.reshape %arg0, %{{.*}} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
func.func @shape_chain(%x: tensor<2x3x4xf32>) -> tensor<?x?xf32> {
  %s = loom.shape %x : (tensor<2x3x4xf32>) -> tensor<3xi64>
  %i = loom.constant dense<0> : tensor<1xi64>
  %b = loom.gather %s, %i : (tensor<3xi64>, tensor<1xi64>) -> tensor<1xi64>
  %m = loom.constant dense<-1> : tensor<1xi64>
  %c = loom.concat %b, %m {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %r = loom.reshape %x, %c : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// MatMul with a 3-D result: the BatchNorm's channel axis (1) is not the
// MatMul's output column, so nothing moves into the weight.
// CHECK-LABEL: func.func @matmul_3d
// CHECK: loom.batch_norm
loom.weight @w frozen : tensor<4x4xf32> = dense<1.0>
loom.weight @s frozen : tensor<3xf32> = dense<1.0>
func.func @matmul_3d(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %w = loom.weight_ref @w : tensor<4x4xf32>
  %y = loom.matmul %x, %w : (tensor<2x3x4xf32>, tensor<4x4xf32>) -> tensor<2x3x4xf32>
  %s = loom.weight_ref @s : tensor<3xf32>
  %n = loom.batch_norm %y, %s, %s, %s, %s : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  return %n : tensor<2x3x4xf32>
}

// -----

// BatchNorm after a Gemm with transB: B's rows and C scale, beta goes into
// C, and the statistics fold away.
// CHECK-LABEL: func.func @gemm_trans_b
// CHECK: loom.gemm %arg0, %{{.*}}, %{{.*}} {transB = 1 : i64}
// CHECK-NOT: loom.batch_norm
loom.weight @fc.weight frozen : tensor<3x4xf32> = dense<1.0>
loom.weight @fc.bias frozen : tensor<3xf32> = dense<1.0>
loom.weight @bn.weight frozen : tensor<3xf32> = dense<[1.0, 2.0, 3.0]>
loom.weight @bn.bias frozen : tensor<3xf32> = dense<0.5>
loom.weight @bn.mean frozen : tensor<3xf32> = dense<0.25>
loom.weight @bn.var frozen : tensor<3xf32> = dense<1.0>
func.func @gemm_trans_b(%x: tensor<?x4xf32>) -> tensor<?x3xf32> {
  %w = loom.weight_ref @fc.weight : tensor<3x4xf32>
  %b = loom.weight_ref @fc.bias : tensor<3xf32>
  %y = loom.gemm %x, %w, %b {transB = 1 : i64, beta = 0.5 : f32} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %g = loom.weight_ref @bn.weight : tensor<3xf32>
  %be = loom.weight_ref @bn.bias : tensor<3xf32>
  %m = loom.weight_ref @bn.mean : tensor<3xf32>
  %v = loom.weight_ref @bn.var : tensor<3xf32>
  %n = loom.batch_norm %y, %g, %be, %m, %v : (tensor<?x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %n : tensor<?x3xf32>
}

// -----

// A ConvTranspose whose input channels are not whole groups (its unranked
// input keeps the verifier from seeing it) is left alone, not rewritten
// into an invalid per-group view.
// CHECK-LABEL: func.func @conv_transpose_partial_group
// CHECK: loom.batch_norm
loom.weight @w frozen : tensor<3x2x1x1xf32> = dense<1.0>
loom.weight @s frozen : tensor<4xf32> = dense<1.0>
func.func @conv_transpose_partial_group(%x: tensor<*xf32>) -> tensor<*xf32> {
  %w = loom.weight_ref @w : tensor<3x2x1x1xf32>
  %y = loom.conv_transpose %x, %w {group = 2 : i64} : (tensor<*xf32>, tensor<3x2x1x1xf32>) -> tensor<*xf32>
  %s = loom.weight_ref @s : tensor<4xf32>
  %n = loom.batch_norm %y, %s, %s, %s, %s : (tensor<*xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<*xf32>
  return %n : tensor<*xf32>
}

// -----

// A shape chain over a dynamic dimension is not evaluated (the batch is not
// known); the reshape keeps the batch by copying it (0), and the rest of the
// shape becomes static (loom-fold-shapes).
// CHECK-LABEL: func.func @shape_chain_dynamic
// CHECK-NOT: loom.shape
// CHECK: %[[C:.*]] = loom.constant dense<[0, -1]> : tensor<2xi64>
// CHECK: loom.reshape %arg0, %[[C]] : (tensor<?x3x4xf32>, tensor<2xi64>) -> tensor<?x12xf32>
func.func @shape_chain_dynamic(%x: tensor<?x3x4xf32>) -> tensor<?x?xf32> {
  %s = loom.shape %x : (tensor<?x3x4xf32>) -> tensor<3xi64>
  %i = loom.constant dense<0> : tensor<1xi64>
  %b = loom.gather %s, %i : (tensor<3xi64>, tensor<1xi64>) -> tensor<1xi64>
  %m = loom.constant dense<-1> : tensor<1xi64>
  %c = loom.concat %b, %m {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %r = loom.reshape %x, %c : (tensor<?x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// Every weight a Constant node (PaddlePaddle's export): the constant
// kernel is read by the Conv only, so the BatchNorm folds into it as into
// a frozen weight (same numbers as @bn_after_conv), into new weights.
// CHECK-LABEL: func.func @bn_after_constant_conv
// CHECK: %[[Y:.*]] = loom.conv %arg0, %{{.*}}, %{{.*}} :
// CHECK-NOT: loom.batch_norm
// CHECK-NOT: loom.constant
// CHECK: return %[[Y]]
// CHECK-DAG: "0x040000000000803F0000C040"
// CHECK-DAG: "0x0400000000000000000000BF"
func.func @bn_after_constant_conv(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w1 = loom.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %c1 = loom.conv %x, %w1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %g = loom.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = loom.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %m = loom.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %v = loom.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %n1 = loom.batch_norm %c1, %g, %b, %m, %v {epsilon = 1.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %n1 : tensor<1x2x2x2xf32>
}

// -----

// A constant kernel another op also reads is not scaled: the scaled copy
// would sit beside the original.
// CHECK-LABEL: func.func @shared_constant_conv
// CHECK: loom.batch_norm
func.func @shared_constant_conv(%x: tensor<1x1x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w1 = loom.constant dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>
  %c1 = loom.conv %x, %w1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %c2 = loom.conv %x, %w1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %g = loom.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = loom.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %m = loom.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %v = loom.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %n1 = loom.batch_norm %c1, %g, %b, %m, %v {epsilon = 1.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %n1, %c2 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}
