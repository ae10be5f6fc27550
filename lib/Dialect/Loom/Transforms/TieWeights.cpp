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

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/WeightData.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Threading.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

#include <xxhash.h>

#include <cmath>
#include <cstring>

namespace loom {
#define GEN_PASS_DEF_LOOMTIEWEIGHTS
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

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

namespace {

using Mode = TieMode;

StringRef modeName(Mode mode) { return stringifyTieMode(mode); }

/// One weight and a view of its bytes.
struct Entry {
  WeightOp op;
  RankedTensorType type;
  ArrayRef<char> bytes;
  std::vector<char> storage; // a splat, expanded
  size_t elemBytes = 0;
  bool alive = true;

  int64_t count() const { return type.getNumElements(); }
  bool frozen() { return op.getFrozen(); }
};

/// How a duplicate reads its master.
struct View {
  Mode mode;
  SmallVector<int64_t> perm; // transpose
  double scale = 1.0;        // scale
  int64_t sliceStart = 0;    // slice: first index along sliceAxis
  int64_t sliceAxis = 0;
};

/// The bytes of a weight's value, when they are plain little-endian elements
/// of a byte-sized type (not strings, sub-byte or bit-packed bools).
bool readBytes(ElementsAttr value, Entry &entry) {
  std::optional<ArrayRef<char>> bytes = getWeightBytes(value, entry.storage);
  if (!bytes)
    return false;
  entry.type = cast<RankedTensorType>(value.getType());
  entry.elemBytes = *getElementByteSize(entry.type.getElementType());
  entry.bytes = *bytes;
  return true;
}

uint64_t mix(uint64_t x) { // splitmix64's finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

template <typename T> T load(const char *p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

/// Everything the modes look weights up by, from one sweep over the bytes.
struct Fingerprints {
  /// Content hash (exact, cast): XXH3 of the row hashes (of the bytes for
  /// rank < 2).
  uint64_t content = 0;
  /// Order-free (transpose): sums of the elements' bits and their squares.
  uint64_t orderFree = 0;
  /// Scale-free (scale): the zero/sign pattern at sampled positions,
  /// relative to the first non-zero, unchanged by multiplying with c != 0.
  uint64_t signPattern = 0;
  /// XXH3 of each row (dimension 0) for rank >= 2 (slice).
  std::vector<uint64_t> rows;
};

/// Rows of a weight for hashing: dimension 0 from rank 2 on.
int64_t numRows(ArrayRef<int64_t> shape) {
  return shape.size() >= 2 ? shape[0] : 1;
}

uint64_t contentHashOf(ArrayRef<char> bytes, int64_t rows,
                       std::vector<uint64_t> *rowHashes = nullptr) {
  if (rows <= 1 || bytes.empty())
    return XXH3_64bits(bytes.data(), bytes.size());
  size_t rowBytes = bytes.size() / rows;
  std::vector<uint64_t> local;
  std::vector<uint64_t> &hashes = rowHashes ? *rowHashes : local;
  hashes.resize(rows);
  for (int64_t r = 0; r < rows; ++r)
    hashes[r] = XXH3_64bits(bytes.data() + r * rowBytes, rowBytes);
  return XXH3_64bits(hashes.data(), hashes.size() * sizeof(uint64_t));
}

/// Order-free fingerprint of one row: two sums over the elements' bits
/// (plain and squared), which any permutation leaves unchanged and which
/// compilers vectorize.
template <typename Bits>
void sumRow(const char *data, int64_t count, uint64_t &sum, uint64_t &squares) {
  uint64_t s = 0, q = 0;
  for (int64_t i = 0; i < count; ++i) {
    uint64_t bits = load<Bits>(data + i * sizeof(Bits));
    s += bits;
    q += bits * bits;
  }
  sum += s;
  squares += q;
}

/// Scale-free fingerprint: the zero/sign pattern at up to 256 positions
/// chosen by the shape alone (the same for every weight of that shape),
/// relative to the first non-zero among them.
template <typename T> uint64_t sampledSigns(const Entry &e) {
  int64_t n = e.count();
  int64_t samples = std::min<int64_t>(n, 256);
  uint8_t codes[256];
  int firstSign = 0;
  for (int64_t k = 0; k < samples; ++k) {
    int64_t index = samples == n ? k : (k * 2654435761LL) % n;
    T v = load<T>(e.bytes.data() + index * sizeof(T));
    uint8_t code = 0;
    if (v != 0) {
      int sign = std::signbit(v) ? -1 : 1;
      if (!firstSign)
        firstSign = sign;
      code = sign == firstSign ? 1 : 2;
    }
    codes[k] = code;
  }
  return XXH3_64bits(codes, samples);
}

/// Computes every fingerprint with one read of the bytes (row by row, so the
/// sums find the row in cache).
Fingerprints fingerprint(const Entry &e, bool orderFree, bool signs) {
  Fingerprints f;
  int64_t rows = numRows(e.type.getShape());
  std::vector<uint64_t> *rowHashes = e.type.getRank() >= 2 ? &f.rows : nullptr;
  if (!orderFree) {
    f.content = contentHashOf(e.bytes, rows, rowHashes);
  } else {
    // Hash and sum each row while it is in cache.
    size_t rowBytes = e.bytes.size() / std::max<int64_t>(rows, 1);
    std::vector<uint64_t> local;
    std::vector<uint64_t> &hashes = rowHashes ? *rowHashes : local;
    hashes.resize(rows);
    uint64_t sum = 0, squares = 0;
    int64_t perRow = rowBytes / e.elemBytes;
    for (int64_t r = 0; r < rows; ++r) {
      const char *row = e.bytes.data() + r * rowBytes;
      hashes[r] = XXH3_64bits(row, rowBytes);
      switch (e.elemBytes) {
      case 1:
        sumRow<uint8_t>(row, perRow, sum, squares);
        break;
      case 2:
        sumRow<uint16_t>(row, perRow, sum, squares);
        break;
      case 4:
        sumRow<uint32_t>(row, perRow, sum, squares);
        break;
      default:
        sumRow<uint64_t>(row, rowBytes / 8, sum, squares);
        break;
      }
    }
    f.content = rows <= 1 ? XXH3_64bits(e.bytes.data(), e.bytes.size())
                          : XXH3_64bits(hashes.data(), hashes.size() * 8);
    f.orderFree = mix(sum) ^ mix(squares + 0x9e3779b97f4a7c15ULL);
  }
  Type element = e.type.getElementType();
  if (signs && element.isF32())
    f.signPattern = sampledSigns<float>(e);
  else if (signs && element.isF64())
    f.signPattern = sampledSigns<double>(e);
  return f;
}

/// float16 / bfloat16 to float, exactly.
float halfToFloat(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff,
           bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else { // subnormal: normalise
      exp = 127 - 15 + 1;
      while (!(mant & 0x400)) {
        mant <<= 1;
        --exp;
      }
      bits = sign | (exp << 23) | ((mant & 0x3ff) << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp - 15 + 127) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float bf16ToFloat(uint16_t h) {
  uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

struct LoomTieWeightsPass
    : public loom::impl::LoomTieWeightsBase<LoomTieWeightsPass> {
  using Base::Base;

  void runOnOperation() override;

private:
  bool enabled(Mode mode) const {
    return modes.empty() || llvm::is_contained(modes, mode);
  }
  bool large(const Entry &e) const {
    return e.bytes.size() >= minBytes && e.bytes.size() > 0;
  }
  void tie(unsigned dup, unsigned master, const View &view);
  Value buildView(OpBuilder &builder, Location loc, Value master,
                  const Entry &dup, const View &view);
  void useGemmForTransposedMatMuls(OpBuilder &builder, Value view,
                                   Value master);

  void runExact();
  void runCast();
  void runTranspose();
  void runScale();
  void runSlice();
  void runPartial();
  void tiePartial(unsigned dup, unsigned master, int64_t dupStart,
                  int64_t masterStart, int64_t length);

  std::vector<Entry> entries;
  llvm::StringMap<SmallVector<WeightRefOp>> refs;
  /// Fingerprints of each entry, from one parallel sweep.
  std::vector<Fingerprints> prints;
  uint64_t counts[6] = {0, 0, 0, 0, 0, 0};
  uint64_t saved = 0;
};

} // namespace

//===----------------------------------------------------------------------===//
// Rewriting
//===----------------------------------------------------------------------===//

Value LoomTieWeightsPass::buildView(OpBuilder &builder, Location loc,
                                    Value master, const Entry &dup,
                                    const View &view) {
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

void LoomTieWeightsPass::tie(unsigned dupIndex, unsigned masterIndex,
                             const View &view) {
  Entry &dup = entries[dupIndex];
  Entry &master = entries[masterIndex];
  WeightOp dupOp = dup.op, masterOp = master.op;
  StringRef dupName = dupOp.getSymName();
  if (report)
    emitRemark(dupOp.getLoc())
        << "tied '" << dupName << "' to '" << masterOp.getSymName() << "' ("
        << modeName(view.mode)
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
      useGemmForTransposedMatMuls(builder, replacement, masterRef);
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

/// MatMul(A, transpose(W)) becomes Gemm(A, W, transB = 1), with A reshaped
/// to 2-D and the result back when A has more dimensions (static ones): a
/// runtime would fold the Transpose of an initializer into a second copy in
/// memory, Gemm reads the master as it is.
void LoomTieWeightsPass::useGemmForTransposedMatMuls(OpBuilder &builder,
                                                     Value view, Value master) {
  auto masterType = cast<RankedTensorType>(master.getType());
  for (OpOperand &use : llvm::make_early_inc_range(view.getUses())) {
    auto matmul = dyn_cast<MatMulOp>(use.getOwner());
    if (!matmul || use.getOperandNumber() != 1)
      continue;
    auto aType = dyn_cast<RankedTensorType>(matmul.getA().getType());
    auto resultType = dyn_cast<RankedTensorType>(matmul.getType());
    if (!aType || !resultType || aType.getRank() < 2 ||
        !resultType.hasStaticShape() ||
        aType.getElementType() != masterType.getElementType())
      continue;
    ArrayRef<int64_t> leading = aType.getShape().drop_back();
    if (aType.getRank() > 2 && ShapedType::isDynamicShape(leading))
      continue;
    int64_t k = aType.getDimSize(aType.getRank() - 1);
    int64_t n = masterType.getDimSize(0);
    int64_t m = 1;
    for (int64_t d : leading)
      m *= d;
    Location loc = matmul.getLoc();
    builder.setInsertionPoint(matmul);
    auto shapeConstant = [&](ArrayRef<int64_t> shape) {
      auto type = RankedTensorType::get({static_cast<int64_t>(shape.size())},
                                        builder.getI64Type());
      return ConstantOp::create(builder, loc,
                                DenseIntElementsAttr::get(type, shape));
    };
    Value a = matmul.getA();
    if (aType.getRank() > 2)
      a = ReshapeOp::create(
          builder, loc, RankedTensorType::get({m, k}, aType.getElementType()),
          a, shapeConstant({m, k}));
    auto gemmType = RankedTensorType::get(
        {aType.getRank() > 2 ? m : aType.getDimSize(0), n},
        aType.getElementType());
    Value result = GemmOp::create(
        builder, loc, gemmType, a, master, Value(),
        builder.getF32FloatAttr(1.0f), builder.getF32FloatAttr(1.0f),
        builder.getI64IntegerAttr(0), builder.getI64IntegerAttr(1));
    if (aType.getRank() > 2)
      result = ReshapeOp::create(builder, loc, resultType, result,
                                 shapeConstant(resultType.getShape()));
    matmul.replaceAllUsesWith(result);
    matmul.erase();
  }
  if (view.use_empty())
    view.getDefiningOp()->erase();
}

//===----------------------------------------------------------------------===//
// Modes
//===----------------------------------------------------------------------===//

void LoomTieWeightsPass::runExact() {
  llvm::DenseMap<std::pair<const void *, uint64_t>, SmallVector<unsigned, 1>>
      buckets;
  for (unsigned i = 0; i < entries.size(); ++i) {
    Entry &e = entries[i];
    if (!e.alive || !large(e))
      continue;
    auto &bucket = buckets[{e.type.getAsOpaquePointer(), prints[i].content}];
    bool tied = false;
    for (unsigned j : bucket) {
      Entry &m = entries[j];
      if (m.alive && m.bytes.size() == e.bytes.size() &&
          std::memcmp(m.bytes.data(), e.bytes.data(), e.bytes.size()) == 0) {
        tie(i, j, View{Mode::Exact});
        tied = true;
        break;
      }
    }
    if (!tied)
      bucket.push_back(i);
  }
}

void LoomTieWeightsPass::runCast() {
  // fp32 weights by content: a candidate is an fp16/bf16 weight whose upcast
  // bytes hash and compare equal.
  MLIRContext *context = &getContext();
  Type f32 = Float32Type::get(context);
  llvm::DenseMap<std::pair<const void *, uint64_t>, SmallVector<unsigned, 1>>
      wide;
  SmallVector<unsigned> narrow;
  for (unsigned i = 0; i < entries.size(); ++i) {
    Entry &e = entries[i];
    if (!e.alive || e.bytes.empty())
      continue;
    if (!e.frozen())
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
    Entry &low = entries[i];
    bool bf16 = low.type.getElementType().isBF16();
    std::vector<float> up(low.count());
    for (int64_t k = 0; k < low.count(); ++k) {
      uint16_t h = load<uint16_t>(low.bytes.data() + 2 * k);
      up[k] = bf16 ? bf16ToFloat(h) : halfToFloat(h);
    }
    ArrayRef<char> upBytes(reinterpret_cast<const char *>(up.data()),
                           up.size() * 4);
    auto upType = RankedTensorType::get(low.type.getShape(), f32);
    auto it = wide.find({upType.getAsOpaquePointer(),
                         contentHashOf(upBytes, numRows(upType.getShape()))});
    if (it == wide.end())
      continue;
    for (unsigned j : it->second) {
      Entry &high = entries[j];
      if (high.alive &&
          std::memcmp(high.bytes.data(), upBytes.data(), upBytes.size()) == 0) {
        // The wide one goes: it is exactly the narrow one cast up.
        tie(j, i, View{Mode::Cast});
      }
    }
  }
}

/// 2-D transposes, compared in cache-sized tiles.
template <typename Bits>
static bool equalTransposed2D(const Entry &dup, const Entry &master) {
  int64_t rows = dup.type.getDimSize(0), cols = dup.type.getDimSize(1);
  const char *d = dup.bytes.data(), *m = master.bytes.data();
  constexpr int64_t tile = 64;
  for (int64_t ib = 0; ib < rows; ib += tile)
    for (int64_t jb = 0; jb < cols; jb += tile)
      for (int64_t i = ib, ie = std::min(rows, ib + tile); i < ie; ++i)
        for (int64_t j = jb, je = std::min(cols, jb + tile); j < je; ++j)
          if (load<Bits>(d + (i * cols + j) * sizeof(Bits)) !=
              load<Bits>(m + (j * rows + i) * sizeof(Bits)))
            return false;
  return true;
}

/// True when dup[k...] == master[axes permuted by perm] for every element.
static bool equalTransposed(const Entry &dup, const Entry &master,
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
      return load<uint32_t>(a) == load<uint32_t>(b);
    case 2:
      return load<uint16_t>(a) == load<uint16_t>(b);
    case 8:
      return load<uint64_t>(a) == load<uint64_t>(b);
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

void LoomTieWeightsPass::runTranspose() {
  SmallVector<unsigned> candidates;
  for (unsigned i = 0; i < entries.size(); ++i) {
    Entry &e = entries[i];
    if (!e.alive || e.type.getRank() < 2 || e.type.getRank() > 6 || !large(e))
      continue;
    if (!e.frozen())
      continue;
    candidates.push_back(i);
  }
  // Buckets: element type, sorted dimensions, order-free hash.
  std::map<std::tuple<const void *, SmallVector<int64_t>, uint64_t>,
           SmallVector<unsigned, 1>>
      buckets;
  for (unsigned i : candidates) {
    Entry &e = entries[i];
    SmallVector<int64_t> dims(e.type.getShape());
    llvm::sort(dims);
    auto &bucket = buckets[{e.type.getElementType().getAsOpaquePointer(), dims,
                            prints[i].orderFree}];
    bool tied = false;
    for (unsigned j : bucket) {
      Entry &m = entries[j];
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
          View view{Mode::Transpose};
          view.perm = perm;
          tie(i, j, view);
          tied = true;
          break;
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
static std::optional<double> findScale(const Entry &dup, const Entry &master,
                                       double rtol, double atol) {
  const char *d = dup.bytes.data(), *m = master.bytes.data();
  int64_t n = dup.count(), first = -1;
  for (int64_t i = 0; i < n; ++i)
    if (load<T>(m + i * sizeof(T)) != 0) {
      first = i;
      break;
    }
  if (first < 0)
    return std::nullopt;
  T ratio = load<T>(d + first * sizeof(T)) / load<T>(m + first * sizeof(T));
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
      T want = load<T>(d + i * sizeof(T));
      T got = c * load<T>(m + i * sizeof(T));
      ok = exact ? std::memcmp(&want, &got, sizeof(T)) == 0
                 : std::fabs(double(got) - double(want)) <=
                       atol + rtol * std::fabs(double(want));
    }
    if (ok)
      return double(c);
  }
  return std::nullopt;
}

void LoomTieWeightsPass::runScale() {
  SmallVector<unsigned> candidates;
  for (unsigned i = 0; i < entries.size(); ++i) {
    Entry &e = entries[i];
    Type element = e.type ? e.type.getElementType() : Type();
    if (!e.alive || !large(e) || !(element.isF32() || element.isF64()))
      continue;
    if (!e.frozen())
      continue;
    candidates.push_back(i);
  }
  llvm::DenseMap<std::pair<const void *, uint64_t>, SmallVector<unsigned, 1>>
      buckets;
  for (unsigned i : candidates) {
    Entry &e = entries[i];
    auto &bucket =
        buckets[{e.type.getAsOpaquePointer(), prints[i].signPattern}];
    bool tied = false;
    for (unsigned j : bucket) {
      Entry &m = entries[j];
      if (!m.alive)
        continue;
      std::optional<double> c = e.type.getElementType().isF32()
                                    ? findScale<float>(e, m, rtol, atol)
                                    : findScale<double>(e, m, rtol, atol);
      if (c) {
        View view{Mode::Scale};
        view.scale = *c;
        tie(i, j, view);
        tied = true;
        break;
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
static uint64_t hyperRowHash(const Entry &e, int64_t axis, int64_t r,
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
static bool equalSlice(const Entry &dup, const Entry &master, int64_t axis,
                       int64_t start) {
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

void LoomTieWeightsPass::runSlice() {
  XXH3_state_t *state = XXH3_createState();
  for (int64_t axis = 0; axis < 6; ++axis) {
    // Group by element type and the shape without `axis`; only groups whose
    // members differ along `axis` need slice hashes.
    std::map<std::pair<const void *, SmallVector<int64_t>>,
             SmallVector<unsigned>>
        groups;
    for (unsigned i = 0; i < entries.size(); ++i) {
      Entry &e = entries[i];
      if (!e.alive || !e.type || e.type.getRank() < 2 ||
          e.type.getRank() <= axis || e.bytes.empty())
        continue;
      if (!e.frozen())
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
        Entry &e = entries[i];
        if (!e.alive)
          continue;
        int64_t length = e.type.getDimSize(axis);
        bool tied = false;
        if (large(e) && length > 0) {
          auto it = index.find(sliceHash(i, 0));
          if (it != index.end())
            for (auto [j, start] : it->second) {
              Entry &m = entries[j];
              if (!m.alive || start + length > m.type.getDimSize(axis) ||
                  m.type.getDimSize(axis) == length)
                continue;
              if (equalSlice(e, m, axis, start)) {
                View view{Mode::Slice};
                view.sliceStart = start;
                view.sliceAxis = axis;
                tie(i, j, view);
                tied = true;
                break;
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
void LoomTieWeightsPass::runPartial() {
  std::map<std::pair<const void *, SmallVector<int64_t>>, SmallVector<unsigned>>
      groups;
  for (unsigned i = 0; i < entries.size(); ++i) {
    Entry &e = entries[i];
    if (!e.alive || !e.type || e.type.getRank() < 2 || prints[i].rows.empty())
      continue;
    if (!e.frozen())
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
      Entry &e = entries[i];
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
          Entry &m = entries[j];
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
          static_cast<uint64_t>(best.length) * rowBytes >= minBytes)
        tiePartial(i, best.master, best.dupStart, best.masterStart,
                   best.length);
    }
  }
}

void LoomTieWeightsPass::tiePartial(unsigned dupIndex, unsigned masterIndex,
                                    int64_t dupStart, int64_t masterStart,
                                    int64_t length) {
  Entry &dup = entries[dupIndex];
  Entry &master = entries[masterIndex];
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
    Entry sharedEntry;
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

void LoomTieWeightsPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (rtol < 0 || atol < 0) {
    module.emitError("loom-tie-weights: rtol and atol must be >= 0");
    return signalPassFailure();
  }

  for (WeightOp weight : module.getOps<WeightOp>()) {
    Entry entry;
    entry.op = weight;
    if (!readBytes(weight.getValue(), entry))
      entry.alive = false; // strings, bools, sub-byte, sparse: left alone
    // A weight that is also a model input is part of the model's interface
    // (a caller may feed another value): it keeps its own tensor.
    if (weight.getInputIndex())
      entry.alive = false;
    entries.push_back(std::move(entry));
  }
  module.walk([&](WeightRefOp ref) { refs[ref.getName()].push_back(ref); });

  // One parallel sweep over every byte computes all fingerprints.
  bool orderFree = enabled(Mode::Transpose), signs = enabled(Mode::Scale);
  prints.resize(entries.size());
  parallelForEach(
      &getContext(), llvm::seq<size_t>(0, entries.size()), [&](size_t i) {
        Entry &e = entries[i];
        if (!e.alive)
          return;
        bool inScope = large(e) && e.frozen();
        prints[i] = fingerprint(
            e, orderFree && inScope && e.type.getRank() >= 2, signs && inScope);
      });

  if (enabled(Mode::Exact))
    runExact();
  if (enabled(Mode::Cast))
    runCast();
  if (enabled(Mode::Transpose))
    runTranspose();
  if (enabled(Mode::Scale))
    runScale();
  if (enabled(Mode::Slice))
    runSlice();
  if (enabled(Mode::Partial))
    runPartial();

  numExact += counts[0];
  numCast += counts[1];
  numTranspose += counts[2];
  numScale += counts[3];
  numSlice += counts[4];
  numPartial += counts[5];
  bytesSaved += saved;
  if (summary) {
    // Count trainable weights once, not once per mode.
    uint64_t trainable = 0;
    for (WeightOp weight : module.getOps<WeightOp>())
      trainable += !weight.getFrozen();
    emitRemark(module.getLoc())
        << "loom-tie-weights: " << counts[0] << " exact, " << counts[2]
        << " transpose, " << counts[3] << " scale, " << counts[1] << " cast, "
        << counts[4] << " slice, " << counts[5] << " partial tie(s); " << saved
        << " bytes saved; " << trainable
        << " trainable weight(s) considered in exact mode only";
  }
}
