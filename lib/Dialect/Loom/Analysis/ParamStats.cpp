//===- ParamStats.cpp - parameter counts and value statistics -------------===//
//
// The analysis of ParamStats.h: one parallel sweep over every weight's
// elements (zeros, NaN, Inf, min, max, sum, sum of squares), a second one for
// histograms, totals by role. The reports (text, JSON, Markdown, SVG) and
// their writing are in ParamStatsReport.cpp; the `--loom-param-stats` pass in
// Transforms/ParamStats.cpp.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/Analysis/ParamStats.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/WeightData.h"
#include "loom/Dialect/Loom/Utils/ElementDecoding.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/Threading.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <set>

using namespace mlir;
using namespace loom;

//===----------------------------------------------------------------------===//
// Reading elements
//===----------------------------------------------------------------------===//

namespace {

/// Counts and moments of a range of elements.
struct Moments {
  bool numeric = false;
  double sum = 0, sumSquares = 0;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  uint64_t zeros = 0, nans = 0, infs = 0;

  void merge(const Moments &other) {
    numeric |= other.numeric;
    sum += other.sum, sumSquares += other.sumSquares;
    lo = std::min(lo, other.lo), hi = std::max(hi, other.hi);
    zeros += other.zeros, nans += other.nans, infs += other.infs;
  }
};

typedef float F32x8 __attribute__((vector_size(32)));
typedef int32_t I32x8 __attribute__((vector_size(32)));

/// The float32 sweep, vectorized (8 lanes; AVX2 where the CPU has it):
/// branch-free masks for NaN and finiteness, float partial sums per block of
/// 4096 elements added into doubles.
__attribute__((target_clones("avx2", "default"))) void
momentsF32(const char *data, int64_t n, Moments &out) {
  const float inf = std::numeric_limits<float>::infinity();
  const F32x8 plus = {inf, inf, inf, inf, inf, inf, inf, inf};
  F32x8 lo = plus, hi = -plus;
  constexpr int64_t kBlock = 4096;
  int64_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    F32x8 sum = {}, squares = {};
    I32x8 zeros = {}, nans = {}, infs = {};
    for (int64_t j = 0; j < kBlock; j += 8) {
      F32x8 v;
      std::memcpy(&v, data + 4 * (i + j), sizeof(v));
      I32x8 isNaN = v != v;
      I32x8 finite = (v - v) == 0; // inf - inf and NaN are NaN
      F32x8 kept = (F32x8)((I32x8)v & finite);
      sum += kept;
      squares += kept * kept;
      F32x8 low = finite ? v : plus, high = finite ? v : -plus;
      lo = low < lo ? low : lo;
      hi = high > hi ? high : hi;
      zeros += v == 0; // -1 per zero
      nans += isNaN;
      infs += ~finite & ~isNaN;
    }
    double blockSum = 0, blockSquares = 0;
    for (int k = 0; k < 8; ++k) {
      blockSum += sum[k], blockSquares += squares[k];
      out.zeros -= zeros[k], out.nans -= nans[k], out.infs -= infs[k];
    }
    out.sum += blockSum, out.sumSquares += blockSquares;
  }
  for (int k = 0; k < 8; ++k) {
    out.lo = std::min<double>(out.lo, lo[k]);
    out.hi = std::max<double>(out.hi, hi[k]);
  }
  for (; i < n; ++i) {
    float v;
    std::memcpy(&v, data + 4 * i, 4);
    if (std::isnan(v)) {
      ++out.nans;
    } else if (std::isinf(v)) {
      ++out.infs;
    } else {
      out.zeros += v == 0;
      out.sum += v, out.sumSquares += double(v) * v;
      out.lo = std::min<double>(out.lo, v),
      out.hi = std::max<double>(out.hi, v);
    }
  }
}

/// Counts and moments of elements [begin, end) of a tensor's bytes.
Moments momentsOf(Type elementType, ArrayRef<char> bytes, int64_t begin,
                  int64_t end) {
  Moments m;
  unsigned size = *getElementByteSize(elementType);
  if (elementType.isF32()) {
    momentsF32(bytes.data() + 4 * begin, end - begin, m);
    m.numeric = true;
    return m;
  }
  m.numeric = visitElements(elementType,
                            bytes.slice(begin * size, (end - begin) * size),
                            end - begin, [&](double v) {
                              if (std::isnan(v)) {
                                ++m.nans;
                              } else if (std::isinf(v)) {
                                ++m.infs;
                              } else {
                                m.zeros += v == 0;
                                m.sum += v;
                                m.sumSquares += v * v;
                                m.lo = std::min(m.lo, v);
                                m.hi = std::max(m.hi, v);
                              }
                            });
  return m;
}

