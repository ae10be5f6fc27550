//===- Calibrate.cpp - activation ranges for static quantization ----------===//
//
// `loomc compress --quantize static --calibrate DIR`: runs the float model
// through Loom's CPU code on the calibration inputs and records, on every
// Conv, Gemm and MatMul, the range of its first operand
// (`loom.activation_range`: min/max, or --calibration percentile=P from a
// histogram in a second pass), which `loom-quantize mode=static` quantizes
// with. The kernels' inputs become extra results of a copy of the model;
// the model itself only gains the attributes.
//
// DIR holds one .npy file per sample for a model with one input, or one
// folder per sample holding <input name>.npy files.
//
//===----------------------------------------------------------------------===//

#include "Driver.h"

#include "loom/Runtime/Evaluator.h"
#include "loom/Runtime/HostTensor.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/ScopeExit.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace mlir;
using namespace loomc;
using loom::runtime::CompiledFunction;
using loom::runtime::HostTensor;

static constexpr llvm::StringLiteral kIndex = "calibration_index";

static llvm::Error fail(const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// The samples in `dir`: for each, one file per input, by input position.
static llvm::Expected<std::vector<std::vector<std::string>>>
listSamples(StringRef dir, ArrayRef<loom::runtime::TensorSignature> inputs) {
  std::vector<std::string> entries;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec))
    entries.push_back(it->path());
  if (ec)
    return fail(dir +
                ": error: cannot read the calibration folder: " + ec.message());
  std::sort(entries.begin(), entries.end());
  std::vector<std::vector<std::string>> samples;
  for (const std::string &entry : entries) {
    if (llvm::sys::fs::is_directory(entry)) {
      std::vector<std::string> files;
      for (const auto &input : inputs) {
        SmallString<256> file(entry);
        llvm::sys::path::append(file, input.name + ".npy");
        if (!llvm::sys::fs::exists(file))
          return fail(file +
                      ": error: the calibration sample has no file "
                      "for input '" +
                      input.name + "'");
        files.push_back(file.str().str());
      }
      samples.push_back(std::move(files));
    } else if (StringRef(entry).ends_with(".npy")) {
      if (inputs.size() != 1)
        return fail(entry + ": error: the model has " + Twine(inputs.size()) +
                    " inputs: give each sample as a folder of "
                    "<input name>.npy files");
      samples.push_back({entry});
    }
  }
  if (samples.empty())
    return fail(dir + ": error: no calibration samples (.npy files, or "
                      "folders of them)");
  return samples;
}

llvm::Expected<std::vector<CalibrationSample>>
loomc::loadSamples(StringRef dir,
                   ArrayRef<loom::runtime::TensorSignature> inputs) {
  auto samples = listSamples(dir, inputs);
  if (!samples)
    return samples.takeError();
  std::vector<CalibrationSample> loaded;
  for (const std::vector<std::string> &files : *samples) {
    CalibrationSample sample{files.front(), {}};
    for (const std::string &file : files) {
      auto tensor = loom::runtime::readNpy(file);
      if (!tensor)
        return tensor.takeError();
      sample.inputs.push_back(std::move(*tensor));
    }
    loaded.push_back(std::move(sample));
  }
  return loaded;
}

