//===- PruneChannels.cpp - channel pruning that shrinks the shapes --------===//
//
// `loom-prune granularity=channel`: removes whole output channels of Conv
// and Gemm/MatMul kernels and shrinks everything that carries them.
//
// From each producer's output channel axis the channels are followed
// forward: through unary and activation ops, BatchNormalization (its
// parameters sliced), Add/Sub/Mul/Div with a per-channel or scalar constant
// (sliced) or with another producer's channels (the two are coupled: one
// group, pruned together by their summed norms), pooling, Dropout/Identity,
// Flatten (a channel becomes a block of features), Concat and Slice (index
// remapping), into the next Conv's input channels, a depthwise Conv (whose
// output channels follow its input's), or a Gemm/MatMul's K. A group whose
// channels reach anything else (a Reshape, a generic op, the model's
// output) is left whole, with the reason. A group keeps the channels with
// the largest summed l1 (or l2) norm of its producers' kernels.
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

namespace {

/// Channel c of a group is, in this place, indices
/// [offset + c * block, offset + (c + 1) * block) along `axis`.
struct Map {
  int64_t axis = 0, offset = 0, block = 1;
  /// Only the group's channels in [lo, hi) are here (a Slice took part of
  /// them); channel c is at offset + (c - lo) * block.
  int64_t lo = 0, hi = INT64_MAX;
};

/// `map`'s channels (its window) at another axis, offset and block.
Map along(const Map &map, int64_t axis, int64_t offset, int64_t block) {
  Map m = map;
  m.axis = axis, m.offset = offset, m.block = block;
  return m;
}

/// The single integer a `loom.constant` holds.
std::optional<int64_t> scalarOf(Value value) {
  auto constant = value ? value.getDefiningOp<ConstantOp>() : ConstantOp();
  if (!constant)
    return std::nullopt;
  auto ints = dyn_cast<DenseIntElementsAttr>(constant.getValue());
  if (!ints || ints.getNumElements() != 1)
    return std::nullopt;
  return (*ints.begin()).getSExtValue();
}

/// A weight sliced along an axis by a group, through one of its reads (a
/// weight that other ops read too gets a copy of its own for this read).
struct WeightCut {
  WeightRefOp ref;
  Map map;
};
/// A value whose type shrinks along an axis.
struct ValueCut {
  Value value;
  Map map;
};

struct Group {
  int64_t channels = 0;
  /// Producers' kernels: weight, axis of the output channels.
  std::vector<std::pair<WeightOp, int64_t>> kernels;
  std::vector<WeightCut> weights;
  std::vector<ValueCut> values;
  /// Depthwise convolutions whose `group` follows the channel count.
  std::vector<std::pair<Operation *, Map>> depthwise;
  /// Slices along the channel axis, with the map of their input: their
  /// starts and ends move down by the channels removed before them.
  std::vector<std::pair<Operation *, Map>> slices;
  std::string name; // the first producer's node
  std::string why;  // non-empty: left whole
};

bool isPassThrough(Operation *op) {
  return isa<ReluOp, LeakyReluOp, HardSigmoidOp, HardSwishOp, GeluOp, SigmoidOp,
             TanhOp, ErfOp, ExpOp, NegOp, AbsOp, ClipOp, DropoutOp, IdentityOp,
             MaxPoolOp, AveragePoolOp>(op);
}

bool isBatchNorm(Operation *op) {
  if (isa<BatchNormalizationOp>(op))
    return op->getNumOperands() == 5;
  auto generic = dyn_cast<OnnxOp>(op);
  return generic && generic.getOpType() == "BatchNormalization" &&
         op->getNumOperands() == 5 && op->getNumResults() == 1;
}

std::string describe(Operation *op) {
  std::string name = getNodeName(op->getLoc());
  return getOpKind(op) + (name.empty() ? "" : " '" + name + "'");
}

/// The weight `value` reads when it is a weight_ref of a weight read only
/// there (a shared weight cannot be sliced for one reader).
WeightOp soleWeight(Value value, SymbolTable &symbols,
                    const llvm::DenseMap<StringRef, unsigned> &readers) {
  auto ref = value.getDefiningOp<WeightRefOp>();
  if (!ref || !ref->hasOneUse() || readers.lookup(ref.getName()) != 1)
    return nullptr;
  return symbols.lookup<WeightOp>(ref.getName());
}

/// The read `value` is, when it is a weight_ref used once (by the op that
/// the cut is for).
WeightRefOp refOf(Value value) {
  auto ref = value.getDefiningOp<WeightRefOp>();
  return ref && ref->hasOneUse() ? ref : WeightRefOp();
}

class ChannelPruner {
public:
  ChannelPruner(ModuleOp module, const ChannelPruneOptions &options)
      : module(module), symbols(module), options(options) {
    module.walk([&](WeightRefOp ref) { ++readers[ref.getName()]; });
  }

