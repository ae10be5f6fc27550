//===- PruneChannels.cpp - channel pruning that shrinks the shapes --------===//
//
// `loom-prune granularity=channel`: removes whole output channels (or whole
// attention heads) of Conv, ConvTranspose and Gemm/MatMul kernels and
// shrinks everything that carries them.
//
// Each producer starts a group; its units are followed forward
// (PruneChannelFollow.cpp). Binary ops reached through both operands
// couple groups into one, pruned together by their summed kernel norms (a
// residual Add; attention's q.k and scores.v MatMuls). A group whose units
// reach anything the rules do not cover is left whole, with the reason. A
// group keeps the units with the largest summed l1 (or l2) norm of its
// producers' kernels, and every weight, value type, depthwise group count,
// Slice/Split bound and Reshape constant that carries them shrinks.
//
//===----------------------------------------------------------------------===//

#include "PruneChannels.h"

#include "loom/Dialect/Loom/Analysis/ParamStats.h"
#include "loom/Dialect/Loom/IR/WeightData.h"
#include "loom/Dialect/Loom/Utils/ElementDecoding.h"
#include "loom/Dialect/Loom/Utils/WeightFingerprint.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

using namespace mlir;
using namespace loom;
using namespace loom::channels;

namespace {

/// The weight `value` reads when it is a weight_ref of a weight read only
/// there (a shared weight cannot be sliced for one reader).
WeightOp soleWeight(Value value, SymbolTable &symbols,
                    const llvm::DenseMap<StringRef, unsigned> &readers) {
  auto ref = value.getDefiningOp<WeightRefOp>();
  if (!ref || !ref->hasOneUse() || readers.lookup(ref.getName()) != 1)
    return nullptr;
  return symbols.lookup<WeightOp>(ref.getName());
}

} // namespace

ChannelPruner::ChannelPruner(ModuleOp module,
                             const ChannelPruneOptions &options)
    : module(module), symbols(module), options(options) {
  module.walk([&](WeightRefOp ref) { ++readers[ref.getName()]; });
}

void ChannelPruner::addProducers() {
  Operation *firstConv = nullptr, *lastLinear = nullptr;
  module.walk([&](Operation *op) {
    if (isa<ConvOp, ConvTransposeOp>(op) && !firstConv)
      firstConv = op;
    if (isa<GemmOp, MatMulOp>(op))
      lastLinear = op;
  });
  auto eligible = [&](WeightOp w) {
    return w && (w.getFrozen() || options.force) &&
           w.getRole() == WeightRole::Parameter && !w.getInputIndex();
  };
  module.walk([&](Operation *op) {
    if (options.keepFirstLast && (op == firstConv || op == lastLinear))
      return;
    Value kernel, bias, result;
    int64_t outAxis = 0, resultAxis = 1;
    if (auto conv = dyn_cast<ConvOp>(op)) {
      if (conv.getGroup() != 1)
        return;
      kernel = conv.getW(), bias = conv.getB(), result = conv.getResult();
    } else if (auto deconv = dyn_cast<ConvTransposeOp>(op)) {
      if (deconv.getGroup() != 1 || deconv.getOutputShape())
        return;
      kernel = deconv.getW(), bias = deconv.getB(), result = deconv.getResult();
      outAxis = 1;
    } else if (auto gemm = dyn_cast<GemmOp>(op)) {
      if (gemm.getTransA())
        return;
      kernel = gemm.getB(), bias = gemm.getC(), result = gemm.getResult();
      outAxis = gemm.getTransB() ? 0 : 1;
    } else if (auto matmul = dyn_cast<MatMulOp>(op)) {
      auto type = dyn_cast<RankedTensorType>(matmul.getB().getType());
      auto rType = dyn_cast<RankedTensorType>(matmul.getResult().getType());
      if (!type || type.getRank() != 2 || !rType)
        return;
      kernel = matmul.getB(), result = matmul.getResult();
      outAxis = 1, resultAxis = rType.getRank() - 1;
    } else {
      return;
    }
    WeightOp w = soleWeight(kernel, symbols, readers);
    if (w && options.selected && !options.selected(w))
      return;
    auto type = dyn_cast<RankedTensorType>(kernel.getType());
    auto rType = dyn_cast<RankedTensorType>(result.getType());
    if (!eligible(w) || !type || !type.getElementType().isF32() || !rType ||
        !type.hasStaticShape() || type.getDimSize(outAxis) < 2 ||
        rType.isDynamicDim(resultAxis))
      return;
    unsigned index = groups.size();
    groups.emplace_back();
    coupled.insert(index);
    Group &g = groups.back();
    int64_t channels = type.getDimSize(outAxis);
    g.channels = channels;
    g.name = describe(op);
    // Attention heads as units: one map per section (q, k, v).
    std::vector<int64_t> starts{0};
    int64_t block = 1;
    if (resultAxis == rType.getRank() - 1) {
      auto [heads, d] = headLayout(result, channels);
      if (!heads.empty()) {
        starts = heads, block = d;
        g.headSize = d;
        g.channels = channels / int64_t(heads.size()) / d;
      }
    }
    auto mapAt = [&](int64_t axis, int64_t start) {
      Map m{axis, start, block};
      if (block > 1)
        m.hi = g.channels;
      return m;
    };
    for (int64_t start : starts) {
      g.kernels.push_back({w, mapAt(outAxis, start)});
      g.weights.push_back({refOf(kernel), mapAt(outAxis, start)});
      g.values.push_back({kernel, mapAt(outAxis, start)});
    }
    if (bias) {
      auto bType = dyn_cast<RankedTensorType>(bias.getType());
      if (bType && bType.getRank() == 1 && bType.getDimSize(0) == channels) {
        WeightRefOp b = refOf(bias);
        if (!b) {
          fail(index, describe(op) + " has a bias that is not its own");
        } else {
          for (int64_t start : starts) {
            g.weights.push_back({b, mapAt(0, start)});
            g.values.push_back({bias, mapAt(0, start)});
          }
        }
      } else if (bType && bType.getNumElements() != 1) {
        fail(index, describe(op) + " has a bias of another shape");
      }
    }
    for (int64_t start : starts)
      follow(index, result, mapAt(resultAxis, start));
  });
}

