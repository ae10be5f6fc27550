// The error names the ONNX node the host access came from.
// RUN: not loom-opt %s --loom-map-to-gpu 2>&1 | FileCheck %s
// CHECK: error: {{.*}}loom-map-to-gpu: the host would read or write device memory here (node 'Peek_3')
func.func @host_read(%x: memref<4xf32>, %out: memref<4xf32>) -> f32 {
  linalg.copy ins(%x : memref<4xf32>) outs(%out : memref<4xf32>)
  %c0 = arith.constant 0 : index
  %v = memref.load %out[%c0] : memref<4xf32> loc("Peek_3")
  return %v : f32
}