  void run(ChannelPruneResult &result);

private:
  void follow(unsigned group, Value value, Map map);
  void addProducers();
  void joinResiduals();
  /// The elements of `weight` along `axis` with their l1 or l2 norm.
  std::vector<double> norms(WeightOp weight, int64_t axis);
  void slice(WeightOp weight, int64_t axis, const std::set<int64_t> &removed);
  void fail(unsigned group, const std::string &why) {
    Group &g = groups[group];
    if (g.why.empty())
      g.why = why;
  }

  ModuleOp module;
  SymbolTable symbols;
  ChannelPruneOptions options;
  llvm::DenseMap<StringRef, unsigned> readers;
  std::vector<Group> groups;
  llvm::EquivalenceClasses<unsigned> coupled;
  /// Binary ops reached, and by which group through which operand.
  llvm::MapVector<Operation *, std::vector<std::pair<unsigned, unsigned>>>
      joins;
  std::set<std::pair<OpOperand *, unsigned>> visited;
};

void ChannelPruner::follow(unsigned group, Value value, Map map) {
  Group &g = groups[group];
  g.values.push_back({value, map});
  for (OpOperand &use : value.getUses()) {
    Operation *user = use.getOwner();
    if (!visited.insert({&use, group}).second)
      continue;
    unsigned index = use.getOperandNumber();
    auto resultType =
        user->getNumResults() == 1
            ? dyn_cast<RankedTensorType>(user->getResult(0).getType())
            : RankedTensorType();
    if (isa<GlobalAveragePoolOp>(user) && index == 0 && map.axis == 1) {
      follow(group, user->getResult(0), map);
      continue;
    }
    if (isPassThrough(user) && index == 0) {
      follow(group, user->getResult(0), map);
      continue;
    }
    if (isa<AddOp, SubOp, MulOp, DivOp>(user) && resultType) {
      Value other = user->getOperand(1 - index);
      auto otherType = dyn_cast<RankedTensorType>(other.getType());
      int64_t rank = resultType.getRank();
      if (!otherType) {
        fail(group, describe(user) + " has an operand of unknown shape");
        continue;
      }
      // The other operand's dimension on the channel axis (broadcast from
      // the right).
      int64_t axis = map.axis - (rank - otherType.getRank());
      int64_t size = axis >= 0 ? otherType.getDimSize(axis) : 1;
      if (size == 1) {
        follow(group, user->getResult(0), map);
        continue;
      }
      if (WeightRefOp w = refOf(other)) {
        if (size != otherType.getDimSize(axis) || axis < 0) {
          fail(group, describe(user) + " reads a constant of another shape");
          continue;
        }
        Map m = map;
        m.axis = axis;
        g.weights.push_back({w, m});
        g.values.push_back({other, m});
        follow(group, user->getResult(0), map);
        continue;
      }
      // Another group's channels (a residual): coupled at this op.
      joins[user].push_back({group, index});
      continue;
    }
    if (isBatchNorm(user) && index == 0 && map.axis == 1 && map.block == 1) {
      bool ok = true;
      for (unsigned p = 1; p < 5 && ok; ++p) {
        WeightRefOp w = refOf(user->getOperand(p));
        if (!w)
          ok = false;
        else {
          g.weights.push_back({w, along(map, 0, map.offset, 1)});
          g.values.push_back(
              {user->getOperand(p), along(map, 0, map.offset, 1)});
        }
      }
      if (!ok) {
        fail(group, describe(user) + " has parameters that are not its own");
        continue;
      }
      follow(group, user->getResult(0), map);
      continue;
    }
    if (auto generic = dyn_cast<OnnxOp>(user)) {
      StringRef type = generic.getOpType();
      if ((type == "GlobalAveragePool" || type == "GlobalMaxPool") &&
          index == 0 && map.axis == 1) {
        follow(group, user->getResult(0), map);
        continue;
      }
      fail(group, "its channels reach " + describe(user) +
                      ", which channel pruning does not follow");
      continue;
    }
    if (auto conv = dyn_cast<ConvOp>(user)) {
      if (index != 0 || map.axis != 1 || map.block != 1) {
        fail(group,
             "its channels reach " + describe(user) + " other than as input");
        continue;
      }
      WeightRefOp w = refOf(conv.getW());
      auto wType = cast<RankedTensorType>(conv.getW().getType());
      if (!w) {
        fail(group, describe(user) + " has a weight that is not its own");
        continue;
      }
      if (conv.getGroup() == 1) {
        g.weights.push_back({w, along(map, 1, map.offset, 1)});
        g.values.push_back({conv.getW(), along(map, 1, map.offset, 1)});
        continue;
      }
      // Depthwise (one input channel per group, as many outputs): its
      // output channels are its input channels.
      int64_t in = cast<RankedTensorType>(conv.getX().getType()).getDimSize(1);
      if (conv.getGroup() == in && wType.getDimSize(0) == in &&
          wType.getDimSize(1) == 1 && map.offset == 0) {
        g.weights.push_back({w, along(map, 0, 0, 1)});
        g.values.push_back({conv.getW(), along(map, 0, 0, 1)});
        if (conv.getB()) {
          WeightRefOp b = refOf(conv.getB());
          if (!b) {
            fail(group, describe(user) + " has a bias that is not its own");
            continue;
          }
          g.weights.push_back({b, along(map, 0, 0, 1)});
          g.values.push_back({conv.getB(), along(map, 0, 0, 1)});
        }
        g.depthwise.push_back({user, map});
        follow(group, user->getResult(0), map);
        continue;
      }
      fail(group, "its channels reach the grouped " + describe(user));
      continue;
    }
    if (auto gemm = dyn_cast<GemmOp>(user)) {
      if (index != 0 || map.axis != 1 || gemm.getTransA()) {
        fail(group,
             "its channels reach " + describe(user) + " other than as A");
        continue;
      }
      WeightRefOp w = refOf(gemm.getB());
      if (!w) {
        fail(group, describe(user) + " has a B that is not its own");
        continue;
      }
      Map m = along(map, gemm.getTransB() ? 1 : 0, map.offset, map.block);
      g.weights.push_back({w, m});
      g.values.push_back({gemm.getB(), m});
      continue;
    }
    if (auto matmul = dyn_cast<MatMulOp>(user)) {
      auto bType = dyn_cast<RankedTensorType>(matmul.getB().getType());
      auto aType = dyn_cast<RankedTensorType>(matmul.getA().getType());
      WeightRefOp w = refOf(matmul.getB());
      if (index != 0 || !aType || !bType || bType.getRank() != 2 || !w ||
          map.axis != aType.getRank() - 1) {
        fail(group, "its channels reach " + describe(user) +
                        " other than as the K of A times a weight of its own");
        continue;
      }
      Map m = along(map, 0, map.offset, map.block);
      g.weights.push_back({w, m});
      g.values.push_back({matmul.getB(), m});
      continue;
    }
    if (auto flatten = dyn_cast<FlattenOp>(user)) {
      auto inType = dyn_cast<RankedTensorType>(flatten.getInput().getType());
      bool spatialStatic =
          inType && llvm::all_of(inType.getShape().drop_front(2),
                                 [](int64_t d) { return d >= 0; });
      if (!spatialStatic || flatten.getAxis() != 1 || map.axis != 1) {
        fail(group, "its channels reach " + describe(user) +
                        " with a shape it does not follow");
        continue;
      }
      int64_t spatial = 1;
      for (int64_t d = 2; d < inType.getRank(); ++d)
        spatial *= inType.getDimSize(d);
      follow(group, flatten.getResult(),
             along(map, 1, map.offset * spatial, map.block * spatial));
      continue;
    }
    if (auto slice = dyn_cast<SliceOp>(user)) {
      auto inType = cast<RankedTensorType>(value.getType());
      std::optional<int64_t> start = scalarOf(slice.getStarts()),
                             end = scalarOf(slice.getEnds());
      std::optional<int64_t> axis = slice.getAxes() ? scalarOf(slice.getAxes())
                                                    : std::optional<int64_t>(0);
      std::optional<int64_t> step = slice.getSteps()
                                        ? scalarOf(slice.getSteps())
                                        : std::optional<int64_t>(1);
      if (index != 0 || !start || !end || !axis || step != 1) {
        fail(group, "its channels reach " + describe(user) +
                        ", a slice that is not one constant range");
        continue;
      }
      int64_t a = *axis < 0 ? *axis + inType.getRank() : *axis;
      if (a != map.axis) { // another axis: the channels pass unchanged
        follow(group, slice.getResult(), map);
        continue;
      }
      int64_t size = inType.getDimSize(a);
      if (map.block != 1 || ShapedType::isDynamic(size)) {
        fail(group, "its channels reach " + describe(user) +
                        " in blocks or with a dynamic size");
        continue;
      }
      auto clamp = [&](int64_t v) {
        v = v < 0 ? v + size : v;
        return std::clamp<int64_t>(v, 0, size);
      };
      int64_t s0 = clamp(*start), e0 = clamp(*end);
      g.slices.push_back({user, map});
      // The group's channels inside [s0, e0), renumbered from s0.
      int64_t lo = std::max(map.lo, map.lo + s0 - map.offset);
      int64_t hi = std::min(map.hi, map.lo + e0 - map.offset);
      if (lo < hi)
        follow(group, slice.getResult(),
               Map{map.axis, map.offset + (lo - map.lo) - s0, 1, lo, hi});
      continue;
    }
    if (auto concat = dyn_cast<ConcatOp>(user)) {
      int64_t axis = concat.getAxis();
      auto type = cast<RankedTensorType>(value.getType());
      if (axis < 0)
        axis += type.getRank();
      if (axis != map.axis) {
        // Concatenated along another axis: the channels stay where they are
        // only when every input is this group's (not followed).
        fail(group,
             "its channels reach " + describe(user) + " along another axis");
        continue;
      }
      int64_t offset = 0;
      for (unsigned i = 0; i < index; ++i)
        offset += cast<RankedTensorType>(user->getOperand(i).getType())
                      .getDimSize(axis);
      follow(group, concat.getResult(),
             along(map, map.axis, map.offset + offset, map.block));
      continue;
    }
    if (isa<func::ReturnOp>(user)) {
      fail(group, "its channels reach the model's output");
      continue;
    }
    fail(group, "its channels reach " + describe(user) +
                    ", which channel pruning does not follow");
  }
}

} // namespace

