//===- WeightMatcher.cpp - the six ways to find a duplicate ---------------===//
//
// Each mode buckets the weights by a fingerprint its transformation leaves
// unchanged and confirms candidates inside a bucket only, byte for byte or
// value for value, then hands each pair to onMatch.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/Utils/WeightMatcher.h"
#include "loom/Dialect/Loom/Utils/ElementDecoding.h"

#include "mlir/IR/Threading.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <xxhash.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>

using namespace mlir;
using namespace loom;

StringRef loom::stringifyTieMode(TieMode mode) {
  switch (mode) {
#define LOOM_TIE_MODE_CASE(name, str, help)                                    \
  case TieMode::name:                                                          \
    return str;
    LOOM_TIE_MODES(LOOM_TIE_MODE_CASE)
#undef LOOM_TIE_MODE_CASE
  }
  llvm_unreachable("unknown tie mode");
}

std::optional<TieMode> loom::symbolizeTieMode(StringRef name) {
#define LOOM_TIE_MODE_NAME(mode, str, help)                                    \
  if (name == str)                                                             \
    return TieMode::mode;
  LOOM_TIE_MODES(LOOM_TIE_MODE_NAME)
#undef LOOM_TIE_MODE_NAME
  return std::nullopt;
}

StringRef loom::tieModeNames() {
#define LOOM_TIE_MODE_NAME(mode, str, help) "|" str
  static constexpr const char names[] = LOOM_TIE_MODES(LOOM_TIE_MODE_NAME);
#undef LOOM_TIE_MODE_NAME
  return StringRef(names).drop_front();
}

std::string WeightView::describe() const {
  std::string text = stringifyTieMode(mode).str();
  switch (mode) {
  case TieMode::Transpose:
    text += ", perm [" +
            llvm::join(llvm::map_range(
                           perm, [](int64_t p) { return std::to_string(p); }),
                       ", ") +
            "]";
    break;
  case TieMode::Scale:
    char buffer[40];
    std::snprintf(buffer, sizeof(buffer), ", c = %.9g", scale);
    text += buffer;
    break;
  case TieMode::Slice:
    text += ", axis " + std::to_string(sliceAxis) + " from " +
            std::to_string(sliceStart);
    break;
  default:
    break;
  }
  return text;
}

void WeightMatcher::addWeight(WeightOp weight, unsigned group) {
  MatchEntry entry;
  entry.op = weight;
  entry.group = group;
  if (!readWeightBytes(weight.getValue(), entry))
    entry.alive = false; // strings, bools, sub-byte, sparse: left alone
  // A weight that is also a model input is part of the model's interface
  // (a caller may feed another value): it keeps its own tensor.
  if (weight.getInputIndex())
    entry.alive = false;
  entries.push_back(std::move(entry));
}

void WeightMatcher::match(MLIRContext *context) {
  // One parallel sweep over every byte computes all fingerprints.
  bool orderFree = enabled(TieMode::Transpose), signs = enabled(TieMode::Scale);
  prints.resize(entries.size());
  parallelForEach(context, llvm::seq<size_t>(0, entries.size()), [&](size_t i) {
    MatchEntry &e = entries[i];
    if (!e.alive)
      return;
    bool candidate = large(e) && inScope(e);
    prints[i] = computeFingerprints(
        e, orderFree && candidate && e.type.getRank() >= 2, signs && candidate);
  });
  if (enabled(TieMode::Exact))
    runExact();
  if (enabled(TieMode::Cast))
    runCast(context);
  if (enabled(TieMode::Transpose))
    runTranspose();
  if (enabled(TieMode::Scale))
    runScale();
  if (enabled(TieMode::Slice))
    runSlice();
  if (enabled(TieMode::Partial))
    runPartial();
}

bool WeightMatcher::take(unsigned dup, unsigned master,
                         const WeightView &view) {
  if (!onMatch(dup, master, view))
    return false;
  entries[dup].alive = false;
  return true;
}

void WeightMatcher::runExact() {
  llvm::DenseMap<std::pair<const void *, uint64_t>, SmallVector<unsigned, 1>>
      buckets;
  for (unsigned i = 0; i < entries.size(); ++i) {
    MatchEntry &e = entries[i];
    if (!e.alive || !large(e))
      continue;
    auto &bucket = buckets[{e.type.getAsOpaquePointer(), prints[i].content}];
    bool tied = false;
    for (unsigned j : bucket) {
      MatchEntry &m = entries[j];
      if (m.alive && m.bytes.size() == e.bytes.size() &&
          std::memcmp(m.bytes.data(), e.bytes.data(), e.bytes.size()) == 0 &&
          take(i, j, WeightView{TieMode::Exact})) {
        tied = true;
        break;
      }
    }
    if (!tied)
      bucket.push_back(i);
  }
}

