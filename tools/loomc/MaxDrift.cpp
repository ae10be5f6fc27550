//===- MaxDrift.cpp - per-weight widths under an accuracy budget ----------===//
//
// `loomc compress --quantize weight-only --max-drift X --calibrate DIR`.
// On the calibration samples, measures what quantizing each weight alone
// to 4 and to 8 bits does to the outputs (relative L2 against the float
// model, the largest over the float outputs), then starts from every weight
// at its narrowest width and widens, one weight at a time, the one whose
// widening removes the most squared drift per byte it adds, re-measuring
// the whole model after each step, until its drift is within X (every
// weight float gives 0, so the search ends); then tries each widened weight
// one step back, largest saving first, keeping what still fits. "Within X"
// is judged on the 95th percentile of the drift over 200 resamplings of the
// samples (a bootstrap), not on the samples alone: a few samples dominate
// a model's drift, and a plan trimmed to exactly X on them exceeds it on
// inputs they do not include.
//
// Trials are simulated: loom-quantize simulate=true writes the dequantized
// values into the float weights and leaves the graph alone, so every trial
// runs the float model's compiled code (the evaluator caches it by the
// weight-free module text) on other weight data: one compilation in all.
// The chosen widths go on the weights as `loom.quantize_bits`, which the
// real loom-quantize then honours.
//
//===----------------------------------------------------------------------===//

#include "Driver.h"

#include "loom/Runtime/Evaluator.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>

using namespace mlir;
using namespace loomc;
using loom::runtime::CompiledFunction;
using loom::runtime::DType;
using loom::runtime::HostTensor;

