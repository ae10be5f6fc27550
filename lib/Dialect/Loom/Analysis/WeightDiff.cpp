//===- WeightDiff.cpp - what changed between two models -------------------===//
//
// Matching (names, then content for the rest), the element-wise comparison
// (tensors cut into chunks of at most 4M elements, compared in parallel) and
// the structural comparison of the graphs. The printers are in
// WeightDiffReport.cpp.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/Analysis/WeightDiff.h"
#include "loom/Dialect/Loom/Analysis/ParamStats.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/Utils/ElementDecoding.h"
#include "loom/Dialect/Loom/Utils/WeightMatcher.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Threading.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>
#include <cstring>
#include <mutex>

using namespace mlir;
using namespace loom;

StringRef loom::stringifyTensorChange(TensorChange change) {
  switch (change) {
  case TensorChange::Identical:
    return "identical";
  case TensorChange::WithinTolerance:
    return "within tolerance";
  case TensorChange::Changed:
    return "changed";
  case TensorChange::Reshaped:
    return "reshaped";
  case TensorChange::Renamed:
    return "renamed";
  case TensorChange::Added:
    return "added";
  case TensorChange::Removed:
    return "removed";
  }
  llvm_unreachable("change");
}

namespace {

/// Sums of one chunk's comparison; merged by adding (max for maxAbs).
struct Sums {
  double dd = 0, aa = 0, bb = 0, ab = 0, maxAbs = 0;
  uint64_t changed = 0;
  void merge(const Sums &o) {
    dd += o.dd, aa += o.aa, bb += o.bb, ab += o.ab;
    maxAbs = std::max(maxAbs, o.maxAbs);
    changed += o.changed;
  }
};

struct Tolerance {
  double atol, rtol;
  /// One element pair: accumulates and counts it when outside tolerance.
  void add(double a, double b, Sums &s) const {
    if (std::isnan(a) || std::isnan(b)) {
      if (!(std::isnan(a) && std::isnan(b)))
        ++s.changed, s.maxAbs = INFINITY;
      return;
    }
    if (a == b) { // also equal infinities
      if (std::isfinite(a))
        s.aa += a * a, s.bb += b * b, s.ab += a * b;
      return;
    }
    double d = std::fabs(a - b);
    s.maxAbs = std::max(s.maxAbs, d);
    if (d > atol + rtol * std::fabs(a))
      ++s.changed;
    if (std::isfinite(d))
      s.dd += d * d, s.aa += a * a, s.bb += b * b, s.ab += a * b;
  }
};

/// One side of a compared pair: its element bytes.
struct Side {
  WeightBytes bytes;
  bool readable = false;
};

/// Compares elements [begin, end) of two equally long tensors.
Sums compareRange(const Side &a, const Side &b, int64_t begin, int64_t end,
                  const Tolerance &tol) {
  Sums s;
  Type ta = a.bytes.type.getElementType(), tb = b.bytes.type.getElementType();
  if (ta.isF32() && tb.isF32()) { // the common case, without decoding
    const char *pa = a.bytes.bytes.data(), *pb = b.bytes.bytes.data();
    for (int64_t i = begin; i < end; ++i)
      tol.add(loadUnaligned<float>(pa + 4 * i),
              loadUnaligned<float>(pb + 4 * i), s);
    return s;
  }
  constexpr int64_t kBlock = 4096;
  std::vector<double> va, vb;
  va.reserve(kBlock), vb.reserve(kBlock);
  for (int64_t i = begin; i < end; i += kBlock) {
    int64_t n = std::min(kBlock, end - i);
    va.clear(), vb.clear();
    (void)visitElements(
        ta, a.bytes.bytes.slice(i * a.bytes.elemBytes, n * a.bytes.elemBytes),
        n, [&](double v) { va.push_back(v); });
    (void)visitElements(
        tb, b.bytes.bytes.slice(i * b.bytes.elemBytes, n * b.bytes.elemBytes),
        n, [&](double v) { vb.push_back(v); });
    for (int64_t k = 0; k < n; ++k)
      tol.add(va[k], vb[k], s);
  }
  return s;
}

/// Whether visitElements reads this type.
bool isNumeric(Type type) {
  return type.isF16() || type.isBF16() || type.isF32() || type.isF64() ||
         (isa<IntegerType>(type) && type.getIntOrFloatBitWidth() % 8 == 0 &&
          type.getIntOrFloatBitWidth() <= 64);
}

/// Finds base tensors removed and other tensors added that hold the same
/// value (or a transposed, cast or scaled one): renamed.
class RenameMatcher : public WeightMatcher {
public:
  /// `exclusive`: an other tensor stands for one base tensor at most (a
  /// rename); otherwise several removed base tensors may have become views
  /// of one other tensor (tied).
  explicit RenameMatcher(bool exclusive)
      : WeightMatcher([] {
          MatchOptions options;
          options.modes = {TieMode::Exact, TieMode::Cast, TieMode::Transpose,
                           TieMode::Scale};
          options.minBytes = 1;
          options.frozenOnly = false;
          return options;
        }()),
        exclusive(exclusive) {}

