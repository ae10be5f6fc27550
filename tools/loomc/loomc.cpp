//===- loomc.cpp - Loom's driver: stats, compress -------------------------===//
//
//   loomc stats MODEL [--json | --markdown] [-o FILE] [--check]
//                     [--plot FILE.svg [--layer REGEX]] [--bins N]
//   loomc compress MODEL -o OUT.onnx [--tie[=MODES]] [--pipeline P]
//                        [--report FILE.json]
//
// Exit codes: 0 ok, 1 bad input or a failed pass or check (one line naming
// the file and the node or tensor), 2 bad usage. On a terminal long steps
// print progress on stderr; in a pipe loomc is quiet unless --verbose.
//
//===----------------------------------------------------------------------===//

#include "loom/ConstEval/Passes.h"
#include "loom/Dialect/Loom/Analysis/ParamStats.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/WeightData.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"
#include "loom/InitAllDialects.h"
#include "loom/InitAllPasses.h"
#include "loom/Target/ONNX/ONNXExport.h"
#include "loom/Tools/ToolSupport.h"

#include "Driver.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <boost/program_options.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>

using namespace mlir;
namespace po = boost::program_options;
using namespace loomc;

namespace {

constexpr unsigned kMaxBins = 1 << 16;

const char *kOverview = R"(loomc - Loom's model optimizer

usage: loomc <command> [options] MODEL

commands:
  stats      what a model holds: parameters (total, trainable, frozen,
             buffers), per layer and per tensor, sharing, sparsity, NaN/Inf,
             value distributions; a terminal table, --json or --markdown,
             --plot writes an SVG histogram
  diff       what changed between two models: tensors identical, within
             tolerance, changed (max abs, relative L2, cosine), reshaped,
             renamed (also transposed, cast, scaled), added, removed; per
             layer; the graph's structural changes; --expect-frozen makes
             it a CI check
  compress   import, optimize (tie duplicated weights, any pass pipeline),
             export ONNX, and print before/after: file size, parameters,
             unique bytes, nodes
  compile    compile ahead of time into a shared library with a C API
             (libNAME.so + NAME.h) that needs neither MLIR nor Python
  run        compile for this CPU in memory (or open a compiled library)
             and run on .npy inputs; write the outputs as .npy;
             --benchmark N times it

Models: .onnx (with external data), .mlir / .mlirbc (Loom IR), .pt
(TorchScript archives, where this build imports them).
Run 'loomc <command> --help' for a command's options.
Exit codes: 0 ok, 1 bad input, failed pass or failed check, 2 bad usage.
)";

//===----------------------------------------------------------------------===//
// loomc stats
//===----------------------------------------------------------------------===//

