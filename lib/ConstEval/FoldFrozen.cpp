//===- FoldFrozen.cpp - evaluate what depends only on frozen data ---------===//
//
// `loom-fold-frozen`, the way IREE's const-eval works: the foldable ops of
// the whole module are cloned into one function, compiled once by the CPU
// back end (lib/Runtime) and run once; each result becomes a frozen weight
// with its data in a blob resource. Groups of foldable ops that share
// inputs are decided together by a size guard that counts which inputs die
// and which stay alive (read by other ops), so folding never grows the
// model beyond `max-growth` bytes.
//
//===----------------------------------------------------------------------===//

#include "loom/ConstEval/Passes.h"

#include "loom/Conversion/LoomToLinalg/LoomToLinalg.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"
#include "loom/Pipelines/Pipelines.h"
#include "loom/Runtime/Evaluator.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/xxhash.h"

namespace loom {
#define GEN_PASS_DEF_LOOMFOLDFROZEN
#include "loom/ConstEval/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {

int64_t byteSize(ShapedType type) {
  if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return 0;
  return (type.getNumElements() *
              int64_t(type.getElementType().getIntOrFloatBitWidth()) +
          7) /
         8;
}

/// Weights this small (scalars, shape vectors) do not join the groups of
/// the ops that read them: one shared `2.0` must not tie every layer's fold
/// to every other's.
constexpr int64_t kJoiningBytes = 256;

/// Whether the CPU back end can compile `op` alone: a trial lowering of a
/// copy, with diagnostics swallowed, cached by op name, attributes and
/// operand types.
class LowerabilityCache {
public:
  explicit LowerabilityCache(MLIRContext *context) : target(*context) {
    addLoomToLinalgLegalDialects(target);
    RewritePatternSet set(context);
    populateLoomToLinalgPatterns(set);
    patterns = FrozenRewritePatternSet(std::move(set));
  }

  bool canLower(Operation *op) {
    std::string key;
    {
      llvm::raw_string_ostream os(key);
      os << op->getName() << op->getAttrDictionary()
         << op->getPropertiesAsAttribute();
      for (Type type : op->getOperandTypes())
        os << ";" << type;
      for (Value operand : op->getOperands())
        // Lowerings read constant operands (shapes, axes): their values
        // decide.
        if (auto constant = operand.getDefiningOp<ConstantOp>())
          os << ";" << constant.getValue();
    }
    auto [it, inserted] = cache.try_emplace(key, false);
    if (inserted)
      it->second = tryLower(op);
    return it->second;
  }

private:
  bool tryLower(Operation *op) {
    MLIRContext *context = op->getContext();
    OpBuilder builder(context);
    OwningOpRef<ModuleOp> module = ModuleOp::create(op->getLoc());
    builder.setInsertionPointToEnd(module->getBody());
    // Operands become arguments, except constants, whose values lowerings
    // read.
    SmallVector<Type> argTypes;
    for (Value operand : op->getOperands())
      if (!operand.getDefiningOp<ConstantOp>() &&
          !operand.getDefiningOp<NoneOp>())
        argTypes.push_back(operand.getType());
    auto function = func::FuncOp::create(
        builder, op->getLoc(), "trial",
        builder.getFunctionType(argTypes, op->getResultTypes()));
    Block *entry = function.addEntryBlock();
    builder.setInsertionPointToEnd(entry);
    IRMapping mapping;
    unsigned next = 0;
    for (Value operand : op->getOperands()) {
      Operation *def = operand.getDefiningOp();
      if (def && isa<ConstantOp, NoneOp>(def))
        mapping.map(operand, builder.clone(*def)->getResult(0));
      else
        mapping.map(operand, entry->getArgument(next++));
    }
    Operation *copy = builder.clone(*op, mapping);
    func::ReturnOp::create(builder, op->getLoc(), copy->getResults());
    ScopedDiagnosticHandler quiet(context,
                                  [](Diagnostic &) { return success(); });
    return succeeded(applyPartialConversion(*module, target, patterns));
  }

