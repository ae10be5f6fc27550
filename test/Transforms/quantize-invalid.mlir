// RUN: loom-opt %s --split-input-file --verify-diagnostics --loom-quantize="bits=3"
// RUN: not loom-opt %s --loom-quantize="granularity=block=1" 2>&1 | FileCheck %s --check-prefix=BLOCK
// RUN: not loom-opt %s --loom-quantize="mode=static" 2>&1 | FileCheck %s --check-prefix=MODE
// RUN: not loom-opt %s --loom-quantize="mode=static bits=4" 2>&1 | FileCheck %s --check-prefix=STATIC4
// RUN: not loom-opt %s --loom-quantize="mode=dynamic bits=4" 2>&1 | FileCheck %s --check-prefix=DYN
// RUN: not loom-opt %s --loom-quantize="mode=fast" 2>&1 | FileCheck %s --check-prefix=BADMODE
// RUN: not loom-opt %s --loom-quantize="granularity=per-row" 2>&1 | FileCheck %s --check-prefix=GRAN
// RUN: not loom-opt %s --loom-quantize="include=nothing*" 2>&1 | FileCheck %s --check-prefix=GLOB
// RUN: not loom-opt %s --loom-quantize="exclude=[" 2>&1 | FileCheck %s --check-prefix=BADGLOB
// RUN: not loom-opt %s --loom-quantize="mode=dynamic simulate=true" 2>&1 | FileCheck %s --check-prefix=SIM

// SIM: loom-quantize: simulate=true goes with mode=weight-only
// BLOCK: loom-quantize: granularity block=N needs an integer N >= 2, got 'block=1'
// MODE: loom-quantize: mode=static needs the activation ranges calibration measures ('loom.activation_range' on the kernels): loomc compress --quantize static --calibrate DIR
// STATIC4: loom-quantize: mode=static takes bits=8
// DYN: loom-quantize: mode=dynamic takes bits=8, symmetric weights, per-channel or per-tensor (MatMulInteger's int8 x uint8)
// BADMODE: loom-quantize: mode must be weight-only, dynamic or static, got 'fast'
// GRAN: loom-quantize: granularity must be per-channel, per-tensor or block=N, got 'per-row'
// GLOB: loom-quantize: include glob 'nothing*' matches no quantizable weight
// BADGLOB: loom-quantize: bad exclude glob '['

// expected-error @+1 {{loom-quantize: bits must be 8 or 4, got 3}}
module {
  loom.weight @w frozen : tensor<2x2xf32> = dense<1.0>
}

