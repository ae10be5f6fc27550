// RUN: loom-opt %s --split-input-file --loom-quantize="min-elements=1" | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-quantize="min-elements=1 simulate=true" | FileCheck %s --check-prefix=SIM

// Planned widths (`loom.quantize_bits`, what loomc compress --max-drift
// writes) override `bits`: 4 for @a although bits=8, 0 keeps @b float, @c
// without a plan takes bits=8. The plans are consumed.
// CHECK-LABEL: module
// CHECK-DAG: loom.weight @a frozen : tensor<2x3xi4>
// CHECK-DAG: loom.weight @b frozen : tensor<2x3xf32>
// CHECK-DAG: loom.weight @c frozen : tensor<2x3xi8>
// CHECK-NOT: loom.quantize_bits

// Simulated: the graph stays, each quantized weight holds its dequantized
// values. @a at 4 bits per column with float16 scales rounded up (numpy:
// 0.14294434, 0.28588867, 0.07147217), integers [[7, -7, 7], [-3, 3, 3]]
// (-0.5 / 0.1429 = -3.498 -> -3), values q * scale; @c at 8 bits, scales
// 1/127, 2/127, 0.5/127: -0.5 -> -63.5 -> -64 (half to even) -> -0.503937.
// SIM-LABEL: module
// SIM-DAG: loom.weight @a frozen : tensor<2x3xf32> = dense_resource<a.simulated>
// SIM-DAG: loom.weight @b frozen : tensor<2x3xf32> = dense<
// SIM-DAG: loom.weight @c frozen : tensor<2x3xf32> = dense_resource<c.simulated>
// SIM-NOT: loom.dequantize_linear
// SIM-NOT: loom.quantize_bits
// SIM-DAG: a.simulated: "0x040000000014803F001400C00014003F0090DBBE00905B3F00905B3E"
// SIM-DAG: c.simulated: "0x040000000000803F000000C00000003F040201BF0402813F0402813E"
loom.weight @a frozen : tensor<2x3xf32> = dense<[[1.0, -2.0, 0.5], [-0.5, 1.0, 0.25]]> {loom.quantize_bits = 4 : i64}
loom.weight @b frozen : tensor<2x3xf32> = dense<[[1.0, -2.0, 0.5], [-0.5, 1.0, 0.25]]> {loom.quantize_bits = 0 : i64}
loom.weight @c frozen : tensor<2x3xf32> = dense<[[1.0, -2.0, 0.5], [-0.5, 1.0, 0.25]]>
func.func @plan(%x: tensor<4x2xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>) {
  %a = loom.weight_ref @a : tensor<2x3xf32>
  %ya = loom.matmul %x, %a : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %b = loom.weight_ref @b : tensor<2x3xf32>
  %yb = loom.matmul %x, %b : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %c = loom.weight_ref @c : tensor<2x3xf32>
  %yc = loom.matmul %x, %c : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %ya, %yb, %yc : tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

// A 4-bit plan in a mode that takes 8 bits only is an error.
// RUN: not loom-opt %s --split-input-file --loom-quantize="mode=dynamic min-elements=1" 2>&1 | FileCheck %s --check-prefix=ERR
// ERR: error: loom-quantize: 'd' is planned 4-bit, which mode=dynamic does not take
loom.weight @d frozen : tensor<2x3xf32> = dense<1.0> {loom.quantize_bits = 4 : i64}
func.func @dynamic_plan(%x: tensor<4x2xf32>) -> tensor<4x3xf32> {
  %d = loom.weight_ref @d : tensor<2x3xf32>
  %y = loom.matmul %x, %d : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}
