//===- Prune.cpp - zero the smallest weights ------------------------------===//
//
// Implements `--loom-prune`: which weights are kernels (the weight operand
// of Conv, ConvTranspose, Gemm, MatMul) and may be pruned, then magnitude
// pruning, unstructured (an exact count of zeros, per tensor or over all)
// or N:M along the input channels. A pruned weight gets a new value; every
// op reading it reads the pruned one (a tied weight is pruned once).
//
//===----------------------------------------------------------------------===//

#include "PruneChannels.h"

#include "loom/Dialect/Loom/Analysis/ParamStats.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/WeightData.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"
#include "loom/Dialect/Loom/Utils/ElementDecoding.h"
#include "loom/Dialect/Loom/Utils/WeightFingerprint.h"
#include "loom/Dialect/Loom/Utils/WeightGlobs.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace loom {
#define GEN_PASS_DEF_LOOMPRUNE
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {

/// A weight to prune and what is known of it.
struct Target {
  WeightOp weight;
  WeightBytes bytes;
  /// The input-channel axis (N:M).
  int64_t inAxis = 0;
  std::string layer;
  /// |w| per element (NaN as +inf: never the smallest).
  std::vector<float> magnitude;
  std::vector<bool> zero; // elements to zero
  uint64_t zerosBefore = 0;
};

/// The input-channel axis of `op`'s kernel operand `index`, if `op` reads
/// a kernel there.
std::optional<int64_t> kernelAxis(Operation *op, unsigned index,
                                  RankedTensorType type) {
  if (index != 1)
    return std::nullopt;
  if (isa<ConvOp>(op))
    return type.getRank() >= 2 ? std::optional<int64_t>(1) : std::nullopt;
  if (isa<ConvTransposeOp>(op))
    return 0;
  if (auto gemm = dyn_cast<GemmOp>(op))
    return type.getRank() == 2
               ? std::optional<int64_t>(gemm.getTransB() ? 1 : 0)
               : std::nullopt;
  if (isa<MatMulOp>(op))
    return type.getRank() >= 2 ? std::optional<int64_t>(type.getRank() - 2)
                               : std::nullopt;
  return std::nullopt;
}

bool isFloat(Type type) {
  return type.isF16() || type.isBF16() || type.isF32() || type.isF64();
}

/// Calls `mark(i)` for the `k` smallest of `magnitude` (ties: the earlier
/// first): a threshold by nth_element, then one pass in order.
void markSmallest(ArrayRef<float> magnitude, uint64_t k,
                  llvm::function_ref<void(size_t)> mark) {
  if (k == 0)
    return;
  std::vector<float> copy(magnitude.begin(), magnitude.end());
  std::nth_element(copy.begin(), copy.begin() + (k - 1), copy.end());
  float threshold = copy[k - 1];
  uint64_t less = 0;
  for (float v : magnitude)
    less += v < threshold;
  uint64_t equal = k - less;
  for (size_t i = 0; i < magnitude.size(); ++i)
    if (magnitude[i] < threshold || (magnitude[i] == threshold && equal)) {
      if (magnitude[i] == threshold)
        --equal;
      mark(i);
    }
}

struct LoomPrunePass : public loom::impl::LoomPruneBase<LoomPrunePass> {
  using Base::Base;
  LoomPrunePass(const LoomPruneOptions &options, PruneSummary *summary)
      : Base(options), summary(summary) {}

  void runOnOperation() override;

  FailureOr<std::vector<WeightGlob>> compile(ArrayRef<std::string> texts,
                                             StringRef option) {
    return compileWeightGlobs(texts, [&](StringRef text, StringRef reason) {
      emitError(getOperation().getLoc())
          << "loom-prune: bad " << option << " glob '" << text
          << "': " << reason;
    });
  }

  LogicalResult checkUsed(const std::vector<WeightGlob> &globs,
                          StringRef option) {
    return checkWeightGlobsUsed(getOperation().getLoc(), "loom-prune", option,
                                globs,
                                "prunable kernel of a Conv, Gemm or MatMul");
  }

  static bool matchAny(WeightOp weight, std::vector<WeightGlob> &globs) {
    return matchAnyWeightGlob(weight, globs);
  }

  PruneSummary *summary = nullptr;
};

} // namespace

