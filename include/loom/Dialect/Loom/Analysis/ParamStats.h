//===- ParamStats.h - parameter counts and value statistics -----*- C++ -*-===//
//
// The analysis behind `--loom-param-stats` and `loomc stats`: what a model
// holds (counts by role, sharing, bytes by dtype), per layer and per tensor,
// and what the values look like (sparsity, NaN/Inf, min/max/mean/std, a
// histogram). Computing it reads every weight byte once, in parallel (a
// second sweep fills histograms, over the same bytes, still in parallel).
//
// Counting follows PyTorch's meaning:
//  * a weight's aliases are the same tensor under other names: counted once
//    (a head tied to an embedding);
//  * a weight's copies (`#loom.copy`) were separate tensors of the source
//    that an exporter merged because they held equal values: each counts
//    with its own role (a BatchNorm weight of ones and another layer's
//    running variance);
//  * `total` = trainable + frozen parameters; buffers and constants apart.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_ANALYSIS_PARAMSTATS_H
#define LOOM_DIALECT_LOOM_ANALYSIS_PARAMSTATS_H

#include "loom/Dialect/Loom/IR/LoomOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <string>
#include <vector>

namespace loom {

/// One stored tensor (a `loom.weight`) and its value statistics.
struct TensorStats {
  WeightOp op;
  std::string name, dtype, shape;
  WeightRole role = WeightRole::Parameter;
  bool frozen = false;
  std::vector<std::string> aliases;
  std::vector<std::pair<std::string, WeightRole>> copies;
  /// Ops that read it ("conv 'node_3'").
  std::vector<std::string> users;
  int64_t count = 0;
  uint64_t bytes = 0;
  /// Value statistics exist for float and byte-sized integer tensors.
  bool numeric = false;
  uint64_t zeros = 0, nans = 0, infs = 0;
  double min = 0, max = 0, mean = 0, stddev = 0;
  /// Counts of finite values in equal bins over [min, max], of
  /// `histogramElements` elements (all, or an evenly spaced sample).
  std::vector<uint64_t> histogram;
  uint64_t histogramElements = 0;

  double sparsity() const { return count ? double(zeros) / count : 0.0; }
  bool allZero() const { return numeric && count && zeros == uint64_t(count); }
  /// Every element has one (finite, non-zero) value.
  bool isConstant() const {
    return numeric && count > 1 && !nans && !infs && !allZero() && min == max;
  }
  /// Every name that reads this tensor: the symbol, aliases, copies.
  std::vector<std::string> allNames() const;
};

/// One op that reads weights: a layer in the torchinfo sense.
struct LayerStats {
  std::string name, op;
  struct Read {
    std::string name; // the name the layer reads it under
    unsigned tensor;  // index into ParamReport::tensors
  };
  std::vector<Read> reads;
  int64_t params = 0;
  uint64_t bytes = 0, zeros = 0;
  std::string dtype, role;
  bool frozen = true;
  /// Other names of the tensors this layer reads.
  std::vector<std::string> sharedWith;
  double sparsity() const { return params ? double(zeros) / params : 0.0; }
};

struct ParamReport {
  int64_t trainable = 0, frozen = 0, buffers = 0, constants = 0;
  int64_t uniqueParams = 0;
  uint64_t uniqueBytes = 0, referencedBytes = 0, nans = 0, infs = 0;
  std::map<std::string, uint64_t> bytesByDtype;
  std::vector<TensorStats> tensors;
  std::vector<LayerStats> layers;

