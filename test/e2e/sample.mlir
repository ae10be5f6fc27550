// The README's main job on the sample that ships in the repo: every type
// becomes static and the head stays tied to the embedding.
// RUN: loom-opt %loom_src/samples/gpt-block.mlir --loom-infer-shapes="input-shapes=ids:1x16 report-unknown=false" --canonicalize | FileCheck %s

// CHECK: func.func @main(%{{.*}}: tensor<1x16xi64> {loom.name = "ids"}) -> tensor<1x16x100xf32>
// CHECK-NOT: tensor<*x
// CHECK-NOT: ?x
// CHECK: %[[EMB:.*]] = loom.weight_ref @tok_emb.weight
// CHECK: loom.transpose %[[EMB]] : (tensor<100x32xf32>) -> tensor<32x100xf32>
