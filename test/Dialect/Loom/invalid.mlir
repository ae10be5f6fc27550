// One case per verifier rule of the Loom dialect; the file doubles as the
// list of what the ops refuse.
// RUN: loom-opt %s --split-input-file --verify-diagnostics

// expected-error @+1 {{value must have a tensor type}}
loom.weight @w : vector<2xf32> = dense<1.0>

// -----

// expected-error @+1 {{lists its own name 'w' as an alias}}
loom.weight @w aliases ["w"] : tensor<2xf32> = dense<1.0>

// -----

// expected-error @+1 {{lists alias 'a' more than once}}
loom.weight @w aliases ["a", "a"] : tensor<2xf32> = dense<1.0>

// -----

// expected-error @+1 {{lists name 'a' as a copy and as its own name or another alias or copy}}
loom.weight @w aliases ["a"] copies ["a" buffer] : tensor<2xf32> = dense<1.0>

// -----

// expected-error @+1 {{lists name 'w' as a copy and as its own name or another alias or copy}}
loom.weight @w copies ["w"] : tensor<2xf32> = dense<1.0>

// -----

// expected-error @+1 {{expected ']'}}
loom.weight @w copies ["a" bogus] : tensor<2xf32> = dense<1.0>

// -----

// expected-error @+1 {{weight value must be an elements attribute}}
loom.weight @w : tensor<2xf32> = #loom.graph<0>

// -----

func.func @weight_in_func() {
  // expected-error @+1 {{expects parent op 'builtin.module'}}
  loom.weight @w : tensor<2xf32> = dense<1.0>
  return
}

// -----

func.func @missing_weight() {
  // expected-error @+1 {{'@nope' does not name a loom.weight}}
  %0 = loom.weight_ref @nope : tensor<2xf32>
  return
}

// -----

func.func @not_a_weight() {
  // expected-error @+1 {{'@not_a_weight' does not name a loom.weight}}
  %0 = loom.weight_ref @not_a_weight : tensor<2xf32>
  return
}

// -----

loom.weight @w : tensor<2xf32> = dense<1.0>
func.func @weight_type() {
  // expected-error @+1 {{result type 'tensor<3xf32>' does not match the type 'tensor<2xf32>' of weight '@w'}}
  %0 = loom.weight_ref @w : tensor<3xf32>
  return
}

// -----

func.func @empty_op_type() {
  // expected-error @+1 {{needs a non-empty op_type}}
  loom.onnx "" () : () -> ()
  return
}

// -----

func.func @bad_version() {
  // expected-error @+1 {{opset version must be positive, got 0}}
  loom.onnx "Foo" version 0 () : () -> ()
  return
}

// -----

func.func @graph_out_of_range() {
  // expected-error @+1 {{graph attribute 'body' names region 1 but the op has 1 region(s)}}
  loom.onnx "Loop" () attributes {body = #loom.graph<1>} graphs {
    loom.yield
  } : () -> ()
  return
}

// -----

func.func @graph_named_twice() {
  // expected-error @+1 {{region 0 is named by more than one graph attribute}}
  loom.onnx "If" () attributes {then_branch = #loom.graph<0>, else_branch = #loom.graph<0>} graphs {
    loom.yield
  } : () -> ()
  return
}

// -----

