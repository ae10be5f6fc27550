// The cheap folders: ops that return their input unchanged disappear, Shape
// of a static tensor becomes a constant; nothing folds when types differ or
// data would have to be computed.
// RUN: loom-opt %s --canonicalize --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @identity_dropout
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]], %[[X]] : tensor<2x3xf32>, tensor<2x3xf32>
func.func @identity_dropout(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = loom.identity %x : tensor<2x3xf32>
  %1 = loom.dropout %0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// A refining Identity keeps its type change.
// CHECK-LABEL: func.func @identity_refines
// CHECK: loom.identity %{{.*}} : tensor<?xf32> -> tensor<4xf32>
func.func @identity_refines(%x: tensor<?xf32>) -> tensor<4xf32> {
  %0 = loom.identity %x : tensor<?xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @dropout_mask
// CHECK-DAG: %[[TRUE:.*]] = loom.constant dense<true> : tensor<2xi1>
// CHECK: return %{{.*}}, %[[TRUE]]
func.func @dropout_mask(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xi1>) {
  %0:2 = loom.dropout %x : (tensor<2xf32>) -> (tensor<2xf32>, tensor<2xi1>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<2xi1>
}

// -----

// CHECK-LABEL: func.func @noop_reshapes
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>
// CHECK-NOT: loom.reshape
// CHECK-NOT: loom.transpose
// CHECK-NOT: loom.squeeze
// CHECK-NOT: loom.expand
// CHECK-NOT: loom.cast
// CHECK: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @noop_reshapes(%x: tensor<2x3xf32>, %s: tensor<2xi64>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = loom.reshape %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  %1 = loom.transpose %x {perm = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = loom.squeeze %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = loom.expand %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  %4 = loom.cast %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1, %2, %3, %4 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// A real transpose, a real cast and a reshape whose result is not static stay.
// CHECK-LABEL: func.func @not_noops
// CHECK: loom.transpose
// CHECK: loom.cast
// CHECK: loom.reshape
func.func @not_noops(%x: tensor<2x2xf32>, %s: tensor<2xi64>) -> (tensor<2x2xf32>, tensor<2x2xf16>, tensor<?x?xf32>) {
  %0 = loom.transpose %x : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %1 = loom.cast %x : (tensor<2x2xf32>) -> tensor<2x2xf16>
  %2 = loom.reshape %x, %s : (tensor<2x2xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0, %1, %2 : tensor<2x2xf32>, tensor<2x2xf16>, tensor<?x?xf32>
}

// -----

// Equal types that do not say the shape is unchanged (found in torchvision's
// Faster R-CNN and Swin exports, where Squeeze(axis 0) of an unranked value was
// folded away): unranked squeeze/unsqueeze, a flatten of dynamic dims at an
// axis other than 1. A ranked squeeze and a flatten at axis 1 that keep the
// type fold.
// CHECK-LABEL: func.func @unranked_shape_ops
// CHECK: loom.squeeze
// CHECK: loom.unsqueeze
// CHECK: loom.flatten
// CHECK: return
func.func @unranked_shape_ops(%x: tensor<*xf32>, %y: tensor<?x?xf32>, %axes: tensor<1xi64>) -> (tensor<*xf32>, tensor<*xf32>, tensor<?x?xf32>) {
  %0 = loom.squeeze %x, %axes : (tensor<*xf32>, tensor<1xi64>) -> tensor<*xf32>
  %1 = loom.unsqueeze %x, %axes : (tensor<*xf32>, tensor<1xi64>) -> tensor<*xf32>
  %2 = loom.flatten %y {axis = 0 : i64} : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0, %1, %2 : tensor<*xf32>, tensor<*xf32>, tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @ranked_shape_noops
// CHECK-NOT: loom.squeeze
// CHECK-NOT: loom.flatten
// CHECK: return %arg0, %arg1
func.func @ranked_shape_noops(%x: tensor<?x3xf32>, %y: tensor<?x?xf32>) -> (tensor<?x3xf32>, tensor<?x?xf32>) {
  %0 = loom.squeeze %x : (tensor<?x3xf32>) -> tensor<?x3xf32>
  %1 = loom.flatten %y {axis = 1 : i64} : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0, %1 : tensor<?x3xf32>, tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @shape_static
// CHECK: %[[C:.*]] = loom.constant dense<[3, 4]> : tensor<2xi64>
// CHECK: return %[[C]]
func.func @shape_static(%x: tensor<2x3x4xf32>) -> tensor<2xi64> {
  %0 = loom.shape %x {start = -2} : (tensor<2x3x4xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// Only the requested dimensions need to be static.
// CHECK-LABEL: func.func @shape_partial
// CHECK: loom.constant dense<2> : tensor<1xi64>
// CHECK: loom.shape %{{.*}} {start = 1 : i64}
func.func @shape_partial(%x: tensor<2x?xf32>) -> (tensor<1xi64>, tensor<1xi64>) {
  %0 = loom.shape %x {end = 1} : (tensor<2x?xf32>) -> tensor<1xi64>
  %1 = loom.shape %x {start = 1} : (tensor<2x?xf32>) -> tensor<1xi64>
  return %0, %1 : tensor<1xi64>, tensor<1xi64>
}

// -----

// Splat constants reshape without copying data; others are left to
// loom-fold-frozen.
// CHECK-LABEL: func.func @splat
// CHECK-DAG: loom.constant dense<1.000000e+00> : tensor<6xf32>
// CHECK-DAG: loom.constant dense<1.000000e+00> : tensor<3x2xf32>
// CHECK-DAG: loom.reshape %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<6xf32>
func.func @splat(%s: tensor<1xi64>) -> (tensor<6xf32>, tensor<3x2xf32>, tensor<6xf32>) {
  %c = loom.constant dense<1.0> : tensor<2x3xf32>
  %0 = loom.reshape %c, %s : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<6xf32>
  %1 = loom.transpose %c : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %d = loom.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %2 = loom.reshape %d, %s : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<6xf32>
  return %0, %1, %2 : tensor<6xf32>, tensor<3x2xf32>, tensor<6xf32>
}

// -----

// CHECK-LABEL: func.func @concat_one
// CHECK-SAME: (%[[X:.*]]: tensor<2xf32>)
// CHECK-NEXT: return %[[X]]
func.func @concat_one(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = loom.concat %x {axis = 0} : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Unused ops are erased: they are pure, and so are weight reads.
// CHECK-LABEL: func.func @dead
// CHECK-NEXT: %[[W:.*]] = loom.weight_ref @w
// CHECK-NEXT: return %[[W]]
loom.weight @w : tensor<2xf32> = dense<1.0>
func.func @dead(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = loom.relu %x : tensor<2xf32>
  %1 = loom.weight_ref @w : tensor<2xf32>
  %2 = loom.weight_ref @w : tensor<2xf32>
  return %1 : tensor<2xf32>
}
