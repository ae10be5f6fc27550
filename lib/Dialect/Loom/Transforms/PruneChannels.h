//===- PruneChannels.h - channel pruning engine -----------------*- C++ -*-===//
//
// Private to loom-prune: removes whole output channels and shrinks the
// shapes that carry them (PruneChannels.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_DIALECT_LOOM_TRANSFORMS_PRUNECHANNELS_H
#define LOOM_LIB_DIALECT_LOOM_TRANSFORMS_PRUNECHANNELS_H

#include "loom/Dialect/Loom/IR/LoomOps.h"

#include "mlir/IR/BuiltinOps.h"

#include <functional>
#include <string>
#include <vector>

namespace loom {

struct ChannelPruneOptions {
  double sparsity = 0.5;
  bool l2 = false, force = false, keepFirstLast = true;
  /// Whether a producer's kernel may lose channels (include/exclude);
  /// none: every one.
  std::function<bool(WeightOp)> selected;
};

struct ChannelPruneResult {
  /// One per group of coupled producers.
  struct Group {
    std::string producers, why;
    int64_t channels = 0, kept = 0;
  };
  std::vector<Group> groups;
};

void pruneChannels(mlir::ModuleOp module, const ChannelPruneOptions &options,
                   ChannelPruneResult &result);

} // namespace loom

#endif // LOOM_LIB_DIALECT_LOOM_TRANSFORMS_PRUNECHANNELS_H
