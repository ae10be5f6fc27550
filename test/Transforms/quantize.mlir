// RUN: loom-opt %s --split-input-file --loom-quantize="min-elements=1" | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-quantize="min-elements=1 report=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK

// Weight-only quantization; the values are checked by hand (numpy's round
// is half to even, as QuantizeLinear's).

// Per channel (a MatMul's B: one scale per column), int8 symmetric: scales
// max|w| / 127 = 1/127, 2/127, 0.5/127; -0.5 / (1/127) = -63.5 -> -64.
// REMARK: remark: loom-quantize: 'w' int8 per-channel symmetric, 3 scale(s)
// CHECK-LABEL: module
// CHECK: loom.weight @w frozen : tensor<2x3xi8> = dense_resource<w.q>
// CHECK: loom.weight @w.scale frozen : tensor<3xf32> = dense_resource<w.scale>
// CHECK: %[[Q:.*]] = loom.weight_ref @w : tensor<2x3xi8>
// CHECK-NEXT: %[[S:.*]] = loom.weight_ref @w.scale : tensor<3xf32>
// CHECK-NEXT: %[[D:.*]] = loom.dequantize_linear %[[Q]], %[[S]] : (tensor<2x3xi8>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: loom.matmul %{{.*}}, %[[D]]
// CHECK: w.q: "0x010000007F817FC04040"
// CHECK: w.scale: "0x040000000402013C0402813C0402813B"
loom.weight @w frozen : tensor<2x3xf32> = dense<[[1.0, -2.0, 0.5], [-0.5, 1.0, 0.25]]>
func.func @per_channel(%x: tensor<4x2xf32>) -> tensor<4x3xf32> {
  %w = loom.weight_ref @w : tensor<2x3xf32>
  %y = loom.matmul %x, %w : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// -----

// A weight read by two ops is quantized once: one integer tensor, one scale
// tensor, a dequantization per read.
// REMARK: remark: loom-quantize: 't' int8 per-channel symmetric, 3 scale(s)
// CHECK-LABEL: module
// CHECK-COUNT-1: loom.weight @t frozen : tensor<2x3xi8>
// CHECK-COUNT-1: loom.weight @t.scale frozen : tensor<3xf32>
// CHECK-NOT: loom.weight @
// CHECK: loom.dequantize_linear
// CHECK: loom.dequantize_linear
loom.weight @t frozen : tensor<2x3xf32> = dense<[[1.0, -2.0, 0.5], [-0.5, 1.0, 0.25]]>
func.func @shared(%x: tensor<4x2xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %a = loom.weight_ref @t : tensor<2x3xf32>
  %y = loom.matmul %x, %a : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %b = loom.weight_ref @t : tensor<2x3xf32>
  %z = loom.matmul %x, %b : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %y, %z : tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

// Readers that want different axes (a MatMul's columns, a Gemm's transposed
// rows): one scale for the tensor. A weight read by anything but a kernel
// (here an Add) and a trainable one stay float.
// REMARK: remark: loom-quantize: 'u' int8 per-tensor symmetric, 1 scale(s)
// CHECK-LABEL: module
// CHECK-DAG: loom.weight @u frozen : tensor<3x3xi8>
// CHECK-DAG: loom.weight @bias frozen : tensor<3x3xf32>
// CHECK-DAG: loom.weight @train : tensor<3x3xf32>
loom.weight @u frozen : tensor<3x3xf32> = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]>
loom.weight @bias frozen : tensor<3x3xf32> = dense<1.0>
loom.weight @train : tensor<3x3xf32> = dense<1.0>
func.func @axes(%x: tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<3x3xf32>, tensor<3x3xf32>) {
  %a = loom.weight_ref @u : tensor<3x3xf32>
  %y = loom.matmul %x, %a : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
  %b = loom.weight_ref @u : tensor<3x3xf32>
  %z = loom.gemm %x, %b {transB = 1 : i64} : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
  %c = loom.weight_ref @bias : tensor<3x3xf32>
  %s = loom.add %x, %c : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
  %t = loom.weight_ref @train : tensor<3x3xf32>
  %r = loom.matmul %s, %t : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
  return %y, %z, %r : tensor<3x3xf32>, tensor<3x3xf32>, tensor<3x3xf32>
}

// -----

// A constant kernel (folded from Constant nodes only, as BatchNorm into a
// PaddleOCR conv) is frozen by nature and quantized, as a parameter; a
// buffer read as a
// kernel stays float.
// REMARK: remark: loom-quantize: 'k' int8 per-channel symmetric, 3 scale(s)
// CHECK-LABEL: module
// CHECK-DAG: loom.weight @k frozen : tensor<2x3xi8>
// CHECK-DAG: loom.weight @stat buffer frozen : tensor<2x3xf32>
loom.weight @k constant : tensor<2x3xf32> = dense<[[1.0, -2.0, 0.5], [-0.5, 1.0, 0.25]]>
loom.weight @stat buffer frozen : tensor<2x3xf32> = dense<1.0>
func.func @constant_kernel(%x: tensor<4x2xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %k = loom.weight_ref @k : tensor<2x3xf32>
  %y = loom.matmul %x, %k : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %s = loom.weight_ref @stat : tensor<2x3xf32>
  %z = loom.matmul %x, %s : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %y, %z : tensor<4x3xf32>, tensor<4x3xf32>
}