void WeightMatcher::runCast(MLIRContext *context) {
  // fp32 weights by content: a candidate is an fp16/bf16 weight whose upcast
  // bytes hash and compare equal.
  Type f32 = Float32Type::get(context);
  llvm::DenseMap<std::pair<const void *, uint64_t>, SmallVector<unsigned, 1>>
      wide;
  SmallVector<unsigned> narrow;
  for (unsigned i = 0; i < entries.size(); ++i) {
    MatchEntry &e = entries[i];
    if (!e.alive || e.bytes.empty())
      continue;
    if (!inScope(e))
      continue;
    if (e.type.getElementType().isF32() && large(e))
      wide[{e.type.getAsOpaquePointer(), prints[i].content}].push_back(i);
    else if (e.type.getElementType().isF16() ||
             e.type.getElementType().isBF16())
      narrow.push_back(i);
  }
  if (wide.empty())
    return;
  for (unsigned i : narrow) {
    MatchEntry &low = entries[i];
    bool bf16 = low.type.getElementType().isBF16();
    std::vector<float> up(low.count());
    for (int64_t k = 0; k < low.count(); ++k) {
      uint16_t h = loadUnaligned<uint16_t>(low.bytes.data() + 2 * k);
      up[k] = bf16 ? bf16ToFloat(h) : halfToFloat(h);
    }
    ArrayRef<char> upBytes(reinterpret_cast<const char *>(up.data()),
                           up.size() * 4);
    auto upType = RankedTensorType::get(low.type.getShape(), f32);
    auto it =
        wide.find({upType.getAsOpaquePointer(),
                   contentHashOf(upBytes, numHashRows(upType.getShape()))});
    if (it == wide.end())
      continue;
    for (unsigned j : it->second) {
      MatchEntry &high = entries[j];
      if (high.alive &&
          std::memcmp(high.bytes.data(), upBytes.data(), upBytes.size()) == 0) {
        // The wide one goes: it is exactly the narrow one cast up.
        (void)take(j, i, WeightView{TieMode::Cast});
      }
    }
  }
}

/// 2-D transposes, compared in cache-sized tiles.
template <typename Bits>
static bool equalTransposed2D(const MatchEntry &dup, const MatchEntry &master) {
  int64_t rows = dup.type.getDimSize(0), cols = dup.type.getDimSize(1);
  const char *d = dup.bytes.data(), *m = master.bytes.data();
  constexpr int64_t tile = 64;
  for (int64_t ib = 0; ib < rows; ib += tile)
    for (int64_t jb = 0; jb < cols; jb += tile)
      for (int64_t i = ib, ie = std::min(rows, ib + tile); i < ie; ++i)
        for (int64_t j = jb, je = std::min(cols, jb + tile); j < je; ++j)
          if (loadUnaligned<Bits>(d + (i * cols + j) * sizeof(Bits)) !=
              loadUnaligned<Bits>(m + (j * rows + i) * sizeof(Bits)))
            return false;
  return true;
}

