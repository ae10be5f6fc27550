//===- PruneChannelFollow.cpp - how channels travel from op to op ---------===//
//
// The rules of `loom-prune granularity=channel` that follow a group's units
// (channels, or attention heads) forward from its producers: through unary
// and activation ops, BatchNormalization, Add/Sub/Mul/Div with a
// per-channel or scalar constant (sliced) or with another group's units
// (coupled), pooling, Softmax along another axis, Transpose, Flatten and
// Reshapes that split, merge or keep the channel axis (their constant
// shapes rewritten), Concat, Slice and Split (index remapping), batched
// MatMuls whose two operands both carry the units (attention), into the
// next Conv/ConvTranspose's input channels, a depthwise Conv, or a
// Gemm/MatMul's K. Anything else leaves the group whole, with the reason.
//
// Attention heads: a projection whose result (through its bias and the
// Slices of a fused q/k/v projection) reaches Reshapes that split the
// channels into heads of d (`[b, s, H, d]`, or `[s, b*H, d]` as PyTorch's
// MultiheadAttention exports) gets heads as its units: head h is channels
// [s + h*d, s + (h+1)*d) of every section s.
//
//===----------------------------------------------------------------------===//

#include "PruneChannels.h"

#include "loom/Dialect/Loom/Analysis/ParamStats.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <algorithm>

using namespace mlir;
using namespace loom;
using namespace loom::channels;

std::string loom::channels::describe(Operation *op) {
  std::string name = getNodeName(op->getLoc());
  return getOpKind(op) + (name.empty() ? "" : " '" + name + "'");
}

/// The integers a `loom.constant` holds.
std::optional<SmallVector<int64_t>> loom::channels::intsOf(Value value) {
  auto constant = value ? value.getDefiningOp<ConstantOp>() : ConstantOp();
  auto ints = constant ? dyn_cast<DenseIntElementsAttr>(constant.getValue())
                       : DenseIntElementsAttr();
  if (!ints)
    return std::nullopt;
  SmallVector<int64_t> out;
  for (const APInt &v : ints)
    out.push_back(v.getSExtValue());
  return out;
}

/// The single integer a `loom.constant` holds.
std::optional<int64_t> loom::channels::scalarOf(Value value) {
  auto ints = intsOf(value);
  if (!ints || ints->size() != 1)
    return std::nullopt;
  return ints->front();
}

/// The read `value` is, when it is a weight_ref used once (by the op that
/// the cut is for).
WeightRefOp loom::channels::refOf(Value value) {
  auto ref = value.getDefiningOp<WeightRefOp>();
  return ref && ref->hasOneUse() ? ref : WeightRefOp();
}

