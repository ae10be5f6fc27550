//===- Calibrate.cpp - activation ranges for static quantization ----------===//
//
// `loomc compress --quantize static --calibrate DIR`: runs the float model
// through Loom's CPU code on the calibration inputs and records, on every
// Conv, Gemm and MatMul, the range of its first operand
// (`loom.activation_range`), which `loom-quantize mode=static` quantizes
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

llvm::Expected<unsigned> loomc::calibrate(ModuleOp module, StringRef dir) {
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
  auto samples = listSamples(dir, (*compiled)->getInputs());
  if (!samples)
    return samples.takeError();

  std::vector<float> lo(count, INFINITY), hi(count, -INFINITY);
  for (const std::vector<std::string> &files : *samples) {
    std::vector<HostTensor> inputs;
    for (const std::string &file : files) {
      auto tensor = loom::runtime::readNpy(file);
      if (!tensor)
        return tensor.takeError();
      inputs.push_back(std::move(*tensor));
    }
    std::vector<const HostTensor *> pointers;
    for (const HostTensor &t : inputs)
      pointers.push_back(&t);
    auto outputs = (*compiled)->run(pointers);
    if (!outputs)
      return fail(files.front() +
                  ": error: " + llvm::toString(outputs.takeError()));
    for (unsigned k = 0; k < count; ++k) {
      const HostTensor &t = (*outputs)[firstProbe + k];
      const auto *data = reinterpret_cast<const float *>(t.data());
      for (int64_t i = 0, n = t.getNumElements(); i < n; ++i)
        if (std::isfinite(data[i])) {
          lo[k] = std::min(lo[k], data[i]);
          hi[k] = std::max(hi[k], data[i]);
        }
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
