//===- Driver.h - what loomc's commands share -------------------*- C++ -*-===//
//
// Exit codes, progress lines, option parsing, the session (context and
// one-line diagnostics) and model loading, shared by loomc's commands
// (loomc.cpp: stats and compress; RunCommand.cpp: run; CompileCommand.cpp:
// compile).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TOOLS_LOOMC_DRIVER_H
#define LOOM_TOOLS_LOOMC_DRIVER_H

#include "loom/Dialect/Loom/Analysis/ParamStats.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/WeightData.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"
#include "loom/InitAllDialects.h"
#include "loom/Runtime/BoundFunction.h"
#include "loom/Runtime/HostTensor.h"
#include "loom/Target/ONNX/ONNXExport.h"
#include "loom/Tools/ToolSupport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <boost/program_options.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>

namespace loomc {
using namespace mlir;
namespace po = boost::program_options;

constexpr int kOk = 0, kFailed = 1, kUsage = 2;

/// The absolute, dot-free spelling of `path`, to compare outputs and inputs.
inline std::string canonicalPath(StringRef path) {
  llvm::SmallString<256> full(path);
  llvm::sys::fs::make_absolute(full);
  llvm::sys::path::remove_dots(full, /*remove_dot_dot=*/true);
  llvm::SmallString<256> real;
  if (!llvm::sys::fs::real_path(full, real))
    return std::string(real);
  return std::string(full);
}

/// Why an output cannot be written, checked before anything is written: its
/// folder must exist (a later output failing after an earlier one replaced
/// its file would leave half a result).
inline std::optional<std::string> outputFolderProblem(StringRef path) {
  if (path == "-")
    return std::nullopt;
  llvm::SmallString<256> folder(path);
  llvm::sys::path::remove_filename(folder);
  if (folder.empty())
    folder = ".";
  if (!llvm::sys::fs::is_directory(folder))
    return "its folder '" + std::string(folder) + "' does not exist";
  if (llvm::sys::fs::access(folder, llvm::sys::fs::AccessMode::Write))
    return "its folder '" + std::string(folder) + "' is not writable";
  return std::nullopt;
}

/// A path that exists and is no regular file or folder: a device or a pipe
/// (`-o /dev/null`), written in place.
inline bool isStreamPath(StringRef path) {
  llvm::sys::fs::file_status status;
  if (llvm::sys::fs::status(path, status))
    return false;
  auto type = status.type();
  return type == llvm::sys::fs::file_type::character_file ||
         type == llvm::sys::fs::file_type::fifo_file;
}

using Clock = std::chrono::steady_clock;
inline double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

inline std::string grouped(uint64_t n) { return loom::formatGrouped(n); }

/// Progress lines on stderr: on a terminal, or everywhere with --verbose.
class Progress {
public:
  Progress(StringRef command, bool verbose, bool quiet)
      : command(command.str()),
        enabled(!quiet &&
                (verbose || llvm::sys::Process::StandardErrIsDisplayed())) {}
  bool isEnabled() const { return enabled; }
  void start(StringRef what) {
    begin = Clock::now();
    if (enabled)
      llvm::errs() << "loomc " << command << ": " << what << " ...\n";
  }
  void done(StringRef what, StringRef detail = "") {
    if (!enabled)
      return;
    llvm::errs() << "loomc " << command << ": " << what << " "
                 << llvm::formatv("{0:f2}", secondsSince(begin)) << " s";
    if (!detail.empty())
      llvm::errs() << " (" << detail << ")";
    llvm::errs() << "\n";
  }
  void line(const Twine &text) {
    if (enabled)
      llvm::errs() << "loomc " << command << ": " << text << "\n";
  }

private:
  std::string command;
  bool enabled;
  Clock::time_point begin;
};

/// What a module holds, cheaply (no weight bytes read).
struct Shape {
  int64_t weights = 0, nodes = 0;
  uint64_t weightBytes = 0;
};

inline Shape shapeOf(ModuleOp module) {
  Shape shape;
  for (loom::WeightOp weight : module.getOps<loom::WeightOp>()) {
    ++shape.weights;
    ShapedType type = weight.getType();
    if (std::optional<unsigned> bytes =
            loom::getElementByteSize(type.getElementType()))
      shape.weightBytes += type.getNumElements() * *bytes;
  }
  // Nodes: the ops an ONNX graph would hold (weights are initializers).
  module.walk([&](Operation *op) {
    if (isa<ModuleOp, func::FuncOp, func::ReturnOp, loom::WeightOp,
            loom::WeightRefOp, loom::NoneOp, loom::YieldOp>(op))
      return;
    ++shape.nodes;
  });
  return shape;
}

/// Prints a pass's name, time and what changed, as the pipeline runs.
class ProgressInstrumentation : public PassInstrumentation {
public:
  ProgressInstrumentation(Progress &progress,
                          std::vector<std::pair<std::string, double>> &times)
      : progress(progress), times(times) {}

