// RUN: loom-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(loom-linalg-distribute{chunks=4 min-iterations=64}))" | FileCheck %s

// A large op becomes an scf.forall over chunks of its first parallel loop
// of at least two iterations (here d1: d0 has one).
// CHECK-LABEL: func.func @large
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK: linalg.generic
// CHECK: scf.forall.in_parallel
func.func @large(%x: tensor<1x8x32xf32>) -> tensor<1x8x32xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<1x8x32xf32>) outs(%x : tensor<1x8x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %1 = arith.mulf %in, %in : f32
    linalg.yield %1 : f32
  } -> tensor<1x8x32xf32>
  return %0 : tensor<1x8x32xf32>
}

// -----

// Small ops, and ops whose only parallel loop is the innermost, stay whole.
// CHECK-LABEL: func.func @small
// CHECK-NOT: scf.forall
func.func @small(%x: tensor<4x4xf32>, %y: tensor<256xf32>) -> (tensor<4x4xf32>, tensor<256xf32>) {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x4xf32>) outs(%x : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4x4xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%y : tensor<256xf32>) outs(%y : tensor<256xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<256xf32>
  return %0, %1 : tensor<4x4xf32>, tensor<256xf32>
}

// -----

// A dynamic loop (a batch given at run time) counts as one iteration and is
// never split: the next static parallel loop is.
// CHECK-LABEL: func.func @dynamic_batch
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK: tensor.extract_slice %{{.*}}[0, %{{.*}}, 0] [%{{.*}}, 2, 32]
func.func @dynamic_batch(%x: tensor<?x8x32xf32>) -> tensor<?x8x32xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<?x8x32xf32>) outs(%x : tensor<?x8x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %1 = arith.mulf %in, %in : f32
    linalg.yield %1 : f32
  } -> tensor<?x8x32xf32>
  return %0 : tensor<?x8x32xf32>
}

// -----

// Only dynamic parallel loops: it stays whole.
// CHECK-LABEL: func.func @all_dynamic
// CHECK-NOT: scf.forall
func.func @all_dynamic(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<?x?xf32>) outs(%x : tensor<?x?xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Each chunk gets at least half of min-iterations of work: 64 iterations
// make two chunks, not four (a one-token GPT decode step ran 5x faster).
// CHECK-LABEL: func.func @small_work
// CHECK: scf.forall (%{{.*}}) in (2)
func.func @small_work(%x: tensor<1x32x2xf32>) -> tensor<1x32x2xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<1x32x2xf32>) outs(%x : tensor<1x32x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %1 = arith.mulf %in, %in : f32
    linalg.yield %1 : f32
  } -> tensor<1x32x2xf32>
  return %0 : tensor<1x32x2xf32>
}

// -----

// A contraction is split along the parallel loop that leaves the least
// input read whole by every chunk: a convolution's matmul
// (loom-linalg-conv-to-matmul: filter 16 x 72, panels ? x 32 x 72 x 8) along
// its panels (d2), not its output channels (d1), which would have every
// chunk read all the panels; never along the columns (d3). A MatMul whose
// only candidate is its rows is split along them.
// CHECK-LABEL: func.func @contractions
// CHECK: scf.forall (%[[P:.*]]) in (4)
// CHECK: tensor.extract_slice %arg0[0, 0] [16, 72] [1, 1]
// CHECK: tensor.extract_slice %arg1[0, %{{.*}}, 0, 0] [%{{.*}}, 8, 72, 8]
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK: tensor.extract_slice %arg3[%{{.*}}, 0] [16, 64] [1, 1]
// CHECK: tensor.extract_slice %arg4[0, 0] [64, 64] [1, 1]
func.func @contractions(%filter: tensor<16x72xf32>, %panels: tensor<?x32x72x8xf32>, %init: tensor<?x16x32x8xf32>, %a: tensor<64x64xf32>, %b: tensor<64x64xf32>) -> (tensor<?x16x32x8xf32>, tensor<64x64xf32>) {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d1, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%filter, %panels : tensor<16x72xf32>, tensor<?x32x72x8xf32>) outs(%init : tensor<?x16x32x8xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %2 = arith.mulf %in, %in_0 : f32
    %3 = arith.addf %out, %2 : f32
    linalg.yield %3 : f32
  } -> tensor<?x16x32x8xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<64x64xf32>, tensor<64x64xf32>) outs(%a : tensor<64x64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %2 = arith.mulf %in, %in_0 : f32
    %3 = arith.addf %out, %2 : f32
    linalg.yield %3 : f32
  } -> tensor<64x64xf32>
  return %0, %1 : tensor<?x16x32x8xf32>, tensor<64x64xf32>
}
