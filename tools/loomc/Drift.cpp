//===- Drift.cpp - how far a compressed model's outputs moved
//---------------===//
//
// Compiles the model before and after compress's passes with Loom's own CPU
// code (the evaluator), runs both on the same seeded random inputs and
// compares each floating-point output: max abs difference, relative L2,
// cosine.
//
//===----------------------------------------------------------------------===//

#include "Driver.h"

#include "loom/Dialect/Loom/Transforms/Passes.h"
#include "loom/Runtime/Evaluator.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"

#include <cmath>
#include <cstring>
#include <random>

using namespace mlir;
using namespace loomc;
using loom::runtime::CompiledFunction;
using loom::runtime::DType;
using loom::runtime::HostTensor;

/// Seeded inputs for `signature`: floats in [0, 1), integers in [0, 4),
/// booleans 0/1; a dynamic dimension is 1.
static std::vector<HostTensor>
makeInputs(ArrayRef<loom::runtime::TensorSignature> signature, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<HostTensor> inputs;
  for (const loom::runtime::TensorSignature &s : signature) {
    SmallVector<int64_t> shape;
    for (int64_t d : s.shape)
      shape.push_back(ShapedType::isDynamic(d) ? 1 : d);
    HostTensor t(s.dtype, shape);
    int64_t n = t.getNumElements();
    char *p = t.data();
    for (int64_t i = 0; i < n; ++i) {
      double v = unit(random);
      switch (s.dtype) {
      case DType::F32: {
        float f = static_cast<float>(v);
        std::memcpy(p + 4 * i, &f, 4);
        break;
      }
      case DType::F64:
        std::memcpy(p + 8 * i, &v, 8);
        break;
      case DType::I64: {
        int64_t k = static_cast<int64_t>(v * 4);
        std::memcpy(p + 8 * i, &k, 8);
        break;
      }
      case DType::I32: {
        int32_t k = static_cast<int32_t>(v * 4);
        std::memcpy(p + 4 * i, &k, 4);
        break;
      }
      case DType::Bool:
      case DType::U8:
      case DType::I8:
        p[i] = static_cast<char>(v * (s.dtype == DType::Bool ? 2 : 4));
        break;
      default: // other types: zeros
        std::memset(p + i * loom::runtime::getByteSize(s.dtype), 0,
                    loom::runtime::getByteSize(s.dtype));
        break;
      }
    }
    inputs.push_back(std::move(t));
  }
  return inputs;
}

static std::optional<double> element(const HostTensor &t, int64_t i) {
  switch (t.getDType()) {
  case DType::F32: {
    float f;
    std::memcpy(&f, t.data() + 4 * i, 4);
    return f;
  }
  case DType::F64: {
    double d;
    std::memcpy(&d, t.data() + 8 * i, 8);
    return d;
  }
  default:
    return std::nullopt;
  }
}

LogicalResult loomc::foldShapesForCompile(ModuleOp module) {
  PassManager shapes(module.getContext());
  shapes.addPass(loom::createLoomInferShapes());
  shapes.addPass(loom::createLoomFoldShapes());
  shapes.addPass(loom::createLoomInferShapes());
  return shapes.run(module);
}

llvm::Expected<std::vector<OutputDrift>>
loomc::measureDrift(ModuleOp before, ModuleOp after, uint64_t seed) {
  // The drift is a report, not a step that can fail compress: what stops
  // the compilation becomes its one-line reason, not error lines.
  QuietCompile quiet(before.getContext());
  auto failedBecause = [&](llvm::Error error) {
    return llvm::createStringError(quiet.describe(std::move(error)));
  };
  // A model may compute shapes (Slice bounds, Reshape targets) that the
  // CPU code needs constant: fold them (the files are written already).
  if (failed(foldShapesForCompile(before)) ||
      failed(foldShapesForCompile(after)))
    return failedBecause(
        llvm::createStringError("the models' shapes did not fold"));
  loom::runtime::CompileOptions options;
  auto a = CompiledFunction::compile(before, "", options);
  if (!a)
    return failedBecause(a.takeError());
  auto b = CompiledFunction::compile(after, "", options);
  if (!b)
    return failedBecause(b.takeError());
  std::vector<HostTensor> inputs = makeInputs((*a)->getInputs(), seed);
  std::vector<const HostTensor *> pointers;
  for (const HostTensor &t : inputs)
    pointers.push_back(&t);
  auto ya = (*a)->run(pointers);
  if (!ya)
    return ya.takeError();
  auto yb = (*b)->run(pointers);
  if (!yb)
    return yb.takeError();
  std::vector<OutputDrift> drift;
  for (size_t k = 0; k < ya->size() && k < yb->size(); ++k) {
    const HostTensor &x = (*ya)[k], &y = (*yb)[k];
    OutputDrift d;
    d.name = k < (*a)->getOutputs().size() ? (*a)->getOutputs()[k].name
                                           : std::to_string(k);
    if (x.getNumElements() != y.getNumElements() || !element(x, 0) ||
        !element(y, 0)) {
      d.compared = false;
      drift.push_back(d);
      continue;
    }
    double dd = 0, xx = 0, yy = 0, xy = 0;
    for (int64_t i = 0, n = x.getNumElements(); i < n; ++i) {
      double u = *element(x, i), v = *element(y, i);
      d.maxAbs = std::max(d.maxAbs, std::fabs(u - v));
      dd += (u - v) * (u - v), xx += u * u, yy += v * v, xy += u * v;
    }
    d.relL2 = xx > 0 ? std::sqrt(dd / xx) : (dd > 0 ? INFINITY : 0.0);
    d.cosine = xx > 0 && yy > 0 ? xy / std::sqrt(xx * yy) : 1.0;
    drift.push_back(d);
  }
  return drift;
}
