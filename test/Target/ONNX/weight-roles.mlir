// What ONNX has no word for — a buffer, a trainable parameter that is not a
// graph input, a float constant — travels in the initializer's doc_string
// ("loom: buffer", ...) and comes back on import; what import infers anyway
// (a frozen float parameter, an integer constant) writes nothing.
// RUN: loom-translate --export-onnx %s -o %t.onnx
// RUN: loom-translate --import-onnx %t.onnx --no-locations | FileCheck %s
// RUN: %venv_python -c "import onnx, sys; m = onnx.load(sys.argv[1]); print('\n'.join('%%s: [%%s]' %% (t.name, t.doc_string) for t in m.graph.initializer))" %t.onnx | FileCheck %s --check-prefix=DOC
// REQUIRES: onnxruntime
// Other doc strings are not Loom's: the weight keeps what import infers.
// RUN: %venv_python -c "import onnx, sys; from onnx import helper, TensorProto as T; w = helper.make_tensor('w', T.FLOAT, [2], [1, 2]); w.doc_string = sys.argv[2]; g = helper.make_graph([helper.make_node('Add', ['x', 'w'], ['y'])], 'g', [helper.make_tensor_value_info('x', T.FLOAT, [2])], [helper.make_tensor_value_info('y', T.FLOAT, [2])], [w]); onnx.save(helper.make_model(g), sys.argv[1])" %t.other.onnx "loom: bogus role"
// RUN: loom-translate --import-onnx %t.other.onnx --no-locations | FileCheck %s --check-prefix=OTHER
// OTHER: loom.weight @w frozen : tensor<2xf32>

// CHECK-DAG: loom.weight @frozen_param frozen : tensor<2xf32>
// CHECK-DAG: loom.weight @trainable_param : tensor<2xf32>
// CHECK-DAG: loom.weight @stat buffer frozen : tensor<2xf32>
// CHECK-DAG: loom.weight @count buffer frozen : tensor<i64>
// CHECK-DAG: loom.weight @shape constant frozen : tensor<1xi64>
// CHECK-DAG: loom.weight @scale constant frozen : tensor<2xf32>

// DOC-DAG: frozen_param: []
// DOC-DAG: trainable_param: [loom: parameter trainable]
// DOC-DAG: stat: [loom: buffer]
// DOC-DAG: count: [loom: buffer]
// DOC-DAG: shape: []
// DOC-DAG: scale: [loom: constant]

loom.weight @frozen_param frozen : tensor<2xf32> = dense<[1.0, 2.0]>
loom.weight @trainable_param : tensor<2xf32> = dense<[3.0, 4.0]>
loom.weight @stat buffer frozen : tensor<2xf32> = dense<[0.5, 0.25]>
loom.weight @count buffer frozen : tensor<i64> = dense<7>
loom.weight @shape constant frozen : tensor<1xi64> = dense<[2]>
loom.weight @scale constant frozen : tensor<2xf32> = dense<[2.0, 2.0]>
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %a = loom.weight_ref @frozen_param : tensor<2xf32>
  %b = loom.weight_ref @trainable_param : tensor<2xf32>
  %c = loom.weight_ref @stat : tensor<2xf32>
  %d = loom.weight_ref @scale : tensor<2xf32>
  %s = loom.weight_ref @shape : tensor<1xi64>
  %n = loom.weight_ref @count : tensor<i64>
  %0 = loom.add %x, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = loom.mul %0, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %2 = loom.sub %1, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %3 = loom.mul %2, %d : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %4 = loom.reshape %3, %s : (tensor<2xf32>, tensor<1xi64>) -> tensor<2xf32>
  %5 = loom.cast %n : (tensor<i64>) -> tensor<f32>
  %6 = loom.add %4, %5 : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  return %6 : tensor<2xf32>
}