  void runBeforePass(Pass *pass, Operation *op) override {
    if (!isa<ModuleOp>(op) || pass->getArgument().empty())
      return;
    // What changed is only for the progress lines: no walks when quiet.
    if (progress.isEnabled())
      before = shapeOf(cast<ModuleOp>(op));
    start = Clock::now();
  }
  void runAfterPass(Pass *pass, Operation *op) override {
    if (!isa<ModuleOp>(op) || pass->getArgument().empty())
      return;
    double seconds = secondsSince(start);
    times.emplace_back(pass->getArgument().str(), seconds);
    if (!progress.isEnabled())
      return;
    Shape after = shapeOf(cast<ModuleOp>(op));
    std::string change;
    if (after.weights != before.weights ||
        after.weightBytes != before.weightBytes)
      change += llvm::formatv("; weights {0} -> {1}, {2} -> {3} bytes",
                              before.weights, after.weights,
                              grouped(before.weightBytes),
                              grouped(after.weightBytes));
    if (after.nodes != before.nodes)
      change += llvm::formatv("; nodes {0} -> {1}", before.nodes, after.nodes);
    if (change.empty())
      change = "; no change in weights or nodes";
    progress.line(llvm::formatv("pass {0}: {1:f2} s{2}", pass->getArgument(),
                                seconds, change));
  }
  void runAfterPassFailed(Pass *pass, Operation *op) override {
    if (isa<ModuleOp>(op) && !pass->getArgument().empty())
      progress.line("pass " + pass->getArgument() + " failed");
  }

private:
  Progress &progress;
  std::vector<std::pair<std::string, double>> &times;
  Shape before;
  Clock::time_point start;
};

/// Options every command has: TorchScript input types, --verbose, --quiet.
inline void addModelOptions(po::options_description &options,
                            const char *verbose) {
  options.add_options()(
      "input-types", po::value<std::string>(),
      "TorchScript models: forward()'s input types, comma-separated, as "
      "1x3x224x224xf32 (default: the archive's loom_inputs.txt)")(
      "verbose,v", po::bool_switch(), verbose)("quiet,q", po::bool_switch(),
                                               "Never print progress");
}

/// Parses `args` against `options` (+ the positional MODEL, or with
/// `models` != 1 up to that many MODELs, -1 for any number, as a vector);
/// bad usage prints one line and sets `exitCode` to 2; --help prints and
/// sets 0.
inline std::optional<po::variables_map>
parseCommand(StringRef command, const std::vector<std::string> &args,
             const po::options_description &options, StringRef usage,
             int &exitCode, int models = 1) {
  po::options_description all;
  all.add(options);
  if (models == 1)
    all.add_options()("model", po::value<std::string>(), "model");
  else
    all.add_options()("model", po::value<std::vector<std::string>>(), "model");
  po::positional_options_description positional;
  positional.add("model", models);
  po::variables_map vm;
  try {
    po::store(
        po::command_line_parser(args).options(all).positional(positional).run(),
        vm);
    po::notify(vm);
  } catch (const po::error &e) {
    llvm::errs() << "loomc " << command << ": error: " << e.what()
                 << " (see loomc " << command << " --help)\n";
    exitCode = kUsage;
    return std::nullopt;
  }
  if (vm.count("help")) {
    std::cout << usage.str() << "\n\n" << options << std::endl;
    exitCode = kOk;
    return std::nullopt;
  }
  if (!vm.count("model")) {
    llvm::errs() << "loomc " << command << ": error: no MODEL given (see loomc "
                 << command << " --help)\n";
    exitCode = kUsage;
    return std::nullopt;
  }
  return vm;
}

/// The context with Loom's dialects and one-line diagnostics.
struct Session {
  DialectRegistry registry;
  std::unique_ptr<MLIRContext> context;
  std::unique_ptr<loom::OneLineDiagnostics> diagnostics;