int runStats(const std::vector<std::string> &args) {
  po::options_description options("loomc stats options");
  options.add_options()("help,h", "Print this help")(
      "json", po::bool_switch(),
      "Write the report as one JSON object (schema: "
      "docs/ParamStats.schema.json)")("markdown", po::bool_switch(),
                                      "Write the report as Markdown tables")(
      "output,o", po::value<std::string>()->default_value("-"),
      "Write the report to this file (through a temporary file); '-' is "
      "standard output")(
      "check", po::bool_switch(),
      "Exit 1 when any tensor holds NaN or Inf, naming each (after the "
      "report)")("plot", po::value<std::string>(),
                 "Also write an SVG histogram of the weight values to this "
                 "file")(
      "layer", po::value<std::string>()->default_value(""),
      "With --plot: only tensors whose name or layer (node) name matches "
      "this regular expression")(
      "bins", po::value<unsigned>()->default_value(32),
      "Histogram bins per tensor in the JSON report (0: none)")(
      "exact-histograms", po::bool_switch(),
      "Histograms count every element (default: tensors of more than "
      "262,144 elements count an evenly spaced sample of that many)");
  addModelOptions(options, "Print progress on stderr even when it is not a "
                           "terminal");
  int exitCode = kOk;
  std::optional<po::variables_map> vm = parseCommand(
      "stats", args, options,
      "usage: loomc stats MODEL [options]\n\n"
      "Reports what MODEL (.onnx, .mlir, .mlirbc, .pt) holds, per layer (each "
      "node\n"
      "that reads weights) and per tensor: role (trainable / frozen /\n"
      "buffer / constant), dtype, shape, parameters, bytes, the other names\n"
      "that share it, sparsity, NaN/Inf, min/max/mean/std, all-zero and\n"
      "constant tensors; then totals. Counting follows PyTorch: a tensor\n"
      "shared by several names (a tied head) counts once; equal tensors an\n"
      "exporter merged (read through Identity) count once per name, with the\n"
      "role their use implies (BatchNorm statistics are buffers).",
      exitCode);
  if (!vm)
    return exitCode;
  std::string modelPath = (*vm)["model"].as<std::string>();
  bool json = (*vm)["json"].as<bool>(), markdown = (*vm)["markdown"].as<bool>();
  if (json && markdown) {
    llvm::errs() << "loomc stats: error: choose one of --json and --markdown\n";
    return kUsage;
  }
  if (vm->count("plot") == 0 && !(*vm)["layer"].as<std::string>().empty()) {
    llvm::errs() << "loomc stats: error: --layer goes with --plot\n";
    return kUsage;
  }
  Progress progress("stats", (*vm)["verbose"].as<bool>(),
                    (*vm)["quiet"].as<bool>());

  // Boost reads "-1" as 4294967295 into an unsigned: bound it.
  if ((*vm)["bins"].as<unsigned>() > kMaxBins) {
    llvm::errs() << "loomc stats: error: --bins must be 0.." << kMaxBins
                 << " (see loomc stats --help)\n";
    return kUsage;
  }

  Session session(modelPath);
  loom::LoadedModel model = load(session, modelPath, progress, *vm);
  if (!model)
    return kFailed;

  progress.start("reading every weight");
  loom::ParamStatsOptions statsOptions;
  statsOptions.bins = (*vm)["bins"].as<unsigned>();
  if ((*vm)["exact-histograms"].as<bool>())
    statsOptions.histogramSample = 0;
  loom::ParamReport report =
      loom::computeParamStats(*model.module, statsOptions);
  progress.done("statistics",
                llvm::formatv("{0} tensors, {1} bytes", report.tensors.size(),
                              grouped(report.uniqueBytes))
                    .str());

  loom::ParamStatsOutputs outputs;
  outputs.format = json       ? loom::ParamStatsFormat::JSON
                   : markdown ? loom::ParamStatsFormat::Markdown
                              : loom::ParamStatsFormat::Text;
  outputs.output = (*vm)["output"].as<std::string>();
  if (vm->count("plot")) {
    outputs.plot = (*vm)["plot"].as<std::string>();
    outputs.layer = (*vm)["layer"].as<std::string>();
    outputs.plotTitle = "Weight values: " + modelPath;
  }
  outputs.check = (*vm)["check"].as<bool>();
  switch (loom::writeParamStatsOutputs(
      report, outputs,
      FileLineColLoc::get(session.context.get(), modelPath, 0, 0))) {
  case loom::ParamStatsStatus::Ok:
    break;
  case loom::ParamStatsStatus::BadLayer:
    return kUsage;
  case loom::ParamStatsStatus::WriteFailed:
    return kFailed;
  case loom::ParamStatsStatus::CheckFailed: {
    std::vector<std::string> bad;
    for (const loom::TensorStats &s : report.tensors)
      if (s.nans || s.infs)
        bad.push_back(s.name);
    llvm::errs() << "loomc stats: --check failed: " << bad.size()
                 << " tensor(s) hold NaN or Inf: " << llvm::join(bad, ", ")
                 << "\n";
    return kFailed;
  }
  }
  if (!outputs.plot.empty())
    progress.line("wrote " + outputs.plot);
  return kOk;
}

//===----------------------------------------------------------------------===//
// loomc compress
//===----------------------------------------------------------------------===//

/// "auto, always, never".
std::string externalDataNames() {
  std::vector<std::string> names;
  for (const loom::ExternalDataChoice &choice : loom::getExternalDataChoices())
    names.push_back(choice.name.str());
  return llvm::join(names, ", ");
}

