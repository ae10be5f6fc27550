// Every Loom op in its custom form: print, parse and print again must give
// the same text, and so must a detour through the generic form.
// RUN: loom-opt %s > %t.custom
// RUN: loom-opt %t.custom > %t.again
// RUN: diff %t.custom %t.again
// RUN: loom-opt --mlir-print-op-generic %s > %t.generic
// RUN: loom-opt %t.generic > %t.from-generic
// RUN: diff %t.custom %t.from-generic
// RUN: FileCheck %s < %t.custom

// CHECK: loom.weight @fc.weight : tensor<4x3xf32> = dense<1.000000e+00>
loom.weight @fc.weight : tensor<4x3xf32> = dense<1.0>
// CHECK: loom.weight @fc.bias frozen aliases ["head.bias", "tied.bias"] : tensor<4xf32> = dense_resource<fc_bias>
loom.weight @fc.bias frozen aliases ["head.bias", "tied.bias"] : tensor<4xf32> = dense_resource<fc_bias>
// Copies: merged source tensors, each with its role (parameter is not printed).
// CHECK: loom.weight @bn1.weight frozen aliases ["t"] copies ["bn2.weight", "bn2.running_var" buffer] : tensor<3xf32> = dense<1.000000e+00>
loom.weight @bn1.weight frozen aliases ["t"] copies ["bn2.weight" parameter, "bn2.running_var" buffer] : tensor<3xf32> = dense<1.0>
// CHECK: loom.weight @bn.running_mean buffer frozen : tensor<3xf32> = dense<[0.000000e+00, 1.000000e+00, 2.000000e+00]>
loom.weight @bn.running_mean buffer frozen : tensor<3xf32> = dense<[0.0, 1.0, 2.0]>
// A weight that is also model input 2 (an ONNX initializer-input).
// CHECK: loom.weight @emb input 2 aliases ["head"] : tensor<3xf32> = dense<2.000000e+00>
loom.weight @emb input 2 aliases ["head"] : tensor<3xf32> = dense<2.0>
// CHECK: loom.weight @shape constant frozen : tensor<2xi64> = dense<[1, -1]>
loom.weight @shape constant frozen : tensor<2xi64> = dense<[1, -1]>
// CHECK: loom.weight @"0" constant : tensor<2x!loom.string> = dense<["a", "b"]>
loom.weight @"0" constant : tensor<2x!loom.string> = dense<["a", "b"]>

// Argument and result names and symbolic dims (the dialect's discardable
// attributes).
// CHECK-LABEL: func.func @names(%{{.*}}: tensor<?x3xf32> {loom.dims = ["batch", ""], loom.name = "x"}) -> (tensor<?x3xf32> {loom.name = "y"})
func.func @names(%x: tensor<?x3xf32> {loom.dims = ["batch", ""], loom.name = "x"}) -> (tensor<?x3xf32> {loom.name = "y"}) {
  return %x : tensor<?x3xf32>
}

