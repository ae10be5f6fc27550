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
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

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
  SmallVector<Operation *> ops;   // program order
  SmallVector<Value> roots;       // results read outside the group
  llvm::SetVector<Operation *> inputs; // weights the group reads
  llvm::SetVector<Operation *> dying;  // weights only the group reads
  int64_t added = 0, freed = 0;
};

struct FoldFrozenPass : loom::impl::LoomFoldFrozenBase<FoldFrozenPass> {
  using LoomFoldFrozenBase::LoomFoldFrozenBase;

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
    if (rewrite) {
      RewritePatternSet patterns(context);
      populateFoldIntoProducerPatterns(patterns);
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
      if (!isFrozenValue(op->getResult(0)) || !lowerable.canLower(op))
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
    llvm::MapVector<Operation *, Group> groups;
    for (Operation *op : foldable)
      groups[classes.getLeaderValue(op)].ops.push_back(op);

    // Readers of each weight, across the module.
    llvm::DenseMap<Operation *, SmallVector<Operation *>> readers;
    module.walk([&](WeightRefOp ref) {
      Operation *weight = symbols.lookup(ref.getNameAttr().getAttr());
      for (Operation *user : ref->getUsers())
        readers[weight].push_back(user);
    });

    SmallVector<Group *> accepted;
    int64_t totalAdded = 0, totalFreed = 0;
    unsigned refused = 0;
    for (auto &[leader, group] : groups) {
      llvm::SmallPtrSet<Operation *, 16> members(group.ops.begin(),
                                                 group.ops.end());
      for (Operation *op : group.ops) {
        for (Value result : op->getResults())
          if (llvm::any_of(result.getUsers(), [&](Operation *user) {
                return !members.contains(user);
              })) {
            group.roots.push_back(result);
            group.added += byteSize(cast<ShapedType>(result.getType()));
          }
        for (Value operand : op->getOperands())
          if (auto ref = operand.getDefiningOp<WeightRefOp>())
            group.inputs.insert(symbols.lookup(ref.getNameAttr().getAttr()));
      }
      for (Operation *weight : group.inputs) {
        if (!llvm::all_of(readers[weight], [&](Operation *reader) {
              return members.contains(reader);
            }))
          continue;
        group.dying.insert(weight);
        group.freed += byteSize(cast<WeightOp>(weight).getType());
      }
      if (group.roots.empty())
        continue;
      int64_t growth = group.added - group.freed;
      if (growth > maxGrowth) {
        ++refused;
        ++numRefused;
        if (report)
          emitRemark(group.roots.front().getLoc())
              << "loom-fold-frozen: not folded: " << group.ops.size()
              << " op(s) would add " << group.added << " bytes and free only "
              << group.freed << " (inputs read elsewhere stay alive); growth "
              << growth << " > max-growth " << int64_t(maxGrowth);
        continue;
      }
      accepted.push_back(&group);
      totalAdded += group.added;
      totalFreed += group.freed;
    }

    if (!accepted.empty() && failed(evaluate(module, symbols, accepted)))
      return signalPassFailure();

    unsigned folded = 0, weightsMade = 0;
    for (Group *group : accepted) {
      folded += group->ops.size();
      weightsMade += group->roots.size();
    }
    numFolded += folded;
    if (summary)
      emitRemark(module.getLoc())
          << "loom-fold-frozen: folded " << folded << " op(s) in "
          << accepted.size() << " group(s) into " << weightsMade
          << " weight(s): +" << totalAdded << " bytes, -" << totalFreed
          << " bytes (net " << (totalAdded - totalFreed) << "); " << refused
          << " group(s) refused by the size guard";
  }

  /// Compiles every accepted group into one function, runs it, and
  /// replaces each root by a new frozen weight.
  LogicalResult evaluate(ModuleOp module, SymbolTable &symbols,
                         ArrayRef<Group *> groups) {
    MLIRContext *context = module.getContext();
    OpBuilder builder(context);
    OwningOpRef<ModuleOp> evalModule = ModuleOp::create(module.getLoc());
    builder.setInsertionPointToEnd(evalModule->getBody());
    llvm::SetVector<Operation *> weights;
    for (Group *group : groups)
      for (Operation *op : group->ops)
        for (Value operand : op->getOperands())
          if (auto ref = operand.getDefiningOp<WeightRefOp>())
            weights.insert(symbols.lookup(ref.getNameAttr().getAttr()));
    for (Operation *weight : weights)
      builder.clone(*weight);
    SmallVector<Type> resultTypes;
    for (Group *group : groups)
      for (Value root : group->roots)
        resultTypes.push_back(root.getType());
    auto function = func::FuncOp::create(
        builder, module.getLoc(), "loom_fold",
        builder.getFunctionType({}, resultTypes));
    builder.setInsertionPointToEnd(function.addEntryBlock());
    IRMapping mapping;
    SmallVector<Value> results;
    for (Group *group : groups) {
      for (Operation *op : group->ops) {
        for (Value operand : op->getOperands())
          if (!mapping.contains(operand))
            mapping.map(operand,
                        builder.clone(*operand.getDefiningOp())->getResult(
                            cast<OpResult>(operand).getResultNumber()));
        builder.clone(*op, mapping);
      }
      for (Value root : group->roots)
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

    unsigned index = 0;
    for (Group *group : groups) {
      // Names of the weights this group frees, free for its results of the
      // same type to take.
      SmallVector<WeightOp> reusable;
      for (Operation *weight : group->dying)
        reusable.push_back(cast<WeightOp>(weight));
      bool anyParameter = llvm::any_of(group->inputs, [](Operation *w) {
        return cast<WeightOp>(w).getRole() == WeightRole::Parameter;
      });
      for (Value root : group->roots) {
        runtime::HostTensor &tensor = (*values)[index++];
        replaceRoot(module, symbols, root, tensor, reusable, group->inputs,
                    anyParameter, root == group->roots.back());
      }
      // The group's ops are dead now; erase them, users first.
      for (Operation *op : llvm::reverse(group->ops))
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
    module.walk([&](WeightRefOp ref) {
      read.insert(ref.getNameAttr().getAttr());
    });
    for (WeightOp weight :
         llvm::make_early_inc_range(module.getOps<WeightOp>()))
      if (!weight.getInputIndex() && !read.contains(weight.getSymNameAttr()))
        symbols.erase(weight);
    return success();
  }

  void replaceRoot(ModuleOp module, SymbolTable &symbols, Value root,
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
      name = (inputs.empty() ? std::string("fold")
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
    builder.setInsertionPointAfterValue(root);
    auto ref = WeightRefOp::create(
        builder, root.getLoc(), type,
        FlatSymbolRefAttr::get(weight.getSymNameAttr()));
    root.replaceAllUsesWith(ref);
  }
};

} // namespace
