// --loom-compress-pipeline: what `loomc compress` runs, by name. Shape
// inference always; tying only with tie=true, with its modes and threshold.
// RUN: loom-opt %s --loom-compress-pipeline="tie=true tie-min-bytes=0" | FileCheck %s --check-prefix=TIE
// RUN: loom-opt %s --loom-compress-pipeline="tie=true tie-min-bytes=0 tie-modes=transpose" | FileCheck %s --check-prefix=TRANSPOSE
// RUN: loom-opt %s --loom-compress-pipeline | FileCheck %s --check-prefix=NOTIE
// RUN: loom-opt %s --loom-compress-pipeline="tie=true" | FileCheck %s --check-prefix=NOTIE
// RUN: not loom-opt %s --loom-compress-pipeline="tie=true tie-modes=sideways" 2>&1 | FileCheck %s --check-prefix=BADMODE

loom.weight @a frozen : tensor<2x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0]]>
loom.weight @b frozen : tensor<2x2xf32> = dense<[[1.0, 2.0], [3.0, 4.0]]>
loom.weight @c frozen : tensor<2x2xf32> = dense<[[1.0, 3.0], [2.0, 4.0]]>

// Shape inference refines the unranked result in every case.
// TIE-LABEL: func.func @main
// TIE: loom.weight_ref @a
// TIE-NOT: loom.weight_ref @b
// TIE: loom.transpose
// TIE: -> tensor<2x2xf32>
// TRANSPOSE: loom.weight_ref @b
// TRANSPOSE-NOT: loom.weight_ref @c
// NOTIE: loom.weight_ref @a
// NOTIE: loom.weight_ref @b
// NOTIE: loom.weight_ref @c
// NOTIE: loom.add %{{.*}} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
// BADMODE: unknown mode 'sideways' (modes: exact|cast|transpose|scale|slice|partial)
func.func @main() -> (tensor<*xf32>, tensor<2x2xf32>) {
  %a = loom.weight_ref @a : tensor<2x2xf32>
  %b = loom.weight_ref @b : tensor<2x2xf32>
  %c = loom.weight_ref @c : tensor<2x2xf32>
  %s = loom.add %a, %b : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<*xf32>
  return %s, %c : tensor<*xf32>, tensor<2x2xf32>
}