void finish(TensorStats &stats, const Moments &m) {
  stats.numeric = m.numeric;
  if (!m.numeric)
    return;
  stats.zeros = m.zeros, stats.nans = m.nans, stats.infs = m.infs;
  uint64_t finite = stats.count - m.nans - m.infs;
  if (finite) {
    stats.min = m.lo, stats.max = m.hi;
    stats.mean = m.sum / finite;
    stats.stddev = std::sqrt(
        std::max(0.0, m.sumSquares / finite - stats.mean * stats.mean));
  }
}

} // namespace

uint64_t loom::fillHistogram(const TensorStats &stats, double lo, double hi,
                             std::vector<uint64_t> &bins,
                             uint64_t maxElements) {
  ElementsAttr value = WeightOp(stats.op).getValue();
  std::vector<char> storage;
  std::optional<ArrayRef<char>> bytes = getWeightBytes(value, storage);
  if (!bytes || bins.empty())
    return 0;
  Type elementType = cast<ShapedType>(value.getType()).getElementType();
  std::optional<unsigned> size = getElementByteSize(elementType);
  if (!size)
    return 0;
  double scale = hi > lo ? bins.size() / (hi - lo) : 0.0;
  int64_t last = static_cast<int64_t>(bins.size()) - 1;
  auto add = [&](int64_t begin, int64_t end) {
    visitElements(elementType,
                  bytes->slice(begin * *size, (end - begin) * *size),
                  end - begin, [&](double v) {
                    if (!std::isfinite(v))
                      return;
                    int64_t bin = static_cast<int64_t>((v - lo) * scale);
                    ++bins[std::clamp<int64_t>(bin, 0, last)];
                  });
  };
  constexpr int64_t kBlock = 4096;
  int64_t count = stats.count;
  if (!maxElements || count <= static_cast<int64_t>(maxElements)) {
    add(0, count);
    return count;
  }
  int64_t blocks = std::max<int64_t>(1, maxElements / kBlock);
  for (int64_t b = 0; b < blocks; ++b) {
    int64_t begin = (count - kBlock) * b / std::max<int64_t>(1, blocks - 1);
    add(begin, begin + kBlock);
  }
  return blocks * kBlock;
}

namespace {

std::string typeString(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

} // namespace

/// A user-facing name of an op: the node name from its location.
std::string loom::getNodeName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (std::string name = getNodeName(inner); !name.empty())
        return name;
  return "";
}

/// The op's kind as a user knows it: `Conv` for a generic ONNX op, `conv`
/// for `loom.conv`.
std::string loom::getOpKind(Operation *op) {
  if (auto generic = dyn_cast<OnnxOp>(op))
    return generic.getOpType().str();
  StringRef name = op->getName().getStringRef();
  name.consume_front("loom.");
  return name.str();
}

std::string loom::formatGrouped(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return out;
}

std::vector<std::string> TensorStats::allNames() const {
  std::vector<std::string> names = {name};
  names.insert(names.end(), aliases.begin(), aliases.end());
  for (auto &[copy, role] : copies)
    names.push_back(copy);
  return names;
}

//===----------------------------------------------------------------------===//
// The report
//===----------------------------------------------------------------------===//

/// The sweep over the weights' data: tensors cut into chunks of at most 4M
/// elements (one big embedding keeps every core busy too), then histograms.
static void readValues(MLIRContext *context, ParamReport &report,
                       const ParamStatsOptions &options) {
  struct Chunk {
    unsigned tensor;
    int64_t begin, end;
    Moments moments;
  };
  std::vector<std::vector<char>> storage(report.tensors.size());
  std::vector<std::optional<ArrayRef<char>>> data(report.tensors.size());
  std::vector<Chunk> chunks;
  constexpr int64_t kChunk = int64_t(1) << 22;
  for (auto [index, s] : llvm::enumerate(report.tensors)) {
    Type elementType = s.op.getType().getElementType();
    data[index] = getWeightBytes(s.op.getValue(), storage[index]);
    std::optional<unsigned> size = getElementByteSize(elementType);
    if (!data[index] || !size ||
        data[index]->size() != uint64_t(s.count) * *size)
      continue;
    for (int64_t begin = 0; begin < s.count; begin += kChunk)
      chunks.push_back(
          {unsigned(index), begin, std::min(s.count, begin + kChunk), {}});
  }
  parallelForEach(context, chunks, [&](Chunk &chunk) {
    const TensorStats &s = report.tensors[chunk.tensor];
    chunk.moments = momentsOf(WeightOp(s.op).getType().getElementType(),
                              *data[chunk.tensor], chunk.begin, chunk.end);
  });
  std::vector<Moments> moments(report.tensors.size());
  for (const Chunk &chunk : chunks)
    moments[chunk.tensor].merge(chunk.moments);
  for (auto [s, m] : llvm::zip_equal(report.tensors, moments))
    finish(s, m);
  if (options.bins)
    parallelForEach(context, report.tensors, [&](TensorStats &s) {
      if (!s.numeric)
        return;
      s.histogram.assign(options.bins, 0);
      s.histogramElements =
          fillHistogram(s, s.min, s.max, s.histogram, options.histogramSample);
    });
}

