//===- TieWeights.cpp - share duplicated weights --------------------------===//
//
// Implements `--loom-tie-weights`. Each mode buckets the module's weights by a
// fingerprint its transformation leaves unchanged, confirms candidates inside
// a bucket only, and rewrites the reads of a duplicate into a view of its
// master (transpose, multiply by a scalar, cast, slice), erasing the
// duplicate and recording its names as the master's aliases. Fingerprints
// are computed in parallel, one weight per task; every byte is read a bounded
// number of times per mode.
//
//===----------------------------------------------------------------------===//

#include "TieWeights.h"

#include "loom/Dialect/Loom/IR/WeightData.h"
#include "loom/Dialect/Loom/Transforms/Patterns.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Threading.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>
#include <cstring>

namespace loom {
#define GEN_PASS_DEF_LOOMTIEWEIGHTS
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;
using namespace loom::tie;

namespace {
struct LoomTieWeightsPass
    : public loom::impl::LoomTieWeightsBase<LoomTieWeightsPass> {
  using Base::Base;
  void runOnOperation() override;
};
} // namespace

//===----------------------------------------------------------------------===//
// The engine
//===----------------------------------------------------------------------===//

static MatchOptions matchOptionsOf(const TieOptions &options) {
  MatchOptions match;
  match.modes = options.modes;
  match.minBytes = options.minBytes;
  match.rtol = options.rtol;
  match.atol = options.atol;
  return match;
}

Tier::Tier(ModuleOp module, const TieOptions &options)
    : WeightMatcher(matchOptionsOf(options)), module(module),
      context(module.getContext()), report(options.report) {}

void Tier::collect() {
  entries.clear();
  refs.clear();
  for (WeightOp weight : module.getOps<WeightOp>())
    addWeight(weight);
  module.walk([&](WeightRefOp ref) { refs[ref.getName()].push_back(ref); });
}

void Tier::run() {
  collect();
  match(context);
  rewriteTransposedMatMuls();
}

void Tier::tieKnown(WeightOp dup, WeightOp master, const View &view) {
  if (entries.empty())
    collect();
  auto indexOf = [&](WeightOp op) -> std::optional<unsigned> {
    for (auto [i, e] : llvm::enumerate(entries))
      if (e.op == op)
        return i;
    return std::nullopt;
  };
  std::optional<unsigned> d = indexOf(dup), m = indexOf(master);
  assert(d && m && "tieKnown: weights of another module");
  tie(*d, *m, view);
  rewriteTransposedMatMuls();
}

void Tier::rewriteTransposedMatMuls() {
  // MatMuls of the new transposed views read the master through Gemm.
  if (transposedReads.empty())
    return;
  RewritePatternSet patterns(context);
  populateTransposedWeightMatMulToGemmPatterns(patterns);
  GreedyRewriteConfig config;
  config.setStrictness(GreedyRewriteStrictness::ExistingOps)
      .enableFolding(false)
      .enableConstantCSE(false);
  (void)applyOpPatternsGreedily(transposedReads, std::move(patterns), config);
  transposedReads.clear();
}

//===----------------------------------------------------------------------===//
// Rewriting
//===----------------------------------------------------------------------===//

Value Tier::buildView(OpBuilder &builder, Location loc, Value master,
                      const MatchEntry &dup, const View &view) {
  switch (view.mode) {
  case Mode::Exact:
  case Mode::Partial: // built by tiePartial
    return master;
  case Mode::Cast:
    return CastOp::create(builder, loc, dup.type, master);
  case Mode::Transpose:
    return TransposeOp::create(builder, loc, dup.type, master,
                               builder.getDenseI64ArrayAttr(view.perm));
  case Mode::Scale: {
    auto scalarType = RankedTensorType::get({}, dup.type.getElementType());
    auto c = ConstantOp::create(
        builder, loc,
        DenseElementsAttr::get(
            scalarType,
            builder.getFloatAttr(dup.type.getElementType(), view.scale)));
    return MulOp::create(builder, loc, dup.type, master, c);
  }
  case Mode::Slice: {
    auto i64 = RankedTensorType::get({1}, builder.getI64Type());
    auto constant = [&](int64_t v) {
      return ConstantOp::create(builder, loc,
                                DenseIntElementsAttr::get(i64, {v}));
    };
    return SliceOp::create(
        builder, loc, dup.type, master, constant(view.sliceStart),
        constant(view.sliceStart + dup.type.getDimSize(view.sliceAxis)),
        constant(view.sliceAxis), Value());
  }
  }
  llvm_unreachable("mode");
}

void Tier::tie(unsigned dupIndex, unsigned masterIndex, const View &view) {
  MatchEntry &dup = entries[dupIndex];
  MatchEntry &master = entries[masterIndex];
  WeightOp dupOp = dup.op, masterOp = master.op;
  StringRef dupName = dupOp.getSymName();
  if (report)
    emitRemark(dupOp.getLoc())
        << "tied '" << dupName << "' to '" << masterOp.getSymName() << "' ("
        << stringifyTieMode(view.mode)
        << (view.mode == Mode::Transpose
                ? ", perm [" +
                      llvm::join(llvm::map_range(view.perm,
                                                 [](int64_t p) {
                                                   return std::to_string(p);
                                                 }),
                                 ", ") +
                      "]"
                : std::string())
        << (view.mode == Mode::Scale ? ", c = " + std::to_string(view.scale)
                                     : std::string())
        << (view.mode == Mode::Slice
                ? ", axis " + std::to_string(view.sliceAxis) + " from " +
                      std::to_string(view.sliceStart)
                : std::string())
        << "): " << dup.bytes.size() << " bytes saved";

  OpBuilder builder(dupOp.getContext());
  auto masterRefAttr = FlatSymbolRefAttr::get(masterOp.getSymNameAttr());
  SmallVector<WeightRefOp> &masterRefs = refs[masterOp.getSymName()];
  for (WeightRefOp ref : refs[dupName]) {
    builder.setInsertionPoint(ref);
    auto masterRef =
        WeightRefOp::create(builder, ref.getLoc(), master.type, masterRefAttr);
    masterRefs.push_back(masterRef);
    Value replacement = buildView(builder, ref.getLoc(), masterRef, dup, view);
    ref.replaceAllUsesWith(replacement);
    ref.erase();
    if (view.mode == Mode::Transpose && view.perm.size() == 2)
      for (Operation *user : replacement.getUsers())
        if (isa<MatMulOp>(user))
          transposedReads.push_back(user);
  }
  refs.erase(dupName);

  // The master now also answers to the duplicate's names.
  SmallVector<Attribute> aliases;
  llvm::StringSet<> seen;
  seen.insert(masterOp.getSymName());
  auto add = [&](StringAttr name) {
    if (seen.insert(name.getValue()).second)
      aliases.push_back(name);
  };
  if (std::optional<ArrayAttr> old = masterOp.getAliases())
    for (StringAttr a : old->getAsRange<StringAttr>())
      add(a);
  // A duplicate of another role stays countable with its role: a copy.
  SmallVector<Attribute> copies;
  if (std::optional<ArrayAttr> old = masterOp.getCopies())
    llvm::append_range(copies, *old);
  auto addAs = [&](StringAttr name, WeightRole role) {
    if (role == masterOp.getRole())
      return add(name);
    if (seen.insert(name.getValue()).second)
      copies.push_back(WeightCopyAttr::get(builder.getContext(), name, role));
  };
  addAs(dupOp.getSymNameAttr(), dupOp.getRole());
  if (std::optional<ArrayAttr> old = dupOp.getAliases())
    for (StringAttr a : old->getAsRange<StringAttr>())
      addAs(a, dupOp.getRole());
  if (std::optional<ArrayAttr> old = dupOp.getCopies())
    for (WeightCopyAttr c : old->getAsRange<WeightCopyAttr>())
      if (seen.insert(c.getName().getValue()).second)
        copies.push_back(c);
  if (!aliases.empty())
    masterOp.setAliasesAttr(builder.getArrayAttr(aliases));
  if (!copies.empty())
    masterOp.setCopiesAttr(builder.getArrayAttr(copies));
  // One tensor for both: trainable if either was.
  if (!dupOp.getFrozen())
    masterOp.setFrozen(false);

  saved += dup.bytes.size();
  ++counts[static_cast<int>(view.mode)];
  dup.alive = false;
  dupOp.erase();
  dup.op = nullptr;
}

void Tier::tiePartial(unsigned dupIndex, unsigned masterIndex, int64_t dupStart,
                      int64_t masterStart, int64_t length) {
  MatchEntry &dup = entries[dupIndex];
  MatchEntry &master = entries[masterIndex];
  int64_t rows = dup.type.getDimSize(0);
  size_t rowBytes = dup.bytes.size() / rows;
  bool sharedFirst = dupStart == 0;
  int64_t ownStart = sharedFirst ? length : 0, ownRows = rows - length;
  if (report)
    emitRemark(dup.op.getLoc())
        << "partially tied '" << dup.op.getSymName() << "': rows [" << dupStart
        << ", " << dupStart + length << ") are rows [" << masterStart << ", "
        << masterStart + length << ") of '" << master.op.getSymName()
        << "': " << length * rowBytes << " bytes saved";

  // The duplicate keeps its name and only its own rows.
  SmallVector<int64_t> ownShape(dup.type.getShape());
  ownShape[0] = ownRows;
  auto ownType = RankedTensorType::get(ownShape, dup.type.getElementType());
  ArrayRef<char> ownBytes =
      dup.bytes.slice(ownStart * rowBytes, ownRows * rowBytes);
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ownBytes, std::min<size_t>(dup.elemBytes, 8));
  WeightOp dupOp = dup.op;
  auto value = DenseResourceElementsAttr::get(
      ownType, (dupOp.getSymName() + ".own").str(), std::move(blob));
  dupOp.setValueAttr(value);