namespace {

/// `map`'s units (its window) at another axis, offset and block.
Map along(const Map &map, int64_t axis, int64_t offset, int64_t block) {
  Map m = map;
  m.axis = axis, m.offset = offset, m.block = block;
  return m;
}

bool isPassThrough(Operation *op) {
  return isa<ReluOp, LeakyReluOp, HardSigmoidOp, HardSwishOp, GeluOp, SigmoidOp,
             TanhOp, ErfOp, ExpOp, NegOp, AbsOp, ClipOp, DropoutOp, IdentityOp>(
      op);
}

bool isBatchNorm(Operation *op) {
  if (isa<BatchNormalizationOp>(op))
    return op->getNumOperands() == 5;
  auto generic = dyn_cast<OnnxOp>(op);
  return generic && generic.getOpType() == "BatchNormalization" &&
         op->getNumOperands() == 5 && op->getNumResults() == 1;
}

/// Whether the first `n` dimensions of two shapes agree (a dynamic one
/// agreeing with a dynamic one: a reshape that keeps the element count of
/// what follows keeps them).
bool sameLeading(RankedTensorType a, RankedTensorType b, int64_t n) {
  if (a.getRank() < n || b.getRank() < n)
    return false;
  for (int64_t i = 0; i < n; ++i)
    if (a.getDimSize(i) != b.getDimSize(i))
      return false;
  return true;
}

/// The product of dims [from, to), or -1 when one is dynamic.
int64_t product(RankedTensorType type, int64_t from, int64_t to) {
  int64_t p = 1;
  for (int64_t i = from; i < to; ++i) {
    if (type.isDynamicDim(i))
      return -1;
    p *= type.getDimSize(i);
  }
  return p;
}

/// The head size d of a Reshape that splits its input's last axis C into
/// heads: `[..., C] -> [..., C/d, d]`, or `[..., X, C] -> [..., X*C/d, d]`
/// (heads folded into the axis before). 0 otherwise.
int64_t headSizeOf(ReshapeOp reshape) {
  auto in = dyn_cast<RankedTensorType>(reshape.getData().getType());
  auto out = dyn_cast<RankedTensorType>(reshape.getResult().getType());
  if (!in || !out || in.getRank() < 1 || !intsOf(reshape.getShape()))
    return 0;
  int64_t r = in.getRank(), c = in.getDimSize(r - 1);
  if (ShapedType::isDynamic(c) || out.isDynamicDim(out.getRank() - 1))
    return 0;
  int64_t d = out.getDimSize(out.getRank() - 1);
  if (d <= 0 || c % d || c / d < 2)
    return 0;
  if (out.getRank() == r + 1 && sameLeading(in, out, r - 1) &&
      out.getDimSize(r - 1) == c / d)
    return d;
  if (out.getRank() == r && r >= 2 && sameLeading(in, out, r - 2))
    return d;
  return 0;
}

/// The part of `map`'s units that lie in [s0, e0) along its axis, renumbered
/// from s0; nullopt when none. `partial`: a unit straddles a bound.
std::optional<Map> within(const Map &map, int64_t s0, int64_t e0, int64_t units,
                          bool &partial) {
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (int64_t c = map.lo; c < std::min(map.hi, units); ++c) {
    int64_t b = map.offset + (c - map.lo) * map.block, e = b + map.block;
    if (b >= s0 && e <= e0)
      lo = std::min(lo, c), hi = std::max(hi, c + 1);
    else if (b < e0 && e > s0)
      partial = true;
  }
  if (lo >= hi)
    return std::nullopt;
  Map m = map;
  m.offset = map.offset + (lo - map.lo) * map.block - s0;
  m.lo = lo, m.hi = hi;
  return m;
}

} // namespace

void ChannelPruner::follow(unsigned group, Value value, Map map) {
  groups[group].values.push_back({value, map});
  for (OpOperand &use : value.getUses())
    if (visited.insert({&use, group, map.axis, map.offset, map.lo}).second)
      followUse(group, use, map);
}

bool ChannelPruner::followReshape(unsigned group, ReshapeOp reshape,
                                  const Map &map) {
  auto in = dyn_cast<RankedTensorType>(reshape.getData().getType());
  auto out = dyn_cast<RankedTensorType>(reshape.getResult().getType());
  if (!in || !out || !intsOf(reshape.getShape()) || reshape.getAllowzero())
    return false;
  int64_t a = map.axis, r = in.getRank(), o = out.getRank();
  std::optional<Map> next;
  if (map.stride) {
    // Heads folded into a batch axis, merged back: [.., b*H, d] -> [.., H*d].
    int64_t d = in.getDimSize(r - 1);
    if (a == r - 2 && map.block == 1 && !in.isDynamicDim(r - 1) &&
        !out.isDynamicDim(o - 1) && out.getDimSize(o - 1) == map.stride * d) {
      next = map;
      next->axis = o - 1, next->offset = map.offset * d, next->block = d;
      next->stride = 0;
    }
  } else if (a == r - 1 && o >= 1 && !in.isDynamicDim(a) &&
             !out.isDynamicDim(o - 1) &&
             out.getDimSize(o - 1) == in.getDimSize(a)) {
    next = along(map, o - 1, map.offset, map.block); // the last axis kept
  } else if (a == r - 1 && o > r && sameLeading(in, out, a) &&
             product(out, a, o) == in.getDimSize(a)) {
    // The channel axis split: [.., C] -> [.., C/inner, inner...].
    int64_t inner = product(out, a + 1, o);
    if (map.block % inner == 0 && map.offset % inner == 0)
      next = along(map, a, map.offset / inner, map.block / inner);
  } else if (o == a + 1 && r > o && sameLeading(in, out, a) &&
             product(in, a + 1, r) > 0) {
    // Merged with what follows: [.., C, X...] -> [.., C*X].
    int64_t inner = product(in, a + 1, r);
    next = along(map, a, map.offset * inner, map.block * inner);
  } else if (a == r - 1 && o == r && a >= 1 && sameLeading(in, out, a - 1) &&
             headSizeOf(reshape) == map.block && map.offset % map.block == 0) {
    // Heads folded into the axis before: [.., X, H*d] -> [.., X*H, d].
    int64_t d = map.block;
    next = map;
    next->axis = a - 1, next->offset = map.offset / d, next->block = 1;
    next->stride = in.getDimSize(a) / d;
  }
  if (!next)
    return false;
  groups[group].reshapes.push_back(reshape);
  follow(group, reshape.getResult(), *next);
  return true;
}

