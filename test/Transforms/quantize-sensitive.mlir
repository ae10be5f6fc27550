// RUN: loom-opt %s --loom-quantize="min-elements=1 bits=4" | FileCheck %s
// RUN: loom-opt %s --loom-quantize="min-elements=1 bits=4 keep-sensitive=false exclude=mid2" | FileCheck %s --check-prefix=ALL4
// RUN: loom-opt %s --loom-quantize="min-elements=1 include=mid*" | FileCheck %s --check-prefix=INCLUDE
// RUN: loom-opt %s --loom-quantize | FileCheck %s --check-prefix=SMALL

// In 4-bit mode the first conv, the last Gemm/MatMul (the classifier) and
// embeddings (per row) stay 8-bit; the kernels between get 4 bits.
// CHECK-DAG: loom.weight @emb frozen : tensor<4x4xi8>
// CHECK-DAG: loom.weight @emb.scale frozen : tensor<4xf32>
// CHECK-DAG: loom.weight @stem frozen : tensor<4x1x1x1xi8>
// CHECK-DAG: loom.weight @mid frozen : tensor<4x4xi4>
// CHECK-DAG: loom.weight @mid2 frozen : tensor<4x4xi4>
// CHECK-DAG: loom.weight @head frozen : tensor<4x2xi8>
// keep-sensitive=false: every one 4 bits; exclude keeps mid2 float.
// ALL4-DAG: loom.weight @emb frozen : tensor<4x4xi4>
// ALL4-DAG: loom.weight @stem frozen : tensor<4x1x1x1xi4>
// ALL4-DAG: loom.weight @mid frozen : tensor<4x4xi4>
// ALL4-DAG: loom.weight @mid2 frozen : tensor<4x4xf32>
// ALL4-DAG: loom.weight @head frozen : tensor<4x2xi4>
// include: only the globs' weights.
// INCLUDE-DAG: loom.weight @emb frozen : tensor<4x4xf32>
// INCLUDE-DAG: loom.weight @mid frozen : tensor<4x4xi8>
// INCLUDE-DAG: loom.weight @mid2 frozen : tensor<4x4xi8>
// INCLUDE-DAG: loom.weight @head frozen : tensor<4x2xf32>
// Below min-elements (256 by default): nothing changes.
// SMALL-NOT: dequantize_linear
loom.weight @emb frozen : tensor<4x4xf32> = dense<[[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]]>
loom.weight @stem frozen : tensor<4x1x1x1xf32> = dense<[[[[1.0]]], [[[2.0]]], [[[3.0]]], [[[4.0]]]]>
loom.weight @mid frozen : tensor<4x4xf32> = dense<0.5>
loom.weight @mid2 frozen : tensor<4x4xf32> = dense<0.25>
loom.weight @head frozen : tensor<4x2xf32> = dense<1.0>
func.func @net(%ids: tensor<1xi64>, %x: tensor<1x1x1x1xf32>) -> (tensor<1x4xf32>, tensor<1x2xf32>) {
  %e = loom.weight_ref @emb : tensor<4x4xf32>
  %g = loom.gather %e, %ids : (tensor<4x4xf32>, tensor<1xi64>) -> tensor<1x4xf32>
  %s = loom.weight_ref @stem : tensor<4x1x1x1xf32>
  %c = loom.conv %x, %s : (tensor<1x1x1x1xf32>, tensor<4x1x1x1xf32>) -> tensor<1x4x1x1xf32>
  %f = loom.flatten %c : (tensor<1x4x1x1xf32>) -> tensor<1x4xf32>
  %m = loom.weight_ref @mid : tensor<4x4xf32>
  %y = loom.matmul %f, %m : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
  %m2 = loom.weight_ref @mid2 : tensor<4x4xf32>
  %y2 = loom.matmul %y, %m2 : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
  %h = loom.weight_ref @head : tensor<4x2xf32>
  %o = loom.matmul %y2, %h : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %g, %o : tensor<1x4xf32>, tensor<1x2xf32>
}