void ChannelPruner::addProducers() {
  Operation *firstConv = nullptr, *lastLinear = nullptr;
  module.walk([&](Operation *op) {
    if (isa<ConvOp>(op) && !firstConv)
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
    g.channels = type.getDimSize(outAxis);
    g.name = describe(op);
    g.kernels.push_back({w, outAxis});
    g.weights.push_back({refOf(kernel), Map{outAxis, 0, 1}});
    g.values.push_back({kernel, Map{outAxis, 0, 1}});
    if (bias) {
      auto bType = dyn_cast<RankedTensorType>(bias.getType());
      if (bType && bType.getRank() == 1 && bType.getDimSize(0) == g.channels) {
        WeightRefOp b = refOf(bias);
        if (!b) {
          fail(index, describe(op) + " has a bias that is not its own");
        } else {
          g.weights.push_back({b, Map{0, 0, 1}});
          g.values.push_back({bias, Map{0, 0, 1}});
        }
      } else if (bType && bType.getNumElements() != 1) {
        fail(index, describe(op) + " has a bias of another shape");
      }
    }
    follow(index, result, Map{resultAxis, 0, 1});
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
      // The maps agree when both sides carry the channels the same way.
      Map map;
      bool found = false;
      for (ValueCut &cut : groups[first].values)
        if (cut.value == op->getOperand(arrivals.front().second)) {
          map = cut.map, found = true;
          break;
        }
      if (found)
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
    if (!why.empty()) {
      report.kept = channels;
      report.why = why;
      result.groups.push_back(report);
      continue;
    }
    // Scores: the summed norms of the producers' kernels per channel.
    std::vector<double> score(channels, 0.0);
    for (unsigned m : members)
      for (auto [w, axis] : groups[m].kernels) {
        std::vector<double> n = norms(w, axis);
        for (int64_t c = 0; c < channels; ++c)
          score[c] += n[c];
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
    auto expand = [&](const Map &map, std::set<int64_t> &into) {
      for (int64_t c : removed)
        if (c >= map.lo && c < map.hi)
          for (int64_t k = 0; k < map.block; ++k)
            into.insert(map.offset + (c - map.lo) * map.block + k);
    };
    for (unsigned m : members) {
      for (WeightCut &cut : groups[m].weights) {
        expand(cut.map, weightCuts[{cut.ref.getOperation(), cut.map.axis}]);
        cutRefs.insert(cut.ref);
      }
      for (ValueCut &cut : groups[m].values) {
        auto &entry = valueCuts[{cut.value.getAsOpaquePointer(), cut.map.axis}];
        entry.first = cut.value;
        expand(cut.map, entry.second);
      }
      for (auto &[op, map] : groups[m].depthwise) {
        std::set<int64_t> positions;
        expand(map, positions);
        depthwiseRemoved[op] += positions.size();
      }
      for (auto &[op, map] : groups[m].slices)
        expand(map, sliceCuts[op]);
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
  // Slices along the channel axis: their bounds move down by the channels
  // removed before them (new constants: the old ones may be shared).
  for (auto &[op, removed] : sliceCuts) {
    auto slice = cast<SliceOp>(op);
    int64_t size =
        cast<RankedTensorType>(slice.getData().getType()).getDimSize([&] {
          int64_t a = slice.getAxes() ? *scalarOf(slice.getAxes()) : 0;
          return a < 0 ? a + cast<RankedTensorType>(slice.getData().getType())
                                 .getRank()
                       : a;
        }());
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
    OpBuilder builder(op);
    auto constant = [&](Value old, int64_t v) {
      auto type = cast<RankedTensorType>(old.getType());
      unsigned width = type.getElementType().getIntOrFloatBitWidth();
      return ConstantOp::create(
          builder, op->getLoc(),
          DenseIntElementsAttr::get(
              type, ArrayRef<APInt>{APInt(width, v, /*isSigned=*/true)}));
    };
    slice.getStartsMutable().assign(
        constant(slice.getStarts(), s0 - below(s0)));
    slice.getEndsMutable().assign(constant(slice.getEnds(), e0 - below(e0)));
  }
  for (auto &[key, entry] : valueCuts) {
    auto type = cast<RankedTensorType>(entry.first.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[key.second] -= entry.second.size();
    entry.first.setType(RankedTensorType::get(shape, type.getElementType()));
  }
  for (auto &[op, drop] : depthwiseRemoved) {
    auto conv = cast<ConvOp>(op);
    conv.setGroup(conv.getGroup() - drop);
  }
}

void loom::pruneChannels(ModuleOp module, const ChannelPruneOptions &options,
                         ChannelPruneResult &result) {
  ChannelPruner(module, options).run(result);
}
