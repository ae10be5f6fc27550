// A top-level loom.constant is written as an initializer, as ONNX Runtime
// and onnxslim write them (data, not a node to run); a float one is marked a
// constant so that it reads back as one, not as a parameter. A constant
// inside a subgraph stays a Constant node.
// REQUIRES: onnxruntime
// RUN: loom-translate --export-onnx %s -o %t.onnx
// RUN: %venv_python -c "import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m); print('nodes', [n.op_type for n in m.graph.node]); print('\n'.join('init %%s [%%s]' %% (t.name, t.doc_string) for t in m.graph.initializer)); print('then', [n.op_type for n in m.graph.node[-1].attribute[1].g.node])" %t.onnx | FileCheck %s
// RUN: loom-translate --import-onnx %t.onnx --no-locations | FileCheck %s --check-prefix=BACK
// CHECK: nodes ['Reshape', 'Mul', 'If']
// CHECK-DAG: init {{.*}} []
// CHECK-DAG: init {{.*}} [loom: constant]
// CHECK: then ['Constant']
// BACK-DAG: loom.weight @{{.*}} constant frozen : tensor<2xi64>
// BACK-DAG: loom.weight @{{.*}} constant frozen : tensor<f32>

func.func @main(%x: tensor<4xf32>, %c: tensor<i1>) -> (tensor<2x2xf32>, tensor<f32>) {
  %s = loom.constant dense<[2, 2]> : tensor<2xi64>
  %r = loom.reshape %x, %s : (tensor<4xf32>, tensor<2xi64>) -> tensor<2x2xf32>
  %k = loom.constant dense<3.0> : tensor<f32>
  %y = loom.mul %r, %k : (tensor<2x2xf32>, tensor<f32>) -> tensor<2x2xf32>
  %z = loom.onnx "If" (%c) attributes {then_branch = #loom.graph<0>, else_branch = #loom.graph<1>} graphs {
    %one = loom.constant dense<1.0> : tensor<f32>
    loom.yield %one : tensor<f32>
  }, {
    %two = loom.constant dense<2.0> : tensor<f32>
    loom.yield %two : tensor<f32>
  } : (tensor<i1>) -> tensor<f32>
  return %y, %z : tensor<2x2xf32>, tensor<f32>
}
