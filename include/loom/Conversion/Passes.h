//===- Passes.h - Loom's conversion passes ----------------------*- C++ -*-===//
//
// Declares the conversion passes (generated from Passes.td) and registers
// them with the pass registry.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_CONVERSION_PASSES_H
#define LOOM_CONVERSION_PASSES_H

#include "loom/Conversion/LoomToLinalg/LoomToLinalg.h"

namespace loom {

#define GEN_PASS_REGISTRATION
#include "loom/Conversion/Passes.h.inc"

} // namespace loom

#endif // LOOM_CONVERSION_PASSES_H
