//===- ShareWeights.cpp - tying across models -----------------------------===//
//
// One WeightMatcher over every model's weights (the model is the group);
// pairs within a model are refused (that is --loom-tie-weights' job). A view
// pair gets the master's value copied into the duplicate's model (the same
// attribute: no bytes are copied) and the duplicate tied to it there.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/Transforms/ShareWeights.h"
#include "TieWeights.h"

#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"

using namespace mlir;
using namespace loom;

namespace {

class FleetMatcher : public WeightMatcher {
public:
  FleetMatcher(MatchOptions options, ShareWeightsResult &result)
      : WeightMatcher(std::move(options)), result(result) {}

  struct Tie {
    WeightOp dup, master;
    WeightView view;
  };
  /// Per model, the view ties to make in it.
  llvm::MapVector<unsigned, std::vector<Tie>> ties;

protected:
  bool onMatch(unsigned dup, unsigned master, const WeightView &view) override {
    MatchEntry &d = entries[dup], &m = entries[master];
    if (d.group == m.group)
      return false;
    ShareWeightsResult::Model &model = result.models[d.group];
    if (view.mode == TieMode::Exact) {
      ++model.exact; // equal bytes: stored once at export, nothing to rewrite
      return true;
    }
    ++model.views[static_cast<int>(view.mode)];
    model.viewBytes += d.bytes.size();
    ties[d.group].push_back({d.op, m.op, view});
    return true;
  }

private:
  ShareWeightsResult &result;
};

} // namespace

ShareWeightsResult
loom::shareWeightsAcrossModels(ArrayRef<ModuleOp> models,
                               const ShareWeightsOptions &options) {
  ShareWeightsResult result;
  result.models.resize(models.size());
  if (models.size() < 2)
    return result;
  MatchOptions match;
  match.modes = options.modes;
  if (match.modes.empty())
    match.modes = {TieMode::Exact, TieMode::Cast, TieMode::Transpose,
                   TieMode::Scale, TieMode::Slice};
  // Partial ties rewrite the duplicate's own value: not across models.
  llvm::erase(match.modes, TieMode::Partial);
  match.minBytes = options.minBytes;
  FleetMatcher matcher(match, result);
  for (auto [i, m] : llvm::enumerate(models)) {
    ModuleOp module = m;
    for (WeightOp weight : module.getOps<WeightOp>())
      matcher.addWeight(weight, i);
  }
  ModuleOp first = models.front();
  matcher.match(first.getContext());

  for (auto &[group, ties] : matcher.ties) {
    ModuleOp module = models[group];
    OpBuilder builder(module.getBodyRegion());
    SymbolTable symbols(module);
    // The master's value, once per model, under a name of its own there.
    llvm::DenseMap<Operation *, WeightOp> copies;
    for (FleetMatcher::Tie &tie : ties) {
      WeightOp &copy = copies[tie.master];
      if (copy)
        continue;
      copy = cast<WeightOp>(builder.clone(*tie.master));
      // Its other names and its input slot belong to the other model.
      copy.removeAliasesAttr();
      copy.removeCopiesAttr();
      copy.removeInputIndexAttr();
      copy.setFrozen(true);
      std::string name = (tie.master.getSymName() + ".shared").str();
      copy.setSymName(name);
      symbols.insert(copy); // renamed when the name is taken
    }
    tie::Tier tier(module, tie::TieOptions());
    for (FleetMatcher::Tie &t : ties)
      tier.tieKnown(t.dup, copies[t.master], t.view);
  }
  return result;
}
