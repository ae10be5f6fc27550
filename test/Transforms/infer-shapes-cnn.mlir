// A small CNN (conv-bn-relu-pool, conv-relu, global pool, classifier) exported
// without shapes: --loom-infer-shapes makes every type static once the input
// shape is known, and leaves the unknown batch dimension dynamic otherwise.
// RUN: loom-opt %s --loom-infer-shapes="input-shapes=image:1x3x32x32" --mlir-print-local-scope | FileCheck %s
// RUN: loom-opt %s --loom-infer-shapes="report-unknown=false" | FileCheck %s --check-prefix=DYN
// RUN: loom-opt %s --loom-infer-shapes="input-shapes=0:2x3x32x32 report-unknown=false summary" -o /dev/null 2>&1 | FileCheck %s --check-prefix=SUMMARY
// RUN: loom-opt %s --loom-infer-shapes="summary" -o /dev/null 2>&1 | FileCheck %s --check-prefix=UNKNOWN

loom.weight @conv1.weight : tensor<8x3x3x3xf32> = dense<0.1>
loom.weight @conv1.bias : tensor<8xf32> = dense<0.0>
loom.weight @bn1.weight : tensor<8xf32> = dense<1.0>
loom.weight @bn1.bias : tensor<8xf32> = dense<0.0>
loom.weight @bn1.running_mean buffer frozen : tensor<8xf32> = dense<0.0>
loom.weight @bn1.running_var buffer frozen : tensor<8xf32> = dense<1.0>
loom.weight @conv2.weight : tensor<16x8x3x3xf32> = dense<0.1>
loom.weight @fc.weight : tensor<10x16xf32> = dense<0.1>
loom.weight @fc.bias : tensor<10xf32> = dense<0.0>

// CHECK-LABEL: func.func @main
// CHECK-SAME: (%{{.*}}: tensor<1x3x32x32xf32> {loom.name = "image"}) -> tensor<1x10xf32>
// DYN-LABEL: func.func @main
// DYN-SAME: (%{{.*}}: tensor<?x3x32x32xf32> {loom.name = "image"}) -> tensor<?x10xf32>
func.func @main(%image: tensor<?x3x32x32xf32> {loom.name = "image"}) -> tensor<*xf32> {
  %w1 = loom.weight_ref @conv1.weight : tensor<8x3x3x3xf32>
  %b1 = loom.weight_ref @conv1.bias : tensor<8xf32>
  // CHECK: loom.conv {{.*}} -> tensor<1x8x32x32xf32>
  // DYN: loom.conv {{.*}} -> tensor<?x8x32x32xf32>
  %0 = loom.conv %image, %w1, %b1 {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x32x32xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<*xf32>
  %g = loom.weight_ref @bn1.weight : tensor<8xf32>
  %b = loom.weight_ref @bn1.bias : tensor<8xf32>
  %m = loom.weight_ref @bn1.running_mean : tensor<8xf32>
  %v = loom.weight_ref @bn1.running_var : tensor<8xf32>
  // CHECK: loom.batch_norm {{.*}} -> tensor<1x8x32x32xf32>
  %1 = loom.batch_norm %0, %g, %b, %m, %v : (tensor<*xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<*xf32>
  // CHECK: loom.relu %{{.*}} : tensor<1x8x32x32xf32>
  %2 = loom.relu %1 : tensor<*xf32>
  // CHECK: loom.max_pool {{.*}} -> tensor<1x8x16x16xf32>
  // DYN: loom.max_pool {{.*}} -> tensor<?x8x16x16xf32>
  %3 = loom.max_pool %2 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<*xf32>) -> tensor<*xf32>
  %w2 = loom.weight_ref @conv2.weight : tensor<16x8x3x3xf32>
  // CHECK: loom.conv {{.*}} -> tensor<1x16x8x8xf32>
  %4 = loom.conv %3, %w2 {strides = array<i64: 2, 2>, auto_pad = #loom.auto_pad<SAME_UPPER>} : (tensor<*xf32>, tensor<16x8x3x3xf32>) -> tensor<*xf32>
  // CHECK: loom.relu %{{.*}} : tensor<1x16x8x8xf32>
  %5 = loom.relu %4 : tensor<*xf32>
  // CHECK: loom.global_average_pool {{.*}} -> tensor<1x16x1x1xf32>
  %6 = loom.global_average_pool %5 : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: loom.flatten {{.*}} -> tensor<1x16xf32>
  // DYN: loom.flatten {{.*}} -> tensor<?x16xf32>
  %7 = loom.flatten %6 : (tensor<*xf32>) -> tensor<?x?xf32>
  %fw = loom.weight_ref @fc.weight : tensor<10x16xf32>
  %fb = loom.weight_ref @fc.bias : tensor<10xf32>
  // CHECK: loom.gemm {{.*}} -> tensor<1x10xf32>
  %8 = loom.gemm %7, %fw, %fb {transB = 1} : (tensor<?x?xf32>, tensor<10x16xf32>, tensor<10xf32>) -> tensor<*xf32>
  // CHECK: loom.softmax %{{.*}} : tensor<1x10xf32>
  %9 = loom.softmax %8 : tensor<*xf32>
  // CHECK: return %{{.*}} : tensor<1x10xf32>
  return %9 : tensor<*xf32>
}

// SUMMARY: remark: loom-infer-shapes: refined 10 result type(s); 0 op(s) keep unknown shapes; 1 input(s) overridden

// Without an override the batch stays dynamic and every op after the input
// is reported.
// UNKNOWN: remark: shape stays unknown: 'tensor<?x8x32x32xf32>'
// UNKNOWN: remark: loom-infer-shapes: refined 10 result type(s); 10 op(s) keep unknown shapes; 0 input(s) overridden
