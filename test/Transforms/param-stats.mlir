// --loom-param-stats: layers, tensors, totals by role with aliases (one
// tensor) and copies (merged source tensors), sparsity, NaN/Inf,
// min/max/mean/std of finite values, histograms, flags (all values worked
// out by hand in the comments).
// RUN: loom-opt %s --loom-param-stats=bins=4 -o /dev/null | FileCheck %s
// RUN: loom-opt %s --loom-param-stats="bins=4 format=json" -o /dev/null | FileCheck %s --check-prefix=JSON
// RUN: loom-opt %s --loom-param-stats="format=markdown" -o /dev/null | FileCheck %s --check-prefix=MD
// RUN: not loom-opt %s --loom-param-stats="format=xml" -o %t.discard 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: loom-opt %s --loom-param-stats="bins=4 format=json output=%t.json" -o /dev/null
// RUN: FileCheck %s --check-prefix=JSON < %t.json
// RUN: %venv_python %scripts/check_report.py json %t.json | FileCheck %s --check-prefix=SCHEMA
// RUN: not loom-opt %s --loom-param-stats="check output=/dev/null" -o %t.discard 2>&1 | FileCheck %s --check-prefix=CHECKNAN
// RUN: loom-opt %s --loom-param-stats="output=/dev/null plot=%t.svg" -o /dev/null
// RUN: %venv_python %scripts/check_report.py svg %t.svg | FileCheck %s --check-prefix=SVG
// RUN: loom-opt %s --loom-param-stats="output=/dev/null plot=%t-head.svg layer=^head$" -o /dev/null
// RUN: %venv_python %scripts/check_report.py svg %t-head.svg | FileCheck %s --check-prefix=SVGHEAD
// RUN: not loom-opt %s --loom-param-stats="output=/dev/null plot=%t-none.svg layer=nomatch" -o %t.discard 2>&1 | FileCheck %s --check-prefix=NOMATCH
// RUN: not loom-opt %s --loom-param-stats="output=/dev/null plot=%t-bad.svg layer=(" -o %t.discard 2>&1 | FileCheck %s --check-prefix=BADRE
// RUN: not loom-opt %s --loom-param-stats="output=%t-missing/dir/r.txt" -o %t.discard 2>&1 | FileCheck %s --check-prefix=NOWRITE

// [1, 2, 3, 4]: mean 2.5, std sqrt(1.25) = 1.118; read under two names (a tie).
loom.weight @w aliases ["head.weight"] : tensor<2x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0]]>
// A frozen parameter with a NaN, an Inf and two zeros among five.
loom.weight @b frozen : tensor<5xf32> = dense<[0x7FC00000, 0x7F800000, 0.0, 0.0, 2.0]>
// Three source tensors an exporter merged: two parameters and a buffer.
loom.weight @ones frozen copies ["bn2.weight", "bn.running_var" buffer] : tensor<3xf32> = dense<1.0>
loom.weight @running_mean buffer frozen : tensor<3xf16> = dense<[-1.0, 0.0, 1.0]>
loom.weight @shape constant frozen : tensor<2xi64> = dense<[-1, 8]>
loom.weight @zeros frozen : tensor<4xf32> = dense<0.0>
func.func @main(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = loom.weight_ref @w : tensor<2x2xf32> loc("w")
  %h = loom.weight_ref @w : tensor<2x2xf32> loc("head.weight")
  %0 = loom.matmul %x, %w : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32> loc("fc")
  %1 = loom.matmul %0, %h : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32> loc("head")
  return %1 : tensor<2x2xf32>
}

