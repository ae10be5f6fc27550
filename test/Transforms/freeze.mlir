// RUN: loom-opt %s --loom-freeze="patterns=conv1.*" | FileCheck %s --check-prefix=PAT
// RUN: loom-opt %s --loom-freeze="until=layer2" | FileCheck %s --check-prefix=UNTIL
// RUN: loom-opt %s --loom-freeze="all unfreeze=fc.*" | FileCheck %s --check-prefix=ALLBUT
// RUN: loom-opt %s --loom-freeze="all summary verbose" -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT

// A trainable network (as TorchScript imports one): conv1 + bn1 (buffers
// bn1.running_*), layer2's conv, the classifier fc, and a weight that is
// also a model input.
// PAT: loom.weight @conv1.weight frozen :
// PAT: loom.weight @bn1.weight :
// PAT: loom.weight @bn1.running_mean buffer :
// PAT: loom.weight @layer2.0.conv.weight :
// PAT: loom.weight @fc.weight :
// The BatchNorm's buffers follow bn1's parameters, which stay trainable.

// UNTIL: loom.weight @conv1.weight frozen :
// UNTIL: loom.weight @bn1.weight frozen :
// UNTIL: loom.weight @bn1.bias frozen :
// UNTIL: loom.weight @bn1.running_mean buffer frozen :
// UNTIL: loom.weight @bn1.running_var buffer frozen :
// UNTIL: loom.weight @layer2.0.conv.weight :
// UNTIL: loom.weight @fc.weight :
// UNTIL: loom.weight @fc.bias :
// UNTIL: loom.weight @scale input 1 :

// ALLBUT: loom.weight @conv1.weight frozen :
// ALLBUT: loom.weight @bn1.running_var buffer frozen :
// ALLBUT: loom.weight @layer2.0.conv.weight frozen :
// ALLBUT: loom.weight @fc.weight :
// ALLBUT: loom.weight @fc.bias :
// A model input is never frozen: a caller may feed it.
// ALLBUT: loom.weight @scale input 1 :

// REPORT-COUNT-8: remark: loom-freeze: froze @
// REPORT-NOT: froze @scale
// REPORT: remark: loom-freeze: 8 weight(s) frozen, 0 made trainable; now 6 frozen parameter(s) (280 bytes), 1 trainable parameter(s) (4 bytes), 2 of 2 buffer(s) frozen
loom.weight @conv1.weight : tensor<4x1x3x3xf32> = dense<1.0>
loom.weight @bn1.weight : tensor<4xf32> = dense<1.0>
loom.weight @bn1.bias : tensor<4xf32> = dense<0.0>
loom.weight @bn1.running_mean buffer : tensor<4xf32> = dense<0.0>
loom.weight @bn1.running_var buffer : tensor<4xf32> = dense<1.0>
loom.weight @layer2.0.conv.weight : tensor<4x4x1x1xf32> = dense<0.5>
loom.weight @fc.weight : tensor<2x4xf32> = dense<0.25>
loom.weight @fc.bias : tensor<2xf32> = dense<0.0>
loom.weight @scale input 1 : tensor<f32> = dense<1.0>
func.func @main(%x: tensor<1x1x6x6xf32>, %s: tensor<f32>) -> tensor<1x2xf32> {
  %w1 = loom.weight_ref @conv1.weight : tensor<4x1x3x3xf32>
  %c1 = loom.conv %x, %w1 : (tensor<1x1x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32>
  %g = loom.weight_ref @bn1.weight : tensor<4xf32>
  %b = loom.weight_ref @bn1.bias : tensor<4xf32>
  %m = loom.weight_ref @bn1.running_mean : tensor<4xf32>
  %v = loom.weight_ref @bn1.running_var : tensor<4xf32>
  %n1 = loom.batch_norm %c1, %g, %b, %m, %v : (tensor<1x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  %w2 = loom.weight_ref @layer2.0.conv.weight : tensor<4x4x1x1xf32>
  %c2 = loom.conv %n1, %w2 : (tensor<1x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x4x4xf32>
  %p = loom.global_average_pool %c2 : (tensor<1x4x4x4xf32>) -> tensor<1x4x1x1xf32>
  %f = loom.flatten %p {axis = 1 : i64} : (tensor<1x4x1x1xf32>) -> tensor<1x4xf32>
  %wf = loom.weight_ref @fc.weight : tensor<2x4xf32>
  %bf = loom.weight_ref @fc.bias : tensor<2xf32>
  %y = loom.gemm %f, %wf, %bf {transB = 1 : i64} : (tensor<1x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %sv = loom.weight_ref @scale : tensor<f32>
  %z = loom.mul %y, %sv : (tensor<1x2xf32>, tensor<f32>) -> tensor<1x2xf32>
  return %z : tensor<1x2xf32>
}