func.func @graph_unnamed() {
  // expected-error @+1 {{region 1 is not named by any graph attribute}}
  loom.onnx "If" () attributes {then_branch = [#loom.graph<0>]} graphs {
    loom.yield
  }, {
    loom.yield
  } : () -> ()
  return
}

// -----

func.func @graph_terminator() {
  // expected-error @+1 {{graph regions must end in loom.yield}}
  loom.onnx "Loop" () attributes {body = #loom.graph<0>} graphs {
    llvm.unreachable
  } : () -> ()
  return
}

// -----

func.func @yield_outside() {
  // expected-error @+1 {{expects parent op 'loom.onnx'}}
  loom.yield
}

// -----

//===----------------------------------------------------------------------===//
// Shape inference against declared types
//===----------------------------------------------------------------------===//

func.func @incompatible_result(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{result #0 type 'tensor<3x2xf32>' is incompatible with the inferred type 'tensor<2x3xf32>'}}
  %0 = loom.relu %a : tensor<2x3xf32> -> tensor<3x2xf32>
  return
}

// -----

func.func @incompatible_rank(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{result #0 type 'tensor<6xf32>' is incompatible with the inferred type 'tensor<2x3xf32>'}}
  %0 = loom.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<6xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

func.func @binary_element_types(%a: tensor<2xf32>, %b: tensor<2xf16>) {
  // expected-error @+1 {{operands must have one element type, got 'f32' and 'f16'}}
  %0 = loom.add %a, %b : (tensor<2xf32>, tensor<2xf16>) -> tensor<2xf32>
  return
}

// -----

func.func @broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{operand shapes are not broadcast-compatible: 'tensor<2x3xf32>' vs 'tensor<4xf32>'}}
  %0 = loom.mul %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @compare_types(%a: tensor<2xf32>, %b: tensor<2xi32>) {
  // expected-error @+1 {{operands must have one element type, got 'f32' and 'i32'}}
  %0 = loom.less %a, %b : (tensor<2xf32>, tensor<2xi32>) -> tensor<2xi1>
  return
}

// -----

func.func @clip_type(%a: tensor<2xf32>, %lo: tensor<f16>) {
  // expected-error @+1 {{min must have the input's element type 'f32', got 'tensor<f16>'}}
  %0 = loom.clip %a min %lo : (tensor<2xf32>, tensor<f16>) -> tensor<2xf32>
  return
}

// -----

func.func @clip_scalar(%a: tensor<2xf32>, %hi: tensor<2xf32>) {
  // expected-error @+1 {{max must be a scalar, got 'tensor<2xf32>'}}
  %0 = loom.clip %a max %hi : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @where_types(%c: tensor<2xi1>, %a: tensor<2xf32>, %b: tensor<2xi64>) {
  // expected-error @+1 {{X and Y must have one element type, got 'f32' and 'i64'}}
  %0 = loom.where %c, %a, %b : (tensor<2xi1>, tensor<2xf32>, tensor<2xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @where_broadcast(%c: tensor<3xi1>, %a: tensor<2xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{operand shapes are not broadcast-compatible}}
  %0 = loom.where %c, %a, %b : (tensor<3xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @softmax_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2 (expected in [-2, 1])}}
  %0 = loom.softmax %a {axis = 2} : tensor<2x3xf32>
  return
}

// -----

func.func @log_softmax_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %0 = loom.log_softmax %a {axis = -3} : tensor<2x3xf32>
  return
}

// -----

func.func @gelu_int(%a: tensor<2xi32>) {
  // expected-error @+1 {{operand #0 must be tensor of floating-point values}}
  %0 = loom.gelu %a : tensor<2xi32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Conv, ConvTranspose, pools
//===----------------------------------------------------------------------===//

func.func @conv_types(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf16>) {
  // expected-error @+1 {{X and W must have one element type}}
  %0 = loom.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf16>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_group(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{group must be positive, got 0}}
  %0 = loom.conv %x, %w {group = 0} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_rank(%x: tensor<3x8xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{X must have rank >= 3 (N x C x D1 ...), got 'tensor<3x8xf32>'}}
  %0 = loom.conv %x, %w : (tensor<3x8xf32>, tensor<4x3xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @conv_w_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+1 {{W must have the rank of X (4), got 'tensor<4x3x3xf32>'}}
  %0 = loom.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @conv_kernel_len(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{kernel_shape has 1 values, expected 2}}
  %0 = loom.conv %x, %w {kernel_shape = array<i64: 3>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_kernel_mismatch(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{kernel_shape 5 does not match W's spatial dimension 3}}
  %0 = loom.conv %x, %w {kernel_shape = array<i64: 5, 3>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_bias_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4x1xf32>) {
  // expected-error @+1 {{B must be 1-D, got 'tensor<4x1xf32>'}}
  %0 = loom.conv %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4x1xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_bias_size(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{B has 5 elements, expected 4 (one per output channel)}}
  %0 = loom.conv %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<5xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<1x6x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{X has 6 channels but W expects 3 x group 1 = 3}}
  %0 = loom.conv %x, %w : (tensor<1x6x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_group_divides(%x: tensor<1x6x8x8xf32>, %w: tensor<5x3x3x3xf32>) {
  // expected-error @+1 {{W's 5 output channels are not divisible by group 2}}
  %0 = loom.conv %x, %w {group = 2} : (tensor<1x6x8x8xf32>, tensor<5x3x3x3xf32>) -> tensor<1x5x6x6xf32>
  return
}

// -----

func.func @conv_strides_len(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{strides has 3 values, expected 2}}
  %0 = loom.conv %x, %w {strides = array<i64: 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_strides_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{strides values must be at least 1, got 0}}
  %0 = loom.conv %x, %w {strides = array<i64: 1, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_negative_pad(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{pads values must be at least 0, got -1}}
  %0 = loom.conv %x, %w {pads = array<i64: 0, 0, -1, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_pads_and_auto_pad(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{pads must not be given with auto_pad = VALID}}
  %0 = loom.conv %x, %w {auto_pad = #loom.auto_pad<VALID>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_too_small(%x: tensor<1x3x2x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{spatial dimension 0 (size 2, padded 2) is smaller than the kernel extent 3}}
  %0 = loom.conv %x, %w : (tensor<1x3x2x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x?x6xf32>
  return
}

// -----

func.func @conv_transpose_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{X has 3 channels but W has 4}}
  %0 = loom.conv_transpose %x, %w : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x10x10xf32>
  return
}

// -----

func.func @conv_transpose_output_padding_len(%x: tensor<1x3x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{output_padding has 1 values, expected 2}}
  %0 = loom.conv_transpose %x, %w {output_padding = array<i64: 1>} : (tensor<1x3x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x10x10xf32>
  return
}

// -----

func.func @conv_transpose_output_padding(%x: tensor<1x3x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{output_padding 1 must be in [0, max(stride, dilation))}}
  %0 = loom.conv_transpose %x, %w {output_padding = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x11x11xf32>
  return
}

// -----

func.func @conv_transpose_output_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{output_shape has 3 values, expected 2}}
  %0 = loom.conv_transpose %x, %w {output_shape = array<i64: 10, 10, 10>} : (tensor<1x3x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x10x10xf32>
  return
}

// -----

func.func @conv_transpose_empty(%x: tensor<1x3x1x1xf32>, %w: tensor<3x2x1x1xf32>) {
  // expected-error @+1 {{spatial dimension 0 would have size 0}}
  %0 = loom.conv_transpose %x, %w {pads = array<i64: 1, 0, 0, 0>} : (tensor<1x3x1x1xf32>, tensor<3x2x1x1xf32>) -> tensor<1x2x?x1xf32>
  return
}

// -----

func.func @max_pool_storage_order(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{storage_order must be 0 or 1, got 2}}
  %0 = loom.max_pool %x {kernel_shape = array<i64: 2, 2>, storage_order = 2} : (tensor<1x3x8x8xf32>) -> tensor<1x3x7x7xf32>
  return
}

// -----

func.func @max_pool_kernel(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{kernel_shape has 3 values, expected 2}}
  %0 = loom.max_pool %x {kernel_shape = array<i64: 2, 2, 2>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x7x7xf32>
  return
}

// -----

func.func @average_pool_rank(%x: tensor<3x8xf32>) {
  // expected-error @+1 {{X must have rank >= 3}}
  %0 = loom.average_pool %x {kernel_shape = array<i64: 2>} : (tensor<3x8xf32>) -> tensor<3x7xf32>
  return
}

// -----

func.func @global_average_pool_rank(%x: tensor<3x8xf32>) {
  // expected-error @+1 {{X must have rank >= 3}}
  %0 = loom.global_average_pool %x : (tensor<3x8xf32>) -> tensor<3x1xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// MatMul, Gemm, MatMulInteger
//===----------------------------------------------------------------------===//

func.func @matmul_types(%a: tensor<2x3xf32>, %b: tensor<3x4xf16>) {
  // expected-error @+1 {{A and B must have one element type}}
  %0 = loom.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf16>) -> tensor<2x4xf32>
  return
}

// -----

func.func @matmul_scalar(%a: tensor<f32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{operands must have rank >= 1}}
  %0 = loom.matmul %a, %b : (tensor<f32>, tensor<3x4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @matmul_k(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{contracting dimensions differ: 3 (A) vs 4 (B)}}
  %0 = loom.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x2x3xf32>, %b: tensor<3x3x4xf32>) {
  // expected-error @+1 {{batch dimensions are not broadcast-compatible}}
  %0 = loom.matmul %a, %b : (tensor<2x2x3xf32>, tensor<3x3x4xf32>) -> tensor<?x2x4xf32>
  return
}

// -----

func.func @matmul_integer_zero_point(%a: tensor<2x3xi8>, %b: tensor<3x4xi8>, %z: tensor<ui8>) {
  // expected-error @+1 {{a_zero_point must have the element type of its operand}}
  %0 = loom.matmul_integer %a, %b a_zero_point %z : (tensor<2x3xi8>, tensor<3x4xi8>, tensor<ui8>) -> tensor<2x4xi32>
  return
}

// -----

func.func @gemm_types(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<4xf16>) {
  // expected-error @+1 {{A, B and C must have one element type}}
  %0 = loom.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<4xf16>) -> tensor<2x4xf32>
  return
}

// -----

func.func @gemm_trans(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{transA and transB must be 0 or 1}}
  %0 = loom.gemm %a, %b {transA = 2} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @gemm_rank(%a: tensor<2x3x1xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{A and B must be 2-D}}
  %0 = loom.gemm %a, %b : (tensor<2x3x1xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @gemm_k(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+1 {{contracting dimensions differ: 3 (A) vs 4 (B)}}
  %0 = loom.gemm %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @gemm_c_rank(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<1x2x4xf32>) {
  // expected-error @+1 {{C must have rank <= 2, got 'tensor<1x2x4xf32>'}}
  %0 = loom.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<1x2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @gemm_c_broadcast(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<3xf32>) {
  // expected-error @+1 {{C of type 'tensor<3xf32>' does not broadcast to 2x4}}
  %0 = loom.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Normalisation, dropout
//===----------------------------------------------------------------------===//

func.func @layer_norm_types(%x: tensor<2x3xf32>, %s: tensor<3xf16>) {
  // expected-error @+1 {{X, Scale and B must have one element type}}
  %0 = loom.layer_norm %x, %s : (tensor<2x3xf32>, tensor<3xf16>) -> tensor<2x3xf32>
  return
}

// -----

func.func @layer_norm_axis(%x: tensor<2x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = loom.layer_norm %x, %s {axis = 2} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @layer_norm_scale_rank(%x: tensor<2x3xf32>, %s: tensor<2x3xf32>) {
  // expected-error @+1 {{Scale and B must have rank <= 1 (the normalised dimensions), got 'tensor<2x3xf32>'}}
  %0 = loom.layer_norm %x, %s : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @batch_norm_rank(%x: tensor<3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{X must have rank >= 2 (N x C ...), got 'tensor<3xf32>'}}
  %0 = loom.batch_norm %x, %s, %s, %s, %s : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @batch_norm_stat_rank(%x: tensor<1x3x4xf32>, %s: tensor<3xf32>, %m: tensor<3x1xf32>) {
  // expected-error @+1 {{input_mean must be 1-D, got 'tensor<3x1xf32>'}}
  %0 = loom.batch_norm %x, %s, %s, %m, %s : (tensor<1x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3x1xf32>, tensor<3xf32>) -> tensor<1x3x4xf32>
  return
}

// -----

func.func @batch_norm_stat_size(%x: tensor<1x3x4xf32>, %s: tensor<3xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{input_var has 4 elements but X has 3 channels}}
  %0 = loom.batch_norm %x, %s, %s, %s, %v : (tensor<1x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<1x3x4xf32>
  return
}

// -----

func.func @dropout_ratio(%x: tensor<2xf32>, %r: tensor<1xf32>) {
  // expected-error @+1 {{ratio must be a scalar, got 'tensor<1xf32>'}}
  %0 = loom.dropout %x ratio %r : (tensor<2xf32>, tensor<1xf32>) -> tensor<2xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

func.func @quant_block_size(%x: tensor<2x4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{block_size must be >= 0, got -1}}
  %0 = loom.quantize_linear %x, %s {block_size = -1} : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xui8>
  return
}

// -----

func.func @quant_zero_point_shape(%x: tensor<2x4xf32>, %s: tensor<4xf32>, %z: tensor<2xi8>) {
  // expected-error @+1 {{zero point shape 'tensor<2xi8>' differs from scale shape 'tensor<4xf32>'}}
  %0 = loom.quantize_linear %x, %s, %z : (tensor<2x4xf32>, tensor<4xf32>, tensor<2xi8>) -> tensor<2x4xi8>
  return
}

// -----

func.func @quant_per_channel_rank(%x: tensor<2x4xf32>, %s: tensor<2x4xf32>) {
  // expected-error @+1 {{per-channel scale must be 1-D, got 'tensor<2x4xf32>'}}
  %0 = loom.quantize_linear %x, %s : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xui8>
  return
}

// -----

func.func @quant_per_channel_size(%x: tensor<2x4xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{scale has 3 elements but axis 1 has size 4}}
  %0 = loom.quantize_linear %x, %s : (tensor<2x4xf32>, tensor<3xf32>) -> tensor<2x4xui8>
  return
}

// -----

func.func @quant_axis(%x: tensor<2x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = loom.quantize_linear %x, %s {axis = 2} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xui8>
  return
}

// -----

func.func @quant_blocked_rank(%x: tensor<2x4xf32>, %s: tensor<2xf32>) {
  // expected-error @+1 {{blocked scale must have the input's rank, got 'tensor<2xf32>'}}
  %0 = loom.quantize_linear %x, %s {block_size = 2} : (tensor<2x4xf32>, tensor<2xf32>) -> tensor<2x4xui8>
  return
}

// -----

func.func @quant_scale_type(%x: tensor<2x4xf32>, %s: tensor<f16>) {
  // expected-error @+1 {{y_scale must have the element type of x}}
  %0 = loom.quantize_linear %x, %s : (tensor<2x4xf32>, tensor<f16>) -> tensor<2x4xui8>
  return
}

// -----

func.func @quant_zero_point_type(%x: tensor<2x4xf32>, %s: tensor<f32>, %z: tensor<i8>) {
  // expected-error @+1 {{result #0 type 'tensor<2x4xui8>' is incompatible with the inferred type 'tensor<2x4xi8>'}}
  %0 = loom.quantize_linear %x, %s, %z : (tensor<2x4xf32>, tensor<f32>, tensor<i8>) -> tensor<2x4xui8>
  return
}

// -----

func.func @dequant_zero_point_type(%x: tensor<2x4xi8>, %s: tensor<f32>, %z: tensor<ui8>) {
  // expected-error @+1 {{x_zero_point must have the element type of x}}
  %0 = loom.dequantize_linear %x, %s, %z : (tensor<2x4xi8>, tensor<f32>, tensor<ui8>) -> tensor<2x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Reshape, Transpose, Concat, Split
//===----------------------------------------------------------------------===//

func.func @reshape_shape_rank(%x: tensor<2x3xf32>, %s: tensor<1x2xi64>) {
  // expected-error @+1 {{shape must be 1-D, got 'tensor<1x2xi64>'}}
  %0 = loom.reshape %x, %s : (tensor<2x3xf32>, tensor<1x2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_allowzero(%x: tensor<2x3xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{allowzero must be 0 or 1}}
  %0 = loom.reshape %x, %s {allowzero = 2} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_two_minus_one(%x: tensor<2x3xf32>) {
  %s = loom.constant dense<[-1, -1]> : tensor<2xi64>
  // expected-error @+1 {{shape has more than one -1}}
  %0 = loom.reshape %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

// Found by fuzzing: shape products overflowed int64 (checked now).
func.func @reshape_overflow(%x: tensor<2x3xf32>) {
  %s = loom.constant dense<[4611686018427387904, 8]> : tensor<2xi64>
  // expected-error @+1 {{shape has more elements than int64 can count}}
  %0 = loom.reshape %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @flatten_overflow(%x: tensor<4611686018427387904x8xf32>) {
  // expected-error @+1 {{input has more elements than int64 can count}}
  %0 = loom.flatten %x {axis = 2} : (tensor<4611686018427387904x8xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @conv_extent_overflow(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{spatial dimension 0: the padded size or the kernel extent is over 2^62}}
  %0 = loom.conv %x, %w {dilations = array<i64: 4611686018427387904, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @conv_group_overflow(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{W's 3 channels x group 4611686018427387904 overflow int64}}
  %0 = loom.conv %x, %w {group = 4611686018427387904} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @reshape_bad_entry(%x: tensor<2x3xf32>) {
  %s = loom.constant dense<[-2, 3]> : tensor<2xi64>
  // expected-error @+1 {{shape entry -2 is invalid}}
  %0 = loom.reshape %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_copy_missing(%x: tensor<6xf32>) {
  %s = loom.constant dense<[6, 0]> : tensor<2xi64>
  // expected-error @+1 {{shape entry 0 at position 1 copies a dimension the input (rank 1) does not have}}
  %0 = loom.reshape %x, %s : (tensor<6xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_zero_and_minus_one(%x: tensor<0x3xf32>) {
  %s = loom.constant dense<[0, -1]> : tensor<2xi64>
  // expected-error @+1 {{shape may not hold both 0 and -1 when allowzero = 1}}
  %0 = loom.reshape %x, %s {allowzero = 1} : (tensor<0x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_not_divisible(%x: tensor<2x3xf32>) {
  %s = loom.constant dense<[4, -1]> : tensor<2xi64>
  // expected-error @+1 {{cannot reshape 'tensor<2x3xf32>' to shape with 4 elements per -1 entry}}
  %0 = loom.reshape %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) {
  %s = loom.constant dense<[4, 2]> : tensor<2xi64>
  // expected-error @+1 {{cannot reshape 6 elements into 8}}
  %0 = loom.reshape %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @transpose_len(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{perm has 3 entries for an input of rank 2}}
  %0 = loom.transpose %x {perm = array<i64: 0, 1, 2>} : (tensor<2x3xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{perm is not a permutation of [0, 2)}}
  %0 = loom.transpose %x {perm = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @concat_empty() {
  // expected-error @+1 {{needs at least one input}}
  %0 = loom.concat {axis = 0} : () -> tensor<?xf32>
  return
}

// -----

func.func @concat_types(%a: tensor<2xf32>, %b: tensor<2xf16>) {
  // expected-error @+1 {{inputs must have one element type, got 'f32' and 'f16'}}
  %0 = loom.concat %a, %b {axis = 0} : (tensor<2xf32>, tensor<2xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @concat_rank(%a: tensor<2xf32>, %b: tensor<2x1xf32>) {
  // expected-error @+1 {{inputs must have one rank, got 1 and 2}}
  %0 = loom.concat %a, %b {axis = 0} : (tensor<2xf32>, tensor<2x1xf32>) -> tensor<?xf32>
  return
}

// -----

func.func @concat_dims(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{inputs differ in dimension 1 (3 vs 4), which is not the concatenation axis}}
  %0 = loom.concat %a, %b {axis = 0} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x?xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = loom.concat %a, %a {axis = 2} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @split_no_results(%a: tensor<4xf32>) {
  // expected-error @+1 {{needs at least one result}}
  loom.split %a : (tensor<4xf32>) -> ()
  return
}

// -----

// Found by fuzzing: an axis of a scalar indexed its (absent) dimensions.
func.func @split_scalar(%a: tensor<f32>) {
  // expected-error @+1 {{axis 0 names a dimension of a scalar (rank 0)}}
  %0:2 = loom.split %a {num_outputs = 2} : (tensor<f32>) -> (tensor<?xf32>, tensor<?xf32>)
  return
}

// -----

func.func @split_both(%a: tensor<4xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{split and num_outputs must not both be given}}
  %0:2 = loom.split %a, %s {num_outputs = 2} : (tensor<4xf32>, tensor<2xi64>) -> (tensor<?xf32>, tensor<?xf32>)
  return
}

// -----

func.func @split_num_outputs(%a: tensor<4xf32>) {
  // expected-error @+1 {{num_outputs is 3 but the op has 2 results}}
  %0:2 = loom.split %a {num_outputs = 3} : (tensor<4xf32>) -> (tensor<?xf32>, tensor<?xf32>)
  return
}

// -----

func.func @split_length(%a: tensor<4xf32>, %s: tensor<3xi64>) {
  // expected-error @+1 {{split has 3 entries but the op has 2 results}}
  %0:2 = loom.split %a, %s : (tensor<4xf32>, tensor<3xi64>) -> (tensor<?xf32>, tensor<?xf32>)
  return
}

// -----

func.func @split_negative(%a: tensor<4xf32>) {
  %s = loom.constant dense<[5, -1]> : tensor<2xi64>
  // expected-error @+1 {{split sizes must be >= 0, got -1}}
  %0:2 = loom.split %a, %s : (tensor<4xf32>, tensor<2xi64>) -> (tensor<?xf32>, tensor<?xf32>)
  return
}

// -----

func.func @split_sum(%a: tensor<4xf32>) {
  %s = loom.constant dense<[1, 2]> : tensor<2xi64>
  // expected-error @+1 {{split sizes sum to 3 but axis 0 has size 4}}
  %0:2 = loom.split %a, %s : (tensor<4xf32>, tensor<2xi64>) -> (tensor<?xf32>, tensor<?xf32>)
  return
}

// -----

func.func @split_uneven(%a: tensor<5xf32>) {
  // expected-error @+1 {{axis size 5 does not split evenly into 2 parts}}
  %0:2 = loom.split %a : (tensor<5xf32>) -> (tensor<?xf32>, tensor<?xf32>)
  return
}

// -----

func.func @split_axis(%a: tensor<4xf32>) {
  // expected-error @+1 {{axis 1 is out of range for rank 1}}
  %0:2 = loom.split %a {axis = 1} : (tensor<4xf32>) -> (tensor<?xf32>, tensor<?xf32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// Slice, Gather, Flatten, Squeeze, Unsqueeze, Expand, Cast, reductions
//===----------------------------------------------------------------------===//

func.func @slice_lengths(%x: tensor<4x4xf32>, %s: tensor<2xi64>, %e: tensor<1xi64>) {
  // expected-error @+1 {{starts, ends, axes and steps must have one length}}
  %0 = loom.slice %x starts %s ends %e : (tensor<4x4xf32>, tensor<2xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @slice_param_rank(%x: tensor<4x4xf32>, %s: tensor<1x2xi64>) {
  // expected-error @+1 {{starts must be 1-D, got 'tensor<1x2xi64>'}}
  %0 = loom.slice %x starts %s ends %s : (tensor<4x4xf32>, tensor<1x2xi64>, tensor<1x2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @slice_types(%x: tensor<4x4xf32>, %s: tensor<1xi64>, %e: tensor<1xi32>) {
  // expected-error @+1 {{starts and ends must have one element type}}
  %0 = loom.slice %x starts %s ends %e : (tensor<4x4xf32>, tensor<1xi64>, tensor<1xi32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @slice_too_many(%x: tensor<4xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{slices 2 axes of a rank-1 input}}
  %0 = loom.slice %x starts %s ends %s : (tensor<4xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<?xf32>
  return
}

// -----

func.func @slice_step_zero(%x: tensor<4xf32>) {
  %s = loom.constant dense<[0]> : tensor<1xi64>
  // expected-error @+1 {{steps must not be 0}}
  %0 = loom.slice %x starts %s ends %s axes %s steps %s : (tensor<4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  return
}

// -----

func.func @slice_axis_twice(%x: tensor<4x4xf32>) {
  %s = loom.constant dense<[0, 0]> : tensor<2xi64>
  %a = loom.constant dense<[1, -1]> : tensor<2xi64>
  // expected-error @+1 {{axis -1 is sliced more than once}}
  %0 = loom.slice %x starts %s ends %s axes %a : (tensor<4x4xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @slice_axis_range(%x: tensor<4x4xf32>) {
  %s = loom.constant dense<[0]> : tensor<1xi64>
  %a = loom.constant dense<[2]> : tensor<1xi64>
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = loom.slice %x starts %s ends %s axes %a : (tensor<4x4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @gather_rank(%x: tensor<f32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{data must have rank >= 1}}
  %0 = loom.gather %x, %i : (tensor<f32>, tensor<2xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @gather_axis(%x: tensor<3x4xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = loom.gather %x, %i {axis = 2} : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @gather_index_type(%x: tensor<3x4xf32>, %i: tensor<2xf32>) {
  // expected-error @+1 {{operand #1 must be tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = loom.gather %x, %i : (tensor<3x4xf32>, tensor<2xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @flatten_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 3 is out of range for rank 2 (expected in [-2, 2])}}
  %0 = loom.flatten %x {axis = 3} : (tensor<2x3xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @squeeze_not_one(%x: tensor<2x3xf32>) {
  %a = loom.constant dense<[1]> : tensor<1xi64>
  // expected-error @+1 {{cannot squeeze axis 1 of size 3}}
  %0 = loom.squeeze %x, %a : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?xf32>
  return
}

// -----

func.func @squeeze_axes_rank(%x: tensor<2x1xf32>, %a: tensor<1x1xi64>) {
  // expected-error @+1 {{axes must be 1-D, got 'tensor<1x1xi64>'}}
  %0 = loom.squeeze %x, %a : (tensor<2x1xf32>, tensor<1x1xi64>) -> tensor<?xf32>
  return
}

// -----

func.func @unsqueeze_range(%x: tensor<2x3xf32>) {
  %a = loom.constant dense<[3]> : tensor<1xi64>
  // expected-error @+1 {{axis 3 is out of range for output rank 3}}
  %0 = loom.unsqueeze %x, %a : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?x?x?xf32>
  return
}

// -----

func.func @unsqueeze_twice(%x: tensor<2x3xf32>) {
  %a = loom.constant dense<[0, -4]> : tensor<2xi64>
  // expected-error @+1 {{axis -4 is listed more than once}}
  %0 = loom.unsqueeze %x, %a : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @expand_negative(%x: tensor<2x1xf32>) {
  %s = loom.constant dense<[2, -1]> : tensor<2xi64>
  // expected-error @+1 {{shape entries must be >= 0, got -1}}
  %0 = loom.expand %x, %s : (tensor<2x1xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @expand_broadcast(%x: tensor<2x3xf32>) {
  %s = loom.constant dense<[4, 3]> : tensor<2xi64>
  // expected-error @+1 {{input 'tensor<2x3xf32>' does not broadcast to the target shape}}
  %0 = loom.expand %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @cast_saturate(%x: tensor<2xf32>) {
  // expected-error @+1 {{saturate must be 0 or 1}}
  %0 = loom.cast %x {saturate = 3} : (tensor<2xf32>) -> tensor<2xf8E4M3FN>
  return
}

// -----

func.func @cast_shape(%x: tensor<2xf32>) {
  // expected-error @+1 {{result #0 type 'tensor<3xf16>' is incompatible with the inferred type 'tensor<2xf16>'}}
  %0 = loom.cast %x : (tensor<2xf32>) -> tensor<3xf16>
  return
}

// -----

func.func @reduce_axes_rank(%x: tensor<2x3xf32>, %a: tensor<1x1xi64>) {
  // expected-error @+1 {{axes must be 1-D, got 'tensor<1x1xi64>'}}
  %0 = loom.reduce_sum %x, %a : (tensor<2x3xf32>, tensor<1x1xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reduce_axis_twice(%x: tensor<2x3xf32>) {
  %a = loom.constant dense<[1, -1]> : tensor<2xi64>
  // expected-error @+1 {{reduction axis -1 is listed more than once}}
  %0 = loom.reduce_mean %x, %a : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reduce_axis_range(%x: tensor<2x3xf32>) {
  %a = loom.constant dense<[2]> : tensor<1xi64>
  // expected-error @+1 {{reduction axis 2 is out of range for rank 2}}
  %0 = loom.reduce_max %x, %a : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  return
}

// -----

// expected-error @+1 {{'input_index' failed to satisfy constraint}}
loom.weight @w input -1 : tensor<2xf32> = dense<1.0>

// -----

// The dialect's discardable attributes: loom.name and loom.dims on
// arguments and results, nothing else.
// expected-error @+1 {{argument 0: 'loom.name' must be a string}}
func.func @name_not_string(%x: tensor<2xf32> {loom.name = 3 : i64}) {
  return
}

// -----

// expected-error @+1 {{result 0: 'loom.dims' must be an array of strings}}
func.func @dims_not_strings(%x: tensor<2xf32>) -> (tensor<2xf32> {loom.dims = [1]}) {
  return %x : tensor<2xf32>
}

// -----

// expected-error @+1 {{argument 0: unknown Loom attribute 'loom.nmae'}}
func.func @unknown_arg_attr(%x: tensor<2xf32> {loom.nmae = "x"}) {
  return
}

// -----

// expected-error @+1 {{unknown Loom attribute 'loom.source'}}
module attributes {loom.source = "torchscript"} {
}

// -----

func.func @resize_mode(%x: tensor<1x1x2x2xf32>, %s: tensor<4xf32>) -> tensor<1x1x4x4xf32> {
  // expected-error @+1 {{'loom.resize' op mode must be nearest, linear or cubic, got 'bicubic'}}
  %0 = loom.resize %x scales %s {mode = "bicubic"} : (tensor<1x1x2x2xf32>, tensor<4xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

func.func @resize_transform(%x: tensor<1x1x2x2xf32>, %s: tensor<4xf32>) -> tensor<1x1x4x4xf32> {
  // expected-error @+1 {{'loom.resize' op unknown coordinate_transformation_mode 'sideways'}}
  %0 = loom.resize %x scales %s {coordinate_transformation_mode = "sideways"} : (tensor<1x1x2x2xf32>, tensor<4xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

func.func @resize_sizes_rank(%x: tensor<1x1x2x2xf32>) -> tensor<*xf32> {
  %sizes = loom.constant dense<[4, 4]> : tensor<2xi64>
  // expected-error @+1 {{'loom.resize' op sizes has 2 values for rank 4}}
  %0 = loom.resize %x sizes %sizes : (tensor<1x1x2x2xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_integer_zero_point(%x: tensor<1x1x3x3xui8>, %w: tensor<1x1x2x2xi8>, %z: tensor<i8>) {
  // expected-error @+1 {{x_zero_point must have the element type of its operand}}
  %0 = loom.conv_integer %x, %w x_zero_point %z : (tensor<1x1x3x3xui8>, tensor<1x1x2x2xi8>, tensor<i8>) -> tensor<1x1x2x2xi32>
  return
}

// -----

func.func @conv_integer_channels(%x: tensor<1x2x3x3xui8>, %w: tensor<1x1x2x2xi8>) {
  // expected-error @+1 {{X has 2 channels but W expects 1 x group 1 = 1}}
  %0 = loom.conv_integer %x, %w : (tensor<1x2x3x3xui8>, tensor<1x1x2x2xi8>) -> tensor<1x1x2x2xi32>
  return
}

// -----

func.func @qlinear_conv_bias(%x: tensor<1x1x3x3xui8>, %w: tensor<2x1x2x2xi8>, %s: tensor<f32>, %zx: tensor<ui8>, %zw: tensor<i8>, %bias: tensor<3xi32>) {
  // expected-error @+1 {{B has 3 elements, expected 2 (one per output channel)}}
  %0 = loom.qlinear_conv %x, %s, %zx, %w, %s, %zw, %s, %zx, %bias : (tensor<1x1x3x3xui8>, tensor<f32>, tensor<ui8>, tensor<2x1x2x2xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<ui8>, tensor<3xi32>) -> tensor<1x2x2x2xui8>
  return
}

// -----

func.func @qlinear_matmul_zero_point(%a: tensor<2x4xui8>, %b: tensor<4x3xi8>, %s: tensor<f32>, %za: tensor<i8>, %zb: tensor<i8>, %zy: tensor<ui8>) {
  // expected-error @+1 {{a_zero_point must have the element type of its operand}}
  %0 = loom.qlinear_matmul %a, %s, %za, %b, %s, %zb, %s, %zy : (tensor<2x4xui8>, tensor<f32>, tensor<i8>, tensor<4x3xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<ui8>) -> tensor<2x3xui8>
  return
}

// -----

func.func @qlinear_matmul_shapes(%a: tensor<2x4xui8>, %b: tensor<5x3xi8>, %s: tensor<f32>, %za: tensor<ui8>, %zb: tensor<i8>) {
  // expected-error @+1 {{contracting dimensions differ: 4 (A) vs 5 (B)}}
  %0 = loom.qlinear_matmul %a, %s, %za, %b, %s, %zb, %s, %za : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>, tensor<5x3xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<ui8>) -> tensor<2x3xui8>
  return
}

// -----

func.func @dynamic_quantize_linear_type(%x: tensor<4xf16>) {
  // expected-error @+1 {{operand #0 must be tensor of 32-bit float values}}
  %y, %s, %z = loom.dynamic_quantize_linear %x : (tensor<4xf16>) -> (tensor<4xui8>, tensor<f32>, tensor<ui8>)
  return
}

// -----

// expected-error @+1 {{'loom.quantize_bits' must be 4, 8 or 0 (float)}}
loom.weight @w frozen : tensor<2xf32> = dense<1.0> {loom.quantize_bits = 3 : i64}

// -----

func.func @quantize_bits_on_op(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'loom.quantize_bits' belongs on a loom.weight}}
  %y = loom.relu %x {loom.quantize_bits = 8 : i64} : tensor<2xf32>
  return %y : tensor<2xf32>
}