  int64_t total() const { return trainable + frozen; }
  double sharingRatio() const {
    return uniqueBytes ? double(referencedBytes) / uniqueBytes : 1.0;
  }
};

struct ParamStatsOptions {
  /// Read the values (moments, NaN/Inf, sparsity, histograms). Off: names,
  /// roles, counts and bytes only, without touching the weights' data.
  bool values = true;
  /// Histogram bins per tensor (0: none).
  unsigned bins = 32;
  /// Histograms count every element of tensors up to this many elements and
  /// that many evenly spaced elements (blocks of 4096) of larger ones (0:
  /// every element of every tensor).
  uint64_t histogramSample = uint64_t(1) << 18;
};

/// Computes the report of `module`: counts and moments read every element
/// once (in parallel chunks), then the histograms over [min, max].
ParamReport computeParamStats(mlir::ModuleOp module,
                              const ParamStatsOptions &options = {});

/// Adds the finite values of `stats`' tensor to `bins` equal bins over
/// [lo, hi] (values outside are clamped into the end bins), reading its
/// bytes again. With `maxElements`, a larger tensor contributes evenly spaced
/// blocks of 4096 elements adding up to about that many. Returns the number
/// of elements looked at.
uint64_t fillHistogram(const TensorStats &stats, double lo, double hi,
                       std::vector<uint64_t> &bins, uint64_t maxElements = 0);

/// The node name a location carries (its NameLoc, also inside a FusedLoc),
/// or "".
std::string getNodeName(mlir::Location loc);
/// The op's kind as a user knows it: `Conv` for a generic ONNX op, `conv`
/// for `loom.conv`.
std::string getOpKind(mlir::Operation *op);

/// 11689512 -> "11,689,512".
std::string formatGrouped(uint64_t n);

/// The aligned terminal table, per layer and per tensor, then totals.
void printParamStatsText(const ParamReport &report, llvm::raw_ostream &os);
/// One JSON object (schema: docs/ParamStats.schema.json).
void printParamStatsJSON(const ParamReport &report, llvm::raw_ostream &os);
/// GitHub-flavoured Markdown tables.
void printParamStatsMarkdown(const ParamReport &report, llvm::raw_ostream &os);

/// Writes an SVG figure: a histogram of the values of every tensor whose
/// name (or one of whose layer names) matches `layerRegex` (all when
/// empty), over their common range with a logarithmic count axis, followed
/// by one small histogram per matching tensor. Reads the matching tensors'
/// bytes again. Fails (with `error`) on an invalid regex or no match.
mlir::LogicalResult writeParamStatsSVG(const ParamReport &report,
                                       llvm::StringRef layerRegex,
                                       llvm::StringRef title,
                                       llvm::raw_ostream &os,
                                       std::string &error);

/// The report's formats.
enum class ParamStatsFormat { Text, JSON, Markdown };

/// Where the report goes and what is checked: the options of the
/// `--loom-param-stats` pass and of `loomc stats`.
struct ParamStatsOutputs {
  ParamStatsFormat format = ParamStatsFormat::Text;
  /// The report's path; "-" is standard output.
  std::string output = "-";
  /// An SVG figure's path (none when empty), of the tensors whose name or
  /// layer matches `layer` (a regular expression; all when empty).
  std::string plot, layer;
  std::string plotTitle = "Weight values";
  /// Fail when a weight holds NaN or Inf, with one error per weight.
  bool check = false;
};

/// What writeParamStatsOutputs did; each failure has been reported as an
/// error diagnostic.
enum class ParamStatsStatus {
  Ok,
  /// The report or the plot could not be written.
  WriteFailed,
  /// `layer` is no valid regular expression or matches nothing (no plot
  /// written).
  BadLayer,
  /// `check` found NaN or Inf (the report and plot are written).
  CheckFailed,
};

/// Writes `report` in `outputs.format` to `outputs.output` and the plot,
/// each through a temporary file, then runs the check. Errors name `loc`
/// (the module, or the model file), prefixed by `prefix`; the check's name
/// each weight at its own location.
ParamStatsStatus writeParamStatsOutputs(const ParamReport &report,
                                        const ParamStatsOutputs &outputs,
                                        mlir::Location loc,
                                        llvm::StringRef prefix = "");

} // namespace loom

#endif // LOOM_DIALECT_LOOM_ANALYSIS_PARAMSTATS_H