namespace {

llvm::Error fail(const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// The float model compiled once, its outputs on the samples, and trials
/// of other weight data against them.
class DriftMeter {
public:
  DriftMeter(ModuleOp base, loom::LoomQuantizeOptions options)
      : base(base), options(std::move(options)) {
    this->options.mode = "weight-only";
    this->options.simulate = true;
    this->options.report = false;
  }

  /// Compiles the float model.
  llvm::Error compile() {
    auto compiled = CompiledFunction::compile(base, "", {});
    if (!compiled)
      return compiled.takeError();
    reference = std::move(*compiled);
    ++compilations;
    return llvm::Error::success();
  }

  /// Reads the samples in `dir` and records the float model's outputs.
  llvm::Error load(StringRef dir) {
    auto loaded = loadSamples(dir, reference->getInputs());
    if (!loaded)
      return loaded.takeError();
    samples = std::move(*loaded);
    for (const CalibrationSample &sample : samples) {
      auto outputs = run(*reference, sample.inputs);
      if (!outputs)
        return fail(sample.file +
                    ": error: " + llvm::toString(outputs.takeError()));
      expected.push_back(std::move(*outputs));
    }
    return llvm::Error::success();
  }

  unsigned numSamples() const { return samples.size(); }

  /// The weights loom-quantize would quantize (with `bits`), in its order.
  llvm::Expected<std::vector<loom::QuantizeSummary::Weight>>
  candidates(unsigned bits) {
    OwningOpRef<ModuleOp> trial = base.clone();
    loom::LoomQuantizeOptions all = options;
    all.bits = bits;
    all.keepSensitive = false;
    loom::QuantizeSummary summary;
    PassManager pm(base.getContext());
    pm.addPass(loom::createLoomQuantize(all, &summary));
    if (failed(pm.run(*trial)))
      return fail("--max-drift: loom-quantize failed on the model");
    return summary.weights;
  }

  struct Drift {
    /// Over all the samples.
    double measured = 0;
    /// The 95th percentile over resamplings of them (bootstrap).
    double upper = 0;
  };
  static constexpr int kResamplings = 200;

  /// The model's drift with `widths` (weight name -> 4, 8; others float).
  llvm::Expected<Drift> measure(const std::map<std::string, unsigned> &widths) {
    OwningOpRef<ModuleOp> trial = base.clone();
    Builder b(base.getContext());
    for (auto weight : trial->getOps<loom::WeightOp>()) {
      auto it = widths.find(weight.getSymName().str());
      weight->setAttr(loom::LoomDialect::getQuantizeBitsAttrName(),
                      b.getI64IntegerAttr(it == widths.end() ? 0 : it->second));
    }
    PassManager pm(base.getContext());
    pm.addPass(loom::createLoomQuantize(options, nullptr));
    if (failed(pm.run(*trial)))
      return fail("--max-drift: loom-quantize failed on the model");
    auto compiled = CompiledFunction::compile(*trial, "", {});
    if (!compiled)
      return compiled.takeError();
    if (!(*compiled)->wasCached())
      ++compilations;
    ++measurements;
    // Per sample and output: the sum of squared differences and of
    // squared references.
    size_t numSamples = samples.size();
    std::vector<std::vector<double>> diff(numSamples), norm(numSamples);
    for (size_t s = 0; s < numSamples; ++s) {
      auto outputs = run(**compiled, samples[s].inputs);
      if (!outputs)
        return outputs.takeError();
      diff[s].assign(outputs->size(), 0.0);
      norm[s].assign(outputs->size(), 0.0);
      for (size_t k = 0; k < outputs->size(); ++k) {
        const HostTensor &x = expected[s][k], &y = (*outputs)[k];
        if (x.getDType() != DType::F32 || y.getDType() != DType::F32 ||
            x.getNumElements() != y.getNumElements())
          continue;
        const auto *u = reinterpret_cast<const float *>(x.data());
        const auto *v = reinterpret_cast<const float *>(y.data());
        for (int64_t i = 0, n = x.getNumElements(); i < n; ++i) {
          double d = double(v[i]) - u[i];
          diff[s][k] += d * d;
          norm[s][k] += double(u[i]) * u[i];
        }
      }
    }
    // The relative L2 over a multiset of samples, the largest over outputs.
    auto driftOf = [&](llvm::ArrayRef<size_t> picks) {
      size_t outputs = numSamples ? diff[0].size() : 0;
      double worst = 0;
      for (size_t k = 0; k < outputs; ++k) {
        double d = 0, n = 0;
        for (size_t s : picks)
          d += diff[s][k], n += norm[s][k];
        worst = std::max(worst,
                         n > 0 ? std::sqrt(d / n) : (d > 0 ? INFINITY : 0.0));
      }
      return worst;
    };
    Drift result;
    std::vector<size_t> all(numSamples);
    for (size_t s = 0; s < numSamples; ++s)
      all[s] = s;
    result.measured = driftOf(all);
    // The 95th percentile over resamplings of the samples (seeded): what
    // other inputs of the same kind are likely to show.
    std::mt19937_64 random(0);
    std::uniform_int_distribution<size_t> pick(0, numSamples - 1);
    std::vector<double> resampled;
    std::vector<size_t> picks(numSamples);
    for (int b = 0; b < kResamplings; ++b) {
      for (size_t &p : picks)
        p = pick(random);
      resampled.push_back(driftOf(picks));
    }
    std::sort(resampled.begin(), resampled.end());
    result.upper =
        std::max(result.measured, resampled[size_t(0.95 * (kResamplings - 1))]);
    return result;
  }

  unsigned measurements = 0, compilations = 0;

private:
  static llvm::Expected<std::vector<HostTensor>>
  run(const CompiledFunction &function, const std::vector<HostTensor> &inputs) {
    std::vector<const HostTensor *> pointers;
    for (const HostTensor &t : inputs)
      pointers.push_back(&t);
    return function.run(pointers);
  }

  ModuleOp base;
  std::vector<CalibrationSample> samples;
  loom::LoomQuantizeOptions options;
  std::unique_ptr<CompiledFunction> reference;
  std::vector<std::vector<HostTensor>> expected;
};

/// Bytes a weight of `elements` takes at `bits` (0: float32); scales left
/// out, they are the same order for every choice.
double bytesAt(int64_t elements, unsigned bits) {
  return bits == 0 ? 4.0 * elements : elements * bits / 8.0;
}

} // namespace

llvm::Expected<PrecisionPlan>
loomc::planPrecision(ModuleOp module, const loom::LoomQuantizeOptions &options,
                     StringRef dir, double budget, bool allowFour,
                     llvm::function_ref<void(const std::string &)> progress) {
  // Compilation problems become the one-line reason.
  QuietCompile quiet(module.getContext());
  auto because = [&](llvm::Error error) {
    return fail("--max-drift: " + quiet.describe(std::move(error)));
  };
  OwningOpRef<ModuleOp> base = module.clone();
  if (failed(foldShapesForCompile(*base)))
    return because(fail("the model's shapes did not fold"));
  progress("--max-drift: compiling the float model");
  DriftMeter meter(*base, options);
  if (llvm::Error error = meter.compile())
    return because(std::move(error));
  // The samples, read for the compiled function's inputs.
  if (llvm::Error error = meter.load(dir))
    return std::move(error);
  PrecisionPlan plan;
  plan.budget = budget;
  plan.samples = meter.numSamples();
  unsigned narrowest = allowFour ? 4 : 8;
  auto candidates = meter.candidates(narrowest);
  if (!candidates)
    return candidates.takeError();
  for (const loom::QuantizeSummary::Weight &w : *candidates)
    plan.weights.push_back({w.name, w.layer, w.count, narrowest});

  // Each weight alone, at each width.
  for (size_t i = 0; i < plan.weights.size(); ++i) {
    PlannedWeight &w = plan.weights[i];
    progress("--max-drift: measuring weight " + std::to_string(i + 1) + " of " +
             std::to_string(plan.weights.size()) + " (" + w.name + ")");
    for (unsigned bits : {4u, 8u}) {
      if (bits < narrowest)
        continue;
      auto drift = meter.measure({{w.name, bits}});
      if (!drift)
        return because(drift.takeError());
      (bits == 4 ? w.alone4 : w.alone8) = drift->measured;
    }
  }

  // From the narrowest widths, widen the best drift-per-byte until within
  // the budget.
  auto current = [&]() {
    std::map<std::string, unsigned> widths;
    for (const PlannedWeight &w : plan.weights)
      if (w.bits)
        widths[w.name] = w.bits;
    return widths;
  };
  auto aloneAt = [](const PlannedWeight &w, unsigned bits) {
    return bits == 4 ? w.alone4 : bits == 8 ? w.alone8 : 0.0;
  };
  auto wider = [](unsigned bits) { return bits == 4 ? 8u : 0u; };
  auto drift = meter.measure(current());
  if (!drift)
    return because(drift.takeError());
  while (drift->upper > budget) {
    PlannedWeight *best = nullptr;
    double bestScore = -1, bestAlone = -1;
    for (PlannedWeight &w : plan.weights) {
      if (w.bits == 0)
        continue;
      double now = aloneAt(w, w.bits), next = aloneAt(w, wider(w.bits));
      double score =
          (now * now - next * next) /
          (bytesAt(w.elements, wider(w.bits)) - bytesAt(w.elements, w.bits));
      // Ties (and drifts too small to tell) go to the larger drift.
      if (score > bestScore || (score == bestScore && now > bestAlone))
        best = &w, bestScore = score, bestAlone = now;
    }
    if (!best)
      break; // every weight float: nothing left to widen
    best->bits = wider(best->bits);
    char text[64];
    std::snprintf(text, sizeof(text), "drift %.4g > %.4g: ", drift->upper,
                  budget);
    progress(std::string("--max-drift: ") + text + best->name + " to " +
             (best->bits ? "int" + std::to_string(best->bits) : "float"));
    drift = meter.measure(current());
    if (!drift)
      return because(drift.takeError());
  }
  // The last widening may overshoot: narrow back, largest saving first,
  // every weight that still fits.
  auto narrower = [&](unsigned bits) {
    return bits == 0 ? 8u : bits == 8 && narrowest == 4 ? 4u : bits;
  };
  std::vector<PlannedWeight *> widened;
  for (PlannedWeight &w : plan.weights)
    if (narrower(w.bits) != w.bits)
      widened.push_back(&w);
  llvm::stable_sort(widened, [&](PlannedWeight *a, PlannedWeight *b) {
    return bytesAt(a->elements, a->bits) -
               bytesAt(a->elements, narrower(a->bits)) >
           bytesAt(b->elements, b->bits) -
               bytesAt(b->elements, narrower(b->bits));
  });
  for (PlannedWeight *w : widened) {
    unsigned was = w->bits;
    w->bits = narrower(was);
    progress("--max-drift: trying " + w->name + " back at " +
             (w->bits ? "int" + std::to_string(w->bits) : "float"));
    auto trial = meter.measure(current());
    if (!trial)
      return because(trial.takeError());
    if (trial->upper <= budget)
      drift = *trial;
    else
      w->bits = was;
  }
  plan.drift = drift->measured;
  plan.upper = drift->upper;
  plan.measurements = meter.measurements;
  plan.compilations = meter.compilations;

  Builder b(module.getContext());
  for (auto weight : module.getOps<loom::WeightOp>())
    weight->removeAttr(loom::LoomDialect::getQuantizeBitsAttrName());
  std::map<std::string, unsigned> widths;
  for (const PlannedWeight &w : plan.weights)
    widths[w.name] = w.bits;
  for (auto weight : module.getOps<loom::WeightOp>()) {
    auto it = widths.find(weight.getSymName().str());
    if (it != widths.end())
      weight->setAttr(loom::LoomDialect::getQuantizeBitsAttrName(),
                      b.getI64IntegerAttr(it->second));
  }
  return plan;
}
