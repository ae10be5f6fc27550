// A GPT-style Transformer block (token and position embeddings, one attention
// layer with a causal mask, an MLP, and a head tied to the token embedding),
// written in the Loom dialect as an importer would leave it: weights as
// `loom.weight` symbols, every intermediate type unknown.
//
//   build/bin/loom-opt samples/gpt-block.mlir \
//       --loom-infer-shapes="input-shapes=ids:1x16 summary" --canonicalize
//

loom.weight @tok_emb.weight : tensor<100x32xf32> = dense<0.01>
loom.weight @pos_emb.weight : tensor<16x32xf32> = dense<0.02>
loom.weight @ln1.weight : tensor<32xf32> = dense<1.0>
loom.weight @ln1.bias : tensor<32xf32> = dense<0.0>
loom.weight @attn.qkv.weight : tensor<32x96xf32> = dense<0.03>
loom.weight @attn.qkv.bias : tensor<96xf32> = dense<0.0>
loom.weight @attn.proj.weight : tensor<32x32xf32> = dense<0.04>
loom.weight @ln2.weight : tensor<32xf32> = dense<1.0>
loom.weight @ln2.bias : tensor<32xf32> = dense<0.0>
loom.weight @mlp.fc1.weight : tensor<32x64xf32> = dense<0.05>
loom.weight @mlp.fc2.weight : tensor<64x32xf32> = dense<0.06>
loom.weight @causal_mask buffer frozen : tensor<16x16xi1> = dense<true>
loom.weight @split_sizes constant frozen : tensor<3xi64> = dense<[32, 32, 32]>
loom.weight @heads_shape constant frozen : tensor<4xi64> = dense<[0, 0, 4, 8]>
loom.weight @merge_shape constant frozen : tensor<3xi64> = dense<[0, 0, -1]>

func.func @main(%ids: tensor<?x?xi64> {loom.name = "ids"}) -> tensor<*xf32> {
  %emb = loom.weight_ref @tok_emb.weight : tensor<100x32xf32>
  %tok = loom.gather %emb, %ids : (tensor<100x32xf32>, tensor<?x?xi64>) -> tensor<*xf32>
  %pos = loom.weight_ref @pos_emb.weight : tensor<16x32xf32>
  // The position table fixes the sequence length at 16.
  %h = loom.add %tok, %pos : (tensor<*xf32>, tensor<16x32xf32>) -> tensor<*xf32>
  %g1 = loom.weight_ref @ln1.weight : tensor<32xf32>
  %b1 = loom.weight_ref @ln1.bias : tensor<32xf32>
  %ln1 = loom.layer_norm %h, %g1, %b1 : (tensor<*xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<*xf32>
  %wqkv = loom.weight_ref @attn.qkv.weight : tensor<32x96xf32>
  %bqkv = loom.weight_ref @attn.qkv.bias : tensor<96xf32>
  %qkv0 = loom.matmul %ln1, %wqkv : (tensor<*xf32>, tensor<32x96xf32>) -> tensor<*xf32>
  %qkv = loom.add %qkv0, %bqkv : (tensor<*xf32>, tensor<96xf32>) -> tensor<*xf32>
  %sizes = loom.weight_ref @split_sizes : tensor<3xi64>
  %q, %k, %v = loom.split %qkv, %sizes {axis = -1} : (tensor<*xf32>, tensor<3xi64>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>)
  %heads = loom.weight_ref @heads_shape : tensor<4xi64>
  %q4 = loom.reshape %q, %heads : (tensor<*xf32>, tensor<4xi64>) -> tensor<*xf32>
  %k4 = loom.reshape %k, %heads : (tensor<*xf32>, tensor<4xi64>) -> tensor<*xf32>
  %v4 = loom.reshape %v, %heads : (tensor<*xf32>, tensor<4xi64>) -> tensor<*xf32>
  %qt = loom.transpose %q4 {perm = array<i64: 0, 2, 1, 3>} : (tensor<*xf32>) -> tensor<*xf32>
  %kt = loom.transpose %k4 {perm = array<i64: 0, 2, 3, 1>} : (tensor<*xf32>) -> tensor<*xf32>
  %vt = loom.transpose %v4 {perm = array<i64: 0, 2, 1, 3>} : (tensor<*xf32>) -> tensor<*xf32>
  %scores = loom.matmul %qt, %kt : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %scale = loom.constant dense<2.828427> : tensor<f32>
  %scaled = loom.div %scores, %scale : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %mask = loom.weight_ref @causal_mask : tensor<16x16xi1>
  %neg = loom.constant dense<-1.0e+09> : tensor<f32>
  %masked = loom.where %mask, %scaled, %neg : (tensor<16x16xi1>, tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %probs = loom.softmax %masked : tensor<*xf32>
  %ctx = loom.matmul %probs, %vt : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %ctxt = loom.transpose %ctx {perm = array<i64: 0, 2, 1, 3>} : (tensor<*xf32>) -> tensor<*xf32>
  %merge = loom.weight_ref @merge_shape : tensor<3xi64>
  %merged = loom.reshape %ctxt, %merge : (tensor<*xf32>, tensor<3xi64>) -> tensor<*xf32>
  %wo = loom.weight_ref @attn.proj.weight : tensor<32x32xf32>
  %proj = loom.matmul %merged, %wo : (tensor<*xf32>, tensor<32x32xf32>) -> tensor<*xf32>
  %res1 = loom.add %h, %proj : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %g2 = loom.weight_ref @ln2.weight : tensor<32xf32>
  %b2 = loom.weight_ref @ln2.bias : tensor<32xf32>
  %ln2 = loom.layer_norm %res1, %g2, %b2 : (tensor<*xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<*xf32>
  %w1 = loom.weight_ref @mlp.fc1.weight : tensor<32x64xf32>
  %fc1 = loom.matmul %ln2, %w1 : (tensor<*xf32>, tensor<32x64xf32>) -> tensor<*xf32>
  %act = loom.gelu %fc1 : tensor<*xf32>
  %w2 = loom.weight_ref @mlp.fc2.weight : tensor<64x32xf32>
  %fc2 = loom.matmul %act, %w2 : (tensor<*xf32>, tensor<64x32xf32>) -> tensor<*xf32>
  %out = loom.add %res1, %fc2 : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  // The head reads the embedding through a transpose (weight tying).
  %head = loom.transpose %emb : (tensor<100x32xf32>) -> tensor<*xf32>
  %logits = loom.matmul %out, %head : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  return %logits : tensor<*xf32>
}
