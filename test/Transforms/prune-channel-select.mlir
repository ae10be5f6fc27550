// --loom-prune granularity=channel with include/exclude: an excluded
// producer keeps its channels, so a residual partner that is selected meets
// channels that are not pruned with it and is left whole too; a producer on
// its own is pruned; a glob that matches no prunable kernel is an error.
// RUN: loom-opt %s --loom-prune="granularity=channel keep-first-last=false exclude=a report=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=EXCL
// EXCL: remark: loom-prune: conv 'b': 4 of 4 channels kept (left whole: add 'sum' combines its channels with a tensor that is not pruned with them)
// EXCL: remark: loom-prune: conv 'd': 1 of 2 channels kept
// RUN: loom-opt %s --loom-prune="granularity=channel keep-first-last=false include=d report=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=INCL
// INCL-NOT: conv 'b'
// INCL: remark: loom-prune: conv 'd': 1 of 2 channels kept
// RUN: not loom-opt %s --loom-prune="granularity=channel include=bias" 2>&1 | FileCheck %s --check-prefix=NOKERNEL
// NOKERNEL: error: loom-prune: include glob 'bias' matches no prunable kernel of a Conv, Gemm or MatMul
// RUN: not loom-opt %s --loom-prune="granularity=channel scope=global" 2>&1 | FileCheck %s --check-prefix=SCOPE
// SCOPE: error: loom-prune: granularity=channel takes no scope: every group keeps its own share of channels
loom.weight @a frozen : tensor<4x2x1x1xf32> = dense<1.0>
loom.weight @b frozen : tensor<4x2x1x1xf32> = dense<2.0>
loom.weight @bias frozen : tensor<4xf32> = dense<0.5>
loom.weight @c frozen : tensor<2x4x1x1xf32> = dense<1.0>
loom.weight @d frozen : tensor<2x2x1x1xf32> = dense<[[[[1.0]], [[1.0]]], [[[3.0]], [[3.0]]]]>
loom.weight @e frozen : tensor<1x2x1x1xf32> = dense<1.0>
func.func @f(%x: tensor<1x2x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %wa = loom.weight_ref @a : tensor<4x2x1x1xf32>
  %ya = loom.conv %x, %wa : (tensor<1x2x4x4xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x4x4xf32> loc("a")
  %wb = loom.weight_ref @b : tensor<4x2x1x1xf32>
  %bb = loom.weight_ref @bias : tensor<4xf32>
  %yb = loom.conv %x, %wb, %bb : (tensor<1x2x4x4xf32>, tensor<4x2x1x1xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32> loc("b")
  %s = loom.add %ya, %yb : (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> loc("sum")
  %wc = loom.weight_ref @c : tensor<2x4x1x1xf32>
  %yc = loom.conv %s, %wc : (tensor<1x4x4x4xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x4x4xf32> loc("c")
  %wd = loom.weight_ref @d : tensor<2x2x1x1xf32>
  %yd = loom.conv %yc, %wd : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("d")
  %we = loom.weight_ref @e : tensor<1x2x1x1xf32>
  %ye = loom.conv %yd, %we : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x4x4xf32> loc("e")
  return %ye : tensor<1x1x4x4xf32>
}