  void add(WeightOp op, unsigned group, unsigned tensor) {
    addWeight(op, group);
    tensors.push_back(tensor);
  }

  struct Found {
    unsigned base, other; // tensor indices in each model's report
    std::string view;     // how other's value derives from base's
  };
  std::vector<Found> found;

protected:
  bool onMatch(unsigned dup, unsigned master, const WeightView &view) override {
    if (entries[dup].group == entries[master].group)
      return false;
    bool dupIsOther = entries[dup].group == 1;
    unsigned baseEntry = dupIsOther ? master : dup;
    unsigned otherEntry = dupIsOther ? dup : master;
    if (foundBase.count(baseEntry))
      return false;
    std::string text;
    switch (view.mode) {
    case TieMode::Exact:
      text = "exact";
      break;
    case TieMode::Transpose: {
      // dup dim d is master dim perm[d]; stated for other = f(base).
      SmallVector<int64_t> perm = view.perm;
      if (!dupIsOther) {
        SmallVector<int64_t> inverse(perm.size());
        for (auto [d, p] : llvm::enumerate(perm))
          inverse[p] = d;
        perm = inverse;
      }
      WeightView v = view;
      v.perm = perm;
      text = v.describe();
      break;
    }
    case TieMode::Scale: {
      WeightView v = view;
      if (!dupIsOther)
        v.scale = 1.0 / view.scale;
      text = v.describe();
      break;
    }
    case TieMode::Cast: {
      std::string from, to;
      llvm::raw_string_ostream f(from), t(to);
      f << entries[baseEntry].type.getElementType();
      t << entries[otherEntry].type.getElementType();
      text = "cast " + from + " -> " + to;
      break;
    }
    default:
      text = view.describe();
      break;
    }
    found.push_back({tensors[baseEntry], tensors[otherEntry], text});
    foundBase.insert(baseEntry);
    // A rename takes both: the other side leaves the buckets too.
    if (exclusive)
      entries[master].alive = false;
    return true;
  }

private:
  bool exclusive;
  std::vector<unsigned> tensors;
  llvm::DenseSet<unsigned> foundBase;
};

/// The key of an op in the structural comparison: its node name, or its
/// kind and ordinal among unnamed ops of that kind; repeated names get
/// `#k`.
struct OpEntry {
  Operation *op;
  std::string key, kind;
};

std::vector<OpEntry> collectOps(ModuleOp module) {
  std::vector<OpEntry> ops;
  llvm::StringMap<unsigned> seen;
  module.walk([&](Operation *op) {
    if (isa<ModuleOp, func::FuncOp, func::ReturnOp, WeightOp, WeightRefOp,
            NoneOp, YieldOp>(op))
      return;
    std::string kind = getOpKind(op);
    std::string name = getNodeName(op->getLoc());
    std::string key = name.empty() ? kind : name;
    unsigned n = seen[key]++;
    if (name.empty() || n)
      key += "#" + std::to_string(n);
    ops.push_back({op, key, kind});
  });
  return ops;
}

/// Where each operand comes from, in names that survive between models.
std::vector<std::string>
inputsOf(Operation *op, const llvm::DenseMap<Operation *, std::string> &keys) {
  std::vector<std::string> inputs;
  for (Value v : op->getOperands()) {
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      inputs.push_back("arg" + std::to_string(arg.getArgNumber()));
      continue;
    }
    Operation *def = v.getDefiningOp();
    if (isa<WeightRefOp>(def)) {
      inputs.push_back("weight");
      continue;
    }
    auto it = keys.find(def);
    inputs.push_back((it == keys.end() ? std::string("?") : it->second) + ":" +
                     std::to_string(cast<OpResult>(v).getResultNumber()));
  }
  return inputs;
}

