//===- WeightMatcher.h - finding weights that are views of others -*- C++
//-*-===//
//
// The matching half of weight tying, shared by `--loom-tie-weights` (which
// rewrites a duplicate into a view of its master), `loomc diff` (which
// reports a tensor renamed, transposed, cast or scaled between two models)
// and `loomc compress --share-weights` (which ties across models). Each mode
// buckets the weights by a fingerprint its transformation leaves unchanged
// (WeightFingerprint.h) and confirms candidates inside a bucket only, byte
// for byte or value for value; a confirmed pair goes to `onMatch`, which
// decides what it means.
//
// Weights carry a group (the model they come from): a user of the matcher
// that wants pairs across models only refuses pairs within one group.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_UTILS_WEIGHTMATCHER_H
#define LOOM_DIALECT_LOOM_UTILS_WEIGHTMATCHER_H

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/Utils/WeightFingerprint.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <vector>

namespace loom {

/// The ways a weight may be a view of another: the one list of them (the
/// tie pass's option values, their names and help).
#define LOOM_TIE_MODES(X)                                                      \
  X(Exact, "exact", "bit-identical copies")                                    \
  X(Cast, "cast", "copies in another float type that round-trip exactly")      \
  X(Transpose, "transpose", "transposed or permuted copies")                   \
  X(Scale, "scale", "copies scaled by a constant (W2 = c * W1)")               \
  X(Slice, "slice", "copies of a contiguous part of another weight")           \
  X(Partial, "partial", "weights that share leading rows with another")

enum class TieMode {
#define LOOM_TIE_MODE_ENUMERATOR(name, str, help) name,
  LOOM_TIE_MODES(LOOM_TIE_MODE_ENUMERATOR)
#undef LOOM_TIE_MODE_ENUMERATOR
};

/// The mode's option name ("exact", ...), and the mode of a name.
llvm::StringRef stringifyTieMode(TieMode mode);
std::optional<TieMode> symbolizeTieMode(llvm::StringRef name);
/// "exact|cast|...": every mode's name, for help and errors.
llvm::StringRef tieModeNames();

inline llvm::raw_ostream &operator<<(llvm::raw_ostream &os, TieMode mode) {
  return os << stringifyTieMode(mode);
}

/// How a duplicate reads its master.
struct WeightView {
  TieMode mode;
  llvm::SmallVector<int64_t> perm; // transpose: dup dim d is master dim perm[d]
  double scale = 1.0;              // scale: dup = scale * master
  int64_t sliceStart = 0;          // slice: first index along sliceAxis
  int64_t sliceAxis = 0;

  /// "transpose, perm [1, 0]", "scale, c = 0.5", ...
  std::string describe() const;
};

/// One weight under consideration and a view of its bytes.
struct MatchEntry : WeightBytes {
  WeightOp op;
  /// The model it belongs to (0 when there is one).
  unsigned group = 0;
  /// False once it is tied to a master (or when its bytes are no plain
  /// elements): it is then nobody's candidate.
  bool alive = true;

  bool frozen() { return op.getFrozen(); }
};

struct MatchOptions {
  /// The modes to run (empty: all), in the order of TieMode.
  llvm::SmallVector<TieMode> modes;
  /// Only weights of at least this many bytes are candidates.
  uint64_t minBytes = 1024;
  /// Value tolerance of the scale mode (0, 0: bit-exact).
  double rtol = 0, atol = 0;
  /// The modes other than exact consider frozen weights only (tying a
  /// trainable weight to a view would change what training updates).
  bool frozenOnly = true;
};

/// Buckets, confirms and reports pairs. Subclasses say what a pair means.
class WeightMatcher {
public:
  explicit WeightMatcher(MatchOptions options) : options(std::move(options)) {}
  virtual ~WeightMatcher() = default;

  /// Adds `weight` of model `group`; weights that are model inputs, or whose
  /// bytes are no plain elements (strings, sub-byte, sparse), are kept out.
  void addWeight(WeightOp weight, unsigned group = 0);

  /// Fingerprints every weight (in parallel), then runs the enabled modes.
  void match(mlir::MLIRContext *context);

protected:
  /// `dup` equals `view` of `master`. True when the pair is taken: `dup` is
  /// then no candidate any more (its `alive` is cleared by the caller).
  virtual bool onMatch(unsigned dup, unsigned master,
                       const WeightView &view) = 0;
  /// Rows [dupStart, dupStart+length) of `dup` are rows [masterStart, ...) of
  /// `master` (partial mode only). True when taken.
  virtual bool onPartial(unsigned dup, unsigned master, int64_t dupStart,
                         int64_t masterStart, int64_t length) {
    return false;
  }

  bool enabled(TieMode mode) const {
    return options.modes.empty() || llvm::is_contained(options.modes, mode);
  }
  bool large(const MatchEntry &e) const {
    return e.bytes.size() >= options.minBytes && e.bytes.size() > 0;
  }
  bool inScope(MatchEntry &e) { return !options.frozenOnly || e.frozen(); }

  MatchOptions options;
  std::vector<MatchEntry> entries;
  /// Fingerprints of each entry, from one parallel sweep.
  std::vector<WeightFingerprints> prints;

private:
  bool take(unsigned dup, unsigned master, const WeightView &view);
  void runExact();
  void runCast(mlir::MLIRContext *context);
  void runTranspose();
  void runScale();
  void runSlice();
  void runPartial();
};

} // namespace loom

#endif // LOOM_DIALECT_LOOM_UTILS_WEIGHTMATCHER_H