// Each layer names the weight by the name it reads, and the other names.
// CHECK-LABEL: Layers
// CHECK: layer  op      weights            params  bytes  dtype  role       sparsity  shared with
// CHECK: fc     matmul  w [2x2]                 4     16  f32    trainable      0.0%  head.weight
// CHECK: head   matmul  head.weight [2x2]       4     16  f32    trainable      0.0%  w
// CHECK-LABEL: Tensors
// CHECK: tensor        role       dtype  shape  params  sparsity  min  max    mean     std  flags         other names
// CHECK: w             trainable  f32    2x2         4      0.0%    1    4     2.5   1.118                head.weight
// Sparsity counts zeros among all elements (2 of 5); the rest only finite
// values: mean of [0, 0, 2] = 0.6667, std = sqrt(4/3 - 4/9) = 0.9428.
// CHECK: b             frozen     f32    5           5     40.0%    0    2  0.6667  0.9428  1 NaN, 1 Inf
// CHECK: ones          frozen     f32    3           3      0.0%    1    1       1       0  constant      bn2.weight (copy), bn.running_var (copy, buffer)
// std of [-1, 0, 1] = sqrt(2/3) = 0.8165
// CHECK: running_mean  buffer     f16    3           3     33.3%   -1    1       0  0.8165
// CHECK: shape         constant   i64    2           2      0.0%   -1    8     3.5     4.5
// CHECK: zeros         frozen     f32    4           4    100.0%    0    0       0       0  all zero
// Parameters: w 4 trainable (its alias is the same tensor); frozen b 5 +
// ones 3 + its parameter copy 3 + zeros 4 = 15. Buffers: running_mean 3 +
// the buffer copy of ones 3. Unique parameters: 4 + 5 + 3 + 4 = 16.
// Bytes: 16 + 20 + 12 + 6 + 16 + 16 = 86; referenced: w twice, ones three
// times: 86 + 16 + 24 = 126; 126 / 86 = 1.465.
// CHECK-LABEL: Totals
// CHECK: parameters: 19 (4 trainable, 15 frozen)
// CHECK: buffers: 6; constants: 2
// CHECK: unique parameters: 16; unique bytes: 86; referenced bytes: 126; sharing ratio: 1.465
// CHECK: bytes by dtype: f16 6 f32 64 i64 16
// CHECK: NaN: 1; Inf: 1
// CHECK: all-zero tensors: zeros
// CHECK: constant tensors: ones

// JSON: "buffers": 6,
// JSON: "bytes_by_dtype": {
// JSON: "f32": 64,
// JSON: "constants": 2,
// JSON: "frozen": 15,
// JSON: "inf_count": 1,
// JSON: "layers": [
// JSON: "aliases": [
// JSON-NEXT: "head.weight"
// JSON: "name": "fc",
// JSON-NEXT: "op": "matmul",
// JSON-NEXT: "params": 4,
// JSON-NEXT: "role": "parameter",
// JSON: "nan_count": 1,
// JSON: "referenced_bytes": 126,
// JSON: "sharing_ratio": 1.465
// JSON: "tensors": [
// Four bins over [1, 4]: one value each.
// JSON: "histogram": [
// JSON-NEXT: 1,
// JSON-NEXT: 1,
// JSON-NEXT: 1,
// JSON-NEXT: 1
// JSON-NEXT: ],
// JSON: "mean": 2.5,
// JSON: "name": "w",
// JSON: "copies": [{{$}}
// JSON-NEXT: {
// JSON-NEXT: "name": "bn2.weight",
// JSON-NEXT: "role": "parameter"
// JSON-NEXT: },
// JSON-NEXT: {
// JSON-NEXT: "name": "bn.running_var",
// JSON-NEXT: "role": "buffer"
// JSON: "total": 19,
// JSON: "trainable": 4,
// JSON: "unique_bytes": 86,
// JSON: "unique_params": 16

// SCHEMA: schema ok: 2 layers, 6 tensors

// MD: ## Totals
// MD: - parameters: 19 (4 trainable, 15 frozen)
// MD: ## Layers
// MD: | layer | op | weights | params | bytes | dtype | role | sparsity | shared with |
// MD-NEXT: | --- | --- | --- | ---: | ---: | --- | --- | ---: | --- |
// MD-NEXT: | fc | matmul | w [2x2] | 4 | 16 | f32 | trainable | 0.0% | head.weight |
// MD: ## Tensors
// MD: | ones | frozen | f32 | 3 | 3 | 0.0% | 1 | 1 | 1 | 0 | constant | bn2.weight (copy), bn.running_var (copy, buffer) |

// BAD: for the --format option: Cannot find option named 'xml'!

// CHECKNAN: error: weight 'b' holds 1 NaN and 1 Inf value(s)
// CHECKNAN-NOT: error: weight

// Floating-point tensors only (the i64 shape tensor is left out): 4 + 3
// finite of b + 3 + 3 + 4 = 17 values over [-1, 4].
// SVG: svg ok
// SVG: text: Weight values
// SVG: text: 5 tensor(s), 17 values
// SVG: text: -1
// SVG: text: 4
// SVG: text: w [2x2]
// SVGHEAD: text: 1 tensor(s) matching '^head$', 4 values
// NOMATCH: error: loom-param-stats: no tensor or layer matches 'nomatch'
// BADRE: error: loom-param-stats: invalid --layer pattern '('
// NOWRITE: r.txt:0:0: error: loom-param-stats: cannot write the report: cannot create:
