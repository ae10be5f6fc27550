//===- ParamStats.cpp - the --loom-param-stats pass -----------------------===//
//
// An analysis as a pass: computes the parameter statistics of
// Analysis/ParamStats.h and writes the report; changes nothing.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/Analysis/ParamStats.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"

namespace loom {
#define GEN_PASS_DEF_LOOMPARAMSTATS
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {
struct LoomParamStatsPass
    : public loom::impl::LoomParamStatsBase<LoomParamStatsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    ParamStatsOptions options;
    options.bins = bins;
    options.histogramSample = histogramSample;
    ParamReport report = computeParamStats(module, options);
    ParamStatsOutputs outputs;
    outputs.format = format;
    outputs.output = output;
    outputs.plot = plot;
    outputs.layer = layer;
    outputs.check = check;
    if (writeParamStatsOutputs(report, outputs, module.getLoc(),
                               "loom-param-stats: ") != ParamStatsStatus::Ok)
      signalPassFailure();
    markAllAnalysesPreserved();
  }
};
} // namespace