  ConversionTarget target;
  FrozenRewritePatternSet patterns;
  llvm::StringMap<bool> cache;
};

/// One group of foldable ops that share inputs: folded or refused
/// together.
struct Group {
  SmallVector<Operation *> ops;           // program order
  SmallVector<Value> roots;               // results read outside the group
  llvm::SetVector<Operation *> inputs;    // weights the group reads
  llvm::SetVector<Operation *> constants; // loom.constants it reads
  /// Bytes freed if only this group were folded: its inputs (weights and
  /// the model's constants) that no op outside all foldable ops reads.
  int64_t freedAlone = 0;
};

struct FoldFrozenPass : loom::impl::LoomFoldFrozenBase<FoldFrozenPass> {
  using LoomFoldFrozenBase::LoomFoldFrozenBase;
  FoldFrozenSummary *out = nullptr;

  /// Everything the evaluator's pipeline creates, loaded before the pass
  /// runs (no dialect may load while passes run in parallel).
  void getDependentDialects(DialectRegistry &registry) const override {
    LoomFoldFrozenBase::getDependentDialects(registry);
    OpPassManager pm(ModuleOp::getOperationName());
    buildLoomCPUPipeline(pm, LoomCPUPipelineOptions());
    pm.getDependentDialects(registry);
    registerBuiltinDialectTranslation(registry);
    registerLLVMDialectTranslation(registry);
    registerOpenMPDialectTranslation(registry);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    // Shape chains first (then canonicalization drops identities).
    auto run = [&](OpPassManager &pm) { return runPipeline(pm, module); };
    OpPassManager cleanup(ModuleOp::getOperationName());
    cleanup.addPass(createCanonicalizerPass());
    if (failed(settleShapes(module, run)) || failed(run(cleanup)))
      return signalPassFailure();
    // Constants the rewrites add (epsilon, reshape shapes) are not the
    // model's: freeing them saves nothing.
    llvm::DenseSet<Operation *> modelConstants;
    module.walk([&](ConstantOp op) { modelConstants.insert(op); });
    if (rewrite) {
      RewritePatternSet patterns(context);
      populateFoldIntoProducerPatterns(patterns);
      populateCollapseViewPatterns(patterns);
      if (failed(applyPatternsGreedily(module, std::move(patterns))))
        return signalPassFailure();
    }
    SymbolTable symbols(module);
    LowerabilityCache lowerable(context);

    // Foldable ops, in program order.
    llvm::SetVector<Operation *> foldable;
    module.walk([&](Operation *op) {
      if (isa<WeightRefOp, ConstantOp, NoneOp>(op) ||
          !isa<LoomDialect>(op->getDialect()) || op->getNumResults() == 0)
        return;
      if (!llvm::all_of(op->getResults(), [](Value v) {
            auto type = dyn_cast<RankedTensorType>(v.getType());
            return type && type.hasStaticShape();
          }))
        return;
      if (!llvm::all_of(op->getOperands(), [&](Value operand) {
            Operation *def = operand.getDefiningOp();
            return def && (foldable.contains(def) ||
                           (isa<WeightRefOp, ConstantOp, NoneOp>(def) &&
                            isFrozenValue(operand)));
          }))
        return;
      // Operands are frozen (checked above): only the op itself may rule
      // it out (the generic op, regions, what the back end cannot lower).
      if (isa<OnnxOp>(op) || op->getNumRegions() != 0 ||
          !lowerable.canLower(op))
        return;
      foldable.insert(op);
    });

    // Groups: ops joined through the values between them and through the
    // weights they read. Constants and small weights do not join groups
    // (every group may have its own copy).
    llvm::EquivalenceClasses<Operation *> classes;
    llvm::DenseMap<Operation *, Operation *> weightOwner;
    for (Operation *op : foldable) {
      classes.insert(op);
      for (Value operand : op->getOperands()) {
        Operation *def = operand.getDefiningOp();
        if (foldable.contains(def)) {
          classes.unionSets(op, def);
        } else if (auto ref = dyn_cast<WeightRefOp>(def)) {
          Operation *weight = symbols.lookup(ref.getNameAttr().getAttr());
          if (byteSize(cast<WeightOp>(weight).getType()) <= kJoiningBytes)
            continue;
          auto [it, inserted] = weightOwner.try_emplace(weight, op);
          if (!inserted)
            classes.unionSets(op, it->second);
        }
      }
    }
    llvm::MapVector<Operation *, Group> byLeader;
    for (Operation *op : foldable)
      byLeader[classes.getLeaderValue(op)].ops.push_back(op);

    // Readers of each weight, across the module.
    llvm::DenseMap<Operation *, SmallVector<Operation *>> readers;
    module.walk([&](WeightRefOp ref) {
      Operation *weight = symbols.lookup(ref.getNameAttr().getAttr());
      for (Operation *user : ref->getUsers())
        readers[weight].push_back(user);
    });

    std::vector<Group> groups;
    for (auto &[leader, group] : byLeader) {
      llvm::SmallPtrSet<Operation *, 16> members(group.ops.begin(),
                                                 group.ops.end());
      for (Operation *op : group.ops) {
        for (Value result : op->getResults())
          if (llvm::any_of(result.getUsers(), [&](Operation *user) {
                return !members.contains(user);
              }))
            group.roots.push_back(result);
        for (Value operand : op->getOperands()) {
          if (auto ref = operand.getDefiningOp<WeightRefOp>())
            group.inputs.insert(symbols.lookup(ref.getNameAttr().getAttr()));
          else if (auto constant = operand.getDefiningOp<ConstantOp>();
                   constant && modelConstants.contains(constant))
            group.constants.insert(constant);
        }
      }
      if (group.roots.empty())
        continue;
      auto readOnlyByFoldable = [&](auto &&users) {
        return llvm::all_of(users, [&](Operation *reader) {
          return foldable.contains(reader);
        });
      };
      for (Operation *weight : group.inputs)
        if (readOnlyByFoldable(readers[weight]))
          group.freedAlone += byteSize(cast<WeightOp>(weight).getType());
      for (Operation *constant : group.constants)
        if (readOnlyByFoldable(constant->getUsers()))
          group.freedAlone +=
              byteSize(cast<ShapedType>(constant->getResultTypes()[0]));
      groups.push_back(std::move(group));
    }
    // Before anything is computed: a group that would grow the model even
    // if all its results were one tensor (the largest) is refused here, so
    // that an Expand of a scalar to a terabyte is never evaluated.
    unsigned refusedEarly = 0;
    {
      std::vector<Group> kept;
      for (Group &group : groups) {
        int64_t largest = 0, freed = group.freedAlone;
        for (Value root : group.roots)
          largest =
              std::max(largest, byteSize(cast<ShapedType>(root.getType())));
        if (largest - freed <= maxGrowth) {
          kept.push_back(std::move(group));
          continue;
        }
        ++refusedEarly;
        ++numRefused;
        if (report)
          emitRemark(group.roots.front().getLoc())
              << "loom-fold-frozen: not folded: " << group.ops.size()
              << " op(s) would add at least " << largest
              << " bytes and free at most " << freed << "; growth > max-growth "
              << int64_t(maxGrowth) << " (not evaluated)";
      }
      groups = std::move(kept);
    }
    if (groups.empty())
      return finish(module, {0, 0, 0, refusedEarly, 0, 0}, 0, 0, refusedEarly);

    // Every candidate is evaluated (one compiled function), so that the
    // guard counts equal results once.
    FailureOr<std::vector<runtime::HostTensor>> values =
        evaluate(module, symbols, groups);
    if (failed(values))
      return signalPassFailure();
    std::vector<uint64_t> hashes;
    for (const runtime::HostTensor &value : *values)
      hashes.push_back(llvm::xxh3_64bits(
          ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(value.data()),
                            value.getByteSize())));
    auto rootKey = [&](unsigned index, Value root) {
      std::string key;
      llvm::raw_string_ostream os(key);
      os << root.getType() << ":" << hashes[index];
      return key;
    };

