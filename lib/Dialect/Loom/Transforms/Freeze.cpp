//===- Freeze.cpp - mark parameters frozen --------------------------------===//
//
// `loom-freeze`: the way PyTorch users freeze (by name, everything before a
// layer, all, all but some), stated on the IR as the `frozen` flag of
// `loom.weight`, which `loom-fold-frozen` reads. Buffers follow the layer
// that reads them.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"
#include "loom/Dialect/Loom/Utils/WeightGlobs.h"

#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"

namespace loom {
#define GEN_PASS_DEF_LOOMFREEZE
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {

uint64_t byteSize(WeightOp weight) {
  ShapedType type = weight.getType();
  if (!type.hasStaticShape())
    return 0;
  return (uint64_t(type.getNumElements()) *
              type.getElementType().getIntOrFloatBitWidth() +
          7) /
         8;
}

/// Who reads which weight: the ops that use a weight_ref's result, each
/// with its position in program order.
struct Readers {
  llvm::DenseMap<Operation *, unsigned> position;
  llvm::DenseMap<Operation *, llvm::SetVector<Operation *>> ofWeight;
  llvm::DenseMap<Operation *, llvm::SetVector<Operation *>> weightsOf;

  Readers(ModuleOp module, SymbolTable &symbols) {
    unsigned next = 0;
    module.walk<WalkOrder::PreOrder>([&](Operation *op) {
      position[op] = next++;
      auto ref = dyn_cast<WeightRefOp>(op);
      if (!ref)
        return;
      Operation *weight = symbols.lookup(ref.getNameAttr().getAttr());
      if (!weight)
        return;
      for (Operation *user : ref->getUsers()) {
        ofWeight[weight].insert(user);
        weightsOf[user].insert(weight);
      }
    });
  }
};

struct FreezePass : loom::impl::LoomFreezeBase<FreezePass> {
  using LoomFreezeBase::LoomFreezeBase;
  uint64_t frozenNow = 0, thawedNow = 0;

  void runOnOperation() override {
    frozenNow = thawedNow = 0;
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<WeightOp> weights(module.getOps<WeightOp>());
    FailureOr<std::vector<WeightGlob>> freezeGlobs =
        compile(patterns, "patterns");
    FailureOr<std::vector<WeightGlob>> unfreezeGlobs =
        compile(unfreeze, "unfreeze");
    if (failed(freezeGlobs) || failed(unfreezeGlobs))
      return signalPassFailure();
    Readers readers(module, symbols);

    // What this run freezes, before buffers follow and `unfreeze` applies.
    llvm::SetVector<Operation *> freeze;
    for (WeightOp weight : weights)
      if (all || matchAny(weight, *freezeGlobs))
        freeze.insert(weight);
    if (!until.empty()) {
      FailureOr<unsigned> boundary = layerStart(weights, readers);
      if (failed(boundary))
        return signalPassFailure();
      for (auto &[reader, read] : readers.weightsOf)
        if (readers.position.lookup(reader) < *boundary)
          freeze.insert(read.begin(), read.end());
    }
    if (failed(checkUsed(*freezeGlobs, "patterns")))
      return signalPassFailure();

    llvm::SetVector<Operation *> thaw;
    for (WeightOp weight : weights)
      if (matchAny(weight, *unfreezeGlobs))
        thaw.insert(weight);
    if (failed(checkUsed(*unfreezeGlobs, "unfreeze")))
      return signalPassFailure();

    // Parameters first; then each buffer read alongside parameters follows
    // them (only ever in the direction this run moved them).
    for (WeightOp weight : weights) {
      if (weight.getRole() != WeightRole::Parameter || weight.getInputIndex())
        continue;
      if (thaw.contains(weight))
        setFrozen(weight, false);
      else if (freeze.contains(weight))
        setFrozen(weight, true);
    }
    for (WeightOp weight : weights) {
      if (weight.getRole() != WeightRole::Buffer || weight.getInputIndex())
        continue;
      SmallVector<WeightOp> layer;
      for (Operation *reader : readers.ofWeight.lookup(weight))
        for (Operation *read : readers.weightsOf.lookup(reader)) {
          auto other = cast<WeightOp>(read);
          if (other.getRole() == WeightRole::Parameter)
            layer.push_back(other);
        }
      if (layer.empty()) {
        if (thaw.contains(weight))
          setFrozen(weight, false);
        else if (freeze.contains(weight))
          setFrozen(weight, true);
        continue;
      }
      bool layerFrozen =
          llvm::all_of(layer, [](WeightOp p) { return p.getFrozen(); });
      bool layerThawed =
          llvm::any_of(layer, [&](WeightOp p) { return thaw.contains(p); });
      if (layerThawed)
        setFrozen(weight, false);
      else if (layerFrozen && llvm::any_of(layer, [&](WeightOp p) {
                 return freeze.contains(p);
               }))
        setFrozen(weight, true);
    }

    if (summary)
      report(module, weights);
  }

  FailureOr<std::vector<WeightGlob>> compile(ArrayRef<std::string> texts,
                                             StringRef option) {
    return compileWeightGlobs(texts, [&](StringRef text, StringRef reason) {
      emitError(getOperation().getLoc())
          << "loom-freeze: bad " << option << " glob '" << text
          << "': " << reason;
    });
  }

  static bool matchAny(WeightOp weight, std::vector<WeightGlob> &globs) {
    return matchAnyWeightGlob(weight, globs);
  }

  LogicalResult checkUsed(const std::vector<WeightGlob> &globs,
                          StringRef option) {
    return checkWeightGlobsUsed(getOperation().getLoc(), "loom-freeze", option,
                                globs, "weight");
  }

  /// The position of the first op that reads a weight of layer `until`.
  FailureOr<unsigned> layerStart(ArrayRef<WeightOp> weights, Readers &readers) {
    std::string prefix = until + ".";
    std::optional<unsigned> first;
    bool named = false;
    for (WeightOp weight : weights) {
      bool inLayer = llvm::any_of(getWeightNames(weight), [&](StringRef name) {
        return name == until || name.starts_with(prefix);
      });
      if (!inLayer)
        continue;
      named = true;
      for (Operation *reader : readers.ofWeight.lookup(weight)) {
        unsigned position = readers.position.lookup(reader);
        if (!first || position < *first)
          first = position;
      }
    }
    if (!named || !first)
      return emitError(getOperation().getLoc())
             << "loom-freeze: no weight read by the model belongs to layer '"
             << until << "' (expected weights named '" << until << "' or '"
             << prefix << "*')";
    return *first;
  }

  void setFrozen(WeightOp weight, bool frozen) {
    if (weight.getFrozen() == frozen)
      return;
    weight.setFrozen(frozen);
    ++(frozen ? frozenNow : thawedNow);
    ++(frozen ? numFrozen : numUnfrozen);
    if (verbose)
      emitRemark(weight.getLoc())
          << "loom-freeze: " << (frozen ? "froze" : "unfroze") << " @"
          << weight.getSymName();
  }

  void report(ModuleOp module, ArrayRef<WeightOp> weights) {
    uint64_t frozenParams = 0, frozenParamBytes = 0, trainable = 0,
             trainableBytes = 0, frozenBuffers = 0, buffers = 0;
    for (WeightOp weight : weights) {
      if (weight.getRole() == WeightRole::Parameter) {
        (weight.getFrozen() ? frozenParams : trainable) += 1;
        (weight.getFrozen() ? frozenParamBytes : trainableBytes) +=
            byteSize(weight);
      } else if (weight.getRole() == WeightRole::Buffer) {
        ++buffers;
        frozenBuffers += weight.getFrozen();
      }
    }
    emitRemark(module.getLoc())
        << "loom-freeze: " << frozenNow << " weight(s) frozen, " << thawedNow
        << " made trainable; now " << frozenParams << " frozen parameter(s) ("
        << frozenParamBytes << " bytes), " << trainable
        << " trainable parameter(s) (" << trainableBytes << " bytes), "
        << frozenBuffers << " of " << buffers << " buffer(s) frozen";
  }
};

} // namespace