  explicit Session(StringRef modelPath) {
    loom::registerAllDialects(registry);
    context = std::make_unique<MLIRContext>(registry);
    loom::loadLoomToolDialects(*context);
    diagnostics =
        std::make_unique<loom::OneLineDiagnostics>(*context, modelPath.str());
  }
};

inline loom::LoadedModel load(Session &session, StringRef path,
                              Progress &progress, const po::variables_map &vm) {
  if (!llvm::sys::fs::exists(path) && path != "-") {
    llvm::errs() << path << ": error: no such file\n";
    return {};
  }
  progress.start(("loading " + path).str());
  loom::LoadOptions options;
  if (vm.count("input-types")) {
    SmallVector<StringRef> types;
    StringRef(vm["input-types"].as<std::string>()).split(types, ',', -1, false);
    for (StringRef type : types)
      options.inputTypes.push_back(type.trim().str());
  }
  loom::LoadedModel model =
      loom::loadModel(path, session.context.get(), options);
  if (model) {
    Shape shape = shapeOf(*model.module);
    progress.done("loaded",
                  llvm::formatv("{0} weights, {1} bytes, {2} nodes",
                                shape.weights, grouped(shape.weightBytes),
                                shape.nodes)
                      .str());
  }
  return model;
}

/// Before/after figures of compress.
struct Figures {
  uint64_t fileBytes = 0;
  int64_t total = 0, uniqueParams = 0, nodes = 0, weights = 0;
  uint64_t uniqueBytes = 0, flops = 0;

  llvm::json::Object toJSON() const {
    return llvm::json::Object{
        {"file_bytes", static_cast<int64_t>(fileBytes)},
        {"total", total},
        {"unique_params", uniqueParams},
        {"unique_bytes", static_cast<int64_t>(uniqueBytes)},
        {"nodes", nodes},
        {"weights", weights},
        {"flops", static_cast<int64_t>(flops)},
    };
  }
};

/// `dataPath`: the model's external data file, if it has one.
inline uint64_t countFlops(ModuleOp module);

inline Figures figuresOf(ModuleOp module, StringRef path, StringRef dataPath) {
  Figures figures;
  // Counts only: the weights' data is not read.
  loom::ParamStatsOptions counts;
  counts.values = false;
  loom::ParamReport report = loom::computeParamStats(module, counts);
  figures.total = report.total();
  figures.uniqueParams = report.uniqueParams;
  figures.uniqueBytes = report.uniqueBytes;
  Shape shape = shapeOf(module);
  figures.nodes = shape.nodes;
  figures.weights = shape.weights;
  figures.flops = countFlops(module);
  uint64_t size = 0;
  if (!llvm::sys::fs::file_size(path, size))
    figures.fileBytes = size;
  // External data beside an ONNX model counts as part of it.
  uint64_t dataSize = 0;
  if (!dataPath.empty() && !llvm::sys::fs::file_size(dataPath, dataSize))
    figures.fileBytes += dataSize;
  return figures;
}

inline std::string change(double before, double after) {
  if (before == after)
    return "=";
  if (before == 0)
    return "new";
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%+.1f%%",
                100.0 * (after - before) / before);
  return buffer;
}