    // The guard. First, alone: a group whose inputs stay alive because ops
    // that are not folded read them (a transposed copy of a tied embedding)
    // may not grow the model. Then, all together: the unique bytes after
    // folding every accepted group (equal results counted once, a weight
    // freed when all its readers are folded) may not grow by more than
    // max-growth; the worst groups go first until they do not.
    std::vector<bool> accepted(groups.size(), true);
    std::vector<int64_t> alone(groups.size(), 0), addedAlone(groups.size(), 0);
    unsigned refused = refusedEarly;
    auto refuse = [&](size_t g, int64_t added, int64_t freed, StringRef why) {
      accepted[g] = false;
      ++refused;
      ++numRefused;
      if (report)
        emitRemark(groups[g].roots.front().getLoc())
            << "loom-fold-frozen: not folded: " << groups[g].ops.size()
            << " op(s) would add " << added << " bytes and free only " << freed
            << " (" << why << "); growth " << (added - freed)
            << " > max-growth " << int64_t(maxGrowth);
    };
    {
      unsigned index = 0;
      for (auto [g, group] : llvm::enumerate(groups)) {
        llvm::StringSet<> seen;
        int64_t added = 0, freed = group.freedAlone;
        for (Value root : group.roots)
          if (seen.insert(rootKey(index++, root)).second)
            added += byteSize(cast<ShapedType>(root.getType()));
        alone[g] = added - freed;
        addedAlone[g] = added;
        if (alone[g] > maxGrowth)
          refuse(g, added, freed, "inputs read by ops that stay alive");
      }
    }
    int64_t totalAdded = 0, totalFreed = 0;
    while (true) {
      llvm::DenseSet<Operation *> folded;
      llvm::SetVector<Operation *> inputs, constants;
      llvm::StringSet<> seen;
      totalAdded = totalFreed = 0;
      unsigned index = 0;
      for (auto [g, group] : llvm::enumerate(groups)) {
        for (Value root : group.roots) {
          std::string key = rootKey(index++, root);
          if (accepted[g] && seen.insert(key).second)
            totalAdded += byteSize(cast<ShapedType>(root.getType()));
        }
        if (!accepted[g])
          continue;
        folded.insert(group.ops.begin(), group.ops.end());
        inputs.insert(group.inputs.begin(), group.inputs.end());
        constants.insert(group.constants.begin(), group.constants.end());
      }
      for (Operation *constant : constants)
        if (llvm::all_of(constant->getUsers(), [&](Operation *reader) {
              return folded.contains(reader);
            }))
          totalFreed +=
              byteSize(cast<ShapedType>(constant->getResultTypes()[0]));
      for (Operation *weight : inputs)
        if (llvm::all_of(readers[weight], [&](Operation *reader) {
              return folded.contains(reader);
            }))
          totalFreed += byteSize(cast<WeightOp>(weight).getType());
      if (totalAdded - totalFreed <= maxGrowth)
        break;
      std::optional<size_t> worst;
      for (size_t g = 0; g < groups.size(); ++g)
        if (accepted[g] && (!worst || alone[g] > alone[*worst]))
          worst = g;
      if (!worst)
        break;
      refuse(*worst, totalAdded, totalFreed, "the model as a whole would grow");
    }

