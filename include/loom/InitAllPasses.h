//===- InitAllPasses.h - every pass Loom defines ----------------*- C++ -*-===//
//
// Registers Loom's passes (and, as they arrive, its named pipelines) with
// the pass registry, for loom-opt and for pipelines given as text.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_INITALLPASSES_H
#define LOOM_INITALLPASSES_H

#include "loom/Dialect/Loom/Transforms/Passes.h"

namespace loom {

inline void registerAllPasses() { registerLoomPasses(); }

} // namespace loom

#endif // LOOM_INITALLPASSES_H