void ChannelPruner::followUse(unsigned group, OpOperand &use, const Map &map) {
  Group &g = groups[group];
  Operation *user = use.getOwner();
  unsigned index = use.getOperandNumber();
  auto resultType =
      user->getNumResults() == 1
          ? dyn_cast<RankedTensorType>(user->getResult(0).getType())
          : RankedTensorType();
  // Heads folded into a batch axis go only through ops that keep every
  // batch element apart.
  if (map.stride && !(isPassThrough(user) ||
                      isa<TransposeOp, AddOp, SubOp, MulOp, DivOp, MatMulOp,
                          SoftmaxOp, LogSoftmaxOp, ReshapeOp>(user))) {
    fail(group, "its heads, folded into a batch axis, reach " + describe(user));
    return;
  }
  if ((isa<GlobalAveragePoolOp, MaxPoolOp, AveragePoolOp>(user) ||
       isPassThrough(user)) &&
      index == 0 && (map.axis == 1 || isPassThrough(user))) {
    follow(group, user->getResult(0), map);
    return;
  }
  if (isa<SoftmaxOp, LogSoftmaxOp>(user)) {
    int64_t axis = isa<SoftmaxOp>(user) ? cast<SoftmaxOp>(user).getAxis()
                                        : cast<LogSoftmaxOp>(user).getAxis();
    if (resultType && axis < 0)
      axis += resultType.getRank();
    if (axis == map.axis) {
      fail(group, describe(user) + " normalizes along its channels");
      return;
    }
    follow(group, user->getResult(0), map);
    return;
  }
  if (auto transpose = dyn_cast<TransposeOp>(user)) {
    auto type = dyn_cast<RankedTensorType>(use.get().getType());
    if (!type) {
      fail(group, describe(user) + " has an operand of unknown rank");
      return;
    }
    SmallVector<int64_t> perm;
    if (auto p = transpose.getPerm())
      perm.assign(p->begin(), p->end());
    else
      for (int64_t i = type.getRank() - 1; i >= 0; --i)
        perm.push_back(i);
    auto it = llvm::find(perm, map.axis);
    Map m = map;
    m.axis = it - perm.begin();
    follow(group, transpose.getResult(), m);
    return;
  }
  if (isa<AddOp, SubOp, MulOp, DivOp>(user) && resultType) {
    Value other = user->getOperand(1 - index);
    auto otherType = dyn_cast<RankedTensorType>(other.getType());
    int64_t rank = resultType.getRank();
    if (!otherType) {
      fail(group, describe(user) + " has an operand of unknown shape");
      return;
    }
    // The other operand's dimension on the channel axis (broadcast from
    // the right).
    int64_t axis = map.axis - (rank - otherType.getRank());
    int64_t size = axis >= 0 ? otherType.getDimSize(axis) : 1;
    if (size == 1) {
      follow(group, user->getResult(0), map);
      return;
    }
    if (WeightRefOp w = refOf(other); w && !map.stride) {
      Map m = map;
      m.axis = axis;
      g.weights.push_back({w, m});
      g.values.push_back({other, m});
      follow(group, user->getResult(0), map);
      return;
    }
    // Another group's channels (a residual): coupled at this op.
    joins[user].push_back({group, index});
    return;
  }
  if (isBatchNorm(user) && index == 0 && map.axis == 1 && map.block == 1) {
    for (unsigned p = 1; p < 5; ++p)
      if (!refOf(user->getOperand(p))) {
        fail(group, describe(user) + " has parameters that are not its own");
        return;
      }
    for (unsigned p = 1; p < 5; ++p) {
      g.weights.push_back(
          {refOf(user->getOperand(p)), along(map, 0, map.offset, 1)});
      g.values.push_back({user->getOperand(p), along(map, 0, map.offset, 1)});
    }
    follow(group, user->getResult(0), map);
    return;
  }
  if (auto generic = dyn_cast<OnnxOp>(user)) {
    StringRef type = generic.getOpType();
    if ((type == "GlobalAveragePool" || type == "GlobalMaxPool") &&
        index == 0 && map.axis == 1) {
      follow(group, user->getResult(0), map);
      return;
    }
    fail(group, "its channels reach " + describe(user) +
                    ", which channel pruning does not follow");
    return;
  }
  if (isa<ConvOp, ConvTransposeOp>(user)) {
    bool transposed = isa<ConvTransposeOp>(user);
    Value w = user->getOperand(1),
          b = user->getNumOperands() > 2 ? user->getOperand(2) : Value();
    int64_t groupCount = transposed ? cast<ConvTransposeOp>(user).getGroup()
                                    : cast<ConvOp>(user).getGroup();
    if (index != 0 || map.axis != 1) {
      fail(group,
           "its channels reach " + describe(user) + " other than as input");
      return;
    }
    WeightRefOp ref = refOf(w);
    auto wType = cast<RankedTensorType>(w.getType());
    if (!ref) {
      fail(group, describe(user) + " has a weight that is not its own");
      return;
    }
    if (groupCount == 1) {
      // Input channels: W's axis 1 (Conv) or 0 (ConvTranspose).
      Map m = along(map, transposed ? 0 : 1, map.offset, map.block);
      g.weights.push_back({ref, m});
      g.values.push_back({w, m});
      return;
    }
    // Depthwise (one input channel per group, as many outputs): its
    // output channels are its input channels.
    int64_t in = cast<RankedTensorType>(use.get().getType()).getDimSize(1);
    if (!transposed && groupCount == in && wType.getDimSize(0) == in &&
        wType.getDimSize(1) == 1 && map.offset == 0 && map.block == 1) {
      g.weights.push_back({ref, along(map, 0, 0, 1)});
      g.values.push_back({w, along(map, 0, 0, 1)});
      if (b) {
        WeightRefOp bias = refOf(b);
        if (!bias) {
          fail(group, describe(user) + " has a bias that is not its own");
          return;
        }
        g.weights.push_back({bias, along(map, 0, 0, 1)});
        g.values.push_back({b, along(map, 0, 0, 1)});
      }
      g.depthwise.push_back({user, map});
      follow(group, user->getResult(0), map);
      return;
    }
    fail(group, "its channels reach the grouped " + describe(user));
    return;
  }
  if (auto gemm = dyn_cast<GemmOp>(user)) {
    if (index != 0 || map.axis != 1 || gemm.getTransA()) {
      fail(group, "its channels reach " + describe(user) + " other than as A");
      return;
    }
    WeightRefOp w = refOf(gemm.getB());
    if (!w) {
      fail(group, describe(user) + " has a B that is not its own");
      return;
    }
    Map m = along(map, gemm.getTransB() ? 1 : 0, map.offset, map.block);
    g.weights.push_back({w, m});
    g.values.push_back({gemm.getB(), m});
    return;
  }
  if (auto matmul = dyn_cast<MatMulOp>(user)) {
    auto bType = dyn_cast<RankedTensorType>(matmul.getB().getType());
    auto aType = dyn_cast<RankedTensorType>(matmul.getA().getType());
    WeightRefOp w = refOf(matmul.getB());
    if (index == 0 && aType && bType && bType.getRank() == 2 && w &&
        map.axis == aType.getRank() - 1 && !map.stride) {
      Map m = along(map, 0, map.offset, map.block);
      g.weights.push_back({w, m});
      g.values.push_back({matmul.getB(), m});
      return;
    }
    // Both operands carry the units on one batch axis (attention's
    // scores and context): coupled at this op.
    if (aType && bType && aType.getRank() == bType.getRank() &&
        aType.getRank() >= 3 && map.axis < aType.getRank() - 2 &&
        !matmul.getB().getDefiningOp<WeightRefOp>()) {
      joins[user].push_back({group, index});
      return;
    }
    fail(group, "its channels reach " + describe(user) +
                    " other than as the K of A times a weight of its own");
    return;
  }
  if (auto flatten = dyn_cast<FlattenOp>(user)) {
    auto inType = dyn_cast<RankedTensorType>(flatten.getInput().getType());
    if (!inType || flatten.getAxis() != 1 || map.axis != 1 ||
        product(inType, 2, inType.getRank()) < 0) {
      fail(group, "its channels reach " + describe(user) +
                      " with a shape it does not follow");
      return;
    }
    int64_t spatial = product(inType, 2, inType.getRank());
    follow(group, flatten.getResult(),
           along(map, 1, map.offset * spatial, map.block * spatial));
    return;
  }
  if (auto reshape = dyn_cast<ReshapeOp>(user)) {
    if (index != 0 || !followReshape(group, reshape, map))
      fail(group, "its channels reach " + describe(user) +
                      ", a reshape that mixes them with other dimensions");
    return;
  }
  if (isa<SliceOp, SplitOp>(user)) {
    auto inType = cast<RankedTensorType>(use.get().getType());
    // The ranges [start, end) the op takes along one axis, one per result.
    std::optional<int64_t> axis;
    SmallVector<std::pair<int64_t, int64_t>> ranges;
    int64_t size = 0;
    auto clampTo = [&](int64_t v) {
      v = v < 0 ? v + size : v;
      return std::clamp<int64_t>(v, 0, size);
    };
    if (auto slice = dyn_cast<SliceOp>(user)) {
      std::optional<int64_t> start = scalarOf(slice.getStarts()),
                             end = scalarOf(slice.getEnds());
      axis = slice.getAxes() ? scalarOf(slice.getAxes())
                             : std::optional<int64_t>(0);
      std::optional<int64_t> step = slice.getSteps()
                                        ? scalarOf(slice.getSteps())
                                        : std::optional<int64_t>(1);
      if (index != 0 || !start || !end || !axis || step != 1) {
        fail(group, "its channels reach " + describe(user) +
                        ", a slice that is not one constant range");
        return;
      }
      axis = *axis < 0 ? *axis + inType.getRank() : *axis;
      size = inType.getDimSize(*axis);
      ranges.push_back({clampTo(*start), clampTo(*end)});
    } else {
      auto split = cast<SplitOp>(user);
      axis = split.getAxis() < 0 ? split.getAxis() + inType.getRank()
                                 : split.getAxis();
      size = inType.getDimSize(*axis);
      int64_t begin = 0;
      for (Value part : split.getResults()) {
        auto type = dyn_cast<RankedTensorType>(part.getType());
        if (!type || type.isDynamicDim(*axis)) {
          ranges.clear();
          break;
        }
        ranges.push_back({begin, begin + type.getDimSize(*axis)});
        begin += type.getDimSize(*axis);
      }
      if (index != 0 || ranges.empty()) {
        fail(group, "its channels reach " + describe(user) +
                        " with parts of unknown size");
        return;
      }
    }
    if (*axis != map.axis) { // another axis: the channels pass unchanged
      for (Value result : user->getResults())
        follow(group, result, map);
      return;
    }
    if (ShapedType::isDynamic(size)) {
      fail(group, "its channels reach " + describe(user) +
                      " along an axis of dynamic size");
      return;
    }
    g.slices.push_back({user, map});
    for (auto [i, range] : llvm::enumerate(ranges)) {
      bool partial = false;
      std::optional<Map> part =
          within(map, range.first, range.second, g.channels, partial);
      if (partial) {
        fail(group, describe(user) + " cuts through a head");
        return;
      }
      if (part)
        follow(group, user->getResult(i), *part);
    }
    return;
  }
  if (auto concat = dyn_cast<ConcatOp>(user)) {
    int64_t axis = concat.getAxis();
    auto type = cast<RankedTensorType>(use.get().getType());
    if (axis < 0)
      axis += type.getRank();
    if (axis != map.axis) {
      // Concatenated along another axis: the channels stay where they are
      // only when every input is this group's (not followed).
      fail(group,
           "its channels reach " + describe(user) + " along another axis");
      return;
    }
    int64_t offset = 0;
    for (unsigned i = 0; i < index; ++i)
      offset += cast<RankedTensorType>(user->getOperand(i).getType())
                    .getDimSize(axis);
    follow(group, concat.getResult(),
           along(map, map.axis, map.offset + offset, map.block));
    return;
  }
  if (isa<func::ReturnOp>(user)) {
    fail(group, "its channels reach the model's output");
    return;
  }
  fail(group, "its channels reach " + describe(user) +
                  ", which channel pruning does not follow");
}

