//===- ParamStats.cpp - parameter counts and value statistics -------------===//
//
// Implements `--loom-param-stats`: one parallel sweep over every weight's
// elements (counts of zeros, NaN and Inf; min, max, mean and standard
// deviation of the finite values), then totals by role and a text or JSON
// report. Changes nothing in the module.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/WeightData.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Threading.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace loom {
#define GEN_PASS_DEF_LOOMPARAMSTATS
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {

struct WeightStats {
  WeightOp op;
  std::string name, dtype, shape, user;
  SmallVector<std::string> aliases;
  int64_t count = 0;
  uint64_t bytes = 0;
  bool numeric = false;
  uint64_t zeros = 0, nans = 0, infs = 0;
  double min = 0, max = 0, mean = 0, stddev = 0;
};

/// Reads element `i` of a byte buffer as a double, for the types statistics
/// cover; nullopt for others.
struct ElementReader {
  enum Kind { F16, BF16, F32, F64, Int, UInt, None } kind = None;
  unsigned bytes = 0;

  explicit ElementReader(Type type) {
    if (type.isF16())
      kind = F16, bytes = 2;
    else if (type.isBF16())
      kind = BF16, bytes = 2;
    else if (type.isF32())
      kind = F32, bytes = 4;
    else if (type.isF64())
      kind = F64, bytes = 8;
    else if (auto integer = dyn_cast<IntegerType>(type);
             integer && integer.getWidth() % 8 == 0 &&
             integer.getWidth() <= 64) {
      kind = integer.isUnsigned() ? UInt : Int;
      bytes = integer.getWidth() / 8;
    }
  }

  double read(const char *p) const {
    switch (kind) {
    case F16:
    case BF16: {
      uint16_t bits;
      std::memcpy(&bits, p, 2);
      return static_cast<double>(
          APFloat(kind == F16 ? APFloat::IEEEhalf() : APFloat::BFloat(),
                  APInt(16, bits))
              .convertToFloat());
    }
    case F32: {
      float v;
      std::memcpy(&v, p, 4);
      return v;
    }
    case F64: {
      double v;
      std::memcpy(&v, p, 8);
      return v;
    }
    case Int: {
      int64_t v = 0;
      std::memcpy(&v, p, bytes);
      unsigned shift = 64 - 8 * bytes;
      return static_cast<double>((v << shift) >> shift); // sign-extend
    }
    case UInt: {
      uint64_t v = 0;
      std::memcpy(&v, p, bytes);
      return static_cast<double>(v);
    }
    case None:
      break;
    }
    return 0;
  }
};

void computeValues(WeightStats &stats) {
  ElementsAttr value = stats.op.getValue();
  auto type = cast<ShapedType>(value.getType());
  ElementReader reader(type.getElementType());
  std::vector<char> storage;
  std::optional<ArrayRef<char>> bytes = getWeightBytes(value, storage);
  if (reader.kind == ElementReader::None || !bytes ||
      bytes->size() != static_cast<size_t>(stats.count) * reader.bytes)
    return;
  stats.numeric = true;
  double sum = 0, sumSquares = 0;
  uint64_t finite = 0;
  stats.min = std::numeric_limits<double>::infinity();
  stats.max = -std::numeric_limits<double>::infinity();
  const char *p = bytes->data();
  for (int64_t i = 0; i < stats.count; ++i, p += reader.bytes) {
    double v = reader.read(p);
    if (std::isnan(v)) {
      ++stats.nans;
      continue;
    }
    if (std::isinf(v)) {
      ++stats.infs;
      continue;
    }
    stats.zeros += v == 0;
    ++finite;
    sum += v;
    sumSquares += v * v;
    stats.min = std::min(stats.min, v);
    stats.max = std::max(stats.max, v);
  }
  if (finite) {
    stats.mean = sum / finite;
    stats.stddev =
        std::sqrt(std::max(0.0, sumSquares / finite - stats.mean * stats.mean));
  } else {
    stats.min = stats.max = 0;
  }
}

std::string typeString(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

struct LoomParamStatsPass
    : public loom::impl::LoomParamStatsBase<LoomParamStatsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (format != "text" && format != "json") {
      module.emitError("loom-param-stats: format must be text or json, got '")
          << format << "'";
      return signalPassFailure();
    }
    // The first op that reads each weight names its layer.
    llvm::StringMap<std::string> users;
    module.walk([&](WeightRefOp ref) {
      for (Operation *user : ref->getUsers()) {
        std::string &slot = users[ref.getName()];
        if (slot.empty()) {
          slot = user->getName().getStringRef().str();
          if (auto name = dyn_cast<NameLoc>(user->getLoc()))
            slot += " '" + name.getName().str() + "'";
          else if (auto fused = dyn_cast<FusedLoc>(user->getLoc()))
            for (Location inner : fused.getLocations())
              if (auto name = dyn_cast<NameLoc>(inner))
                slot += " '" + name.getName().str() + "'";
        }
      }
    });
    std::vector<WeightStats> all;
    for (WeightOp weight : module.getOps<WeightOp>()) {
      WeightStats stats;
      stats.op = weight;
      stats.name = weight.getSymName().str();
      auto type = weight.getType();
      stats.dtype = typeString(type.getElementType());
      stats.shape = llvm::join(
          llvm::map_range(type.getShape(),
                          [](int64_t d) { return std::to_string(d); }),
          "x");
      stats.count = type.getNumElements();
      if (std::optional<ArrayAttr> aliases = weight.getAliases())
        for (StringAttr alias : aliases->getAsRange<StringAttr>())
          stats.aliases.push_back(alias.str());
      stats.user = users.lookup(stats.name);
      // Bytes as stored in full (a splat counts every element).
      if (std::optional<unsigned> elemBytes =
              getElementByteSize(type.getElementType()))
        stats.bytes = stats.count * *elemBytes;
      all.push_back(std::move(stats));
    }
    parallelForEach(&getContext(), all,
                    [](WeightStats &stats) { computeValues(stats); });
    report(all);
    if (!check)
      return;
    bool bad = false;
    for (WeightStats &s : all)
      if (s.nans || s.infs) {
        s.op.emitError("weight '") << s.name << "' holds " << s.nans
                                   << " NaN and " << s.infs << " Inf value(s)";
        bad = true;
      }
    if (bad)
      signalPassFailure();
  }

  void report(std::vector<WeightStats> &all) {
    int64_t trainable = 0, frozen = 0, buffers = 0, constants = 0;
    int64_t uniqueParams = 0;
    uint64_t uniqueBytes = 0, referencedBytes = 0, nans = 0, infs = 0;
    std::map<std::string, uint64_t> bytesByDtype;
    for (WeightStats &s : all) {
      int64_t names = 1 + s.aliases.size();
      WeightRole role = s.op.getRole();
      if (role == WeightRole::Parameter) {
        (s.op.getFrozen() ? frozen : trainable) += s.count * names;
        uniqueParams += s.count;
      } else if (role == WeightRole::Buffer) {
        buffers += s.count * names;
      } else {
        constants += s.count * names;
      }
      uniqueBytes += s.bytes;
      referencedBytes += s.bytes * names;
      bytesByDtype[s.dtype] += s.bytes;
      nans += s.nans;
      infs += s.infs;
    }
    double sharing =
        uniqueBytes ? static_cast<double>(referencedBytes) / uniqueBytes : 1.0;

    std::string text;
    llvm::raw_string_ostream os(text);
    if (format == "json") {
      llvm::json::Array layers;
      for (WeightStats &s : all) {
        llvm::json::Array aliases;
        for (const std::string &a : s.aliases)
          aliases.push_back(a);
        llvm::json::Object layer{
            {"name", s.name},
            {"op", s.user},
            {"params", s.count},
            {"bytes", static_cast<int64_t>(s.bytes)},
            {"dtype", s.dtype},
            {"shape", s.shape},
            {"role", stringifyWeightRole(s.op.getRole()).str()},
            {"frozen", static_cast<bool>(s.op.getFrozen())},
            {"aliases", std::move(aliases)},
        };
        if (s.numeric) {
          layer["sparsity"] = s.count ? double(s.zeros) / s.count : 0.0;
          layer["nan"] = static_cast<int64_t>(s.nans);
          layer["inf"] = static_cast<int64_t>(s.infs);
          layer["min"] = s.min;
          layer["max"] = s.max;
          layer["mean"] = s.mean;
          layer["std"] = s.stddev;
        }
        layers.push_back(std::move(layer));
      }
      llvm::json::Object byDtype;
      for (auto &[dtype, bytes] : bytesByDtype)
        byDtype[dtype] = static_cast<int64_t>(bytes);
      llvm::json::Object root{
          {"total", trainable + frozen},
          {"trainable", trainable},
          {"frozen", frozen},
          {"buffers", buffers},
          {"constants", constants},
          {"unique_params", uniqueParams},
          {"unique_bytes", static_cast<int64_t>(uniqueBytes)},
          {"referenced_bytes", static_cast<int64_t>(referencedBytes)},
          {"sharing_ratio", sharing},
          {"bytes_by_dtype", std::move(byDtype)},
          {"nan_count", static_cast<int64_t>(nans)},
          {"inf_count", static_cast<int64_t>(infs)},
          {"layers", std::move(layers)},
      };
      os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
    } else {
      os << llvm::formatv("{0,-32} {1,-9} {2,-6} {3,-5} {4,-14} {5,12} "
                          "{6,8} {7,5} {8,5} {9,11} {10,11} {11,11} {12,11}\n",
                          "weight", "role", "frozen", "dtype", "shape",
                          "params", "sparsity", "nan", "inf", "min", "max",
                          "mean", "std");
      for (WeightStats &s : all) {
        os << llvm::formatv("{0,-32} {1,-9} {2,-6} {3,-5} {4,-14} {5,12} ",
                            s.name, stringifyWeightRole(s.op.getRole()),
                            s.op.getFrozen() ? "yes" : "no", s.dtype, s.shape,
                            s.count);
        if (s.numeric)
          os << llvm::formatv(
              "{0,8:P1} {1,5} {2,5} {3,11:g} {4,11:g} {5,11:g} {6,11:g}",
              s.count ? double(s.zeros) / s.count : 0.0, s.nans, s.infs, s.min,
              s.max, s.mean, s.stddev);
        if (!s.aliases.empty())
          os << "  aliases: " << llvm::join(s.aliases, ", ");
        os << "\n";
      }
      os << llvm::formatv(
          "\nparameters: {0} ({1} trainable, {2} frozen); buffers: {3}; "
          "constants: {4}\nunique parameters: {5}; unique bytes: {6}; "
          "referenced bytes: {7}; sharing ratio: {8:f3}\nNaN: {9}; Inf: {10}\n",
          trainable + frozen, trainable, frozen, buffers, constants,
          uniqueParams, uniqueBytes, referencedBytes, sharing, nans, infs);
      os << "bytes by dtype:";
      for (auto &[dtype, bytes] : bytesByDtype)
        os << " " << dtype << "=" << bytes;
      os << "\n";
    }

    if (output == "-") {
      llvm::outs() << text;
      llvm::outs().flush();
      return;
    }
    std::string message;
    auto file = mlir::openOutputFile(output, &message);
    if (!file) {
      getOperation().emitError("loom-param-stats: cannot write '")
          << output << "': " << message;
      return signalPassFailure();
    }
    file->os() << text;
    file->keep();
  }
};

} // namespace
