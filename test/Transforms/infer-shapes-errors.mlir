// Error paths and remarks of --loom-infer-shapes.
// RUN: loom-opt %s --split-input-file --verify-diagnostics --loom-infer-shapes="input-shapes=x:2x3"

// expected-error @+1 {{input-shapes names 'x', which is not an input of any function}}
module {
  func.func @no_such_input(%a: tensor<2x3xf32> {loom.name = "a"}) {
    return
  }
}

// -----

// expected-error @+1 {{input 'x' has rank 1 but input-shapes gives 2 dimension(s)}}
func.func @rank(%x: tensor<?xf32> {loom.name = "x"}) {
  return
}

// -----

// expected-error @+1 {{input 'x' is not a tensor ('f32'); its shape cannot be overridden}}
func.func @not_tensor(%x: f32 {loom.name = "x"}) {
  return
}

// -----

// The override contradicts a static type recorded further down.
func.func @contradiction(%x: tensor<?x?xf32> {loom.name = "x"}) -> tensor<?x4xf32> {
  // expected-error @+1 {{result #0 is declared 'tensor<?x4xf32>' but its operands imply 'tensor<2x3xf32>'}}
  %0 = loom.relu %x : tensor<?x?xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Ops that stay unknown are reported; the generic op cannot be inferred.
func.func @unknown(%x: tensor<?x?xf32> {loom.name = "x"}, %y: tensor<?xf32>) -> (tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %0 = loom.relu %x : tensor<?x?xf32>
  // expected-remark @+1 {{shape stays unknown: 'tensor<?xf32>'}}
  %1 = loom.sigmoid %y : tensor<?xf32>
  // expected-remark @+1 {{shape stays unknown: 'tensor<?xf32>'}}
  %2 = loom.onnx "Custom" domain "my.ops" (%0) : (tensor<?x?xf32>) -> tensor<?xf32>
  return %0, %1, %2 : tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>
}
