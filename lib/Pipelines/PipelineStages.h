//===- PipelineStages.h - stages the CPU and GPU pipelines share -*- C++ -*-===//

#ifndef LOOM_LIB_PIPELINES_PIPELINESTAGES_H
#define LOOM_LIB_PIPELINES_PIPELINESTAGES_H

#include "mlir/Pass/PassManager.h"

namespace loom {

/// Weights bound to arguments, the Loom-to-linalg lowering, canonicalization,
/// elementwise fusion (with `fuse`), CSE: linalg on tensors.
void addLinalgOnTensorsStages(mlir::OpPassManager &pm, bool fuse);

/// Empty-tensor elimination and one-shot bufferization of the whole module
/// (identity layouts at function boundaries).
void addOneShotBufferizeStages(mlir::OpPassManager &pm);

} // namespace loom

#endif // LOOM_LIB_PIPELINES_PIPELINESTAGES_H
