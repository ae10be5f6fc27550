// --loom-param-stats: counts by role, aliases, sparsity, NaN/Inf, and
// min/max/mean/std of finite values (expected values worked out by hand).
// RUN: loom-opt %s --loom-param-stats -o /dev/null | FileCheck %s
// RUN: loom-opt %s --loom-param-stats="format=json" -o /dev/null | FileCheck %s --check-prefix=JSON
// RUN: not loom-opt %s --loom-param-stats="format=xml" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: loom-opt %s --loom-param-stats="format=json output=%t.json" -o /dev/null
// RUN: FileCheck %s --check-prefix=JSON < %t.json
// RUN: not loom-opt %s --loom-param-stats="check output=/dev/null" -o /dev/null 2>&1 | FileCheck %s --check-prefix=CHECKNAN

// [1, 2, 3, 4]: mean 2.5, std sqrt(1.25) = 1.118; two names (one alias).
loom.weight @w aliases ["head.weight"] : tensor<2x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0]]>
// A frozen parameter with a NaN, an Inf and two zeros among five.
loom.weight @b frozen : tensor<5xf32> = dense<[0x7FC00000, 0x7F800000, 0.0, 0.0, 2.0]>
loom.weight @running_mean buffer frozen : tensor<3xf16> = dense<[-1.0, 0.0, 1.0]>
loom.weight @shape constant frozen : tensor<2xi64> = dense<[-1, 8]>
func.func @main(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = loom.weight_ref @w : tensor<2x2xf32>
  %0 = loom.matmul %x, %w : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32> loc("fc")
  return %0 : tensor<2x2xf32>
}

// CHECK: weight role frozen dtype shape params sparsity nan inf min max mean std
// CHECK: w {{ *}}parameter no {{ *}}f32 {{ *}}2x2 {{ *}}4 {{ *}}0.0% {{ *}}0 {{ *}}0 {{ *}}1.00 {{ *}}4.00 {{ *}}2.50 {{ *}}1.12 aliases: head.weight
// Sparsity counts zeros among all elements (2 of 5); the rest only finite
// values: mean of [0, 0, 2] = 0.67, std = sqrt(4/3 - 4/9) = 0.94.
// CHECK: b {{ *}}parameter yes {{ *}}f32 {{ *}}5 {{ *}}5 {{ *}}40.0% {{ *}}1 {{ *}}1 {{ *}}0.00 {{ *}}2.00 {{ *}}0.67 {{ *}}0.94
// CHECK: running_mean {{ *}}buffer {{ *}}yes {{ *}}f16 {{ *}}3 {{ *}}3 {{ *}}33.3% {{ *}}0 {{ *}}0 {{ *}}-1.00 {{ *}}1.00 {{ *}}0.00
// CHECK: shape {{ *}}constant
// Parameters: 4 elements x 2 names (trainable) + 5 (frozen); 3 buffer elements.
// CHECK: parameters: 13 (8 trainable, 5 frozen); buffers: 3; constants: 2
// CHECK: unique parameters: 9; unique bytes: 58; referenced bytes: 74; sharing ratio: 1.276
// CHECK: NaN: 1; Inf: 1
// CHECK: bytes by dtype: f16=6 f32=36 i64=16

// JSON: "buffers": 3,
// JSON: "bytes_by_dtype": {
// JSON: "f32": 36,
// JSON: "frozen": 5,
// JSON: "inf_count": 1,
// JSON: "layers": [
// JSON: "aliases": [
// JSON-NEXT: "head.weight"
// JSON: "mean": 2.5,
// JSON: "name": "w",
// JSON: "op": "loom.matmul 'fc'",
// JSON: "params": 4,
// JSON: "role": "parameter",
// JSON: "sparsity": 0,
// JSON: "nan": 1,
// JSON: "sparsity": 0.4
// JSON: "nan_count": 1,
// JSON: "referenced_bytes": 74,
// JSON: "sharing_ratio": 1.27
// JSON: "total": 13,
// JSON: "trainable": 8,
// JSON: "unique_bytes": 58,
// JSON: "unique_params": 9

// BAD: error: loom-param-stats: format must be text or json, got 'xml'

// CHECKNAN: error: weight 'b' holds 1 NaN and 1 Inf value(s)
// CHECKNAN-NOT: error: weight
