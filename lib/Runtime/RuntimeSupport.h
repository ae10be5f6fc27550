//===- RuntimeSupport.h - functions compiled code calls ---------*- C++ -*-===//
//
// What MLIR's lowering to LLVM expects a runtime to provide (`memrefCopy`
// for copies between non-contiguous buffers), implemented by Loom rather
// than taken from MLIR's runner utilities, and the strided copy that both
// it and the evaluator's result handling use.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_RUNTIME_RUNTIMESUPPORT_H
#define LOOM_LIB_RUNTIME_RUNTIMESUPPORT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ExecutionEngine/Orc/Core.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"

#include <cstdint>

namespace loom::runtime {

/// Copies a strided array (`strides` in elements) into contiguous `dst`.
void copyStrided(char *dst, const char *src, llvm::ArrayRef<int64_t> sizes,
                 llvm::ArrayRef<int64_t> strides, unsigned elementBytes);

/// The symbols above, for ExecutionEngine::registerSymbols.
llvm::orc::SymbolMap
getRuntimeSupportSymbols(llvm::orc::MangleAndInterner interner);

} // namespace loom::runtime

#endif // LOOM_LIB_RUNTIME_RUNTIMESUPPORT_H