int runCompress(const std::vector<std::string> &args) {
  static const std::string externalDataHelp = [] {
    std::string help = "ONNX output, where tensor data goes:";
    for (const loom::ExternalDataChoice &choice :
         loom::getExternalDataChoices())
      help += " " + choice.name.str() + " (" + choice.help.str() + ");";
    help.back() = '.';
    return help;
  }();
  static const std::string tieHelp =
      "Tie duplicated weights so that every user reads one tensor; "
      "--tie=MODES picks among " +
      loom::tieModeNames().str() + " (comma-separated; default all, bit-exact)";
  po::options_description options("loomc compress options");
  options.add_options()("help,h", "Print this help")(
      "output,o", po::value<std::string>(),
      "The optimized model: .onnx (external data beside it when needed), or "
      ".mlir / .mlirbc for Loom IR (required)")(
      "tie", po::value<std::string>()->implicit_value("all"), tieHelp.c_str())(
      "tie-min-bytes", po::value<uint64_t>()->default_value(1024),
      "With --tie: only tie duplicates of at least this many bytes")(
      "freeze",
      po::value<std::vector<std::string>>()->multitoken()->composing(),
      "Freeze the parameters whose names (or aliases) match these globs, "
      "e.g. 'encoder.layer.[0-5].*' (ONNX models arrive frozen; TorchScript "
      "archives keep requires_grad)")(
      "freeze-until", po::value<std::string>(),
      "Freeze every parameter read before LAYER (the first op reading a "
      "weight named LAYER or LAYER.*)")("freeze-all", po::bool_switch(),
                                        "Freeze every parameter")(
      "unfreeze",
      po::value<std::vector<std::string>>()->multitoken()->composing(),
      "After freezing, make the parameters these globs match trainable "
      "again (--freeze-all --unfreeze 'fc.*')")(
      "fold", po::bool_switch(),
      "Compute once what depends only on frozen weights and constants: "
      "BatchNorm into Conv/Gemm/MatMul weights, transposes, casts, "
      "arithmetic, shape chains (loom-fold-frozen); never grows the model "
      "beyond --fold-max-growth")(
      "prune", po::value<std::string>(),
      "Zero the smallest frozen Conv/Gemm/MatMul kernels' weights after "
      "folding (loom-prune): 'unstructured' (exactly --sparsity of each "
      "kernel's elements), 'channel' (remove --sparsity of each kernel's "
      "output channels, or of the heads of attention projections, and "
      "shrink every shape that carries them) or N:M "
      "(keep N of every M along the input channels, e.g. 2:4); the first "
      "conv and the classifier are kept")(
      "sparsity", po::value<double>()->default_value(0.5),
      "With --prune unstructured: the fraction of zeros; channel: the "
      "fraction of channels removed; in [0, 1]")(
      "quantize", po::value<std::string>(),
      "Store kernel and embedding weights as integers with scales, "
      "dequantized in the graph (loom-quantize, after --prune): "
      "'weight-only', 'dynamic' (MatMuls' activations quantized at run "
      "time: DynamicQuantizeLinear + MatMulInteger) or 'static' (weights "
      "and kernels' activations as QuantizeLinear/DequantizeLinear pairs, "
      "activation ranges from --calibrate)")(
      "bits", po::value<unsigned>()->default_value(8),
      "With --quantize: 8 or 4 (in 4-bit mode the first conv, the "
      "classifier and embeddings stay 8-bit)")(
      "granularity", po::value<std::string>()->default_value("per-channel"),
      "With --quantize: per-channel, per-tensor or block=N (N along the "
      "input channels; ONNX opset 21)")(
      "quantize-sensitive", po::bool_switch(),
      "With --bits 4: the first conv, the classifier and embeddings get 4 "
      "bits too (by default they stay 8-bit)")(
      "calibrate", po::value<std::string>(),
      "With --quantize static or --max-drift: a folder of calibration "
      "inputs (one .npy file per sample, or one folder of <input "
      "name>.npy files per sample); the float model runs on them through "
      "Loom's CPU code: static takes each kernel's input range from them, "
      "--max-drift measures the outputs' drift on them")(
      "calibration", po::value<std::string>()->default_value("minmax"),
      "With --quantize static: each kernel's activation range is the "
      "calibration inputs' 'minmax', or 'percentile=P' (the P-th and "
      "(100-P)-th percentiles of its values, e.g. 99.99: outliers are "
      "clipped and the rest resolved finer)")(
      "max-drift", po::value<double>(),
      "With --quantize weight-only and --calibrate DIR: an accuracy "
      "budget, the largest relative L2 drift allowed on any output over "
      "the calibration samples. Each quantizable weight gets the narrowest "
      "width (int4, int8 or float) that keeps the model within it, "
      "measured through Loom's CPU code: from all int4, the weight whose "
      "widening removes the most drift per byte is widened until the "
      "budget holds (--bits 8: int8 or float). 4-bit weights in blocks of "
      "32 unless --granularity is given, 8-bit ones per channel")(
      "asymmetric", po::bool_switch(),
      "With --quantize: unsigned integers with zero points instead of "
      "signed symmetric ones")(
      "drift", po::bool_switch(),
      "Also compile the model before and after with Loom's CPU code, run "
      "both on the same seeded random inputs and print each output's max "
      "abs difference, relative L2 and cosine (default with --prune and "
      "--quantize)")("no-drift", po::bool_switch(),
                     "With --prune or --quantize: skip the drift")(
      "prune-scope", po::value<std::string>()->default_value("per-tensor"),
      "With --prune unstructured: per-tensor (every kernel reaches the "
      "sparsity) or global (one ranking over all kernels)")(
      "fold-max-growth", po::value<int64_t>()->default_value(0),
      "With --fold: bytes the unique weights may grow by in one folded "
      "group (0: folding never makes the model larger)")(
      "pipeline", po::value<std::string>(),
      "An MLIR pass pipeline run after the fixed passes, e.g. "
      "'canonicalize,cse' or 'builtin.module(loom-infer-shapes)'")(
      "share-weights", po::bool_switch(),
      "Several models in, -o a folder out: tensors equal across models (or "
      "views of one: transposed, cast, scaled, sliced) are stored once, in "
      "OUTDIR/shared.weights")(
      "report", po::value<std::string>(),
      "Also write the before/after figures and pass times as JSON to this "
      "file")("external-data", po::value<std::string>()->default_value("auto"),
              externalDataHelp.c_str());
  addModelOptions(options, "Print progress (each pass: time and what "
                           "changed) on stderr even when it is not a "
                           "terminal");
  int exitCode = kOk;
  std::optional<po::variables_map> vm = parseCommand(
      "compress", args, options,
      "usage: loomc compress MODEL -o OUT.onnx [options]\n\n"
      "Imports MODEL, runs the passes in a fixed order (shape inference,\n"
      "then --freeze*, --tie, --fold, --prune, --quantize, then --pipeline),\n"
      "exports OUT, and prints before/after:\n"
      "file size, parameters, unique parameters, unique bytes, nodes,\n"
      "weights. Nothing is written when a step fails.\n\n"
      "  loomc compress A.onnx B.onnx ... --share-weights -o OUTDIR\n\n"
      "runs the same passes on each model, then ties weights across them:\n"
      "every tensor equal in two or more models (or a transposed, cast,\n"
      "scaled or sliced view of one) is written once into\n"
      "OUTDIR/shared.weights (ONNX external data); each model keeps only its\n"
      "own tensors, in OUTDIR/<model>.onnx and its own data file. Prints the\n"
      "bytes before, after and saved per model.",
      exitCode, /*models=*/-1);
  if (!vm)
    return exitCode;
  std::vector<std::string> models =
      (*vm)["model"].as<std::vector<std::string>>();
  bool share = (*vm)["share-weights"].as<bool>();
  if (share && models.size() < 2) {
    llvm::errs() << "loomc compress: error: --share-weights takes two or more "
                    "models\n";
    return kUsage;
  }
  if (!share && models.size() != 1) {
    llvm::errs() << "loomc compress: error: give one MODEL (several go with "
                    "--share-weights; see loomc compress --help)\n";
    return kUsage;
  }
  std::string modelPath = models.front();
  if (!vm->count("output")) {
    llvm::errs() << "loomc compress: error: -o "
                 << (share ? "OUTDIR" : "OUT.onnx")
                 << " is required (see loomc compress --help)\n";
    return kUsage;
  }
  std::string outputPath = (*vm)["output"].as<std::string>();
  loom::ModelFormat outputFormat = loom::modelFormatOf(outputPath);
  if (share)
    outputFormat = loom::ModelFormat::ONNX; // a folder of ONNX models
  else if (outputFormat == loom::ModelFormat::Unknown &&
           isStreamPath(outputPath))
    outputFormat = loom::ModelFormat::ONNX;
  if (outputFormat != loom::ModelFormat::ONNX &&
      outputFormat != loom::ModelFormat::MLIR) {
    llvm::errs() << "loomc compress: error: -o must end in .onnx, .mlir or "
                    ".mlirbc, got '"
                 << outputPath << "'\n";
    return kUsage;
  }
  // Every output is checked before any is written.
  std::vector<std::pair<std::string, std::string>> outputs = {
      {"-o", outputPath}};
  if (vm->count("report")) {
    std::string reportPath = (*vm)["report"].as<std::string>();
    for (StringRef other : {StringRef(outputPath), StringRef(modelPath)})
      if (reportPath != "-" &&
          canonicalPath(reportPath) == canonicalPath(other)) {
        llvm::errs() << "loomc compress: error: --report '" << reportPath
                     << "' is the same file as "
                     << (other == outputPath ? "-o" : "the model") << "\n";
        return kUsage;
      }
    outputs.push_back({"--report", reportPath});
  }
  for (auto &[option, path] : outputs)
    if (!isStreamPath(path) && !(share && option == "-o"))
      if (std::optional<std::string> problem = outputFolderProblem(path)) {
        llvm::errs() << "loomc compress: error: cannot write " << option << " '"
                     << path << "': " << *problem << "\n";
        return kFailed;
      }

  loom::ONNXExportOptions exportOptions;
  std::string external = (*vm)["external-data"].as<std::string>();
  if (auto choice = loom::symbolizeExternalData(external)) {
    exportOptions.externalData = *choice;
    if (share && *choice == loom::ONNXExportOptions::ExternalData::Never) {
      llvm::errs() << "loomc compress: error: --share-weights writes external "
                      "data; --external-data never does not go with it\n";
      return kUsage;
    }
  } else {
    llvm::errs() << "loomc compress: error: --external-data must be one of "
                 << externalDataNames() << ", got '" << external << "'\n";
    return kUsage;
  }

  // The fixed passes (shape inference, tying), then the user's pipeline.
  loom::LoomCompressPipelineOptions compress;
  if (vm->count("tie")) {
    compress.tie = true;
    compress.tieMinBytes = (*vm)["tie-min-bytes"].as<uint64_t>();
    std::string modes = (*vm)["tie"].as<std::string>();
    SmallVector<StringRef> list;
    if (modes != "all")
      StringRef(modes).split(list, ',');
    SmallVector<loom::TieMode> tieModes;
    for (StringRef mode : list) {
      std::optional<loom::TieMode> parsed = loom::symbolizeTieMode(mode);
      if (!parsed) {
        llvm::errs() << "loomc compress: error: --tie: unknown mode '" << mode
                     << "' (modes: all|" << loom::tieModeNames() << ")\n";
        return kUsage;
      }
      tieModes.push_back(*parsed);
    }
    compress.tieModes = tieModes;
  }
  if (vm->count("freeze"))
    compress.freeze = (*vm)["freeze"].as<std::vector<std::string>>();
  if (vm->count("freeze-until"))
    compress.freezeUntil = (*vm)["freeze-until"].as<std::string>();
  compress.freezeAll = (*vm)["freeze-all"].as<bool>();
  if (vm->count("unfreeze"))
    compress.unfreeze = (*vm)["unfreeze"].as<std::vector<std::string>>();
  compress.freezeVerbose = (*vm)["verbose"].as<bool>();
  bool fold = (*vm)["fold"].as<bool>();
  StringRef userPipeline;
  if (vm->count("pipeline")) {
    userPipeline = StringRef((*vm)["pipeline"].as<std::string>()).trim();
    if (userPipeline.consume_front("builtin.module(") &&
        !userPipeline.consume_back(")")) {
      llvm::errs() << "loomc compress: error: --pipeline: unbalanced "
                      "'builtin.module('\n";
      return kUsage;
    }
  }

  Progress progress("compress", (*vm)["verbose"].as<bool>(),
                    (*vm)["quiet"].as<bool>());
  Session session(modelPath);
  PassManager pm(session.context.get());
  loom::buildLoomCompressPipeline(pm, compress);
  loom::FoldFrozenSummary folded;
  if (fold) {
    loom::LoomFoldFrozenOptions foldOptions;
    foldOptions.maxGrowth = (*vm)["fold-max-growth"].as<int64_t>();
    foldOptions.report = (*vm)["verbose"].as<bool>();
    pm.addPass(loom::createLoomFoldFrozen(foldOptions, &folded));
  }
  bool prune = vm->count("prune");
  loom::PruneSummary pruned;
  if (prune) {
    loom::LoomPruneOptions pruneOptions;
    pruneOptions.granularity = (*vm)["prune"].as<std::string>();
    pruneOptions.sparsity = (*vm)["sparsity"].as<double>();
    pruneOptions.scope = (*vm)["prune-scope"].as<std::string>();
    pruneOptions.report = (*vm)["verbose"].as<bool>();
    pm.addPass(loom::createLoomPrune(pruneOptions, &pruned));
  } else if (!(*vm)["sparsity"].defaulted() ||
             !(*vm)["prune-scope"].defaulted()) {
    llvm::errs() << "loomc compress: error: --sparsity and --prune-scope go "
                    "with --prune\n";
    return kUsage;
  }
  bool quantize = vm->count("quantize");
  loom::QuantizeSummary quantized;
  // Static quantization and --max-drift run after the other passes: they
  // measure the model those give.
  std::optional<loom::LoomQuantizeOptions> deferredQuantize;
  bool maxDrift = vm->count("max-drift");
  std::string mode = quantize ? (*vm)["quantize"].as<std::string>() : "";
  if (vm->count("calibrate") && mode != "static" && !maxDrift) {
    llvm::errs() << "loomc compress: error: --calibrate goes with "
                    "--quantize static or --max-drift\n";
    return kUsage;
  }
  if (maxDrift && (mode != "weight-only" || !vm->count("calibrate"))) {
    llvm::errs() << "loomc compress: error: --max-drift goes with --quantize "
                    "weight-only and --calibrate DIR\n";
    return kUsage;
  }
  double driftBudget = maxDrift ? (*vm)["max-drift"].as<double>() : 0.0;
  if (maxDrift && !(driftBudget > 0 && std::isfinite(driftBudget))) {
    llvm::errs() << "loomc compress: error: --max-drift must be a positive "
                    "number, got "
                 << driftBudget << "\n";
    return kUsage;
  }
  double percentile = 0;
  {
    StringRef calibration = (*vm)["calibration"].as<std::string>();
    if (!(*vm)["calibration"].defaulted() && mode != "static") {
      llvm::errs() << "loomc compress: error: --calibration goes with "
                      "--quantize static\n";
      return kUsage;
    }
    if (calibration.consume_front("percentile=")) {
      if (calibration.getAsDouble(percentile) || !(percentile > 50) ||
          !(percentile < 100)) {
        llvm::errs() << "loomc compress: error: --calibration percentile=P "
                        "needs 50 < P < 100, got '"
                     << (*vm)["calibration"].as<std::string>() << "'\n";
        return kUsage;
      }
    } else if (calibration != "minmax") {
      llvm::errs() << "loomc compress: error: --calibration must be minmax "
                      "or percentile=P, got '"
                   << calibration << "'\n";
      return kUsage;
    }
  }
  if (quantize) {
    loom::LoomQuantizeOptions quantizeOptions;
    quantizeOptions.mode = (*vm)["quantize"].as<std::string>();
    quantizeOptions.bits = (*vm)["bits"].as<unsigned>();
    quantizeOptions.granularity = (*vm)["granularity"].as<std::string>();
    quantizeOptions.symmetric = !(*vm)["asymmetric"].as<bool>();
    quantizeOptions.keepSensitive = !(*vm)["quantize-sensitive"].as<bool>();
    quantizeOptions.report = (*vm)["verbose"].as<bool>();
    if (maxDrift && (*vm)["bits"].defaulted())
      quantizeOptions.bits = 4; // the narrowest width tried
    if (maxDrift && (*vm)["granularity"].defaulted())
      quantizeOptions.granularity = "block=32";
    if (quantizeOptions.mode == "static") {
      if (!vm->count("calibrate")) {
        llvm::errs() << "loomc compress: error: --quantize static needs "
                        "--calibrate DIR\n";
        return kUsage;
      }
      deferredQuantize = quantizeOptions;
    } else if (maxDrift) {
      deferredQuantize = quantizeOptions;
    } else {
      pm.addPass(loom::createLoomQuantize(quantizeOptions, &quantized));
    }
  } else if (!(*vm)["bits"].defaulted() || !(*vm)["granularity"].defaulted() ||
             (*vm)["asymmetric"].as<bool>() ||
             (*vm)["quantize-sensitive"].as<bool>()) {
    llvm::errs() << "loomc compress: error: --bits, --granularity, "
                    "--asymmetric and --quantize-sensitive go with "
                    "--quantize\n";
    return kUsage;
  }
  std::string pipelineError;
  llvm::raw_string_ostream pipelineErrors(pipelineError);
  if (!userPipeline.empty() &&
      failed(parsePassPipeline(userPipeline, pm, pipelineErrors))) {
    llvm::errs() << "loomc compress: error: bad pass pipeline '" << userPipeline
                 << "': " << StringRef(pipelineError).trim() << "\n";
    return kUsage;
  }
  // What runs, as text: for the progress line and the report only.
  std::string pipeline;
  llvm::raw_string_ostream pipelineText(pipeline);
  pm.printAsTextualPipeline(pipelineText);
  if (share) {
    ShareRequest request{models, outputPath, pipeline, exportOptions};
    if (vm->count("report"))
      request.reportPath = (*vm)["report"].as<std::string>();
    return runShareWeights(request, session, pm, progress, *vm);
  }
  Clock::time_point begin = Clock::now();
  loom::LoadedModel model = load(session, modelPath, progress, *vm);
  if (!model)
    return kFailed;
  // An input's external data: where PyTorch's exporter puts it.
  Figures before = figuresOf(*model.module, modelPath, modelPath + ".data");

  bool drift = (*vm)["drift"].as<bool>() || ((prune || vm->count("quantize")) &&
                                             !(*vm)["no-drift"].as<bool>());
  OwningOpRef<ModuleOp> original;
  if (drift)
    original = model.module->clone(); // weights are shared, not copied
  std::vector<std::pair<std::string, double>> passTimes;
  pm.addInstrumentation(
      std::make_unique<ProgressInstrumentation>(progress, passTimes));
  std::vector<std::string> passNames;
  for (Pass &pass : pm.getPasses())
    passNames.push_back(pass.getArgument().empty() ? pass.getName().str()
                                                   : pass.getArgument().str());
  progress.line("running " + llvm::join(passNames, ", "));
  if (failed(pm.run(*model.module))) {
    if (!session.diagnostics->numErrors())
      llvm::errs() << "loomc compress: error: a pass failed; nothing written\n";
    return kFailed;
  }
  std::optional<PrecisionPlan> plan;
  if (deferredQuantize && !maxDrift) {
    progress.start("calibrating on " + (*vm)["calibrate"].as<std::string>());
    Clock::time_point calibrationBegin = Clock::now();
    llvm::Expected<unsigned> ranged = calibrate(
        *model.module, (*vm)["calibrate"].as<std::string>(), percentile);
    if (!ranged) {
      llvm::errs() << "loomc compress: " << llvm::toString(ranged.takeError())
                   << "\n";
      return kFailed;
    }
    passTimes.push_back({"calibrate", secondsSince(calibrationBegin)});
    progress.done("calibrated " + std::to_string(*ranged) + " kernel(s)");
  } else if (deferredQuantize) {
    Clock::time_point planBegin = Clock::now();
    llvm::Expected<PrecisionPlan> planned = planPrecision(
        *model.module, *deferredQuantize, (*vm)["calibrate"].as<std::string>(),
        driftBudget, deferredQuantize->bits == 4,
        [&](const std::string &what) { progress.start(what); });
    if (!planned) {
      llvm::errs() << "loomc compress: " << llvm::toString(planned.takeError())
                   << "\n";
      return kFailed;
    }
    passTimes.push_back({"max-drift", secondsSince(planBegin)});
    progress.done("planned " + std::to_string(planned->weights.size()) +
                  " weight(s)");
    plan = std::move(*planned);
  }
  if (deferredQuantize) {
    PassManager quantizePM(model.module->getContext());
    quantizePM.addInstrumentation(
        std::make_unique<ProgressInstrumentation>(progress, passTimes));
    quantizePM.addPass(loom::createLoomQuantize(*deferredQuantize, &quantized));
    if (failed(quantizePM.run(*model.module))) {
      if (!session.diagnostics->numErrors())
        llvm::errs()
            << "loomc compress: error: a pass failed; nothing written\n";
      return kFailed;
    }
  }

  progress.start("writing " + outputPath);
  loom::ONNXExportResult exported;
  LogicalResult written =
      outputFormat == loom::ModelFormat::ONNX
          ? loom::exportONNXFile(*model.module, outputPath, exportOptions,
                                 &exported)
          : loom::writeModule(*model.module, outputPath, /*bytecode=*/false,
                              /*noLocations=*/false);
  // The writer has said why, in one line.
  if (failed(written))
    return kFailed;
  progress.done("wrote " + outputPath);
  Figures after = figuresOf(*model.module, outputPath, exported.dataPath);
  double seconds = secondsSince(begin);

  // The before/after table on stdout.
  llvm::outs() << "loomc compress: " << modelPath << " -> " << outputPath
               << "\n";
  auto row = [&](StringRef name, double b, double a) {
    llvm::outs() << llvm::formatv("  {0,-18} {1,16} {2,16} {3,9}\n", name,
                                  grouped(static_cast<uint64_t>(b)),
                                  grouped(static_cast<uint64_t>(a)),
                                  change(b, a));
  };
  llvm::outs() << llvm::formatv("  {0,-18} {1,16} {2,16} {3,9}\n", "", "before",
                                "after", "change");
  row("file bytes", before.fileBytes, after.fileBytes);
  row("parameters", before.total, after.total);
  row("unique parameters", before.uniqueParams, after.uniqueParams);
  row("unique bytes", before.uniqueBytes, after.uniqueBytes);
  row("nodes", before.nodes, after.nodes);
  row("weights", before.weights, after.weights);
  row("conv/matmul FLOPs", before.flops, after.flops);
  std::vector<std::string> times;
  for (auto &[name, t] : passTimes)
    times.push_back(llvm::formatv("{0} {1:f2} s", name, t).str());
  if (fold)
    llvm::outs() << "  folded: " << folded.foldedOps << " op(s) into "
                 << folded.newWeights << " weight(s), +"
                 << grouped(folded.bytesAdded) << " / -"
                 << grouped(folded.bytesFreed) << " bytes; "
                 << folded.refusedGroups
                 << " group(s) refused by the size guard\n";
  llvm::json::Array prunedJSON;
  if (prune) {
    uint64_t elements = 0, zerosBefore = 0, zerosAfter = 0;
    for (const loom::PruneSummary::Weight &w : pruned.weights) {
      elements += w.count;
      zerosBefore += w.zerosBefore;
      zerosAfter += w.zerosAfter;
      prunedJSON.push_back(llvm::json::Object{
          {"name", w.name},
          {"layer", w.layer},
          {"elements", w.count},
          {"zeros_before", static_cast<int64_t>(w.zerosBefore)},
          {"zeros_after", static_cast<int64_t>(w.zerosAfter)},
      });
    }
    auto percent = [](uint64_t part, uint64_t whole) {
      return whole ? 100.0 * double(part) / double(whole) : 0.0;
    };
    if (pruned.groups.empty())
      llvm::outs() << llvm::formatv(
          "  pruned: {0} kernel(s), {1} elements, sparsity {2:f2}% -> "
          "{3:f2}%\n",
          pruned.weights.size(), grouped(elements),
          percent(zerosBefore, elements), percent(zerosAfter, elements));
    else
      llvm::outs() << "  pruned channels: " << pruned.groups.size()
                   << " group(s) of coupled kernels\n";
    for (const loom::PruneSummary::Weight &w : pruned.weights)
      llvm::outs() << llvm::formatv("    {0,-40} {1,-28} {2,12} {3,7:f2}% -> "
                                    "{4,6:f2}%\n",
                                    w.layer, w.name, grouped(w.count),
                                    percent(w.zerosBefore, w.count),
                                    percent(w.zerosAfter, w.count));
    for (const loom::PruneSummary::Group &g : pruned.groups) {
      llvm::outs() << llvm::formatv(
          "    {0} of {1} {2} kept: {3}", g.kept, g.channels,
          g.headSize ? "heads of " + std::to_string(g.headSize) + " channels"
                     : std::string("channels"),
          g.producers);
      if (!g.why.empty())
        llvm::outs() << " (left whole: " << g.why << ")";
      llvm::outs() << "\n";
      prunedJSON.push_back(llvm::json::Object{
          {"producers", g.producers},
          {"channels", g.channels},
          {"kept", g.kept},
          {"head_size", g.headSize},
          {"why", g.why},
      });
    }
  }
  llvm::json::Object quantizedJSON;
  if (quantize)
    quantizedJSON = printQuantized(*model.module, quantized);
  if (plan)
    quantizedJSON["max_drift"] = printPlan(*plan);
  llvm::json::Array driftJSON;
  if (drift) {
    progress.start("drift: compiling and running both models");
    auto measured = measureDrift(*original, *model.module, /*seed=*/0);
    progress.done("drift");
    if (!measured) {
      llvm::outs() << "  drift: not measured: "
                   << llvm::toString(measured.takeError()) << "\n";
    } else {
      for (const OutputDrift &d : *measured) {
        if (!d.compared) {
          llvm::outs() << "  drift " << d.name << ": not a float output\n";
          continue;
        }
        char line[256];
        std::snprintf(line, sizeof(line),
                      "  drift %s: max abs %.4g, relative L2 %.4g, cosine "
                      "%.6f (seeded inputs, Loom's CPU code)\n",
                      d.name.c_str(), d.maxAbs, d.relL2, d.cosine);
        llvm::outs() << line;
        driftJSON.push_back(llvm::json::Object{{"output", d.name},
                                               {"max_abs", d.maxAbs},
                                               {"rel_l2", d.relL2},
                                               {"cosine", d.cosine}});
      }
    }
  }
  llvm::outs() << "  passes: " << llvm::join(times, ", ") << "\n";
  llvm::outs() << llvm::formatv("  total time: {0:f2} s\n", seconds);
  llvm::outs().flush();

  if (vm->count("report")) {
    llvm::json::Array passes;
    for (auto &[name, t] : passTimes)
      passes.push_back(llvm::json::Object{{"name", name}, {"seconds", t}});
    llvm::json::Object root{
        {"model", modelPath},      {"output", outputPath},
        {"pipeline", pipeline},    {"before", before.toJSON()},
        {"after", after.toJSON()}, {"passes", std::move(passes)},
        {"seconds", seconds},
    };
    if (fold)
      root["folded"] = llvm::json::Object{
          {"ops", static_cast<int64_t>(folded.foldedOps)},
          {"new_weights", static_cast<int64_t>(folded.newWeights)},
          {"bytes_added", folded.bytesAdded},
          {"bytes_freed", folded.bytesFreed},
          {"refused_groups", static_cast<int64_t>(folded.refusedGroups)},
      };
    if (prune)
      root["pruned"] = std::move(prunedJSON);
    if (quantize)
      root["quantized"] = std::move(quantizedJSON);
    if (drift)
      root["drift"] = std::move(driftJSON);
    if (failed(loom::writeFileAtomically(
            (*vm)["report"].as<std::string>(), [&](raw_ostream &os) {
              os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root)))
                 << "\n";
              return success();
            })))
      return kFailed;
  }
  return kOk;
}

} // namespace

int main(int argc, char **argv) {
  // For --pipeline: every pass and named pipeline, Loom's and upstream's.
  loom::registerAllPasses();
  mlir::registerTransformsPasses();
  if (argc < 2) {
    llvm::errs() << kOverview;
    return kUsage;
  }
  StringRef command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "-h" || command == "--help" || command == "help") {
    llvm::outs() << kOverview;
    return kOk;
  }
  if (command == "stats")
    return runStats(args);
  if (command == "compress")
    return runCompress(args);
  if (command == "run")
    return runRun(args);
  if (command == "compile")
    return runCompile(args);
  if (command == "diff")
    return runDiff(args);
  llvm::errs() << "loomc: error: unknown command '" << command
               << "' (commands: stats, diff, compress, compile, run; see loomc "
                  "--help)\n";
  return kUsage;
}