void ChannelPruner::joinResiduals() {
  // A binary op reached by channels through both operands couples the
  // groups; its result carries them on. Repeated: a join's result may reach
  // further joins.
  llvm::DenseSet<Operation *> done;
  for (bool changed = true; changed;) {
    changed = false;
    for (unsigned i = 0; i < joins.size(); ++i) {
      auto [op, arrivals] = *(joins.begin() + i);
      if (done.contains(op))
        continue;
      bool lhs = false, rhs = false;
      for (auto [group, index] : arrivals)
        (index == 0 ? lhs : rhs) = true;
      if (!lhs || !rhs)
        continue;
      done.insert(op);
      changed = true;
      unsigned first = arrivals.front().first;
      for (auto [group, index] : arrivals)
        coupled.unionSets(first, group);
      // The result carries the units as the first operand does (a batched
      // MatMul keeps its batch axes; a broadcast shifts them).
      Value operand = op->getOperand(arrivals.front().second);
      auto it = llvm::find_if(groups[first].values, [&](const ValueCut &cut) {
        return cut.value == operand;
      });
      auto from = dyn_cast<RankedTensorType>(operand.getType());
      auto to = dyn_cast<RankedTensorType>(op->getResult(0).getType());
      if (it == groups[first].values.end() || !from || !to) {
        fail(first, describe(op) + " has operands of unknown shape");
        continue;
      }
      Map map = it->map;
      map.axis += to.getRank() - from.getRank();
      follow(first, op->getResult(0), map);
    }
  }
  for (auto &[op, arrivals] : joins)
    if (!done.contains(op))
      for (auto [group, index] : arrivals)
        fail(group, describe(op) + " combines its channels with a tensor "
                                   "that is not pruned with them");
}

std::vector<double> ChannelPruner::norms(WeightOp weight, int64_t axis) {
  WeightBytes bytes;
  auto type = cast<RankedTensorType>(weight.getType());
  std::vector<double> out(type.getDimSize(axis), 0.0);
  if (!readWeightBytes(weight.getValue(), bytes))
    return out;
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < type.getRank(); ++d)
    inner *= type.getDimSize(d);
  int64_t size = type.getDimSize(axis);
  bool l2 = options.l2;
  int64_t i = 0;
  visitElements(type.getElementType(), bytes.bytes, bytes.count(),
                [&](double v) {
                  out[(i / inner) % size] += l2 ? v * v : std::fabs(v);
                  ++i;
                });
  return out;
}

void ChannelPruner::slice(WeightOp weight, int64_t axis,
                          const std::set<int64_t> &removed) {
  WeightBytes bytes;
  if (!readWeightBytes(weight.getValue(), bytes))
    return;
  auto type = cast<RankedTensorType>(weight.getType());
  int64_t size = type.getDimSize(axis), inner = bytes.elemBytes, outer = 1;
  for (int64_t d = axis + 1; d < type.getRank(); ++d)
    inner *= type.getDimSize(d);
  for (int64_t d = 0; d < axis; ++d)
    outer *= type.getDimSize(d);
  std::vector<char> out;
  out.reserve(bytes.bytes.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < size; ++c)
      if (!removed.count(c))
        out.insert(out.end(), bytes.bytes.begin() + (o * size + c) * inner,
                   bytes.bytes.begin() + (o * size + c + 1) * inner);
  SmallVector<int64_t> shape(type.getShape());
  shape[axis] -= removed.size();
  auto newType = RankedTensorType::get(shape, type.getElementType());
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      out, std::min<size_t>(bytes.elemBytes, 8));
  weight.setValueAttr(DenseResourceElementsAttr::get(
      newType, (weight.getSymName() + ".pruned").str(), std::move(blob)));
}