    if (report)
      for (auto [g, group] : llvm::enumerate(groups))
        if (accepted[g])
          emitRemark(group.roots.front().getLoc())
              << "loom-fold-frozen: folded " << group.ops.size()
              << " op(s) into " << group.roots.size() << " weight(s): +"
              << addedAlone[g] << " bytes, -" << group.freedAlone << " bytes";
    materialize(module, symbols, groups, accepted, *values, hashes);
    uint64_t foldedOps = 0, made = 0, taken = 0;
    for (auto [g, group] : llvm::enumerate(groups))
      if (accepted[g]) {
        ++taken;
        foldedOps += group.ops.size();
        made += group.roots.size();
      }
    numFolded += foldedOps;
    finish(module, {foldedOps, taken, made, refused, totalAdded, totalFreed},
           totalAdded, totalFreed, refused);
  }

  void finish(ModuleOp module, FoldFrozenSummary result, int64_t added,
              int64_t freed, unsigned refused) {
    if (out)
      *out = result;
    if (summary)
      emitRemark(module.getLoc())
          << "loom-fold-frozen: folded " << result.foldedOps << " op(s) in "
          << result.groups << " group(s) into " << result.newWeights
          << " weight(s): +" << added << " bytes, -" << freed << " bytes (net "
          << (added - freed) << "); " << refused
          << " group(s) refused by the size guard";
  }