/// True when dup[k...] == master[axes permuted by perm] for every element.
static bool equalTransposed(const MatchEntry &dup, const MatchEntry &master,
                            ArrayRef<int64_t> perm) {
  if (perm.size() == 2 && dup.elemBytes == 4)
    return equalTransposed2D<uint32_t>(dup, master);
  if (perm.size() == 2 && dup.elemBytes == 2)
    return equalTransposed2D<uint16_t>(dup, master);
  int64_t rank = dup.type.getRank();
  ArrayRef<int64_t> shape = dup.type.getShape();
  // Strides of the master, in the dup's axis order.
  SmallVector<int64_t> masterStrides(rank), strides(rank);
  int64_t stride = 1;
  for (int64_t d = rank - 1; d >= 0; --d) {
    masterStrides[d] = stride;
    stride *= master.type.getDimSize(d);
  }
  for (int64_t d = 0; d < rank; ++d)
    strides[d] = masterStrides[perm[d]];
  SmallVector<int64_t> index(rank, 0);
  size_t eb = dup.elemBytes;
  const char *out = dup.bytes.data();
  int64_t offset = 0;
  const char *in = master.bytes.data();
  auto same = [&](const char *a, const char *b) {
    switch (eb) {
    case 4:
      return loadUnaligned<uint32_t>(a) == loadUnaligned<uint32_t>(b);
    case 2:
      return loadUnaligned<uint16_t>(a) == loadUnaligned<uint16_t>(b);
    case 8:
      return loadUnaligned<uint64_t>(a) == loadUnaligned<uint64_t>(b);
    default:
      return std::memcmp(a, b, eb) == 0;
    }
  };
  for (int64_t n = 0, total = dup.count(); n < total; ++n, out += eb) {
    if (!same(out, in + offset * eb))
      return false;
    for (int64_t d = rank - 1; d >= 0; --d) {
      offset += strides[d];
      if (++index[d] < shape[d])
        break;
      offset -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
  return true;
}

void WeightMatcher::runTranspose() {
  SmallVector<unsigned> candidates;
  for (unsigned i = 0; i < entries.size(); ++i) {
    MatchEntry &e = entries[i];
    if (!e.alive || e.type.getRank() < 2 || e.type.getRank() > 6 || !large(e))
      continue;
    if (!inScope(e))
      continue;
    candidates.push_back(i);
  }
  // Buckets: element type, sorted dimensions, order-free hash.
  std::map<std::tuple<const void *, SmallVector<int64_t>, uint64_t>,
           SmallVector<unsigned, 1>>
      buckets;
  for (unsigned i : candidates) {
    MatchEntry &e = entries[i];
    SmallVector<int64_t> dims(e.type.getShape());
    llvm::sort(dims);
    auto &bucket = buckets[{e.type.getElementType().getAsOpaquePointer(), dims,
                            prints[i].orderFree}];
    bool tied = false;
    for (unsigned j : bucket) {
      MatchEntry &m = entries[j];
      if (!m.alive || m.type.getRank() != e.type.getRank())
        continue;
      SmallVector<int64_t> perm =
          llvm::to_vector(llvm::seq<int64_t>(0, e.type.getRank()));
      do {
        bool identity = llvm::equal(perm, llvm::seq<int64_t>(0, perm.size()));
        bool shapeMatches = true;
        for (int64_t d = 0; d < e.type.getRank(); ++d)
          shapeMatches &= e.type.getDimSize(d) == m.type.getDimSize(perm[d]);
        if (!identity && shapeMatches && equalTransposed(e, m, perm)) {
          WeightView view{TieMode::Transpose};
          view.perm = perm;
          if (take(i, j, view)) {
            tied = true;
            break;
          }
        }
      } while (std::next_permutation(perm.begin(), perm.end()));
      if (tied)
        break;
    }
    if (!tied)
      bucket.push_back(i);
  }
}

/// Finds c with dup == c * master (bit-exact in T, or within the tolerance).
template <typename T>
static std::optional<double> findScale(const MatchEntry &dup,
                                       const MatchEntry &master, double rtol,
                                       double atol) {
  const char *d = dup.bytes.data(), *m = master.bytes.data();
  int64_t n = dup.count(), first = -1;
  for (int64_t i = 0; i < n; ++i)
    if (loadUnaligned<T>(m + i * sizeof(T)) != 0) {
      first = i;
      break;
    }
  if (first < 0)
    return std::nullopt;
  T ratio = loadUnaligned<T>(d + first * sizeof(T)) /
            loadUnaligned<T>(m + first * sizeof(T));
  bool exact = rtol == 0 && atol == 0;
  // The ratio of one pair may be an ulp off the c that produced the copy.
  T candidates[] = {
      ratio, std::nextafter(ratio, T(0)), std::nextafter(ratio, ratio * 2),
      std::nextafter(std::nextafter(ratio, T(0)), T(0)),
      std::nextafter(std::nextafter(ratio, ratio * 2), ratio * 2)};
  for (T c : candidates) {
    if (c == 0 || c == 1 || !std::isfinite(c))
      continue;
    bool ok = true;
    for (int64_t i = 0; i < n && ok; ++i) {
      T want = loadUnaligned<T>(d + i * sizeof(T));
      T got = c * loadUnaligned<T>(m + i * sizeof(T));
      ok = exact ? std::memcmp(&want, &got, sizeof(T)) == 0
                 : std::fabs(double(got) - double(want)) <=
                       atol + rtol * std::fabs(double(want));
    }
    if (ok)
      return double(c);
  }
  return std::nullopt;
}

void WeightMatcher::runScale() {
  SmallVector<unsigned> candidates;
  for (unsigned i = 0; i < entries.size(); ++i) {
    MatchEntry &e = entries[i];
    Type element = e.type ? e.type.getElementType() : Type();
    if (!e.alive || !large(e) || !(element.isF32() || element.isF64()))
      continue;
    if (!inScope(e))
      continue;
    candidates.push_back(i);
  }
  llvm::DenseMap<std::pair<const void *, uint64_t>, SmallVector<unsigned, 1>>
      buckets;
  for (unsigned i : candidates) {
    MatchEntry &e = entries[i];
    auto &bucket =
        buckets[{e.type.getAsOpaquePointer(), prints[i].signPattern}];
    bool tied = false;
    for (unsigned j : bucket) {
      MatchEntry &m = entries[j];
      if (!m.alive)
        continue;
      std::optional<double> c =
          e.type.getElementType().isF32()
              ? findScale<float>(e, m, options.rtol, options.atol)
              : findScale<double>(e, m, options.rtol, options.atol);
      if (c) {
        WeightView view{TieMode::Scale};
        view.scale = *c;
        if (take(i, j, view)) {
          tied = true;
          break;
        }
      }
    }
    if (!tied)
      bucket.push_back(i);
  }
}

/// The layout of slices along `axis`: `outer` runs of `inner` elements per
/// index along the axis.
struct SliceLayout {
  int64_t outer = 1, inner = 1;
  SliceLayout(ArrayRef<int64_t> shape, int64_t axis) {
    for (int64_t d = 0; d < axis; ++d)
      outer *= shape[d];
    for (int64_t d = axis + 1; d < static_cast<int64_t>(shape.size()); ++d)
      inner *= shape[d];
  }
};

/// Hash of index `r` along `axis` (a row for axis 0; strided otherwise).
static uint64_t hyperRowHash(const MatchEntry &e, int64_t axis, int64_t r,
                             XXH3_state_t *state) {
  SliceLayout layout(e.type.getShape(), axis);
  int64_t size = e.type.getDimSize(axis);
  size_t chunk = layout.inner * e.elemBytes;
  XXH3_64bits_reset(state);
  for (int64_t o = 0; o < layout.outer; ++o)
    XXH3_64bits_update(state, e.bytes.data() + (o * size + r) * chunk, chunk);
  return XXH3_64bits_digest(state);
}

/// dup == master[start : start + dup's size] along `axis`.
static bool equalSlice(const MatchEntry &dup, const MatchEntry &master,
                       int64_t axis, int64_t start) {
  SliceLayout layout(dup.type.getShape(), axis);
  int64_t length = dup.type.getDimSize(axis);
  int64_t size = master.type.getDimSize(axis);
  size_t run = length * layout.inner * dup.elemBytes;
  for (int64_t o = 0; o < layout.outer; ++o)
    if (std::memcmp(dup.bytes.data() + o * run,
                    master.bytes.data() +
                        (o * size + start) * layout.inner * dup.elemBytes,
                    run) != 0)
      return false;
  return true;
}

void WeightMatcher::runSlice() {
  XXH3_state_t *state = XXH3_createState();
  for (int64_t axis = 0; axis < 6; ++axis) {
    // Group by element type and the shape without `axis`; only groups whose
    // members differ along `axis` need slice hashes.
    std::map<std::pair<const void *, SmallVector<int64_t>>,
             SmallVector<unsigned>>
        groups;
    for (unsigned i = 0; i < entries.size(); ++i) {
      MatchEntry &e = entries[i];
      if (!e.alive || !e.type || e.type.getRank() < 2 ||
          e.type.getRank() <= axis || e.bytes.empty())
        continue;
      if (!inScope(e))
        continue;
      SmallVector<int64_t> rest(e.type.getShape());
      rest.erase(rest.begin() + axis);
      groups[{e.type.getElementType().getAsOpaquePointer(), rest}].push_back(i);
    }
    for (auto &[key, members] : groups) {
      if (members.size() < 2)
        continue;
      // Masters: the largest first; a duplicate must be shorter.
      llvm::sort(members, [&](unsigned a, unsigned b) {
        return entries[a].type.getDimSize(axis) >
               entries[b].type.getDimSize(axis);
      });
      if (entries[members.front()].type.getDimSize(axis) ==
          entries[members.back()].type.getDimSize(axis))
        continue;
      auto sliceHash = [&](unsigned i, int64_t r) {
        return axis == 0 && !prints[i].rows.empty()
                   ? prints[i].rows[r]
                   : hyperRowHash(entries[i], axis, r, state);
      };
      llvm::DenseMap<uint64_t, SmallVector<std::pair<unsigned, int64_t>, 1>>
          index;
      for (unsigned i : members) {
        MatchEntry &e = entries[i];
        if (!e.alive)
          continue;
        int64_t length = e.type.getDimSize(axis);
        bool tied = false;
        if (large(e) && length > 0) {
          auto it = index.find(sliceHash(i, 0));
          if (it != index.end())
            for (auto [j, start] : it->second) {
              MatchEntry &m = entries[j];
              if (!m.alive || start + length > m.type.getDimSize(axis) ||
                  m.type.getDimSize(axis) == length)
                continue;
              if (equalSlice(e, m, axis, start)) {
                WeightView view{TieMode::Slice};
                view.sliceStart = start;
                view.sliceAxis = axis;
                if (take(i, j, view)) {
                  tied = true;
                  break;
                }
              }
            }
        }
        if (tied)
          continue;
        for (int64_t r = 0; r < length; ++r)
          index[sliceHash(i, r)].push_back({i, r});
      }
    }
  }
  XXH3_freeState(state);
}

/// Partial ties: a block of leading or trailing rows of W2 equals
/// consecutive rows of W1 (a student that copied part of a teacher's output
/// channels). W2 keeps only its own rows; its reads become
/// concat(slice(W1), W2) (or the other order) along dimension 0.
void WeightMatcher::runPartial() {
  std::map<std::pair<const void *, SmallVector<int64_t>>, SmallVector<unsigned>>
      groups;
  for (unsigned i = 0; i < entries.size(); ++i) {
    MatchEntry &e = entries[i];
    if (!e.alive || !e.type || e.type.getRank() < 2 || prints[i].rows.empty())
      continue;
    if (!inScope(e))
      continue;
    groups[{e.type.getElementType().getAsOpaquePointer(),
            SmallVector<int64_t>(e.type.getShape().drop_front())}]
        .push_back(i);
  }
  for (auto &[key, members] : groups) {
    if (members.size() < 2)
      continue;
    llvm::DenseMap<uint64_t, SmallVector<std::pair<unsigned, int64_t>, 1>>
        index;
    for (unsigned i : members)
      for (auto [r, hash] : llvm::enumerate(prints[i].rows))
        index[hash].push_back({i, static_cast<int64_t>(r)});
    for (unsigned i : members) {
      MatchEntry &e = entries[i];
      int64_t rows = e.type.getDimSize(0);
      if (!e.alive || rows < 2)
        continue;
      size_t rowBytes = e.bytes.size() / rows;
      // The longest run of W2's rows, from its first or to its last row, that
      // equals consecutive rows of another weight.
      struct Best {
        unsigned master = 0;
        int64_t dupStart = 0, masterStart = 0, length = 0;
      } best;
      for (bool fromEnd : {false, true}) {
        int64_t probe = fromEnd ? rows - 1 : 0;
        auto it = index.find(prints[i].rows[probe]);
        if (it == index.end())
          continue;
        for (auto [j, r] : it->second) {
          MatchEntry &m = entries[j];
          // The master is the larger weight (the teacher).
          if (j == i || !m.alive || m.type.getDimSize(0) < rows)
            continue;
          int64_t mrows = m.type.getDimSize(0), length = 0;
          while (length < rows - 1) {
            int64_t di = fromEnd ? rows - 1 - length : length;
            int64_t mi = fromEnd ? r - length : r + length;
            if (mi < 0 || mi >= mrows ||
                std::memcmp(e.bytes.data() + di * rowBytes,
                            m.bytes.data() + mi * rowBytes, rowBytes) != 0)
              break;
            ++length;
          }
          if (length > best.length) {
            best.master = j;
            best.length = length;
            best.dupStart = fromEnd ? rows - length : 0;
            best.masterStart = fromEnd ? r - length + 1 : r;
          }
        }
      }
      if (best.length > 0 &&
          static_cast<uint64_t>(best.length) * rowBytes >= options.minBytes)
        if (onPartial(i, best.master, best.dupStart, best.masterStart,
                      best.length))
          e.alive = false;
    }
  }
}