  OpBuilder builder(dupOp.getContext());
  SmallVector<WeightRefOp> newRefs;
  for (WeightRefOp ref : refs[dupOp.getSymName()]) {
    builder.setInsertionPoint(ref);
    Location loc = ref.getLoc();
    auto masterRef =
        WeightRefOp::create(builder, loc, master.type,
                            FlatSymbolRefAttr::get(master.op.getSymNameAttr()));
    refs[master.op.getSymName()].push_back(masterRef);
    SmallVector<int64_t> sharedShape(dup.type.getShape());
    sharedShape[0] = length;
    View view{Mode::Slice};
    view.sliceStart = masterStart;
    MatchEntry sharedEntry;
    sharedEntry.type =
        RankedTensorType::get(sharedShape, dup.type.getElementType());
    Value shared = buildView(builder, loc, masterRef, sharedEntry, view);
    auto ownRef = WeightRefOp::create(
        builder, loc, ownType, FlatSymbolRefAttr::get(dupOp.getSymNameAttr()));
    newRefs.push_back(ownRef);
    SmallVector<Value> parts = sharedFirst ? SmallVector<Value>{shared, ownRef}
                                           : SmallVector<Value>{ownRef, shared};
    auto concat = ConcatOp::create(builder, loc, dup.type, parts,
                                   builder.getI64IntegerAttr(0));
    ref.replaceAllUsesWith(concat.getResult());
    ref.erase();
  }
  refs[dupOp.getSymName()] = newRefs;
  saved += length * rowBytes;
  ++counts[static_cast<int>(Mode::Partial)];
  // The rest is the duplicate's own: it is no candidate for further ties.
  dup.alive = false;
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

void LoomTieWeightsPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (rtol < 0 || atol < 0) {
    module.emitError("loom-tie-weights: rtol and atol must be >= 0");
    return signalPassFailure();
  }
  TieOptions options;
  options.modes.assign(modes.begin(), modes.end());
  options.minBytes = minBytes;
  options.rtol = rtol;
  options.atol = atol;
  options.report = report;
  Tier tier(module, options);
  tier.run();
  const uint64_t *counts = tier.counts;
  numExact += counts[0];
  numCast += counts[1];
  numTranspose += counts[2];
  numScale += counts[3];
  numSlice += counts[4];
  numPartial += counts[5];
  bytesSaved += tier.saved;
  if (summary) {
    // Count trainable weights once, not once per mode.
    uint64_t trainable = 0;
    for (WeightOp weight : module.getOps<WeightOp>())
      trainable += !weight.getFrozen();
    emitRemark(module.getLoc())
        << "loom-tie-weights: " << counts[0] << " exact, " << counts[2]
        << " transpose, " << counts[3] << " scale, " << counts[1] << " cast, "
        << counts[4] << " slice, " << counts[5] << " partial tie(s); "
        << tier.saved << " bytes saved; " << trainable
        << " trainable weight(s) considered in exact mode only";
  }
}