void LoomPrunePass::runOnOperation() {
  ModuleOp module = getOperation();
  auto fail = [&](const Twine &message) {
    module.emitError("loom-prune: " + message);
    signalPassFailure();
  };
  // Options.
  unsigned n = 0, m = 0;
  bool unstructured = granularity == "unstructured";
  bool channel = granularity == "channel";
  if (!unstructured && !channel) {
    StringRef text(granularity), left, right;
    std::tie(left, right) = text.split(':');
    if (left.getAsInteger(10, n) || right.getAsInteger(10, m) || m == 0 ||
        n > m || m > 64)
      return fail("granularity must be 'unstructured', 'channel' or N:M with "
                  "0 <= N <= M <= 64 (e.g. 2:4), got '" +
                  granularity + "'");
  }
  if (!(sparsity >= 0 && sparsity <= 1))
    return fail("sparsity must be in [0, 1], got " + std::to_string(sparsity));
  if (scope != "per-tensor" && scope != "global")
    return fail("scope must be per-tensor or global, got '" + scope + "'");
  if (criterion != "l1" && criterion != "l2")
    return fail("criterion must be l1 or l2, got '" + criterion + "'");
  FailureOr<std::vector<WeightGlob>> includes = compile(include, "include");
  FailureOr<std::vector<WeightGlob>> excludes = compile(exclude, "exclude");
  if (failed(includes) || failed(excludes))
    return signalPassFailure();
  if (channel) {
    if (scope != "per-tensor")
      return fail("granularity=channel takes no scope: every group keeps its "
                  "own share of channels");
    ChannelPruneOptions channelOptions;
    channelOptions.sparsity = sparsity;
    channelOptions.l2 = criterion == "l2";
    channelOptions.force = force;
    channelOptions.keepFirstLast = keepFirstLast;
    channelOptions.selected = [&](WeightOp weight) {
      bool included = includes->empty() || matchAny(weight, *includes);
      bool excluded = matchAny(weight, *excludes);
      return included && !excluded;
    };
    ChannelPruneResult result;
    pruneChannels(module, channelOptions, result);
    for (const ChannelPruneResult::Group &g : result.groups) {
      if (report)
        emitRemark(module.getLoc())
            << "loom-prune: " << g.producers << ": " << g.kept << " of "
            << g.channels
            << (g.headSize
                    ? " heads of " + std::to_string(g.headSize) + " channels"
                    : std::string(" channels"))
            << " kept" << (g.why.empty() ? "" : " (left whole: " + g.why + ")");
      if (summary)
        summary->groups.push_back(
            {g.producers, g.why, g.channels, g.kept, g.headSize});
    }
    if (failed(checkUsed(*includes, "include")) ||
        failed(checkUsed(*excludes, "exclude")))
      return signalPassFailure();
    return;
  }

  // Who reads each weight, and the first conv / last Gemm or MatMul.
  llvm::DenseMap<StringRef, SmallVector<OpOperand *>> reads;
  Operation *firstConv = nullptr, *lastLinear = nullptr;
  module.walk([&](Operation *op) {
    if (auto ref = dyn_cast<WeightRefOp>(op))
      for (OpOperand &use : ref->getUses())
        reads[ref.getName()].push_back(&use);
    if (isa<ConvOp>(op) && !firstConv)
      firstConv = op;
    if (isa<GemmOp, MatMulOp>(op))
      lastLinear = op;
  });

  std::vector<Target> targets;
  for (WeightOp weight : module.getOps<WeightOp>()) {
    auto type = dyn_cast<RankedTensorType>(weight.getType());
    if (!type || !isFloat(type.getElementType()) ||
        weight.getRole() != WeightRole::Parameter || weight.getInputIndex())
      continue;
    bool included = includes->empty() || matchAny(weight, *includes);
    bool excluded = matchAny(weight, *excludes);
    if (!included || excluded)
      continue;
    if (!weight.getFrozen() && !force)
      continue;
    auto it = reads.find(weight.getSymName());
    if (it == reads.end() || it->second.empty())
      continue;
    std::optional<int64_t> axis;
    bool kernel = true;
    Operation *reader = nullptr;
    for (OpOperand *use : it->second) {
      Operation *user = use->getOwner();
      std::optional<int64_t> a =
          kernelAxis(user, use->getOperandNumber(), type);
      if (!a || (axis && *axis != *a) ||
          (keepFirstLast && (user == firstConv || user == lastLinear))) {
        kernel = false;
        break;
      }
      axis = a;
      reader = reader ? reader : user;
    }
    if (!kernel)
      continue;
    Target target;
    target.weight = weight;
    if (!readWeightBytes(weight.getValue(), target.bytes))
      continue;
    target.inAxis = *axis;
    target.layer = getNodeName(reader->getLoc());
    if (target.layer.empty())
      target.layer = getOpKind(reader);
    int64_t count = target.bytes.count();
    target.magnitude.reserve(count);
    bool square = criterion == "l2";
    visitElements(type.getElementType(), target.bytes.bytes, count,
                  [&](double v) {
                    double mag = square ? v * v : std::fabs(v);
                    if (std::isnan(mag))
                      mag = INFINITY;
                    target.zerosBefore += v == 0;
                    target.magnitude.push_back(static_cast<float>(mag));
                  });
    target.zero.assign(count, false);
    targets.push_back(std::move(target));
  }
  for (auto [globs, option] :
       {std::pair{&*includes, "include"}, std::pair{&*excludes, "exclude"}})
    if (failed(checkWeightGlobsUsed(module.getLoc(), "loom-prune", option,
                                    *globs, "weight")))
      return signalPassFailure();

  // Choose the elements to zero.
  if (unstructured && scope == "global") {
    std::vector<float> all;
    std::vector<std::pair<unsigned, size_t>> where;
    for (auto [ti, t] : llvm::enumerate(targets))
      for (size_t i = 0; i < t.magnitude.size(); ++i) {
        all.push_back(t.magnitude[i]);
        where.push_back({unsigned(ti), i});
      }
    markSmallest(all,
                 static_cast<uint64_t>(std::llround(sparsity * all.size())),
                 [&](size_t i) {
                   targets[where[i].first].zero[where[i].second] = true;
                 });
  } else if (unstructured) {
    for (Target &t : targets)
      markSmallest(
          t.magnitude,
          static_cast<uint64_t>(std::llround(sparsity * t.magnitude.size())),
          [&](size_t i) { t.zero[i] = true; });
  } else {
    for (Target &t : targets) {
      ArrayRef<int64_t> shape = t.bytes.type.getShape();
      int64_t channels = shape[t.inAxis];
      if (channels % m != 0) {
        if (report)
          emitRemark(t.weight.getLoc())
              << "loom-prune: '" << t.weight.getSymName()
              << "' left as it is: " << channels
              << " input channels are no multiple of " << m;
        continue;
      }
      int64_t inner = 1, outer = 1;
      for (int64_t d = t.inAxis + 1; d < static_cast<int64_t>(shape.size());
           ++d)
        inner *= shape[d];
      for (int64_t d = 0; d < t.inAxis; ++d)
        outer *= shape[d];
      SmallVector<int64_t> group(m);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t in = 0; in < inner; ++in)
          for (int64_t c = 0; c < channels; c += m) {
            for (unsigned j = 0; j < m; ++j)
              group[j] = (o * channels + c + j) * inner + in;
            // The N largest stay (ties: the earlier stays).
            std::stable_sort(group.begin(), group.end(),
                             [&](int64_t a, int64_t b) {
                               return t.magnitude[a] > t.magnitude[b];
                             });
            for (unsigned j = n; j < m; ++j)
              t.zero[group[j]] = true;
          }
    }
  }

  // New values.
  for (Target &t : targets) {
    size_t eb = t.bytes.elemBytes;
    std::vector<char> bytes(t.bytes.bytes.begin(), t.bytes.bytes.end());
    uint64_t zeroed = 0, zerosAfter = 0;
    for (size_t i = 0; i < t.zero.size(); ++i) {
      if (t.zero[i]) {
        char *p = bytes.data() + i * eb;
        bool wasZero = t.magnitude[i] == 0;
        if (!wasZero || std::any_of(p, p + eb, [](char c) { return c; })) {
          // -0.0 becomes +0.0 too: zero bytes.
          zeroed += !wasZero;
          std::memset(p, 0, eb);
        }
      }
    }
    for (size_t i = 0; i < t.zero.size(); ++i)
      zerosAfter += t.zero[i] || t.magnitude[i] == 0;
    if (summary)
      summary->weights.push_back({t.weight.getSymName().str(), t.layer,
                                  t.bytes.count(), t.zerosBefore, zerosAfter});
    if (report)
      emitRemark(t.weight.getLoc())
          << "loom-prune: '" << t.weight.getSymName() << "' (" << t.layer
          << "): " << t.zerosBefore << " -> " << zerosAfter << " zeros of "
          << t.bytes.count();
    if (!zeroed &&
        std::memcmp(bytes.data(), t.bytes.bytes.data(), bytes.size()) == 0)
      continue; // nothing changed: the value stays, bit for bit
    ++numPruned;
    numZeroed += zeroed;
    AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        bytes, std::min<size_t>(eb, 8));
    t.weight.setValueAttr(DenseResourceElementsAttr::get(
        t.bytes.type, (t.weight.getSymName() + ".pruned").str(),
        std::move(blob)));
  }
}

std::unique_ptr<Pass> loom::createLoomPrune(const LoomPruneOptions &options,
                                            PruneSummary *summary) {
  return std::make_unique<LoomPrunePass>(options, summary);
}
