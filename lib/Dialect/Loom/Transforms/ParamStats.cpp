//===- ParamStats.cpp - parameter counts and value statistics -------------===//
//
// The analysis of ParamStats.h and the `--loom-param-stats` pass: one
// parallel sweep over every weight's elements (zeros, NaN, Inf, min, max,
// sum, sum of squares), a second one for histograms, totals by role, then a
// text, JSON or Markdown report and optionally an SVG figure.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/Transforms/ParamStats.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/WeightData.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/Threading.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/ToolOutputFile.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <mutex>
#include <set>

namespace loom {
#define GEN_PASS_DEF_LOOMPARAMSTATS
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

//===----------------------------------------------------------------------===//
// Reading elements
//===----------------------------------------------------------------------===//

namespace {

float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  uint32_t bits;
  if (exponent == 0) {
    float f = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -f : f;
  }
  if (exponent == 31)
    bits = sign | 0x7f800000u | (mantissa << 13);
  else
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

template <typename T, typename Fn>
void visitAs(const char *p, int64_t count, Fn &fn) {
  for (int64_t i = 0; i < count; ++i, p += sizeof(T)) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    fn(static_cast<double>(v));
  }
}

/// Calls `fn(double)` on every element of `bytes` read as `elementType`;
/// false for types statistics do not cover (strings, complex, sub-byte).
template <typename Fn>
bool visitElements(Type elementType, ArrayRef<char> bytes, int64_t count,
                   Fn &&fn) {
  auto bytesPer = getElementByteSize(elementType);
  if (!bytesPer || bytes.size() != uint64_t(count) * *bytesPer)
    return false;
  const char *p = bytes.data();
  if (elementType.isF32())
    return visitAs<float>(p, count, fn), true;
  if (elementType.isF64())
    return visitAs<double>(p, count, fn), true;
  if (elementType.isF16() || elementType.isBF16()) {
    bool half = elementType.isF16();
    for (int64_t i = 0; i < count; ++i, p += 2) {
      uint16_t bits;
      std::memcpy(&bits, p, 2);
      if (half) {
        fn(static_cast<double>(halfToFloat(bits)));
      } else {
        uint32_t wide = uint32_t(bits) << 16;
        float f;
        std::memcpy(&f, &wide, 4);
        fn(static_cast<double>(f));
      }
    }
    return true;
  }
  auto integer = dyn_cast<IntegerType>(elementType);
  if (!integer)
    return false;
  bool isUnsigned = integer.isUnsigned();
  switch (integer.getWidth()) {
  case 8:
    return isUnsigned ? visitAs<uint8_t>(p, count, fn)
                      : visitAs<int8_t>(p, count, fn),
           true;
  case 16:
    return isUnsigned ? visitAs<uint16_t>(p, count, fn)
                      : visitAs<int16_t>(p, count, fn),
           true;
  case 32:
    return isUnsigned ? visitAs<uint32_t>(p, count, fn)
                      : visitAs<int32_t>(p, count, fn),
           true;
  case 64:
    return isUnsigned ? visitAs<uint64_t>(p, count, fn)
                      : visitAs<int64_t>(p, count, fn),
           true;
  default:
    return false;
  }
}

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
      out.lo = std::min<double>(out.lo, v), out.hi = std::max<double>(out.hi, v);
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
  m.numeric = visitElements(
      elementType, bytes.slice(begin * size, (end - begin) * size),
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

/// Adds the finite values of `stats`' tensor to `bins` equal bins over
/// [lo, hi] (values outside are clamped into the end bins). With
/// `maxElements`, a larger tensor contributes evenly spaced blocks of 4096
/// elements adding up to about that many; returns the elements visited.
uint64_t fillHistogram(const TensorStats &stats, double lo, double hi,
                       std::vector<uint64_t> &bins, uint64_t maxElements = 0) {
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

std::string typeString(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

/// A user-facing name of an op: the node name from its location.
std::string locName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (std::string name = locName(inner); !name.empty())
        return name;
  return "";
}

/// The op's kind as a user knows it: `Conv` for a generic ONNX op, `conv`
/// for `loom.conv`.
std::string opKind(Operation *op) {
  if (auto generic = dyn_cast<OnnxOp>(op))
    return generic.getOpType().str();
  StringRef name = op->getName().getStringRef();
  name.consume_front("loom.");
  return name.str();
}

} // namespace

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

ParamReport loom::computeParamStats(ModuleOp module, unsigned bins,
                                    uint64_t histogramSample) {
  ParamReport report;
  llvm::DenseMap<Operation *, unsigned> tensorIndex;
  for (WeightOp weight : module.getOps<WeightOp>()) {
    TensorStats stats;
    stats.op = weight;
    stats.name = weight.getSymName().str();
    ShapedType type = weight.getType();
    stats.dtype = typeString(type.getElementType());
    stats.shape = llvm::join(
        llvm::map_range(type.getShape(),
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
      std::string refName = locName(ref.getLoc());
      for (const std::string &name : report.tensors[index].allNames())
        if (name == refName)
          readName = name;
      LayerStats &layer = layers[user];
      if (layer.op.empty()) {
        layer.op = opKind(user);
        layer.name = locName(user->getLoc());
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

  // The sweep: tensors cut into chunks of at most 4M elements, so that one
  // big embedding keeps every core busy too.
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
  parallelForEach(module.getContext(), chunks, [&](Chunk &chunk) {
    const TensorStats &s = report.tensors[chunk.tensor];
    chunk.moments = momentsOf(WeightOp(s.op).getType().getElementType(),
                              *data[chunk.tensor], chunk.begin, chunk.end);
  });
  std::vector<Moments> moments(report.tensors.size());
  for (const Chunk &chunk : chunks)
    moments[chunk.tensor].merge(chunk.moments);
  for (auto [s, m] : llvm::zip_equal(report.tensors, moments))
    finish(s, m);
  if (bins)
    parallelForEach(module.getContext(), report.tensors, [&](TensorStats &s) {
      if (!s.numeric)
        return;
      s.histogram.assign(bins, 0);
      s.histogramElements =
          fillHistogram(s, s.min, s.max, s.histogram, histogramSample);
    });

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

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

namespace {

/// Rows of cells printed as an aligned terminal table or a Markdown table.
class Table {
public:
  /// `right[i]`: column i is right-aligned (numbers).
  Table(std::vector<std::string> header, std::vector<bool> right)
      : right(std::move(right)) {
    rows.push_back(std::move(header));
  }
  void add(std::vector<std::string> row) { rows.push_back(std::move(row)); }

  void printText(llvm::raw_ostream &os) const {
    std::vector<size_t> widths = columnWidths();
    for (auto [index, row] : llvm::enumerate(rows)) {
      std::string line;
      for (size_t c = 0; c < row.size(); ++c) {
        size_t pad = widths[c] - row[c].size();
        bool last = c + 1 == row.size();
        if (right[c])
          line += std::string(pad, ' ') + row[c];
        else
          line += row[c] + (last ? "" : std::string(pad, ' '));
        if (!last)
          line += "  ";
      }
      os << StringRef(line).rtrim() << "\n";
      if (index == 0) {
        size_t total = 0;
        for (size_t w : widths)
          total += w + 2;
        os << std::string(total - 2, '-') << "\n";
      }
    }
  }

  void printMarkdown(llvm::raw_ostream &os) const {
    for (auto [index, row] : llvm::enumerate(rows)) {
      os << "|";
      for (const std::string &cell : row)
        os << " " << escape(cell) << " |";
      os << "\n";
      if (index == 0) {
        os << "|";
        for (bool r : right)
          os << (r ? " ---: |" : " --- |");
        os << "\n";
      }
    }
  }

private:
  static std::string escape(StringRef cell) {
    std::string out;
    for (char c : cell) {
      if (c == '|')
        out += "\\|";
      else
        out += c;
    }
    return out;
  }
  std::vector<size_t> columnWidths() const {
    std::vector<size_t> widths(rows.front().size(), 0);
    for (const auto &row : rows)
      for (size_t c = 0; c < row.size(); ++c)
        widths[c] = std::max(widths[c], row[c].size());
    return widths;
  }

  std::vector<bool> right;
  std::vector<std::vector<std::string>> rows;
};

std::string grouped(uint64_t n) { return formatGrouped(n); }

std::string humanBytes(uint64_t bytes) {
  const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = bytes;
  int unit = 0;
  while (v >= 1024 && unit < 4)
    v /= 1024, ++unit;
  return unit ? llvm::formatv("{0:f1} {1}", v, units[unit]).str()
              : std::to_string(bytes) + " B";
}

std::string number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.4g", v);
  return buffer;
}
std::string percent(double v) {
  return llvm::formatv("{0:f1}%", 100.0 * v).str();
}

std::string flags(const TensorStats &s) {
  std::vector<std::string> out;
  if (s.nans)
    out.push_back(std::to_string(s.nans) + " NaN");
  if (s.infs)
    out.push_back(std::to_string(s.infs) + " Inf");
  if (s.allZero())
    out.push_back("all zero");
  if (s.isConstant())
    out.push_back("constant");
  return llvm::join(out, ", ");
}

std::string roleText(const TensorStats &s) {
  std::string role = stringifyWeightRole(s.role).str();
  if (s.role == WeightRole::Parameter)
    role = s.frozen ? "frozen" : "trainable";
  return role;
}

Table layerTable(const ParamReport &report) {
  Table table({"layer", "op", "weights", "params", "bytes", "dtype", "role",
               "sparsity", "shared with"},
              {false, false, false, true, true, false, false, true, false});
  for (const LayerStats &layer : report.layers) {
    std::vector<std::string> weights;
    for (const LayerStats::Read &read : layer.reads)
      weights.push_back(read.name + " [" +
                        report.tensors[read.tensor].shape + "]");
    std::string role = layer.role;
    if (role == "parameter")
      role = layer.frozen ? "frozen" : "trainable";
    // A terminal row names the first few other names.
    constexpr size_t kShown = 3;
    std::vector<std::string> shared(
        layer.sharedWith.begin(),
        layer.sharedWith.begin() + std::min(kShown, layer.sharedWith.size()));
    if (layer.sharedWith.size() > kShown)
      shared.push_back("+" + std::to_string(layer.sharedWith.size() - kShown) +
                       " more");
    table.add({layer.name, layer.op, llvm::join(weights, ", "),
               grouped(layer.params), grouped(layer.bytes), layer.dtype, role,
               percent(layer.sparsity()), llvm::join(shared, ", ")});
  }
  return table;
}

Table tensorTable(const ParamReport &report) {
  Table table({"tensor", "role", "dtype", "shape", "params", "sparsity", "min",
               "max", "mean", "std", "flags", "other names"},
              {false, false, false, false, true, true, true, true, true, true,
               false, false});
  for (const TensorStats &s : report.tensors) {
    std::vector<std::string> others = s.aliases;
    for (auto &[copy, role] : s.copies)
      others.push_back(copy + " (copy" +
                       (role == WeightRole::Parameter
                            ? std::string()
                            : ", " + stringifyWeightRole(role).str()) +
                       ")");
    std::vector<std::string> row = {s.name,  roleText(s),
                                    s.dtype, s.shape,
                                    grouped(s.count)};
    if (s.numeric) {
      row.insert(row.end(), {percent(s.sparsity()), number(s.min),
                             number(s.max), number(s.mean), number(s.stddev)});
    } else {
      row.insert(row.end(), {"-", "-", "-", "-", "-"});
    }
    row.push_back(flags(s));
    row.push_back(llvm::join(others, ", "));
    table.add(std::move(row));
  }
  return table;
}

void printTotals(const ParamReport &r, llvm::raw_ostream &os,
                 StringRef bullet) {
  os << bullet << "parameters: " << grouped(r.total()) << " ("
     << grouped(r.trainable) << " trainable, " << grouped(r.frozen)
     << " frozen)\n";
  os << bullet << "buffers: " << grouped(r.buffers)
     << "; constants: " << grouped(r.constants) << "\n";
  os << bullet << "unique parameters: " << grouped(r.uniqueParams)
     << "; unique bytes: " << grouped(r.uniqueBytes);
  if (r.uniqueBytes >= 1024)
    os << " (" << humanBytes(r.uniqueBytes) << ")";
  os << "; referenced bytes: " << grouped(r.referencedBytes)
     << "; sharing ratio: " << llvm::formatv("{0:f3}", r.sharingRatio())
     << "\n";
  os << bullet << "bytes by dtype:";
  for (auto &[dtype, bytes] : r.bytesByDtype)
    os << " " << dtype << " " << grouped(bytes);
  os << "\n";
  os << bullet << "NaN: " << r.nans << "; Inf: " << r.infs << "\n";
  std::vector<std::string> zero, constant;
  for (const TensorStats &s : r.tensors) {
    if (s.allZero())
      zero.push_back(s.name);
    if (s.isConstant())
      constant.push_back(s.name);
  }
  if (!zero.empty())
    os << bullet << "all-zero tensors: " << llvm::join(zero, ", ") << "\n";
  if (!constant.empty())
    os << bullet << "constant tensors: " << llvm::join(constant, ", ") << "\n";
}

} // namespace

void loom::printParamStatsText(const ParamReport &report,
                               llvm::raw_ostream &os) {
  os << "Layers\n";
  layerTable(report).printText(os);
  os << "\nTensors\n";
  tensorTable(report).printText(os);
  os << "\nTotals\n";
  printTotals(report, os, "  ");
}

void loom::printParamStatsMarkdown(const ParamReport &report,
                                   llvm::raw_ostream &os) {
  os << "## Totals\n\n";
  printTotals(report, os, "- ");
  os << "\n## Layers\n\n";
  layerTable(report).printMarkdown(os);
  os << "\n## Tensors\n\n";
  tensorTable(report).printMarkdown(os);
}

void loom::printParamStatsJSON(const ParamReport &report,
                               llvm::raw_ostream &os) {
  auto strings = [](const std::vector<std::string> &list) {
    llvm::json::Array array;
    for (const std::string &s : list)
      array.push_back(s);
    return array;
  };
  llvm::json::Array layers;
  for (const LayerStats &layer : report.layers) {
    llvm::json::Array weights;
    for (const LayerStats::Read &read : layer.reads)
      weights.push_back(llvm::json::Object{
          {"name", read.name},
          {"tensor", report.tensors[read.tensor].name},
          {"shape", report.tensors[read.tensor].shape}});
    layers.push_back(llvm::json::Object{
        {"name", layer.name},
        {"op", layer.op},
        {"params", layer.params},
        {"bytes", static_cast<int64_t>(layer.bytes)},
        {"dtype", layer.dtype},
        {"role", layer.role},
        {"frozen", layer.frozen},
        {"aliases", strings(layer.sharedWith)},
        {"sparsity", layer.sparsity()},
        {"weights", std::move(weights)},
    });
  }
  llvm::json::Array tensors;
  for (const TensorStats &s : report.tensors) {
    llvm::json::Array copies;
    for (auto &[copy, role] : s.copies)
      copies.push_back(llvm::json::Object{
          {"name", copy}, {"role", stringifyWeightRole(role).str()}});
    llvm::json::Object tensor{
        {"name", s.name},
        {"role", stringifyWeightRole(s.role).str()},
        {"frozen", s.frozen},
        {"dtype", s.dtype},
        {"shape", s.shape},
        {"params", s.count},
        {"bytes", static_cast<int64_t>(s.bytes)},
        {"aliases", strings(s.aliases)},
        {"copies", std::move(copies)},
        {"users", strings(s.users)},
        {"all_zero", s.allZero()},
        {"constant", s.isConstant()},
    };
    if (s.numeric) {
      tensor["sparsity"] = s.sparsity();
      tensor["nan"] = static_cast<int64_t>(s.nans);
      tensor["inf"] = static_cast<int64_t>(s.infs);
      tensor["min"] = s.min;
      tensor["max"] = s.max;
      tensor["mean"] = s.mean;
      tensor["std"] = s.stddev;
      llvm::json::Array counts;
      for (uint64_t c : s.histogram)
        counts.push_back(static_cast<int64_t>(c));
      tensor["histogram"] = std::move(counts);
      tensor["histogram_elements"] = static_cast<int64_t>(s.histogramElements);
    }
    tensors.push_back(std::move(tensor));
  }
  llvm::json::Object byDtype;
  for (auto &[dtype, bytes] : report.bytesByDtype)
    byDtype[dtype] = static_cast<int64_t>(bytes);
  llvm::json::Object root{
      {"total", report.total()},
      {"trainable", report.trainable},
      {"frozen", report.frozen},
      {"buffers", report.buffers},
      {"constants", report.constants},
      {"unique_params", report.uniqueParams},
      {"unique_bytes", static_cast<int64_t>(report.uniqueBytes)},
      {"referenced_bytes", static_cast<int64_t>(report.referencedBytes)},
      {"sharing_ratio", report.sharingRatio()},
      {"bytes_by_dtype", std::move(byDtype)},
      {"nan_count", static_cast<int64_t>(report.nans)},
      {"inf_count", static_cast<int64_t>(report.infs)},
      {"layers", std::move(layers)},
      {"tensors", std::move(tensors)},
  };
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
}

//===----------------------------------------------------------------------===//
// SVG
//===----------------------------------------------------------------------===//

namespace {

std::string xmlEscape(StringRef text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&apos;"; break;
    default:
      // XML 1.0 forbids most control characters.
      if (static_cast<unsigned char>(c) >= 0x20 || c == '\t')
        out += c;
    }
  }
  return out;
}

/// One histogram panel: bars with a log-scaled count axis at (x, y).
void drawHistogram(llvm::raw_ostream &os, double x, double y, double width,
                   double height, const std::vector<uint64_t> &bins, double lo,
                   double hi, StringRef caption, bool axes) {
  uint64_t peak = 1;
  for (uint64_t c : bins)
    peak = std::max(peak, c);
  double logPeak = std::log10(double(peak) + 1);
  os << llvm::formatv("<g transform=\"translate({0:f1},{1:f1})\">\n", x, y);
  os << llvm::formatv("<rect x=\"0\" y=\"0\" width=\"{0:f1}\" height=\"{1:f1}\""
                      " fill=\"#fafafa\" stroke=\"#999\"/>\n",
                      width, height);
  double barWidth = width / std::max<size_t>(1, bins.size());
  for (auto [i, count] : llvm::enumerate(bins)) {
    if (!count)
      continue;
    double h = height * std::log10(double(count) + 1) / logPeak;
    os << llvm::formatv("<rect x=\"{0:f2}\" y=\"{1:f2}\" width=\"{2:f2}\" "
                        "height=\"{3:f2}\" fill=\"#3b75af\"><title>[{4}, {5}): "
                        "{6}</title></rect>\n",
                        i * barWidth, height - h, std::max(barWidth - 0.5, 0.5),
                        h, number(lo + i * (hi - lo) / bins.size()),
                        number(lo + (i + 1) * (hi - lo) / bins.size()), count);
  }
  os << llvm::formatv("<text x=\"0\" y=\"-6\" font-size=\"{0}\">{1}</text>\n",
                      axes ? 15 : 11, xmlEscape(caption));
  int tickFont = axes ? 12 : 9;
  os << llvm::formatv("<text x=\"0\" y=\"{0:f1}\" font-size=\"{1}\">{2}</text>\n"
                      "<text x=\"{3:f1}\" y=\"{0:f1}\" font-size=\"{1}\" "
                      "text-anchor=\"end\">{4}</text>\n",
                      height + tickFont + 3, tickFont, xmlEscape(number(lo)),
                      width, xmlEscape(number(hi)));
  if (axes) {
    for (int t = 1; t < 4; ++t)
      os << llvm::formatv("<text x=\"{0:f1}\" y=\"{1:f1}\" font-size=\"12\" "
                          "text-anchor=\"middle\">{2}</text>\n",
                          width * t / 4, height + 15,
                          xmlEscape(number(lo + (hi - lo) * t / 4)));
    os << llvm::formatv("<text x=\"{0:f1}\" y=\"{1:f1}\" font-size=\"12\" "
                        "text-anchor=\"middle\">value</text>\n",
                        width / 2, height + 32);
    os << llvm::formatv(
        "<text x=\"-8\" y=\"{0:f1}\" font-size=\"12\" text-anchor=\"end\">"
        "{1}</text>\n<text x=\"-8\" y=\"{2:f1}\" font-size=\"12\" "
        "text-anchor=\"end\">0</text>\n",
        12.0, grouped(peak), height);
    os << llvm::formatv("<text transform=\"translate(-62,{0:f1}) rotate(-90)\" "
                        "font-size=\"12\" text-anchor=\"middle\">count (log "
                        "scale)</text>\n",
                        height / 2);
  }
  os << "</g>\n";
}

} // namespace

LogicalResult loom::writeParamStatsSVG(const ParamReport &report,
                                       StringRef layerRegex, StringRef title,
                                       llvm::raw_ostream &os,
                                       std::string &error) {
  llvm::Regex regex(layerRegex);
  if (!layerRegex.empty() && !regex.isValid(error)) {
    error = "invalid --layer pattern '" + layerRegex.str() + "': " + error;
    return failure();
  }
  std::vector<const TensorStats *> selected;
  for (const TensorStats &s : report.tensors) {
    // Floating-point values only: shape tensors and indices are no weights.
    if (!s.numeric || uint64_t(s.count) == s.nans + s.infs ||
        !isa<FloatType>(WeightOp(s.op).getType().getElementType()))
      continue;
    bool match = layerRegex.empty();
    for (const std::string &name : s.allNames())
      match |= !layerRegex.empty() && regex.match(name);
    for (const std::string &user : s.users)
      match |= !layerRegex.empty() && regex.match(user);
    if (match)
      selected.push_back(&s);
  }
  if (selected.empty()) {
    error = layerRegex.empty()
                ? "no floating-point tensor to plot"
                : "no tensor or layer matches '" + layerRegex.str() + "'";
    return failure();
  }

  // The common histogram: a second read of the selected tensors.
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  uint64_t values = 0;
  for (const TensorStats *s : selected) {
    lo = std::min(lo, s->min), hi = std::max(hi, s->max);
    values += s->count - s->nans - s->infs;
  }
  constexpr unsigned kBins = 80;
  std::vector<uint64_t> total(kBins, 0);
  std::mutex mutex;
  MLIRContext *context = WeightOp(selected.front()->op)->getContext();
  parallelForEach(context, selected, [&](const TensorStats *s) {
    std::vector<uint64_t> bins(kBins, 0);
    fillHistogram(*s, lo, hi, bins);
    std::lock_guard<std::mutex> lock(mutex);
    for (unsigned i = 0; i < kBins; ++i)
      total[i] += bins[i];
  });

  constexpr unsigned kPanels = 24, kColumns = 4;
  unsigned panels = std::min<size_t>(selected.size(), kPanels);
  double width = 960, mainHeight = 280, panelWidth = 200, panelHeight = 80;
  double panelsTop = 420;
  unsigned rows = (panels + kColumns - 1) / kColumns;
  double height = panelsTop + rows * (panelHeight + 50) + 30;
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  os << llvm::formatv("<svg xmlns=\"http://www.w3.org/2000/svg\" "
                      "width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
                      "font-family=\"sans-serif\">\n",
                      width, height);
  os << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  os << llvm::formatv("<text x=\"20\" y=\"28\" font-size=\"18\" "
                      "font-weight=\"bold\">{0}</text>\n",
                      xmlEscape(title));
  std::string subtitle =
      llvm::formatv("{0} tensor(s){1}, {2} values", selected.size(),
                    layerRegex.empty() ? std::string()
                                       : " matching '" + layerRegex.str() + "'",
                    grouped(values))
          .str();
  os << llvm::formatv("<text x=\"20\" y=\"48\" font-size=\"13\" "
                      "fill=\"#555\">{0}</text>\n",
                      xmlEscape(subtitle));
  drawHistogram(os, 90, 80, width - 130, mainHeight, total, lo, hi,
                "all selected values", /*axes=*/true);
  for (unsigned i = 0; i < panels; ++i) {
    const TensorStats &s = *selected[i];
    double x = 40 + (i % kColumns) * (panelWidth + 30);
    double y = panelsTop + (i / kColumns) * (panelHeight + 50);
    // Captions fit the panel: long names keep their end (the layer).
    std::string caption = s.name + " [" + s.shape + "]";
    constexpr size_t kCaption = 36;
    if (caption.size() > kCaption)
      caption = "..." + caption.substr(caption.size() - (kCaption - 3));
    drawHistogram(os, x, y, panelWidth, panelHeight, s.histogram, s.min, s.max,
                  caption, /*axes=*/false);
  }
  if (selected.size() > panels)
    os << llvm::formatv("<text x=\"40\" y=\"{0:f1}\" font-size=\"12\" "
                        "fill=\"#555\">(and {1} more tensors)</text>\n",
                        height - 10, selected.size() - panels);
  os << "</svg>\n";
  return success();
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {

/// Writes `text` to `path` ("-": standard output) through a temporary file.
LogicalResult writeOutput(StringRef path, StringRef text, Operation *op,
                          StringRef what) {
  if (path == "-") {
    llvm::outs() << text;
    llvm::outs().flush();
    return success();
  }
  std::string message;
  auto file = mlir::openOutputFile(path, &message);
  if (!file)
    return op->emitError("loom-param-stats: cannot write ")
           << what << " '" << path << "': " << message;
  file->os() << text;
  file->os().flush();
  if (file->os().has_error())
    return op->emitError("loom-param-stats: cannot write ")
           << what << " '" << path << "'";
  file->keep();
  return success();
}

struct LoomParamStatsPass
    : public loom::impl::LoomParamStatsBase<LoomParamStatsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (format != "text" && format != "json" && format != "markdown") {
      module.emitError("loom-param-stats: format must be text, json or "
                       "markdown, got '")
          << format << "'";
      return signalPassFailure();
    }
    ParamReport report = computeParamStats(module, bins, histogramSample);
    std::string text;
    llvm::raw_string_ostream os(text);
    if (format == "json")
      printParamStatsJSON(report, os);
    else if (format == "markdown")
      printParamStatsMarkdown(report, os);
    else
      printParamStatsText(report, os);
    if (failed(writeOutput(output, text, module, "the report")))
      return signalPassFailure();
    if (!plot.empty()) {
      std::string svg, error;
      llvm::raw_string_ostream svgStream(svg);
      if (failed(writeParamStatsSVG(report, layer, "Weight values", svgStream,
                                    error))) {
        module.emitError("loom-param-stats: ") << error;
        return signalPassFailure();
      }
      if (failed(writeOutput(plot, svg, module, "the plot")))
        return signalPassFailure();
    }
    if (!check)
      return;
    bool bad = false;
    for (TensorStats &s : report.tensors)
      if (s.nans || s.infs) {
        s.op.emitError("weight '") << s.name << "' holds " << s.nans
                                   << " NaN and " << s.infs << " Inf value(s)";
        bad = true;
      }
    if (bad)
      signalPassFailure();
  }
};

} // namespace