void diffOps(ModuleOp base, ModuleOp other, WeightDiffReport &report) {
  std::vector<OpEntry> a = collectOps(base), b = collectOps(other);
  report.opsBase = a.size(), report.opsOther = b.size();
  llvm::DenseMap<Operation *, std::string> keysA, keysB;
  llvm::StringMap<unsigned> indexB;
  for (auto [i, e] : llvm::enumerate(a))
    keysA[e.op] = e.key;
  for (auto [i, e] : llvm::enumerate(b)) {
    keysB[e.op] = e.key;
    indexB[e.key] = i;
  }
  std::vector<bool> matchedB(b.size(), false);
  for (const OpEntry &e : a) {
    auto it = indexB.find(e.key);
    if (it == indexB.end()) {
      report.ops.push_back({OpDiff::Removed, e.key, e.kind, "", {}});
      continue;
    }
    const OpEntry &o = b[it->second];
    matchedB[it->second] = true;
    OpDiff diff{OpDiff::Changed, e.key, e.kind, o.kind, {}};
    if (e.kind != o.kind)
      diff.what.push_back("op " + e.kind + " -> " + o.kind);
    DictionaryAttr da = e.op->getAttrDictionary(),
                   db = o.op->getAttrDictionary();
    llvm::StringSet<> names;
    for (NamedAttribute attr : da)
      names.insert(attr.getName());
    for (NamedAttribute attr : db)
      names.insert(attr.getName());
    std::vector<std::string> sorted;
    for (auto &name : names)
      sorted.push_back(name.getKey().str());
    llvm::sort(sorted);
    for (const std::string &name : sorted)
      if (da.get(name) != db.get(name))
        diff.what.push_back("attribute " + name);
    if (inputsOf(e.op, keysA) != inputsOf(o.op, keysB))
      diff.what.push_back("inputs");
    if (e.op->getNumResults() != o.op->getNumResults())
      diff.what.push_back("outputs");
    if (!diff.what.empty())
      report.ops.push_back(std::move(diff));
  }
  for (auto [i, e] : llvm::enumerate(b))
    if (!matchedB[i])
      report.ops.push_back({OpDiff::Added, e.key, "", e.kind, {}});
}

} // namespace

