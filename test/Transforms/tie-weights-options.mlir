// Options of --loom-tie-weights: tolerances, modes, min-bytes, the report.

// One ulp beyond the exact scale ties once a tolerance allows it.
// RUN: loom-opt %s --loom-tie-weights="min-bytes=0 rtol=1e-6" | FileCheck %s --check-prefix=TOL
// RUN: loom-opt %s --loom-tie-weights="min-bytes=0" | FileCheck %s --check-prefix=EXACT
// TOL: loom.weight @t frozen aliases ["s"]
// TOL-NOT: loom.weight @s
// EXACT-DAG: loom.weight @t frozen : tensor<2x2xf32>
// EXACT-DAG: loom.weight @s frozen : tensor<2x2xf32>

// Only the requested modes run: the transposed copy stays with modes=exact.
// RUN: loom-opt %s --loom-tie-weights="min-bytes=0 modes=exact" | FileCheck %s --check-prefix=MODES
// MODES-DAG: loom.weight @w frozen : tensor<2x3xf32>
// MODES-DAG: loom.weight @wt frozen : tensor<3x2xf32>

// By default weights under 1024 bytes are left alone: a view costs a node.
// RUN: loom-opt %s --loom-tie-weights | FileCheck %s --check-prefix=SMALL
// SMALL-DAG: loom.weight @w frozen : tensor<2x3xf32>
// SMALL-DAG: loom.weight @wt frozen : tensor<3x2xf32>
// SMALL-DAG: loom.weight @t frozen : tensor<2x2xf32>

// The report names every tie; the summary counts them.
// RUN: loom-opt %s --loom-tie-weights="min-bytes=0 report summary" -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT
// REPORT-DAG: remark: tied 'wt' to 'w' (transpose, perm [1, 0]): 24 bytes saved
// REPORT-DAG: remark: loom-tie-weights: 0 exact, 1 transpose, 0 scale, 0 cast, 0 slice, 0 partial tie(s); 24 bytes saved; 0 trainable weight(s) considered in exact mode only

// Bad options are errors.
// RUN: not loom-opt %s --loom-tie-weights="modes=exact,rotate" 2>&1 | FileCheck %s --check-prefix=BADMODE
// BADMODE: for the --modes option: unknown mode 'rotate' (modes: exact|cast|transpose|scale|slice|partial)
// RUN: not loom-opt %s --loom-tie-weights="rtol=-1" 2>&1 | FileCheck %s --check-prefix=BADTOL
// BADTOL: error: loom-tie-weights: rtol and atol must be >= 0

loom.weight @t frozen : tensor<2x2xf32> = dense<[[1.0, -2.0], [0.0, 4.5]]>
loom.weight @s frozen : tensor<2x2xf32> = dense<[[0.5, -1.0], [0.0, 2.25000024]]>
loom.weight @w frozen : tensor<2x3xf32> = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]>
loom.weight @wt frozen : tensor<3x2xf32> = dense<[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]>
