// A dynamic batch copied by a Reshape's 0 cancels out of its -1: the other
// dimensions stay static. Where the batch is not copied, or another
// dimension is dynamic, the -1 stays unknown.
// RUN: loom-opt %s --split-input-file --loom-infer-shapes=report-unknown=false | FileCheck %s

// CHECK-LABEL: func.func @copied_batch
// CHECK: loom.reshape {{.*}} -> tensor<?x40x120xf32>
// CHECK: loom.reshape {{.*}} -> tensor<?x4800xf32>
func.func @copied_batch(%x: tensor<?x120x1x40xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %t = loom.constant dense<[0, 40, -1]> : tensor<3xi64>
  %y = loom.reshape %x, %t : (tensor<?x120x1x40xf32>, tensor<3xi64>) -> tensor<*xf32>
  %f = loom.constant dense<[0, -1]> : tensor<2xi64>
  %z = loom.reshape %x, %f : (tensor<?x120x1x40xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %y, %z : tensor<*xf32>, tensor<*xf32>
}

// -----

// CHECK-LABEL: func.func @not_copied
// CHECK: loom.reshape {{.*}} -> tensor<?x120xf32>
// CHECK: loom.reshape {{.*}} -> tensor<?x?x40xf32>
func.func @not_copied(%x: tensor<?x120x1x40xf32>, %w: tensor<?x?x40xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %t = loom.constant dense<[-1, 120]> : tensor<2xi64>
  %y = loom.reshape %x, %t : (tensor<?x120x1x40xf32>, tensor<2xi64>) -> tensor<*xf32>
  %u = loom.constant dense<[0, -1, 40]> : tensor<3xi64>
  %z = loom.reshape %w, %u : (tensor<?x?x40xf32>, tensor<3xi64>) -> tensor<*xf32>
  return %y, %z : tensor<*xf32>, tensor<*xf32>
}