  /// Compiles every group into one function and runs it: the roots'
  /// values, in order.
  FailureOr<std::vector<runtime::HostTensor>>
  evaluate(ModuleOp module, SymbolTable &symbols, ArrayRef<Group> groups) {
    MLIRContext *context = module.getContext();
    OpBuilder builder(context);
    OwningOpRef<ModuleOp> evalModule = ModuleOp::create(module.getLoc());
    builder.setInsertionPointToEnd(evalModule->getBody());
    llvm::SetVector<Operation *> weights;
    for (const Group &group : groups)
      for (Operation *op : group.ops)
        for (Value operand : op->getOperands())
          if (auto ref = operand.getDefiningOp<WeightRefOp>())
            weights.insert(symbols.lookup(ref.getNameAttr().getAttr()));
    for (Operation *weight : weights)
      builder.clone(*weight);
    SmallVector<Type> resultTypes;
    for (const Group &group : groups)
      for (Value root : group.roots)
        resultTypes.push_back(root.getType());
    auto function =
        func::FuncOp::create(builder, module.getLoc(), "loom_fold",
                             builder.getFunctionType({}, resultTypes));
    builder.setInsertionPointToEnd(function.addEntryBlock());
    IRMapping mapping;
    SmallVector<Value> results;
    for (const Group &group : groups) {
      for (Operation *op : group.ops) {
        for (Value operand : op->getOperands())
          if (!mapping.contains(operand))
            mapping.map(
                operand,
                builder.clone(*operand.getDefiningOp())
                    ->getResult(cast<OpResult>(operand).getResultNumber()));
        builder.clone(*op, mapping);
      }
      for (Value root : group.roots)
        results.push_back(mapping.lookup(root));
    }
    func::ReturnOp::create(builder, module.getLoc(), results);

    runtime::CompileOptions options;
    llvm::Expected<std::unique_ptr<runtime::CompiledFunction>> compiled =
        runtime::CompiledFunction::compile(*evalModule, "loom_fold", options);
    if (!compiled)
      return emitError(module.getLoc())
             << "loom-fold-frozen: the folded ops could not be compiled: "
             << llvm::toString(compiled.takeError());
    llvm::Expected<std::vector<runtime::HostTensor>> values =
        (*compiled)->run({});
    if (!values)
      return emitError(module.getLoc())
             << "loom-fold-frozen: evaluating the folded ops failed: "
             << llvm::toString(values.takeError());
    return std::move(*values);
  }

  /// Replaces each accepted group's roots by frozen weights (equal values
  /// share one) and erases what is left unread.
  void materialize(ModuleOp module, SymbolTable &symbols,
                   std::vector<Group> &groups,
                   const std::vector<bool> &accepted,
                   std::vector<runtime::HostTensor> &values,
                   ArrayRef<uint64_t> hashes) {
    llvm::DenseMap<uint64_t, SmallVector<std::pair<WeightOp, unsigned>>> made;
    unsigned index = 0;
    for (auto [g, group] : llvm::enumerate(groups)) {
      if (!accepted[g]) {
        index += group.roots.size();
        continue;
      }
      // Weights only this group read: their names are free for its
      // results to take.
      SmallVector<WeightOp> reusable;
      llvm::SmallPtrSet<Operation *, 16> members(group.ops.begin(),
                                                 group.ops.end());
      for (Operation *weight : group.inputs)
        if (llvm::all_of(SymbolTable::getSymbolUses(weight, module)
                             .value_or(SymbolTable::UseRange({})),
                         [&](const SymbolTable::SymbolUse &use) {
                           return llvm::all_of(use.getUser()->getUsers(),
                                               [&](Operation *reader) {
                                                 return members.contains(
                                                     reader);
                                               });
                         }))
          reusable.push_back(cast<WeightOp>(weight));
      bool anyParameter = llvm::any_of(group.inputs, [](Operation *w) {
        return cast<WeightOp>(w).getRole() == WeightRole::Parameter;
      });
      for (Value root : group.roots) {
        unsigned i = index++;
        runtime::HostTensor &tensor = values[i];
        WeightOp weight;
        for (auto &[existing, j] : made[hashes[i]])
          if (existing.getType() == root.getType() &&
              values[j].getByteSize() == tensor.getByteSize() &&
              std::memcmp(values[j].data(), tensor.data(),
                          tensor.getByteSize()) == 0)
            weight = existing;
        if (!weight) {
          weight = createWeight(module, symbols, root, tensor, reusable,
                                group.inputs, anyParameter,
                                root == group.roots.back());
          made[hashes[i]].push_back({weight, i});
        }
        OpBuilder builder(root.getContext());
        builder.setInsertionPointAfterValue(root);
        auto ref = WeightRefOp::create(
            builder, root.getLoc(), root.getType(),
            FlatSymbolRefAttr::get(weight.getSymNameAttr()));
        root.replaceAllUsesWith(ref);
      }
      // The group's ops are dead now; erase them, users first.
      for (Operation *op : llvm::reverse(group.ops))
        if (op->use_empty())
          op->erase();
    }
    // Leaves left without users (weight reads, constants), then weights
    // left without reads.
    module.walk([](Operation *op) {
      if (isa<WeightRefOp, ConstantOp, NoneOp>(op) && op->use_empty())
        op->erase();
    });
    llvm::DenseSet<StringAttr> read;
    module.walk(
        [&](WeightRefOp ref) { read.insert(ref.getNameAttr().getAttr()); });
    for (WeightOp weight :
         llvm::make_early_inc_range(module.getOps<WeightOp>()))
      if (!weight.getInputIndex() && !read.contains(weight.getSymNameAttr()))
        symbols.erase(weight);
  }

