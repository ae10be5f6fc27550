//===- PruneChannels.h - channel pruning engine -----------------*- C++ -*-===//
//
// Private to loom-prune: removes whole output channels (or whole attention
// heads) and shrinks the shapes that carry them. PruneChannels.cpp builds
// the groups, scores and rewrites them; PruneChannelFollow.cpp holds the
// rules that follow channels from op to op.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_DIALECT_LOOM_TRANSFORMS_PRUNECHANNELS_H
#define LOOM_LIB_DIALECT_LOOM_TRANSFORMS_PRUNECHANNELS_H

#include "loom/Dialect/Loom/IR/LoomOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/MapVector.h"

#include <climits>
#include <functional>
#include <set>
#include <string>
#include <tuple>
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
    /// Non-zero: the group's units are attention heads of this many
    /// channels each (`channels` and `kept` count heads).
    int64_t headSize = 0;
  };
  std::vector<Group> groups;
};

void pruneChannels(mlir::ModuleOp module, const ChannelPruneOptions &options,
                   ChannelPruneResult &result);

namespace channels {

/// Where a group's units are in one tensor: unit c (of the window
/// [lo, hi)) is indices [offset + (c - lo) * block, +block) along `axis`.
/// A unit is one channel, or one attention head of `block` channels.
struct Map {
  int64_t axis = 0, offset = 0, block = 1;
  /// Only the units in [lo, hi) are here (a Slice took part of them).
  int64_t lo = 0, hi = INT64_MAX;
  /// Non-zero: heads folded into a batch axis (`[s, b*H, d]`): unit c is at
  /// k * stride + offset + (c - lo) for every k (block 1).
  int64_t stride = 0;
};

/// A weight sliced along an axis by a group, through one of its reads (a
/// weight that other ops read too gets a copy of its own for this read).
struct WeightCut {
  WeightRefOp ref;
  Map map;
};
/// A value whose type shrinks along an axis.
struct ValueCut {
  mlir::Value value;
  Map map;
};

struct Group {
  int64_t channels = 0;
  /// Attention heads: the channels of one unit (0: a unit is a channel).
  int64_t headSize = 0;
  /// Producers' kernels and where the units are in them (scores).
  std::vector<std::pair<WeightOp, Map>> kernels;
  std::vector<WeightCut> weights;
  std::vector<ValueCut> values;
  /// Depthwise convolutions whose `group` follows the channel count.
  std::vector<std::pair<mlir::Operation *, Map>> depthwise;
  /// Slices and Splits along the channel axis, with the map of their input:
  /// their bounds move down by the channels removed before them.
  std::vector<std::pair<mlir::Operation *, Map>> slices;
  /// Reshapes whose constant shape follows their new result type.
  std::vector<mlir::Operation *> reshapes;
  std::string name; // the first producer's node
  std::string why;  // non-empty: left whole
};

/// The integers a `loom.constant` holds; the single one.
std::optional<llvm::SmallVector<int64_t>> intsOf(mlir::Value value);
std::optional<int64_t> scalarOf(mlir::Value value);
/// The read `value` is, when it is a weight_ref used once (by the op that
/// a cut is for).
WeightRefOp refOf(mlir::Value value);

/// "Op 'node'" for reasons.
std::string describe(mlir::Operation *op);

class ChannelPruner {
public:
  ChannelPruner(mlir::ModuleOp module, const ChannelPruneOptions &options);
  void run(ChannelPruneResult &result);

private:
  // PruneChannelFollow.cpp
  void follow(unsigned group, mlir::Value value, Map map);
  /// Follows one use; false when `map` cannot go on through it.
  void followUse(unsigned group, mlir::OpOperand &use, const Map &map);
  bool followReshape(unsigned group, ReshapeOp reshape, const Map &map);
  /// The head layout of a producer's result when it feeds attention: the
  /// starts of its sections (q, k, v of a fused projection, or one) and the
  /// head size; empty when it does not.
  std::pair<std::vector<int64_t>, int64_t> headLayout(mlir::Value result,
                                                      int64_t channels);

  // PruneChannels.cpp
  void addProducers();
  void joinResiduals();
  std::vector<double> norms(WeightOp weight, int64_t axis);
  void slice(WeightOp weight, int64_t axis, const std::set<int64_t> &removed);
  void fail(unsigned group, const std::string &why) {
    Group &g = groups[group];
    if (g.why.empty())
      g.why = why;
  }

  mlir::ModuleOp module;
  mlir::SymbolTable symbols;
  ChannelPruneOptions options;
  llvm::DenseMap<llvm::StringRef, unsigned> readers;
  std::vector<Group> groups;
  llvm::EquivalenceClasses<unsigned> coupled;
  /// Binary ops reached, and by which group through which operand.
  llvm::MapVector<mlir::Operation *, std::vector<std::pair<unsigned, unsigned>>>
      joins;
  std::set<std::tuple<mlir::OpOperand *, unsigned, int64_t, int64_t, int64_t>>
      visited;
};

} // namespace channels
} // namespace loom

#endif // LOOM_LIB_DIALECT_LOOM_TRANSFORMS_PRUNECHANNELS_H
