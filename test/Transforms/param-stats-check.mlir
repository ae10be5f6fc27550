// With `check`, a model whose weights are all finite passes.
// RUN: loom-opt %s --loom-param-stats="check" -o /dev/null | FileCheck %s
// CHECK: NaN: 0; Inf: 0
loom.weight @w frozen : tensor<2xf32> = dense<[1.0, -1.0]>