/// Overrides the input shapes ("NAME:DxD..." or "INDEX:DxD...", '?' for a
/// dynamic dimension), then infers and folds shapes until nothing changes
/// (Specialize.cpp).
LogicalResult specializeShapes(ModuleOp module,
                               ArrayRef<std::string> inputShapes);

/// loomc run (RunCommand.cpp).
int runRun(const std::vector<std::string> &args);
/// loomc compile (CompileCommand.cpp).
int runCompile(const std::vector<std::string> &args);
/// What `loomc compress --share-weights` was asked for.
struct ShareRequest {
  std::vector<std::string> models;
  std::string outDir;
  std::string pipeline; // as text, for the report
  loom::ONNXExportOptions exportOptions;
  std::optional<std::string> reportPath;
};
/// loomc compress --share-weights (ShareCommand.cpp): loads every model,
/// runs `pm` on each, ties across them, writes OUTDIR.
int runShareWeights(const ShareRequest &request, Session &session,
                    PassManager &pm, Progress &progress,
                    const po::variables_map &vm);

/// One output's drift between a model and its compressed form.
struct OutputDrift {
  std::string name;
  bool compared = true; // false: not a float output, or another size
  double maxAbs = 0, relL2 = 0, cosine = 1;
};
/// Compiles both modules for this CPU (Loom's evaluator), runs them on the
/// same inputs drawn from `seed` (dynamic dimensions 1) and compares their
/// outputs (Drift.cpp).
llvm::Expected<std::vector<OutputDrift>>
measureDrift(ModuleOp before, ModuleOp after, uint64_t seed);

/// While alive, keeps `context`'s errors off the terminal and remembers the
/// first: compiling for a report (drift, --max-drift) must not fail compress
/// with error lines, only give a one-line reason.
class QuietCompile {
public:
  explicit QuietCompile(MLIRContext *context)
      : handler(context, [this](Diagnostic &d) {
          if (d.getSeverity() == DiagnosticSeverity::Error && reason.empty())
            reason = d.str();
          return success();
        }) {}
  /// `error`'s text, its pointer to "the errors above" replaced by the
  /// first of them.
  std::string describe(llvm::Error error) const {
    std::string text = llvm::toString(std::move(error));
    if (size_t at = text.find(" (see the errors above)");
        at != std::string::npos)
      text.erase(at);
    return reason.empty() ? text : text + ": " + reason;
  }

private:
  std::string reason;
  ScopedDiagnosticHandler handler;
};

/// Folds the shape computations (Slice bounds, Reshape targets) that Loom's
/// CPU code needs constant: infer, fold, infer (Drift.cpp).
LogicalResult foldShapesForCompile(ModuleOp module);

/// Runs `module` on the calibration samples in `dir` with Loom's CPU code
/// and sets `loom.activation_range` on every kernel whose input it measured
/// (Calibrate.cpp): min/max, or with `percentile` P (50 < P < 100) the
/// (100-P)-th to P-th percentile of its values; returns how many.
llvm::Expected<unsigned> calibrate(ModuleOp module, llvm::StringRef dir,
                                   double percentile = 0);

/// The calibration samples in `dir` for a function with `inputs`: one .npy
/// file per sample (one input), or one folder of <input name>.npy files
/// per sample, read in name order (Calibrate.cpp).
struct CalibrationSample {
  /// Its (first) file, for messages.
  std::string file;
  std::vector<loom::runtime::HostTensor> inputs;
};
llvm::Expected<std::vector<CalibrationSample>>
loadSamples(llvm::StringRef dir,
            llvm::ArrayRef<loom::runtime::TensorSignature> inputs);

/// One weight's width chosen by planPrecision, and why.
struct PlannedWeight {
  std::string name, layer;
  int64_t elements = 0;
  /// 4, 8, or 0 (float).
  unsigned bits = 0;
  /// The model's drift with only this weight quantized to 4 / 8 bits (NaN:
  /// not measured).
  double alone4 = NAN, alone8 = NAN;
};

