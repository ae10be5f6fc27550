//===- QuantizeReport.cpp - compress's quantization lines -----------------===//
//
// What `loomc compress --quantize` prints after its table: the parameters
// by storage width (counted from the model written, so every weight shows,
// quantized or not), then one line per quantized weight; the same as JSON.
//
//===----------------------------------------------------------------------===//

#include "Driver.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <cstdio>
#include <map>

using namespace mlir;
using namespace loomc;

llvm::json::Object loomc::printQuantized(ModuleOp module,
                                         const loom::QuantizeSummary &summary) {
  // Parameters by element width, over unique weights.
  std::map<std::string, int64_t> byWidth;
  for (auto weight : module.getOps<loom::WeightOp>()) {
    auto type = dyn_cast<RankedTensorType>(weight.getType());
    if (!type || weight.getRole() != loom::WeightRole::Parameter)
      continue;
    Type element = type.getElementType();
    std::string name;
    if (auto integer = dyn_cast<IntegerType>(element))
      name = (integer.isUnsigned() ? "uint" : "int") +
             std::to_string(integer.getWidth());
    else {
      llvm::raw_string_ostream os(name);
      element.print(os);
    }
    byWidth[name] += type.getNumElements();
  }
  llvm::outs() << "  parameters by type:";
  llvm::json::Object widths;
  for (auto &[name, count] : byWidth) {
    llvm::outs() << " " << name << " " << grouped(count);
    widths[name] = count;
  }
  llvm::outs() << "\n  quantized: " << summary.weights.size() << " weight(s)\n";
  llvm::json::Array weights;
  for (const loom::QuantizeSummary::Weight &w : summary.weights) {
    std::string sqnr = std::isfinite(w.sqnr)
                           ? llvm::formatv("{0:f1} dB", w.sqnr).str()
                           : std::string("exact");
    llvm::outs() << llvm::formatv("    {0,-40} {1,-28} {2}{3} {4,-24} {5,8} "
                                  "scale(s)  SQNR {6}\n",
                                  w.name, w.layer, w.symmetric ? "int" : "uint",
                                  w.bits, w.granularity, grouped(w.scales),
                                  sqnr);
    llvm::json::Object entry{
        {"name", w.name},
        {"layer", w.layer},
        {"bits", static_cast<int64_t>(w.bits)},
        {"symmetric", w.symmetric},
        {"granularity", w.granularity},
        {"elements", w.count},
        {"scales", w.scales},
        {"bytes_before", static_cast<int64_t>(w.bytesBefore)},
        {"bytes_after", static_cast<int64_t>(w.bytesAfter)},
        {"max_abs_error", w.maxAbsError},
    };
    if (std::isfinite(w.sqnr))
      entry["sqnr_db"] = w.sqnr;
    weights.push_back(std::move(entry));
  }
  return llvm::json::Object{{"parameters_by_type", std::move(widths)},
                            {"weights", std::move(weights)}};
}

llvm::json::Object loomc::printPlan(const PrecisionPlan &plan) {
  unsigned counts[3] = {0, 0, 0}; // int4, int8, float
  for (const PlannedWeight &w : plan.weights)
    ++counts[w.bits == 4 ? 0 : w.bits == 8 ? 1 : 2];
  char line[256];
  std::snprintf(line, sizeof(line),
                "  max-drift %.4g: relative L2 %.4g on %u calibration "
                "sample(s), %.4g at the 95th percentile of resamplings "
                "(simulated); %u int4, %u int8, %u float; %u "
                "measurement(s), %u compilation(s)\n",
                plan.budget, plan.drift, plan.samples, plan.upper, counts[0],
                counts[1], counts[2], plan.measurements, plan.compilations);
  llvm::outs() << line;
  if (plan.samples < 32)
    llvm::outs() << "  note: " << plan.samples
                 << " calibration sample(s): a few samples decide a model's "
                    "drift, and a budget judged on fewer than 32 may not "
                    "hold on other inputs\n";
  auto alone = [](double d) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.3g", d);
    return std::isnan(d) ? std::string("-") : std::string(text);
  };
  llvm::json::Array weights;
  for (const PlannedWeight &w : plan.weights) {
    std::string width = w.bits ? "int" + std::to_string(w.bits) : "float";
    llvm::outs() << llvm::formatv(
        "    {0,-40} {1,-28} {2,-6} alone: int4 {3}, int8 {4}\n", w.name,
        w.layer, width, alone(w.alone4), alone(w.alone8));
    llvm::json::Object entry{{"name", w.name},
                             {"layer", w.layer},
                             {"elements", w.elements},
                             {"bits", static_cast<int64_t>(w.bits)}};
    if (!std::isnan(w.alone4))
      entry["drift_alone_int4"] = w.alone4;
    if (!std::isnan(w.alone8))
      entry["drift_alone_int8"] = w.alone8;
    weights.push_back(std::move(entry));
  }
  return llvm::json::Object{
      {"budget", plan.budget},
      {"drift", plan.drift},
      {"drift_p95", plan.upper},
      {"samples", static_cast<int64_t>(plan.samples)},
      {"measurements", static_cast<int64_t>(plan.measurements)},
      {"weights", std::move(weights)}};
}