void ChannelPruner::run(ChannelPruneResult &result) {
  addProducers();
  joinResiduals();

  // Merge coupled groups.
  std::map<unsigned, std::vector<unsigned>> classes;
  for (unsigned i = 0; i < groups.size(); ++i)
    classes[coupled.getLeaderValue(i)].push_back(i);

  std::map<std::pair<Operation *, int64_t>, std::set<int64_t>> weightCuts;
  llvm::SetVector<Operation *> cutRefs;
  std::map<std::pair<void *, int64_t>, std::pair<Value, std::set<int64_t>>>
      valueCuts;
  std::map<Operation *, int64_t> depthwiseRemoved;
  std::map<Operation *, std::set<int64_t>> sliceCuts;
  std::map<Operation *, int64_t> sliceAxes;
  llvm::SetVector<Operation *> reshapes;
  for (auto &[leader, members] : classes) {
    Group &lead = groups[members.front()];
    std::string why, names;
    int64_t channels = lead.channels;
    for (unsigned m : members) {
      if (why.empty() && !groups[m].why.empty())
        why = groups[m].why;
      if (groups[m].channels != channels && why.empty())
        why = "coupled kernels have different channel counts";
      names += (names.empty() ? "" : ", ") + groups[m].name;
    }
    ChannelPruneResult::Group report;
    report.producers = names;
    report.channels = channels;
    report.headSize = lead.headSize;
    for (unsigned m : members)
      if (groups[m].headSize != lead.headSize && why.empty())
        why = "coupled kernels have different head sizes";
    if (!why.empty()) {
      report.kept = channels;
      report.why = why;
      result.groups.push_back(report);
      continue;
    }
    // Scores: the summed norms of the producers' kernels per unit.
    std::vector<double> score(channels, 0.0);
    for (unsigned m : members)
      for (auto &[w, map] : groups[m].kernels) {
        std::vector<double> n = norms(w, map.axis);
        for (int64_t c = map.lo; c < std::min(map.hi, channels); ++c)
          for (int64_t k = 0; k < map.block; ++k)
            score[c] += n[map.offset + (c - map.lo) * map.block + k];
      }
    int64_t drop = std::min<int64_t>(
        channels - 1, std::llround(options.sparsity * double(channels)));
    std::vector<int64_t> order(channels);
    for (int64_t c = 0; c < channels; ++c)
      order[c] = c;
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return score[a] < score[b]; });
    std::set<int64_t> removed(order.begin(), order.begin() + drop);
    report.kept = channels - drop;
    result.groups.push_back(report);
    if (!drop)
      continue;
    // The positions of the removed units along `map`'s axis, of size `dim`
    // (heads folded into a batch axis repeat every `stride`).
    auto expand = [&](const Map &map, std::set<int64_t> &into, int64_t dim) {
      int64_t repeats = 1, stride = 0;
      if (map.stride) {
        if (ShapedType::isDynamic(dim))
          return;
        repeats = dim / map.stride, stride = map.stride;
      }
      for (int64_t r = 0; r < repeats; ++r)
        for (int64_t c : removed)
          if (c >= map.lo && c < map.hi)
            for (int64_t k = 0; k < map.block; ++k)
              into.insert(r * stride + map.offset + (c - map.lo) * map.block +
                          k);
    };
    for (unsigned m : members) {
      for (WeightCut &cut : groups[m].weights) {
        expand(cut.map, weightCuts[{cut.ref.getOperation(), cut.map.axis}], 0);
        cutRefs.insert(cut.ref);
      }
      for (ValueCut &cut : groups[m].values) {
        auto &entry = valueCuts[{cut.value.getAsOpaquePointer(), cut.map.axis}];
        entry.first = cut.value;
        expand(cut.map, entry.second,
               cast<RankedTensorType>(cut.value.getType())
                   .getDimSize(cut.map.axis));
      }
      for (auto &[op, map] : groups[m].depthwise) {
        std::set<int64_t> positions;
        expand(map, positions, 0);
        depthwiseRemoved[op] += positions.size();
      }
      for (auto &[op, map] : groups[m].slices) {
        sliceAxes[op] = map.axis;
        expand(map, sliceCuts[op], 0);
      }
      reshapes.insert(groups[m].reshapes.begin(), groups[m].reshapes.end());
    }
  }
  // A weight other ops read too gets a copy of its own for each read cut.
  for (Operation *op : cutRefs) {
    auto ref = cast<WeightRefOp>(op);
    StringRef name = ref.getName();
    if (readers[name] <= 1)
      continue;
    --readers[name];
    auto weight = symbols.lookup<WeightOp>(name);
    OpBuilder builder(weight);
    auto copy = cast<WeightOp>(builder.clone(*weight));
    copy.removeAliasesAttr();
    copy.removeCopiesAttr();
    copy.setSymName((name + ".ch").str());
    symbols.insert(copy);
    readers[copy.getSymName()] = 1;
    ref.setNameAttr(FlatSymbolRefAttr::get(copy.getSymNameAttr()));
  }
  for (auto &[key, removed] : weightCuts) {
    auto ref = cast<WeightRefOp>(key.first);
    slice(symbols.lookup<WeightOp>(ref.getName()), key.second, removed);
  }
  // New i64 constants (the old ones may be shared).
  auto constant = [](Operation *op, Value old, ArrayRef<int64_t> values) {
    OpBuilder builder(op);
    Type element =
        old ? getElementTypeOrSelf(old.getType()) : builder.getIntegerType(64);
    auto type = RankedTensorType::get({int64_t(values.size())}, element);
    unsigned width = type.getElementType().getIntOrFloatBitWidth();
    SmallVector<APInt> ints;
    for (int64_t v : values)
      ints.push_back(APInt(width, v, /*isSigned=*/true));
    return ConstantOp::create(builder, op->getLoc(),
                              DenseIntElementsAttr::get(type, ints));
  };
  // Slices along the channel axis: their bounds move down by the channels
  // removed before them.
  for (auto &[op, removed] : sliceCuts) {
    auto slice = dyn_cast<SliceOp>(op);
    if (!slice)
      continue; // Splits take their sizes from their new result types
    int64_t size = cast<RankedTensorType>(slice.getData().getType())
                       .getDimSize(sliceAxes[op]);
    auto clamp = [&](int64_t v) {
      v = v < 0 ? v + size : v;
      return std::clamp<int64_t>(v, 0, size);
    };
    auto below = [&](int64_t position) {
      return static_cast<int64_t>(
          std::distance(removed.begin(), removed.lower_bound(position)));
    };
    int64_t s0 = clamp(*scalarOf(slice.getStarts())),
            e0 = clamp(*scalarOf(slice.getEnds()));
    slice.getStartsMutable().assign(
        constant(op, slice.getStarts(), {s0 - below(s0)}));
    slice.getEndsMutable().assign(
        constant(op, slice.getEnds(), {e0 - below(e0)}));
  }
  for (auto &[key, entry] : valueCuts) {
    auto type = cast<RankedTensorType>(entry.first.getType());
    if (type.isDynamicDim(key.second))
      continue;
    SmallVector<int64_t> shape(type.getShape());
    shape[key.second] -= entry.second.size();
    entry.first.setType(RankedTensorType::get(shape, type.getElementType()));
  }
  for (auto &[op, drop] : depthwiseRemoved) {
    auto conv = cast<ConvOp>(op);
    conv.setGroup(conv.getGroup() - drop);
  }
  // Splits along the channel axis: their part sizes are their results'.
  for (auto &[op, axis] : sliceAxes) {
    auto split = dyn_cast<SplitOp>(op);
    if (!split)
      continue;
    SmallVector<int64_t> sizes;
    for (Value part : split.getResults())
      sizes.push_back(cast<RankedTensorType>(part.getType()).getDimSize(axis));
    Value old = split.getSplit();
    Value sizesValue = constant(op, old, sizes);
    if (old)
      split.getSplitMutable().assign(sizesValue);
    else
      op->insertOperands(1, sizesValue);
    split.removeNumOutputsAttr();
  }
  // Reshapes: every explicit entry of the shape follows the new result type.
  for (Operation *op : reshapes) {
    auto reshape = cast<ReshapeOp>(op);
    SmallVector<int64_t> shape = *intsOf(reshape.getShape());
    auto type = cast<RankedTensorType>(reshape.getResult().getType());
    bool changed = false;
    for (auto [i, e] : llvm::enumerate(shape))
      if (e > 0 && !type.isDynamicDim(i) && type.getDimSize(i) != e)
        e = type.getDimSize(i), changed = true;
    if (changed)
      reshape.getShapeMutable().assign(constant(op, reshape.getShape(), shape));
  }
}

void loom::pruneChannels(ModuleOp module, const ChannelPruneOptions &options,
                         ChannelPruneResult &result) {
  ChannelPruner(module, options).run(result);
}