struct PrecisionPlan {
  std::vector<PlannedWeight> weights;
  double budget = 0;
  /// The whole model's drift with the plan (simulated), on the samples,
  /// and its 95th percentile over resamplings of them (what the budget
  /// bounds).
  double drift = 0, upper = 0;
  unsigned samples = 0, measurements = 0, compilations = 0;
};

/// `--max-drift`: per quantizable weight, the narrowest width (4 and 8 bits
/// when `allowFour`, else 8; or float) such that the model's relative L2
/// drift on the calibration samples in `dir` stays within `budget` (its
/// 95th percentile over resamplings of the samples does), written
/// on the weights as `loom.quantize_bits` (MaxDrift.cpp). `options` are
/// loom-quantize's (weight-only).
llvm::Expected<PrecisionPlan>
planPrecision(ModuleOp module, const loom::LoomQuantizeOptions &options,
              llvm::StringRef dir, double budget, bool allowFour,
              llvm::function_ref<void(const std::string &)> progress);

/// Prints --max-drift's lines (the budget, the drift measured, each
/// weight's width and its drift alone at 4 and 8 bits) and returns them as
/// JSON (QuantizeReport.cpp).
llvm::json::Object printPlan(const PrecisionPlan &plan);

/// Prints compress's quantization lines (parameters by element type in
/// `module`, one line per weight of `summary`) and returns them as JSON
/// (QuantizeReport.cpp).
llvm::json::Object printQuantized(ModuleOp module,
                                  const loom::QuantizeSummary &summary);

/// Multiply-add FLOPs of the Conv, ConvTranspose, Gemm and MatMul ops and
/// their integer forms (2 x output elements x reduction length; dynamic
/// dimensions count 1).
inline uint64_t countFlops(ModuleOp module) {
  auto product = [](ArrayRef<int64_t> dims) {
    uint64_t p = 1;
    for (int64_t d : dims)
      p *= d > 0 ? d : 1;
    return p;
  };
  uint64_t total = 0;
  module.walk([&](Operation *op) {
    if (op->getNumResults() != 1 || op->getNumOperands() < 2)
      return;
    auto out = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    auto w = dyn_cast<RankedTensorType>(op->getOperand(1).getType());
    if (!out || !w || w.getRank() < 1)
      return;
    // The integer kernels count as the float ones they replace (QLinear
    // ops: W is operand 3).
    if (isa<loom::QLinearConvOp, loom::QLinearMatMulOp>(op))
      w = dyn_cast<RankedTensorType>(op->getOperand(3).getType());
    if (!w || w.getRank() < 1)
      return;
    uint64_t k = 0;
    if (isa<loom::ConvOp, loom::ConvIntegerOp, loom::QLinearConvOp>(op))
      k = product(w.getShape().drop_front());
    else if (auto t = dyn_cast<loom::ConvTransposeOp>(op))
      k = product(w.getShape().drop_front(2)) *
          (w.getDimSize(0) > 0 ? w.getDimSize(0) : 1) /
          std::max<int64_t>(1, t.getGroup());
    else if (auto gemm = dyn_cast<loom::GemmOp>(op))
      k = w.getRank() == 2
              ? std::max<int64_t>(1, w.getDimSize(gemm.getTransB() ? 1 : 0))
              : 0;
    else if (isa<loom::MatMulOp, loom::MatMulIntegerOp, loom::QLinearMatMulOp>(
                 op))
      k = w.getRank() >= 2 ? std::max<int64_t>(1, w.getDimSize(w.getRank() - 2))
                           : std::max<int64_t>(1, w.getDimSize(0));
    total += 2 * product(out.getShape()) * k;
  });
  return total;
}

/// loomc diff (DiffCommand.cpp).
int runDiff(const std::vector<std::string> &args);

} // namespace loomc

#endif // LOOM_TOOLS_LOOMC_DRIVER_H