std::pair<std::vector<int64_t>, int64_t>
ChannelPruner::headLayout(Value result, int64_t channels) {
  struct Section {
    int64_t start, size, d;
  };
  std::vector<Section> sections;
  // Through the bias and the Slices of a fused projection, to Reshapes
  // that split into heads; anything else: no head layout.
  std::function<bool(Value, int64_t, int64_t)> scan =
      [&](Value v, int64_t start, int64_t size) -> bool {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    if (!type || type.getRank() < 2)
      return false;
    int64_t last = type.getRank() - 1;
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      unsigned index = use.getOperandNumber();
      if (isa<AddOp, SubOp, MulOp, DivOp>(user)) {
        auto other =
            dyn_cast<RankedTensorType>(user->getOperand(1 - index).getType());
        if (!other || other.getRank() > type.getRank())
          return false;
        int64_t n = other.getRank() ? other.getDimSize(other.getRank() - 1) : 1;
        if (n != 1 && !(n == size && refOf(user->getOperand(1 - index))))
          return false;
        if (!scan(user->getResult(0), start, size))
          return false;
      } else if (auto slice = dyn_cast<SliceOp>(user)) {
        std::optional<int64_t> s = scalarOf(slice.getStarts()),
                               e = scalarOf(slice.getEnds());
        std::optional<int64_t> axis = slice.getAxes()
                                          ? scalarOf(slice.getAxes())
                                          : std::optional<int64_t>(0);
        if (!s || !e || !axis || slice.getSteps() ||
            (*axis != last && *axis != -1))
          return false;
        auto clamp = [&](int64_t x) {
          return std::clamp<int64_t>(x < 0 ? x + size : x, 0, size);
        };
        if (clamp(*e) <= clamp(*s) ||
            !scan(slice.getResult(), start + clamp(*s), clamp(*e) - clamp(*s)))
          return false;
      } else if (auto reshape = dyn_cast<ReshapeOp>(user)) {
        int64_t d = headSizeOf(reshape);
        if (!d || size % d)
          return false;
        sections.push_back({start, size, d});
      } else {
        return false;
      }
    }
    return true;
  };
  if (!scan(result, 0, channels) || sections.empty())
    return {};
  std::sort(
      sections.begin(), sections.end(),
      [](const Section &a, const Section &b) { return a.start < b.start; });
  int64_t size = sections.front().size, d = sections.front().d;
  std::vector<int64_t> starts;
  for (auto [i, s] : llvm::enumerate(sections)) {
    if (s.size != size || s.d != d || s.start != int64_t(i) * size)
      return {};
    starts.push_back(s.start);
  }
  if (int64_t(sections.size()) * size != channels || size / d < 2)
    return {};
  return {starts, d};
}