// CHECK-LABEL: func.func @structure
func.func @structure(%x: tensor<2x3xf32>) -> tensor<2x4xf32> {
  // CHECK: loom.weight_ref @fc.weight : tensor<4x3xf32>
  %w = loom.weight_ref @fc.weight : tensor<4x3xf32>
  // CHECK: loom.constant dense<[2, 4]> : tensor<2xi64>
  %c = loom.constant dense<[2, 4]> : tensor<2xi64>
  // CHECK: loom.none
  %n = loom.none
  // CHECK: loom.onnx "FusedMatMul" domain "com.microsoft" version 1 (%{{.*}}, %{{.*}}, %{{.*}}) attributes {alpha = 1.000000e+00 : f32, perm = array<i64: 1, 0>, ratios = array<f32: 5.000000e-01>, transB = 1 : i64} : (tensor<2x3xf32>, none, tensor<4x3xf32>) -> tensor<2x4xf32>
  %y = loom.onnx "FusedMatMul" domain "com.microsoft" version 1 (%x, %n, %w) attributes {alpha = 1.0 : f32, transB = 1 : i64, perm = array<i64: 1, 0>, ratios = array<f32: 0.5>} : (tensor<2x3xf32>, none, tensor<4x3xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// CHECK-LABEL: func.func @generic_regions
func.func @generic_regions(%cond: tensor<i1>, %a: tensor<2xf32>) -> (tensor<2xf32>, !loom.seq<tensor<?xf32>>) {
  // CHECK: loom.onnx "If" (%{{.*}}) attributes {else_branch = #loom.graph<1>, then_branch = #loom.graph<0>} graphs {
  // CHECK: loom.yield %{{.*}} : tensor<2xf32>
  // CHECK: }, {
  // CHECK: } : (tensor<i1>) -> tensor<2xf32>
  %r = loom.onnx "If" (%cond) attributes {then_branch = #loom.graph<0>, else_branch = #loom.graph<1>} graphs {
    loom.yield %a : tensor<2xf32>
  }, {
    %n = loom.neg %a : tensor<2xf32>
    loom.yield %n : tensor<2xf32>
  } : (tensor<i1>) -> tensor<2xf32>
  // CHECK: loom.onnx "SequenceConstruct" (%{{.*}}) : (tensor<2xf32>) -> !loom.seq<tensor<?xf32>>
  %s = loom.onnx "SequenceConstruct" (%a) : (tensor<2xf32>) -> !loom.seq<tensor<?xf32>>
  // CHECK: loom.onnx "Scan" version 16 (%{{.*}}) attributes {body = #loom.graph<0>, num_scan_inputs = 1 : i64} graphs {
  // CHECK-NEXT: ^bb0(%{{.*}}: tensor<f32>):
  %t = loom.onnx "Scan" version 16 (%a) attributes {body = #loom.graph<0>, num_scan_inputs = 1 : i64} graphs {
  ^bb0(%e: tensor<f32>):
    loom.yield %e : tensor<f32>
  } : (tensor<2xf32>) -> tensor<2xf32>
  return %r, %s : tensor<2xf32>, !loom.seq<tensor<?xf32>>
}

// CHECK-LABEL: func.func @types
// CHECK-SAME: !loom.opt<tensor<3xf32>>, %{{.*}}: !loom.map<i64, f32>, %{{.*}}: tensor<2xbf16>, %{{.*}}: tensor<2xf8E4M3FN>, %{{.*}}: tensor<2xi4>, %{{.*}}: tensor<2xui8>, %{{.*}}: tensor<2xcomplex<f32>>
func.func @types(%o: !loom.opt<tensor<3xf32>>, %m: !loom.map<i64, f32>, %b: tensor<2xbf16>, %f8: tensor<2xf8E4M3FN>, %i4: tensor<2xi4>, %u8: tensor<2xui8>, %c: tensor<2xcomplex<f32>>) {
  return
}

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %i: tensor<2x3xi32>, %lo: tensor<f32>, %hi: tensor<f32>, %cond: tensor<2x3xi1>) {
  // CHECK: loom.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = loom.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: loom.sub %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = loom.sub %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: loom.mul %{{.*}}, %{{.*}} : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  %2 = loom.mul %i, %i : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  // CHECK: loom.div %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %3 = loom.div %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  // CHECK: loom.pow %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<2x3xi32>) -> tensor<2x3xf32>
  %4 = loom.pow %a, %i : (tensor<2x3xf32>, tensor<2x3xi32>) -> tensor<2x3xf32>
  // CHECK: loom.relu %{{.*}} : tensor<2x3xf32>
  %5 = loom.relu %a : tensor<2x3xf32>
  // CHECK: loom.leaky_relu %{{.*}} {alpha = 2.000000e-01 : f32} : tensor<2x3xf32>
  %6 = loom.leaky_relu %a {alpha = 0.2 : f32} : tensor<2x3xf32>
  // CHECK: loom.gelu %{{.*}} {approximate = #loom.gelu_approximation<tanh>} : tensor<2x3xf32>
  %7 = loom.gelu %a {approximate = #loom.gelu_approximation<tanh>} : tensor<2x3xf32>
  // CHECK: loom.gelu %{{.*}} : tensor<2x3xf32>
  %8 = loom.gelu %a : tensor<2x3xf32>
  // CHECK: loom.sigmoid %{{.*}} : tensor<2x3xf32>
  %9 = loom.sigmoid %a : tensor<2x3xf32>
  // CHECK: loom.tanh %{{.*}} : tensor<2x3xf32>
  %10 = loom.tanh %a : tensor<2x3xf32>
  // CHECK: loom.erf %{{.*}} : tensor<2x3xf32>
  %11 = loom.erf %a : tensor<2x3xf32>
  // CHECK: loom.exp %{{.*}} : tensor<2x3xf32>
  %12 = loom.exp %a : tensor<2x3xf32>
  // CHECK: loom.log %{{.*}} : tensor<2x3xf32>
  %13 = loom.log %a : tensor<2x3xf32>
  // CHECK: loom.sqrt %{{.*}} : tensor<2x3xf32>
  %14 = loom.sqrt %a : tensor<2x3xf32>
  // CHECK: loom.neg %{{.*}} : tensor<2x3xi32>
  %15 = loom.neg %i : tensor<2x3xi32>
  // CHECK: loom.abs %{{.*}} : tensor<?x3xf32> -> tensor<2x3xf32>
  %abs_in = tensor.cast %a : tensor<2x3xf32> to tensor<?x3xf32>
  %16 = loom.abs %abs_in : tensor<?x3xf32> -> tensor<2x3xf32>
  // CHECK: loom.clip %{{.*}} min %{{.*}} max %{{.*}} : (tensor<2x3xf32>, tensor<f32>, tensor<f32>) -> tensor<2x3xf32>
  %17 = loom.clip %a min %lo max %hi : (tensor<2x3xf32>, tensor<f32>, tensor<f32>) -> tensor<2x3xf32>
  // CHECK: loom.clip %{{.*}} max %{{.*}} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %18 = loom.clip %a max %hi : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  // CHECK: loom.equal %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %19 = loom.equal %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: loom.less %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %20 = loom.less %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: loom.greater %{{.*}}, %{{.*}} : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi1>
  %21 = loom.greater %i, %i : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi1>
  // CHECK: loom.where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %22 = loom.where %cond, %a, %b : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// CHECK-LABEL: func.func @nn
func.func @nn(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %bias: tensor<4xf32>, %wt: tensor<3x2x3x3xf32>, %m: tensor<2x3xf32>, %k: tensor<3x5xf32>, %c: tensor<5xf32>, %scale: tensor<3xf32>) {
  // CHECK: loom.conv %{{.*}}, %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  %0 = loom.conv %x, %w, %bias {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  // CHECK: loom.conv %{{.*}}, %{{.*}} {auto_pad = #loom.auto_pad<SAME_UPPER>, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  %1 = loom.conv %x, %w {auto_pad = #loom.auto_pad<SAME_UPPER>, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: loom.conv_transpose %{{.*}}, %{{.*}} {strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x17x17xf32>
  %2 = loom.conv_transpose %x, %wt {strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x17x17xf32>
  // CHECK: loom.matmul %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x5xf32>
  %3 = loom.matmul %m, %k : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x5xf32>
  // CHECK: loom.gemm %{{.*}}, %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f32} : (tensor<2x3xf32>, tensor<3x5xf32>, tensor<5xf32>) -> tensor<2x5xf32>
  %4 = loom.gemm %m, %k, %c {alpha = 0.5 : f32, transA = 0} : (tensor<2x3xf32>, tensor<3x5xf32>, tensor<5xf32>) -> tensor<2x5xf32>
  // CHECK: loom.softmax %{{.*}} {axis = 1 : i64} : tensor<2x3xf32>
  %5 = loom.softmax %m {axis = 1} : tensor<2x3xf32>
  // CHECK: loom.log_softmax %{{.*}} : tensor<2x3xf32>
  %6 = loom.log_softmax %m : tensor<2x3xf32>
  // CHECK: loom.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 9.99999996E-13 : f32} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %7 = loom.layer_norm %m, %scale, %scale {epsilon = 1.0e-12 : f32} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: loom.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x8x8xf32>
  %8 = loom.batch_norm %x, %scale, %scale, %scale, %scale : (tensor<1x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x8x8xf32>
  // CHECK: loom.max_pool %{{.*}} {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xi64>)
  %9:2 = loom.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xi64>)
  // CHECK: loom.average_pool %{{.*}} {ceil_mode = 1 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  %10 = loom.average_pool %x {ceil_mode = 1, kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  // CHECK: loom.global_average_pool %{{.*}} : (tensor<1x3x8x8xf32>) -> tensor<1x3x1x1xf32>
  %11 = loom.global_average_pool %x : (tensor<1x3x8x8xf32>) -> tensor<1x3x1x1xf32>
  // CHECK: loom.dropout %{{.*}} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %12 = loom.dropout %m : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %ratio = loom.constant dense<0.1> : tensor<f32>
  // CHECK: loom.dropout %{{.*}} ratio %{{.*}} {seed = 7 : i64} : (tensor<2x3xf32>, tensor<f32>) -> (tensor<2x3xf32>, tensor<2x3xi1>)
  %13:2 = loom.dropout %m ratio %ratio {seed = 7} : (tensor<2x3xf32>, tensor<f32>) -> (tensor<2x3xf32>, tensor<2x3xi1>)
  return
}

// CHECK-LABEL: func.func @tensor
func.func @tensor(%x: tensor<2x3x4xf32>, %s: tensor<2xi64>, %ids: tensor<5xi64>, %i: tensor<2x1xf32>) {
  // CHECK: loom.reshape %{{.*}}, %{{.*}} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %0 = loom.reshape %x, %s : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  // CHECK: loom.reshape %{{.*}}, %{{.*}} {allowzero = 1 : i64} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %1 = loom.reshape %x, %s {allowzero = 1} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  // CHECK: loom.transpose %{{.*}} {perm = array<i64: 0, 2, 1>} : (tensor<2x3x4xf32>) -> tensor<2x4x3xf32>
  %2 = loom.transpose %x {perm = array<i64: 0, 2, 1>} : (tensor<2x3x4xf32>) -> tensor<2x4x3xf32>
  // CHECK: loom.transpose %{{.*}} : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  %3 = loom.transpose %x : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  // CHECK: loom.concat %{{.*}}, %{{.*}} {axis = -1 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x8xf32>
  %4 = loom.concat %x, %x {axis = -1} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x8xf32>
  // CHECK: loom.split %{{.*}} {axis = 2 : i64} : (tensor<2x3x4xf32>) -> (tensor<2x3x2xf32>, tensor<2x3x2xf32>)
  %5:2 = loom.split %x {axis = 2} : (tensor<2x3x4xf32>) -> (tensor<2x3x2xf32>, tensor<2x3x2xf32>)
  %sizes = loom.constant dense<[1, 3]> : tensor<2xi64>
  // CHECK: loom.split %{{.*}}, %{{.*}} {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<2xi64>) -> (tensor<2x3x1xf32>, tensor<2x3x3xf32>)
  %6:2 = loom.split %x, %sizes {axis = 2} : (tensor<2x3x4xf32>, tensor<2xi64>) -> (tensor<2x3x1xf32>, tensor<2x3x3xf32>)
  // CHECK: loom.slice %{{.*}} starts %{{.*}} ends %{{.*}} : (tensor<2x3x4xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?x4xf32>
  %7 = loom.slice %x starts %s ends %s : (tensor<2x3x4xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?x4xf32>
  // CHECK: loom.slice %{{.*}} starts %{{.*}} ends %{{.*}} axes %{{.*}} steps %{{.*}} : (tensor<2x3x4xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?x?xf32>
  %8 = loom.slice %x starts %s ends %s axes %s steps %s : (tensor<2x3x4xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?x?xf32>
  // CHECK: loom.gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<5xi64>) -> tensor<2x5x4xf32>
  %9 = loom.gather %x, %ids {axis = 1} : (tensor<2x3x4xf32>, tensor<5xi64>) -> tensor<2x5x4xf32>
  // CHECK: loom.flatten %{{.*}} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  %10 = loom.flatten %x : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  // CHECK: loom.squeeze %{{.*}} : (tensor<2x1xf32>) -> tensor<2xf32>
  %11 = loom.squeeze %i : (tensor<2x1xf32>) -> tensor<2xf32>
  %axes = loom.constant dense<[0]> : tensor<1xi64>
  // CHECK: loom.unsqueeze %{{.*}}, %{{.*}} : (tensor<2x1xf32>, tensor<1xi64>) -> tensor<1x2x1xf32>
  %12 = loom.unsqueeze %i, %axes : (tensor<2x1xf32>, tensor<1xi64>) -> tensor<1x2x1xf32>
  // CHECK: loom.expand %{{.*}}, %{{.*}} : (tensor<2x1xf32>, tensor<2xi64>) -> tensor<2x?xf32>
  %13 = loom.expand %i, %s : (tensor<2x1xf32>, tensor<2xi64>) -> tensor<2x?xf32>
  // CHECK: loom.shape %{{.*}} {start = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2xi64>
  %14 = loom.shape %x {start = 1} : (tensor<2x3x4xf32>) -> tensor<2xi64>
  // CHECK: loom.cast %{{.*}} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf16>
  %15 = loom.cast %x : (tensor<2x3x4xf32>) -> tensor<2x3x4xf16>
  // CHECK: loom.identity %{{.*}} : tensor<2x3x4xf32>
  %16 = loom.identity %x : tensor<2x3x4xf32>
  // CHECK: loom.reduce_mean %{{.*}}, %{{.*}} : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<1x3x4xf32>
  %17 = loom.reduce_mean %x, %axes : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<1x3x4xf32>
  // CHECK: loom.reduce_sum %{{.*}} {keepdims = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<f32>
  %18 = loom.reduce_sum %x {keepdims = 0} : (tensor<2x3x4xf32>) -> tensor<f32>
  // CHECK: loom.reduce_max %{{.*}}, %{{.*}} {keepdims = 0 : i64, noop_with_empty_axes = 1 : i64} : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<3x4xf32>
  %19 = loom.reduce_max %x, %axes {keepdims = 0, noop_with_empty_axes = 1} : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<3x4xf32>
  return
}

// CHECK-LABEL: func.func @quant
func.func @quant(%x: tensor<2x4xf32>, %scale: tensor<f32>, %zp: tensor<i8>, %q: tensor<2x4xi8>, %pc: tensor<4xf32>, %b: tensor<4x3xi8>) {
  // CHECK: loom.quantize_linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x4xf32>, tensor<f32>, tensor<i8>) -> tensor<2x4xi8>
  %0 = loom.quantize_linear %x, %scale, %zp : (tensor<2x4xf32>, tensor<f32>, tensor<i8>) -> tensor<2x4xi8>
  // CHECK: loom.quantize_linear %{{.*}}, %{{.*}} : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xui8>
  %1 = loom.quantize_linear %x, %scale : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xui8>
  // CHECK: loom.dequantize_linear %{{.*}}, %{{.*}} : (tensor<2x4xi8>, tensor<4xf32>) -> tensor<2x4xf32>
  %2 = loom.dequantize_linear %q, %pc : (tensor<2x4xi8>, tensor<4xf32>) -> tensor<2x4xf32>
  // CHECK: loom.matmul_integer %{{.*}}, %{{.*}} a_zero_point %{{.*}} : (tensor<2x4xi8>, tensor<4x3xi8>, tensor<i8>) -> tensor<2x3xi32>
  %3 = loom.matmul_integer %q, %b a_zero_point %zp : (tensor<2x4xi8>, tensor<4x3xi8>, tensor<i8>) -> tensor<2x3xi32>
  // CHECK: loom.matmul_integer %{{.*}}, %{{.*}} b_zero_point %{{.*}} : (tensor<2x4xi8>, tensor<4x3xi8>, tensor<i8>) -> tensor<2x3xi32>
  %4 = loom.matmul_integer %q, %b b_zero_point %zp : (tensor<2x4xi8>, tensor<4x3xi8>, tensor<i8>) -> tensor<2x3xi32>
  return
}

// CHECK-LABEL: func.func @quant_kernels
func.func @quant_kernels(%f: tensor<2x4xf32>, %x: tensor<1x2x5x5xui8>, %w: tensor<3x2x3x3xi8>, %zx: tensor<ui8>, %zw: tensor<3xi8>, %s: tensor<f32>, %sw: tensor<3xf32>, %bias: tensor<3xi32>, %a: tensor<2x4xui8>, %b: tensor<4x3xi8>, %zb: tensor<i8>) {
  // CHECK: loom.dynamic_quantize_linear %{{.*}} : (tensor<2x4xf32>) -> (tensor<2x4xui8>, tensor<f32>, tensor<ui8>)
  %y, %ys, %yz = loom.dynamic_quantize_linear %f : (tensor<2x4xf32>) -> (tensor<2x4xui8>, tensor<f32>, tensor<ui8>)
  // CHECK: loom.conv_integer %{{.*}}, %{{.*}} x_zero_point %{{.*}} w_zero_point %{{.*}} {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x5x5xui8>, tensor<3x2x3x3xi8>, tensor<ui8>, tensor<3xi8>) -> tensor<1x3x5x5xi32>
  %0 = loom.conv_integer %x, %w x_zero_point %zx w_zero_point %zw {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x5x5xui8>, tensor<3x2x3x3xi8>, tensor<ui8>, tensor<3xi8>) -> tensor<1x3x5x5xi32>
  // CHECK: loom.qlinear_conv {{.*}} -> tensor<1x3x3x3xui8>
  %1 = loom.qlinear_conv %x, %s, %zx, %w, %sw, %zw, %s, %zx, %bias : (tensor<1x2x5x5xui8>, tensor<f32>, tensor<ui8>, tensor<3x2x3x3xi8>, tensor<3xf32>, tensor<3xi8>, tensor<f32>, tensor<ui8>, tensor<3xi32>) -> tensor<1x3x3x3xui8>
  // CHECK: loom.qlinear_matmul {{.*}} -> tensor<2x3xui8>
  %2 = loom.qlinear_matmul %a, %s, %zx, %b, %s, %zb, %s, %zx : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>, tensor<4x3xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<ui8>) -> tensor<2x3xui8>
  return
}

{-#
  dialect_resources: {
    builtin: {
      fc_bias: "0x04000000000080BF0000003F0000803F00000000"
    }
  }
#-}