WeightDiffReport loom::diffModels(ModuleOp base, ModuleOp other,
                                  const WeightDiffOptions &options) {
  WeightDiffReport report;
  report.atol = options.atol, report.rtol = options.rtol;
  MLIRContext *context = base.getContext();
  ParamStatsOptions namesOnly;
  namesOnly.values = false;
  ParamReport a = computeParamStats(base, namesOnly);
  ParamReport b = computeParamStats(other, namesOnly);

  // Names (symbol, aliases, copies) to tensors; a tensor's layer.
  auto nameMap = [](const ParamReport &r) {
    llvm::StringMap<unsigned> map;
    for (auto [i, t] : llvm::enumerate(r.tensors))
      for (const std::string &name : t.allNames())
        map.try_emplace(name, i);
    return map;
  };
  auto layerMap = [](const ParamReport &r) {
    std::vector<std::string> layer(r.tensors.size());
    for (const LayerStats &l : r.layers)
      for (const LayerStats::Read &read : l.reads)
        if (layer[read.tensor].empty())
          layer[read.tensor] = l.name.empty() ? l.op : l.name;
    return layer;
  };
  llvm::StringMap<unsigned> namesA = nameMap(a), namesB = nameMap(b);
  std::vector<std::string> layersA = layerMap(a), layersB = layerMap(b);

  // Pairs by name: a base tensor's own name first, then its other names;
  // then other tensors whose names the base knows (a tie undone).
  struct Pair {
    unsigned a, b;
  };
  std::vector<Pair> pairs;
  std::vector<bool> pairedA(a.tensors.size()), pairedB(b.tensors.size());
  for (auto [i, t] : llvm::enumerate(a.tensors))
    for (const std::string &name : t.allNames()) {
      auto it = namesB.find(name);
      if (it == namesB.end())
        continue;
      pairs.push_back({unsigned(i), it->second});
      pairedA[i] = pairedB[it->second] = true;
      break;
    }
  for (auto [j, t] : llvm::enumerate(b.tensors)) {
    if (pairedB[j])
      continue;
    for (const std::string &name : t.allNames()) {
      auto it = namesA.find(name);
      if (it == namesA.end())
        continue;
      pairs.push_back({it->second, unsigned(j)});
      pairedB[j] = true;
      break;
    }
  }

  // The rest by content.
  RenameMatcher renames(/*exclusive=*/true);
  for (auto [i, t] : llvm::enumerate(a.tensors))
    if (!pairedA[i])
      renames.add(t.op, 0, i);
  for (auto [j, t] : llvm::enumerate(b.tensors))
    if (!pairedB[j])
      renames.add(t.op, 1, j);
  renames.match(context);
  for (const RenameMatcher::Found &f : renames.found)
    pairedA[f.base] = pairedB[f.other] = true;
  // A base tensor still unmatched may have been tied into one the other
  // model still has (an exporter's transposed copy of an embedding, tied
  // back to it): its values live on as a view of that tensor.
  RenameMatcher tied(/*exclusive=*/false);
  bool anyLeft = false;
  for (auto [i, t] : llvm::enumerate(a.tensors))
    if (!pairedA[i]) {
      tied.add(t.op, 0, i);
      anyLeft = true;
    }
  if (anyLeft) {
    for (auto [j, t] : llvm::enumerate(b.tensors))
      tied.add(t.op, 1, j);
    tied.match(context);
    for (const RenameMatcher::Found &f : tied.found) {
      pairedA[f.base] = true;
      renames.found.push_back(f);
    }
  }

  // One TensorDiff per pair, rename, removal and addition.
  auto describe = [](TensorDiff &d, const TensorStats &t,
                     const std::string &layer) {
    d.name = t.name, d.dtype = t.dtype, d.shape = t.shape, d.count = t.count;
    d.frozen = t.frozen, d.layer = layer;
  };
  std::vector<Side> sidesA(pairs.size() + renames.found.size()),
      sidesB(sidesA.size());
  std::vector<unsigned> baseOfDiff;
  for (auto [k, p] : llvm::enumerate(pairs)) {
    TensorDiff d;
    describe(d, a.tensors[p.a], layersA[p.a]);
    // The name both models know it by.
    for (const std::string &name : a.tensors[p.a].allNames())
      if (namesB.count(name) && namesB.lookup(name) == p.b) {
        d.name = name;
        break;
      }
    d.otherDtype = b.tensors[p.b].dtype, d.otherShape = b.tensors[p.b].shape;
    sidesA[k].readable =
        readWeightBytes(a.tensors[p.a].op.getValue(), sidesA[k].bytes);
    sidesB[k].readable =
        readWeightBytes(b.tensors[p.b].op.getValue(), sidesB[k].bytes);
    report.tensors.push_back(std::move(d));
  }
  for (auto [k, f] : llvm::enumerate(renames.found)) {
    TensorDiff d;
    describe(d, a.tensors[f.base], layersA[f.base]);
    d.change = TensorChange::Renamed;
    d.otherName = b.tensors[f.other].name, d.view = f.view;
    d.otherDtype = b.tensors[f.other].dtype;
    d.otherShape = b.tensors[f.other].shape;
    report.tensors.push_back(std::move(d));
  }
  for (auto [i, t] : llvm::enumerate(a.tensors))
    if (!pairedA[i]) {
      TensorDiff d;
      describe(d, t, layersA[i]);
      d.change = TensorChange::Removed;
      report.tensors.push_back(std::move(d));
    }
  for (auto [j, t] : llvm::enumerate(b.tensors))
    if (!pairedB[j]) {
      TensorDiff d;
      describe(d, t, layersB[j]);
      d.otherDtype = d.dtype, d.otherShape = d.shape;
      d.dtype.clear(), d.shape.clear();
      d.change = TensorChange::Added;
      report.tensors.push_back(std::move(d));
    }

  // The comparison: bit-exact first, then values, both in chunks of at
  // most 16 MiB / 4M elements, in parallel.
  constexpr int64_t kChunk = int64_t(1) << 22;
  constexpr size_t kByteChunk = size_t(1) << 24;
  struct ByteChunk {
    unsigned pair;
    size_t begin, end;
    bool equal = true;
  };
  std::vector<ByteChunk> byteChunks;
  std::vector<bool> sameBytes(pairs.size(), false);
  for (unsigned k = 0; k < pairs.size(); ++k) {
    TensorDiff &d = report.tensors[k];
    Side &sa = sidesA[k], &sb = sidesB[k];
    if (!sa.readable || !sb.readable || d.dtype != d.otherDtype ||
        d.shape != d.otherShape ||
        sa.bytes.bytes.size() != sb.bytes.bytes.size())
      continue;
    sameBytes[k] = true;
    for (size_t begin = 0, n = sa.bytes.bytes.size(); begin < n;
         begin += kByteChunk)
      byteChunks.push_back({k, begin, std::min(n, begin + kByteChunk)});
  }
  parallelForEach(context, byteChunks, [&](ByteChunk &c) {
    c.equal = std::memcmp(sidesA[c.pair].bytes.bytes.data() + c.begin,
                          sidesB[c.pair].bytes.bytes.data() + c.begin,
                          c.end - c.begin) == 0;
  });
  for (const ByteChunk &c : byteChunks)
    if (!c.equal)
      sameBytes[c.pair] = false;

  struct Chunk {
    unsigned pair;
    int64_t begin, end;
    Sums sums;
  };
  std::vector<Chunk> chunks;
  for (unsigned k = 0; k < pairs.size(); ++k) {
    TensorDiff &d = report.tensors[k];
    Side &sa = sidesA[k], &sb = sidesB[k];
    bool sameShape = d.shape == d.otherShape;
    if (!sa.readable || !sb.readable) {
      // Strings, sub-byte types: equal attributes of equal types, or changed.
      bool equal = d.dtype == d.otherDtype && sameShape &&
                   a.tensors[pairs[k].a].op.getValue() ==
                       b.tensors[pairs[k].b].op.getValue();
      d.change = equal       ? TensorChange::Identical
                 : sameShape ? TensorChange::Changed
                             : TensorChange::Reshaped;
      continue;
    }
    if (sameBytes[k]) {
      d.change = TensorChange::Identical;
      report.bytesCompared += 2 * sa.bytes.bytes.size();
      continue;
    }
    d.change = sameShape ? TensorChange::Changed : TensorChange::Reshaped;
    if (sa.bytes.count() != sb.bytes.count() ||
        !isNumeric(sa.bytes.type.getElementType()) ||
        !isNumeric(sb.bytes.type.getElementType()))
      continue;
    d.compared = true;
    report.bytesCompared += sa.bytes.bytes.size() + sb.bytes.bytes.size();
    for (int64_t begin = 0, n = sa.bytes.count(); begin < n; begin += kChunk)
      chunks.push_back({k, begin, std::min(n, begin + kChunk), {}});
  }
  Tolerance tol{options.atol, options.rtol};
  parallelForEach(context, chunks, [&](Chunk &c) {
    c.sums = compareRange(sidesA[c.pair], sidesB[c.pair], c.begin, c.end, tol);
  });
  std::vector<Sums> sums(pairs.size());
  for (const Chunk &c : chunks)
    sums[c.pair].merge(c.sums);
  for (unsigned k = 0; k < pairs.size(); ++k) {
    TensorDiff &d = report.tensors[k];
    if (!d.compared)
      continue;
    const Sums &s = sums[k];
    d.maxAbs = s.maxAbs;
    d.changedElements = s.changed;
    d.relL2 = s.aa > 0 ? std::sqrt(s.dd / s.aa) : (s.dd > 0 ? INFINITY : 0.0);
    d.cosine = s.aa > 0 && s.bb > 0 ? s.ab / std::sqrt(s.aa * s.bb)
               : s.aa == s.bb       ? 1.0
                                    : 0.0;
    if (d.change == TensorChange::Changed && s.changed == 0)
      d.change = TensorChange::WithinTolerance;
  }

  // Totals and layers.
  for (const TensorDiff &d : report.tensors) {
    ++report.counts[static_cast<int>(d.change)];
    if (d.change == TensorChange::Added)
      report.addedParams += d.count;
    else if (d.unchanged())
      report.unchangedParams += d.count;
    else
      report.changedParams += d.count;
  }
  std::vector<int> diffOfA(a.tensors.size(), -1);
  // The first diff of each base tensor stands for it in its layers.
  for (auto [k, p] : llvm::enumerate(pairs))
    if (diffOfA[p.a] < 0)
      diffOfA[p.a] = k;
  size_t next = pairs.size();
  for (const RenameMatcher::Found &f : renames.found)
    diffOfA[f.base] = next++;
  for (auto [i, t] : llvm::enumerate(a.tensors))
    if (!pairedA[i])
      diffOfA[i] = next++;
  for (const LayerStats &l : a.layers) {
    LayerDiff layer;
    layer.name = l.name, layer.op = l.op;
    for (const LayerStats::Read &read : l.reads) {
      if (diffOfA[read.tensor] < 0)
        continue;
      const TensorDiff &d = report.tensors[diffOfA[read.tensor]];
      ++layer.tensors;
      layer.params += d.count;
      if (d.unchanged())
        ++layer.unchanged;
      else
        layer.changedParams += d.count;
    }
    report.layers.push_back(std::move(layer));
  }

  diffOps(base, other, report);
  return report;
}
