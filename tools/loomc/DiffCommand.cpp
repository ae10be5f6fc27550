//===- DiffCommand.cpp - loomc diff ---------------------------------------===//
//
//   loomc diff BASE OTHER [--json | --markdown] [-o FILE] [--atol A]
//              [--rtol R] [--expect-frozen PATTERN...]
//
// What changed between two models (any formats Loom reads, mixed): tensors
// matched by name and, where names differ, by content; values compared;
// the graph's structural changes. With --expect-frozen it is a CI check:
// exit 1 with one line per matching tensor that changed.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/Analysis/WeightDiff.h"

#include "Driver.h"

#include "llvm/Support/GlobPattern.h"

#include <cstdio>

using namespace mlir;
using namespace loomc;

int loomc::runDiff(const std::vector<std::string> &args) {
  po::options_description options("loomc diff options");
  options.add_options()("help,h", "Print this help")(
      "json", po::bool_switch(),
      "Write the report as one JSON object, every tensor listed")(
      "markdown", po::bool_switch(), "Write the report as Markdown tables")(
      "output,o", po::value<std::string>()->default_value("-"),
      "Write the report to this file (through a temporary file); '-' is "
      "standard output")(
      "atol", po::value<double>()->default_value(0.0),
      "Absolute tolerance: an element is unchanged when |other - base| <= "
      "atol + rtol * |base| (default 0: bit-exact)")(
      "rtol", po::value<double>()->default_value(0.0),
      "Relative tolerance (see --atol)")(
      "expect-frozen",
      po::value<std::vector<std::string>>()->multitoken()->composing(),
      "Glob patterns of tensor names (e.g. 'encoder.*' 'embeddings.*') that "
      "must be unchanged: exit 1 with one line per matching tensor that "
      "changed, was reshaped or removed, or was renamed to another value");
  addModelOptions(options, "Print progress on stderr even when it is not a "
                           "terminal");
  int exitCode = kOk;
  std::optional<po::variables_map> vm = parseCommand(
      "diff", args, options,
      "usage: loomc diff BASE OTHER [options]\n\n"
      "Compares two models (.onnx, .mlir, .mlirbc, .pt; mixed formats are\n"
      "fine). Tensors are matched by name (aliases and copies included) and,\n"
      "where names differ, by content, also when a tensor was transposed,\n"
      "cast or scaled (reported as renamed). Each tensor is identical\n"
      "(bit-exact), within tolerance, changed (max abs, relative L2, cosine,\n"
      "fraction of elements changed), reshaped, renamed, added or removed;\n"
      "then per layer, totals of parameters unchanged / changed, and the\n"
      "graph's structural changes (ops added, removed, or with other\n"
      "attributes or inputs).\n\n"
      "Exit codes: 0 compared (differences are no failure), 1 bad input or\n"
      "an --expect-frozen tensor changed, 2 bad usage.",
      exitCode, /*models=*/2);
  if (!vm)
    return exitCode;
  std::vector<std::string> models =
      (*vm)["model"].as<std::vector<std::string>>();
  if (models.size() != 2) {
    llvm::errs() << "loomc diff: error: give two models, BASE and OTHER (see "
                    "loomc diff --help)\n";
    return kUsage;
  }
  bool json = (*vm)["json"].as<bool>(), markdown = (*vm)["markdown"].as<bool>();
  if (json && markdown) {
    llvm::errs() << "loomc diff: error: choose one of --json and --markdown\n";
    return kUsage;
  }
  loom::WeightDiffOptions diffOptions;
  diffOptions.atol = (*vm)["atol"].as<double>();
  diffOptions.rtol = (*vm)["rtol"].as<double>();
  if (!(diffOptions.atol >= 0) || !(diffOptions.rtol >= 0)) {
    llvm::errs() << "loomc diff: error: --atol and --rtol must be >= 0\n";
    return kUsage;
  }
  std::vector<std::pair<std::string, llvm::GlobPattern>> frozen;
  if (vm->count("expect-frozen"))
    for (const std::string &text :
         (*vm)["expect-frozen"].as<std::vector<std::string>>()) {
      llvm::Expected<llvm::GlobPattern> glob = llvm::GlobPattern::create(text);
      if (!glob) {
        llvm::errs() << "loomc diff: error: --expect-frozen '" << text
                     << "': " << llvm::toString(glob.takeError()) << "\n";
        return kUsage;
      }
      frozen.emplace_back(text, std::move(*glob));
    }
  std::string outputPath = (*vm)["output"].as<std::string>();
  for (const std::string &model : models)
    if (outputPath != "-" &&
        canonicalPath(outputPath) == canonicalPath(model)) {
      llvm::errs() << "loomc diff: error: -o '" << outputPath
                   << "' is one of the models\n";
      return kUsage;
    }
  if (!isStreamPath(outputPath))
    if (std::optional<std::string> problem = outputFolderProblem(outputPath)) {
      llvm::errs() << "loomc diff: error: cannot write -o '" << outputPath
                   << "': " << *problem << "\n";
      return kFailed;
    }

  Progress progress("diff", (*vm)["verbose"].as<bool>(),
                    (*vm)["quiet"].as<bool>());
  // One context for both: content matching compares types by identity.
  Session session(models[0]);
  loom::LoadedModel base = load(session, models[0], progress, *vm);
  if (!base)
    return kFailed;
  loom::LoadedModel other = load(session, models[1], progress, *vm);
  if (!other)
    return kFailed;

  progress.start("comparing");
  Clock::time_point begin = Clock::now();
  loom::WeightDiffReport report =
      loom::diffModels(*base.module, *other.module, diffOptions);
  report.base = models[0], report.other = models[1];
  double seconds = secondsSince(begin);
  progress.done(
      "compared",
      llvm::formatv("{0} tensors, {1} bytes, {2:f2} GB/s",
                    report.tensors.size(), grouped(report.bytesCompared),
                    seconds > 0 ? report.bytesCompared / seconds / 1e9 : 0.0)
          .str());

  if (failed(loom::writeFileAtomically(outputPath, [&](raw_ostream &os) {
        if (json)
          loom::printWeightDiffJSON(report, os);
        else if (markdown)
          loom::printWeightDiffMarkdown(report, os);
        else
          loom::printWeightDiffText(report, os);
        return success();
      })))
    return kFailed;

  if (frozen.empty())
    return kOk;
  // The check: every tensor a pattern names must be unchanged.
  unsigned failures = 0;
  for (auto &[text, glob] : frozen) {
    bool matched = false;
    for (const loom::TensorDiff &d : report.tensors) {
      if (d.change == loom::TensorChange::Added)
        continue; // not in BASE: nothing was frozen
      if (!glob.match(d.name))
        continue;
      matched = true;
      if (d.unchanged())
        continue;
      ++failures;
      llvm::errs() << "loomc diff: --expect-frozen '" << text << "': '"
                   << d.name << "' " << loom::stringifyTensorChange(d.change);
      if (d.change == loom::TensorChange::Renamed)
        llvm::errs() << " to '" << d.otherName << "' (" << d.view << ")";
      if (d.change == loom::TensorChange::Reshaped)
        llvm::errs() << " (" << d.shape << "x" << d.dtype << " -> "
                     << d.otherShape << "x" << d.otherDtype << ")";
      else if (d.compared) {
        char numbers[128];
        std::snprintf(numbers, sizeof(numbers),
                      " (max abs %.3g, rel L2 %.3g, %llu of %lld elements)",
                      d.maxAbs, d.relL2,
                      static_cast<unsigned long long>(d.changedElements),
                      static_cast<long long>(d.count));
        llvm::errs() << numbers;
      }
      llvm::errs() << "\n";
    }
    if (!matched) {
      ++failures;
      llvm::errs() << "loomc diff: --expect-frozen '" << text
                   << "' matches no tensor of " << models[0] << "\n";
    }
  }
  return failures ? kFailed : kOk;
}
