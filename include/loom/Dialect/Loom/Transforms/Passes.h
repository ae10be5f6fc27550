//===- Passes.h - Loom dialect passes ---------------------------*- C++ -*-===//
//
// Declares the passes on the `loom` dialect (generated from Passes.td) and
// the function that registers them all with the pass registry.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_TRANSFORMS_PASSES_H
#define LOOM_DIALECT_LOOM_TRANSFORMS_PASSES_H

#include "loom/Dialect/Loom/IR/LoomDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace loom {

#define GEN_PASS_DECL
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"

} // namespace loom

#endif // LOOM_DIALECT_LOOM_TRANSFORMS_PASSES_H
