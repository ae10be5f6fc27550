// RUN: loom-opt %s --split-input-file --loom-map-to-gpu --verify-diagnostics | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-map-to-gpu="block-size=128" --verify-diagnostics | FileCheck %s --check-prefix=B128
// RUN: loom-opt %s --split-input-file --loom-map-to-gpu="thread-tile=2" --verify-diagnostics | FileCheck %s --check-prefix=TILE
// RUN: not loom-opt %s --split-input-file --loom-map-to-gpu="block-size=2048" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not loom-opt %s --split-input-file --loom-map-to-gpu="thread-tile=9" 2>&1 | FileCheck %s --check-prefix=BADTILE

// One launch per linalg op, named after its ONNX node, its iterations
// linearized over blocks of 256 threads with a bounds guard, innermost
// dimension fastest; the temporary goes to the device.
// CHECK-LABEL: func.func @relu_then_copy
// CHECK: %[[T:.*]] = gpu.alloc () : memref<4x100xf32>
// CHECK: %[[C256:.*]] = arith.constant 256 : index
// CHECK: %[[C2:.*]] = arith.constant 2 : index
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %[[C2]], {{.*}}) threads({{.*}}) in ({{.*}} = %[[C256]], {{.*}}) module(@loom_kernels) function(@k0_relu_1) {
// CHECK: %[[TOTAL:.*]] = arith.constant 400 : index
// CHECK: %[[ID:.*]] = arith.addi
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[ID]], %[[TOTAL]]
// CHECK: scf.if %[[IN]]
// CHECK: arith.remui %[[ID]]
// CHECK: arith.divui %[[ID]]
// CHECK: memref.load %arg0
// CHECK: arith.maximumf
// CHECK: memref.store {{.*}}, %[[T]]
// CHECK: gpu.terminator
// A copy into the output is a kernel too.
// CHECK: gpu.launch blocks{{.*}} function(@k1_copy_out) {
// CHECK: gpu.dealloc %[[T]]
// CHECK-NOT: memref.copy
// B128: arith.constant 128 : index
// BAD: loom-map-to-gpu: block-size must be 1..1024
// BADTILE: loom-map-to-gpu: thread-tile must be 1..8
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @relu_then_copy(%x: memref<4x100xf32>, %out: memref<4x100xf32>) {
  %t = memref.alloc() : memref<4x100xf32>
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<4x100xf32>) outs(%t : memref<4x100xf32>) {
  ^bb0(%a: f32, %b: f32):
    %r = arith.maximumf %a, %zero : f32
    linalg.yield %r : f32
  } loc("relu/1")
  memref.copy %t, %out : memref<4x100xf32> to memref<4x100xf32> loc("copy out")
  memref.dealloc %t : memref<4x100xf32>
  return
}

// -----

// A reduction stays a sequential loop inside each thread; an op without
// loops (a 0-D result) runs as one thread.
// CHECK-LABEL: func.func @sum_then_scale
// CHECK: gpu.launch {{.*}} function(@k0_sum) {
// CHECK: %[[INIT:.*]] = memref.load %arg2
// CHECK: %[[SUM:.*]] = scf.for {{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (f32) {
// CHECK-NOT: memref.store
// CHECK: arith.addf {{.*}}, %[[ACC]]
// CHECK: scf.yield
// CHECK: memref.store %[[SUM]], %arg2
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %[[ONE:.*]], {{.*}}) threads({{.*}}) in (%{{.*}} = %[[ONE]], {{.*}} function(@k1_scale) {
func.func @sum_then_scale(%x: memref<8x32xf32>, %s: memref<f32>, %out: memref<8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<8x32xf32>) outs(%out : memref<8xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %a, %acc : f32
    linalg.yield %r : f32
  } loc("sum")
  linalg.generic {indexing_maps = [affine_map<() -> ()>], iterator_types = []}
      outs(%s : memref<f32>) {
  ^bb0(%a: f32):
    %two = arith.constant 2.0 : f32
    %r = arith.mulf %a, %two : f32
    linalg.yield %r : f32
  } loc("scale")
  return
}

// -----

// The host may not touch device memory.
func.func @host_read(%x: memref<4xf32>, %out: memref<4xf32>) -> f32 {
  linalg.copy ins(%x : memref<4xf32>) outs(%out : memref<4xf32>)
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{loom-map-to-gpu: the host would read or write device memory here}}
  %v = memref.load %out[%c0] : memref<4xf32>
  return %v : f32
}

// -----

// A constant tensor (host data) a kernel reads is copied to a device buffer
// when the function starts, freed when it returns; a stack buffer a kernel
// uses becomes device memory.
// CHECK-LABEL: func.func @scale_by_constant
// CHECK: %[[G:.*]] = memref.get_global @table
// CHECK: %[[D:.*]] = gpu.alloc () : memref<4xf32>
// CHECK: gpu.memcpy %[[D]], %[[G]]
// CHECK: %[[S:.*]] = gpu.alloc () : memref<4xf32>
// CHECK: gpu.launch
// CHECK: memref.load %[[D]]
// CHECK: gpu.dealloc %[[D]]
// CHECK: gpu.dealloc %[[S]]
// CHECK-NEXT: return
memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
func.func @scale_by_constant(%x: memref<4xf32>, %out: memref<4xf32>) {
  %t = memref.get_global @table : memref<4xf32>
  %s = memref.alloca() : memref<4xf32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                  iterator_types = ["parallel"]}
      ins(%x, %t : memref<4xf32>, memref<4xf32>) outs(%s : memref<4xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %r = arith.mulf %a, %b : f32
    linalg.yield %r : f32
  }
  linalg.copy ins(%s : memref<4xf32>) outs(%out : memref<4xf32>)
  return
}

// -----

// thread-tile=2: each thread of a contraction owns a 2x2 tile of outputs
// (4 accumulators through the reduction, 4 stores); 8x8 outputs are 16
// threads. Multiplies and adds may contract to FMAs.
// CHECK-LABEL: func.func @matmul
// CHECK: arith.constant 64 : index
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (f32)
// CHECK: arith.mulf {{.*}} fastmath<contract>
// TILE-LABEL: func.func @matmul
// TILE: gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %c16{{[_0-9]*}},
// TILE: scf.for {{.*}} iter_args({{.*}}, {{.*}}, {{.*}}, {{.*}}) -> (f32, f32, f32, f32)
// TILE-COUNT-4: memref.store
// TILE-NOT: memref.store
// TILE: gpu.terminator
func.func @matmul(%a: memref<8x16xf32>, %b: memref<16x8xf32>, %c: memref<8x8xf32>) {
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x8xf32>) outs(%c : memref<8x8xf32>) loc("mm")
  return
}
