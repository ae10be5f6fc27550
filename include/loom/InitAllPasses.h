//===- InitAllPasses.h - every pass Loom defines ----------------*- C++ -*-===//
//
// Registers Loom's passes and its named pipelines with
// the pass registry, for loom-opt and for pipelines given as text.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_INITALLPASSES_H
#define LOOM_INITALLPASSES_H

#include "loom/ConstEval/Passes.h"
#include "loom/Conversion/Passes.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"
#include "loom/Pipelines/Pipelines.h"

namespace loom {

inline void registerAllPasses() {
  registerLoomPasses();
  registerLoomConversionPasses();
  registerLoomConstEvalPasses();
  registerLoomPipelines();
}

} // namespace loom

#endif // LOOM_INITALLPASSES_H