  /// A new frozen weight holding `tensor`, the value of `root`.
  WeightOp createWeight(ModuleOp module, SymbolTable &symbols, Value root,
                        runtime::HostTensor &tensor,
                        SmallVector<WeightOp> &reusable,
                        const llvm::SetVector<Operation *> &inputs,
                        bool anyParameter, bool lastRoot) {
    MLIRContext *context = module.getContext();
    auto type = cast<RankedTensorType>(root.getType());
    // The name: a freed weight's (BatchNorm folding keeps `conv1.weight`),
    // else the first input's name + ".folded".
    std::string name;
    ArrayAttr aliases;
    // Among freed weights of the type, a vector takes a `.bias` name, a
    // tensor a `.weight` name, before any other (a BatchNorm's running
    // variance must not name the Conv's new bias).
    StringRef preferred = type.getRank() == 1 ? ".bias" : ".weight";
    auto same = llvm::find_if(reusable, [&](WeightOp w) {
      return w.getType() == type && w.getSymName().ends_with(preferred);
    });
    if (same == reusable.end())
      same = llvm::find_if(reusable,
                           [&](WeightOp w) { return w.getType() == type; });
    // The last result of a group may take any freed name (a transposed
    // weight keeps its name).
    if (same == reusable.end() && lastRoot && !reusable.empty())
      same = reusable.begin();
    if (same != reusable.end()) {
      name = same->getSymName().str();
      aliases = same->getAliasesAttr();
      // Renamed out of the way (its reads follow); it dies once they are
      // gone.
      if (failed(symbols.renameToUnique(*same, {})))
        name.clear();
      reusable.erase(same);
    }
    if (name.empty()) {
      name =
          (inputs.empty() ? std::string("fold")
                          : cast<WeightOp>(inputs.front()).getSymName().str()) +
          ".folded";
    }
    ArrayRef<char> bytes(tensor.data(), tensor.getByteSize());
    AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        bytes, std::max<size_t>(runtime::getByteSize(tensor.getDType()), 1));
    auto value = DenseResourceElementsAttr::get(type, name, std::move(blob));
    // Created detached; the symbol table inserts it after the other
    // weights, uniquing its name.
    OpBuilder builder(context);
    auto weight = WeightOp::create(
        builder, root.getLoc(), builder.getStringAttr(name), value,
        WeightRoleAttr::get(context, anyParameter ? WeightRole::Parameter
                                                  : WeightRole::Constant),
        builder.getUnitAttr(), IntegerAttr(), aliases, ArrayAttr());
    Block::iterator at = module.getBody()->begin();
    while (at != module.getBody()->end() && isa<WeightOp>(*at))
      ++at;
    symbols.insert(weight, at);
    return weight;
  }
};

} // namespace

std::unique_ptr<Pass>
loom::createLoomFoldFrozen(const LoomFoldFrozenOptions &options,
                           FoldFrozenSummary *summary) {
  auto pass = std::make_unique<FoldFrozenPass>(options);
  pass->out = summary;
  return pass;
}
