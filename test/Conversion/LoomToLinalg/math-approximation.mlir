// RUN: loom-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(loom-math-approximation))" | FileCheck %s

// f32 erf, tanh, exp and log become polynomial arithmetic (no libm call is
// left to block vectorization).
// CHECK-LABEL: func.func @f32
// CHECK-NOT: math.erf
// CHECK-NOT: math.tanh
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK: arith.mulf
// CHECK: return
func.func @f32(%x: f32) -> (f32, f32, f32, f32) {
  %0 = math.erf %x : f32
  %1 = math.tanh %x : f32
  %2 = math.exp %x : f32
  %3 = math.log %x : f32
  return %0, %1, %2, %3 : f32, f32, f32, f32
}

// -----

// Other element types keep the math op (libm's double functions).
// CHECK-LABEL: func.func @f64
// CHECK: math.erf
// CHECK: math.exp
func.func @f64(%x: f64) -> (f64, f64) {
  %0 = math.erf %x : f64
  %1 = math.exp %x : f64
  return %0, %1 : f64, f64
}