llvm::Expected<unsigned> loomc::calibrate(ModuleOp module, StringRef dir,
                                          double percentile) {
  // Number the kernels, copy the model, and make their first operands
  // results of the copy.
  unsigned count = 0;
  Builder b(module.getContext());
  module.walk([&](Operation *op) {
    if (!isa<loom::ConvOp, loom::GemmOp, loom::MatMulOp>(op))
      return;
    auto type = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
    if (type && type.getElementType().isF32())
      op->setAttr(kIndex, b.getI64IntegerAttr(count++));
  });
  auto cleanup = llvm::make_scope_exit(
      [&] { module.walk([&](Operation *op) { op->removeAttr(kIndex); }); });
  if (!count)
    return 0;
  OwningOpRef<ModuleOp> copy = module.clone();
  func::FuncOp function;
  for (auto f : copy->getOps<func::FuncOp>())
    if (!f.isExternal() && (!function || f.getName() == "main"))
      function = f;
  if (!function)
    return fail("the model has no function to calibrate");
  std::vector<Value> probes(count);
  function.walk([&](Operation *op) {
    if (auto index = op->getAttrOfType<IntegerAttr>(kIndex))
      probes[index.getInt()] = op->getOperand(0);
  });
  auto ret = cast<func::ReturnOp>(function.getBody().back().getTerminator());
  unsigned firstProbe = ret.getNumOperands();
  SmallVector<Value> results(ret.getOperands());
  results.append(probes.begin(), probes.end());
  ret->setOperands(results);
  SmallVector<Type> types(function.getResultTypes());
  for (Value v : probes)
    types.push_back(v.getType());
  function.setType(FunctionType::get(module.getContext(),
                                     function.getArgumentTypes(), types));
  for (unsigned i = firstProbe; i < types.size(); ++i)
    function.setResultAttrs(i, b.getDictionaryAttr({}));

  std::string reason;
  ScopedDiagnosticHandler quiet(module.getContext(), [&](Diagnostic &d) {
    if (d.getSeverity() == DiagnosticSeverity::Error && reason.empty())
      reason = d.str();
    return success();
  });
  if (failed(foldShapesForCompile(*copy)))
    return fail("calibration: the model's shapes did not fold: " + reason);
  loom::runtime::CompileOptions options;
  auto compiled = CompiledFunction::compile(*copy, "", options);
  if (!compiled)
    return fail("calibration: the model could not be compiled: " +
                (reason.empty()
                     ? llvm::toString(compiled.takeError())
                     : (llvm::consumeError(compiled.takeError()), reason)));
  auto loaded = loadSamples(dir, (*compiled)->getInputs());
  if (!loaded)
    return loaded.takeError();
  // Runs every sample; `visit(kernel, values, n)` sees each kernel's input.
  auto forEachProbe =
      [&](llvm::function_ref<void(unsigned, const float *, int64_t)> visit)
      -> llvm::Error {
    for (size_t s = 0; s < loaded->size(); ++s) {
      std::vector<const HostTensor *> pointers;
      for (const HostTensor &t : (*loaded)[s].inputs)
        pointers.push_back(&t);
      auto outputs = (*compiled)->run(pointers);
      if (!outputs)
        return fail((*loaded)[s].file +
                    ": error: " + llvm::toString(outputs.takeError()));
      for (unsigned k = 0; k < count; ++k) {
        const HostTensor &t = (*outputs)[firstProbe + k];
        visit(k, reinterpret_cast<const float *>(t.data()), t.getNumElements());
      }
    }
    return llvm::Error::success();
  };

  std::vector<float> lo(count, INFINITY), hi(count, -INFINITY);
  if (llvm::Error error =
          forEachProbe([&](unsigned k, const float *data, int64_t n) {
            for (int64_t i = 0; i < n; ++i)
              if (std::isfinite(data[i])) {
                lo[k] = std::min(lo[k], data[i]);
                hi[k] = std::max(hi[k], data[i]);
              }
          }))
    return std::move(error);
  if (percentile > 0) {
    // A second pass: a histogram over [lo, hi] per kernel; the range is
    // the (100 - P)-th to the P-th percentile, to a bin's width.
    constexpr int64_t kBins = 4096;
    std::vector<std::vector<uint64_t>> histograms(
        count, std::vector<uint64_t>(kBins, 0));
    auto binOf = [&](unsigned k, float v) {
      double width = (double(hi[k]) - lo[k]) / kBins;
      int64_t bin = width > 0 ? int64_t((v - lo[k]) / width) : 0;
      return std::clamp<int64_t>(bin, 0, kBins - 1);
    };
    if (llvm::Error error =
            forEachProbe([&](unsigned k, const float *data, int64_t n) {
              if (!(lo[k] <= hi[k]))
                return;
              for (int64_t i = 0; i < n; ++i)
                if (std::isfinite(data[i]))
                  ++histograms[k][binOf(k, data[i])];
            }))
      return std::move(error);
    for (unsigned k = 0; k < count; ++k) {
      if (!(lo[k] < hi[k]))
        continue;
      uint64_t total = 0;
      for (uint64_t c : histograms[k])
        total += c;
      double width = (double(hi[k]) - lo[k]) / kBins;
      double tail = total * (100.0 - percentile) / 100.0;
      // Lower end: the first bin where more than `tail` values lie at or
      // below it; upper end likewise from the top.
      uint64_t seen = 0;
      int64_t first = 0, last = kBins - 1;
      for (; first < kBins - 1; ++first)
        if ((seen += histograms[k][first]) > tail)
          break;
      seen = 0;
      for (; last > 0; --last)
        if ((seen += histograms[k][last]) > tail)
          break;
      float newLo = float(lo[k] + first * width);
      float newHi = float(lo[k] + (last + 1) * width);
      if (newLo < newHi)
        lo[k] = std::max(lo[k], newLo), hi[k] = std::min(hi[k], newHi);
    }
  }
  unsigned ranged = 0;
  module.walk([&](Operation *op) {
    auto index = op->getAttrOfType<IntegerAttr>(kIndex);
    if (!index || !(lo[index.getInt()] <= hi[index.getInt()]))
      return;
    op->setAttr(
        loom::LoomDialect::getActivationRangeAttrName(),
        b.getDenseF32ArrayAttr({lo[index.getInt()], hi[index.getInt()]}));
    ++ranged;
  });
  return ranged;
}