ParamReport loom::computeParamStats(ModuleOp module,
                                    const ParamStatsOptions &options) {
  ParamReport report;
  llvm::DenseMap<Operation *, unsigned> tensorIndex;
  for (WeightOp weight : module.getOps<WeightOp>()) {
    TensorStats stats;
    stats.op = weight;
    stats.name = weight.getSymName().str();
    ShapedType type = weight.getType();
    stats.dtype = typeString(type.getElementType());
    stats.shape =
        llvm::join(llvm::map_range(type.getShape(),
                                   [](int64_t d) { return std::to_string(d); }),
                   "x");
    stats.role = weight.getRole();
    stats.frozen = weight.getFrozen();
    stats.count = type.getNumElements();
    if (std::optional<ArrayAttr> aliases = weight.getAliases())
      for (StringAttr alias : aliases->getAsRange<StringAttr>())
        stats.aliases.push_back(alias.str());
    if (std::optional<ArrayAttr> copies = weight.getCopies())
      for (WeightCopyAttr copy : copies->getAsRange<WeightCopyAttr>())
        stats.copies.emplace_back(copy.getName().str(), copy.getRole());
    // Bytes as stored in full (a splat counts every element).
    if (std::optional<unsigned> elemBytes =
            getElementByteSize(type.getElementType()))
      stats.bytes = stats.count * *elemBytes;
    tensorIndex[weight] = report.tensors.size();
    report.tensors.push_back(std::move(stats));
  }

  // Layers: every op that reads a weight, in program order.
  SymbolTable symbols(module);
  llvm::MapVector<Operation *, LayerStats> layers;
  module.walk([&](Operation *user) {
    for (Value operand : user->getOperands()) {
      auto ref = operand.getDefiningOp<WeightRefOp>();
      if (!ref)
        continue;
      auto weight = symbols.lookup<WeightOp>(ref.getName());
      if (!weight)
        continue;
      unsigned index = tensorIndex.lookup(weight);
      // The name the graph read it under (import names each reference).
      std::string readName = report.tensors[index].name;
      std::string refName = getNodeName(ref.getLoc());
      for (const std::string &name : report.tensors[index].allNames())
        if (name == refName)
          readName = name;
      LayerStats &layer = layers[user];
      if (layer.op.empty()) {
        layer.op = getOpKind(user);
        layer.name = getNodeName(user->getLoc());
        if (layer.name.empty())
          layer.name = layer.op + "#" + std::to_string(layers.size());
      }
      layer.reads.push_back({readName, index});
    }
  });
  for (auto &[op, layer] : layers)
    for (const LayerStats::Read &read : layer.reads) {
      std::vector<std::string> &users = report.tensors[read.tensor].users;
      if (llvm::find(users, layer.name) == users.end())
        users.push_back(layer.name);
    }

  if (options.values)
    readValues(module.getContext(), report, options);

  // Totals.
  for (TensorStats &s : report.tensors) {
    auto add = [&](WeightRole role) {
      if (role == WeightRole::Parameter)
        (s.frozen ? report.frozen : report.trainable) += s.count;
      else if (role == WeightRole::Buffer)
        report.buffers += s.count;
      else
        report.constants += s.count;
    };
    add(s.role); // the symbol and its aliases: one tensor
    bool holdsParameter = s.role == WeightRole::Parameter;
    for (auto &[copy, role] : s.copies) {
      add(role);
      holdsParameter |= role == WeightRole::Parameter;
    }
    if (holdsParameter)
      report.uniqueParams += s.count;
    report.uniqueBytes += s.bytes;
    report.referencedBytes +=
        s.bytes * (1 + s.aliases.size() + s.copies.size());
    report.bytesByDtype[s.dtype] += s.bytes;
    report.nans += s.nans;
    report.infs += s.infs;
  }

  for (auto &[op, layer] : layers) {
    using OrderedSet = llvm::SetVector<std::string, std::vector<std::string>,
                                       std::set<std::string>>;
    OrderedSet dtypes, roles, shared;
    for (const LayerStats::Read &read : layer.reads) {
      const TensorStats &s = report.tensors[read.tensor];
      layer.params += s.count;
      layer.bytes += s.bytes;
      layer.zeros += s.zeros;
      layer.frozen &= s.frozen;
      dtypes.insert(s.dtype);
      WeightRole role = s.role;
      for (auto &[copy, copyRole] : s.copies)
        if (copy == read.name)
          role = copyRole;
      roles.insert(stringifyWeightRole(role).str());
      for (const std::string &name : s.allNames())
        shared.insert(name);
    }
    // Shared with: the other names of what it reads, not its own reads.
    for (const LayerStats::Read &read : layer.reads)
      shared.remove(read.name);
    layer.dtype = llvm::join(dtypes, ",");
    layer.role = llvm::join(roles, "+");
    layer.sharedWith.assign(shared.begin(), shared.end());
    report.layers.push_back(std::move(layer));
  }
  return report;
}
