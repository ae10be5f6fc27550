//===- BoundFunction.cpp - a function ready for the CPU back end ----------===//

#include "loom/Runtime/BoundFunction.h"

#include "loom/Dialect/Loom/IR/LoomDialect.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/WeightData.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"
#include "loom/Pipelines/Pipelines.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

#include <cstring>
#include <mutex>

using namespace mlir;
using llvm::Expected;

namespace loom::runtime {

namespace {
llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}
} // namespace

std::string describeShape(ArrayRef<int64_t> shape) {
  std::string text;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      text += "x";
    text += ShapedType::isDynamic(shape[i]) ? "?" : std::to_string(shape[i]);
  }
  return text.empty() ? "scalar" : text;
}

/// 4-bit weights (ONNX packs two to a byte, the first in the low nibble) as
/// 8-bit ones of the same signedness, one element per byte as compiled code
/// loads them; their reads take the wider type (DequantizeLinear takes
/// either).
static LogicalResult widenFourBitWeights(ModuleOp module) {
  DenseMap<StringAttr, RankedTensorType> widened;
  for (auto weight : module.getOps<WeightOp>()) {
    auto type = dyn_cast<RankedTensorType>(weight.getValue().getType());
    auto element =
        type ? dyn_cast<IntegerType>(type.getElementType()) : IntegerType();
    if (!element || element.getWidth() != 4 || !type.hasStaticShape())
      continue;
    int64_t count = type.getNumElements();
    std::vector<char> wide(count);
    if (auto resource =
            dyn_cast<DenseResourceElementsAttr>(weight.getValue())) {
      AsmResourceBlob *blob = resource.getRawHandle().getBlob();
      if (!blob ||
          static_cast<int64_t>(blob->getData().size()) != (count + 1) / 2)
        return failure();
      ArrayRef<char> packed = blob->getData();
      for (int64_t i = 0; i < count; ++i) {
        int nibble =
            (static_cast<unsigned char>(packed[i / 2]) >> (4 * (i % 2))) & 0xF;
        wide[i] = static_cast<char>(
            element.isUnsigned() || nibble < 8 ? nibble : nibble - 16);
      }
    } else if (auto dense = dyn_cast<DenseIntElementsAttr>(weight.getValue())) {
      int64_t i = 0;
      for (const APInt &value : dense.getValues<APInt>())
        wide[i++] = static_cast<char>(
            element.isUnsigned() ? value.getZExtValue() : value.getSExtValue());
    } else {
      return failure();
    }
    auto wideType = type.clone(
        IntegerType::get(module.getContext(), 8, element.getSignedness()));
    weight.setValueAttr(DenseResourceElementsAttr::get(
        wideType, weight.getSymName().str() + ".int8",
        HeapAsmResourceBlob::allocateAndCopyWithAlign(wide, 1)));
    widened[weight.getSymNameAttr()] = wideType;
  }
  if (!widened.empty())
    module.walk([&](WeightRefOp ref) {
      auto it = widened.find(ref.getNameAttr().getAttr());
      if (it != widened.end())
        ref.getResult().setType(it->second);
    });
  return success();
}

Expected<BoundFunction> BoundFunction::bind(ModuleOp module,
                                            StringRef functionName) {
  MLIRContext *context = module.getContext();
  BoundFunction result;
  result.module = module.clone();
  func::FuncOp function;
  for (auto candidate : result.module->getOps<func::FuncOp>()) {
    if (candidate.isExternal() || candidate.isPrivate())
      continue;
    if (!functionName.empty() && candidate.getName() != functionName)
      continue;
    if (function)
      return makeError("the module has several public functions; name one");
    function = candidate;
  }
  if (!function)
    return makeError(functionName.empty()
                         ? llvm::Twine("the module has no public function")
                         : "no public function '" + functionName + "'");
  result.name = function.getName().str();

  if (failed(widenFourBitWeights(*result.module)))
    return makeError("a 4-bit weight's data cannot be read");
  PassManager bind(context);
  bind.addPass(createLoomWeightsToArguments());
  if (failed(bind.run(*result.module)))
    return makeError("binding weights to arguments failed");

  SymbolTable symbols(*result.module);
  Builder b(context);
  for (auto [index, argument] : llvm::enumerate(function.getArguments())) {
    auto type = dyn_cast<RankedTensorType>(argument.getType());
    std::optional<DType> dtype =
        type ? getDType(type.getElementType()) : std::nullopt;
    auto weightName = function.getArgAttrOfType<FlatSymbolRefAttr>(
        index, LoomDialect::getWeightAttrName());
    auto nameAttr = function.getArgAttrOfType<StringAttr>(
        index, LoomDialect::getNameAttrName());
    std::string argName = weightName
                              ? weightName.getValue().str()
                              : (nameAttr ? nameAttr.getValue().str()
                                          : "input" + std::to_string(index));
    if (!type || !dtype)
      return makeError(llvm::formatv("argument '{0}' has type {1}, which "
                                     "compiled code cannot be passed",
                                     argName, argument.getType()));
    // Inputs and weights are the caller's: compiled code must not write them.
    function.setArgAttr(index,
                        bufferization::BufferizationDialect::kWritableAttrName,
                        b.getBoolAttr(false));
    BoundArgument entry;
    entry.dtype = *dtype;
    entry.shape.assign(type.getShape().begin(), type.getShape().end());
    if (!weightName) {
      entry.input = result.inputs.size();
      result.inputs.push_back({argName, *dtype, entry.shape});
      result.arguments.push_back(std::move(entry));
      continue;
    }
    entry.weight = argName;
    auto weight = symbols.lookup<WeightOp>(weightName.getAttr());
    std::vector<char> storage;
    std::optional<ArrayRef<char>> bytes =
        weight ? getWeightBytes(weight.getValue(), storage) : std::nullopt;
    if (!bytes || !type.hasStaticShape())
      return makeError("weight '" + argName + "': its data cannot be read");
    entry.bytes = *bytes;
    unsigned elementBytes = getByteSize(*dtype);
    if (!storage.empty() ||
        reinterpret_cast<uintptr_t>(bytes->data()) % elementBytes != 0) {
      // A splat, or bytes at an offset their type cannot be loaded from.
      auto copy = std::make_unique<HostTensor>(*dtype, type.getShape());
      if (!copy->data() || copy->getByteSize() != bytes->size())
        return makeError("weight '" + argName + "': out of memory");
      std::memcpy(copy->data(), bytes->data(), bytes->size());
      entry.bytes = ArrayRef<char>(copy->data(), copy->getByteSize());
      entry.owned = std::move(copy);
    }
    result.arguments.push_back(std::move(entry));
  }
  for (auto [index, type] : llvm::enumerate(function.getResultTypes())) {
    auto ranked = dyn_cast<RankedTensorType>(type);
    std::optional<DType> dtype =
        ranked ? getDType(ranked.getElementType()) : std::nullopt;
    auto nameAttr = function.getResultAttrOfType<StringAttr>(
        index, LoomDialect::getNameAttrName());
    std::string outName =
        nameAttr ? nameAttr.getValue().str() : "output" + std::to_string(index);
    if (!ranked || !dtype)
      return makeError(llvm::formatv(
          "output '{0}' has type {1}, which compiled code cannot return",
          outName, type));
    result.outputs.push_back({outName, *dtype,
                              SmallVector<int64_t>(ranked.getShape().begin(),
                                                   ranked.getShape().end())});
  }
  // Names and weight bindings are recorded above; LLVM has no use for them.
  for (unsigned i = 0; i < function.getNumArguments(); ++i) {
    function.removeArgAttr(i, LoomDialect::getNameAttrName());
    function.removeArgAttr(i, LoomDialect::getDimsAttrName());
    function.removeArgAttr(i, LoomDialect::getWeightAttrName());
  }
  for (unsigned i = 0; i < function.getNumResults(); ++i) {
    function.removeResultAttr(
        i, StringAttr::get(context, LoomDialect::getNameAttrName()));
    function.removeResultAttr(
        i, StringAttr::get(context, LoomDialect::getDimsAttrName()));
  }
  // Weights that no argument reads any more have no use in code.
  for (auto weight :
       llvm::make_early_inc_range(result.module->getOps<WeightOp>()))
    if (SymbolTable::symbolKnownUseEmpty(weight, *result.module))
      weight.erase();
  return std::move(result);
}

llvm::Error lowerToLLVMDialect(ModuleOp module,
                               const LoweringOptions &options) {
  PassManager pm(module.getContext());
  LoomCPUPipelineOptions pipeline;
  pipeline.fuse = options.fuse;
  pipeline.parallel = options.parallel;
  pipeline.vectorize = options.vectorizeConvs;
  pipeline.vectorBits = options.vectorBits;
  buildLoomCPUPipeline(pm, pipeline);
  if (failed(pm.run(module)))
    return makeError("the model could not be compiled (see the errors above)");
  // Every read of a weight is lowered by now; LLVM IR has no weights.
  for (auto weight : llvm::make_early_inc_range(module.getOps<WeightOp>()))
    weight.erase();
  return llvm::Error::success();
}

Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(StringRef cpu, unsigned optLevel) {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  llvm::Triple triple(llvm::sys::getProcessTriple());
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return makeError("no code generator for " + triple.str() + ": " + error);
  std::string cpuName, features;
  if (cpu.empty() || cpu == "host") {
    cpuName = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures list;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      list.AddFeature(feature.first(), feature.second);
    features = list.getString();
  } else {
    cpuName = cpu.str();
  }
  llvm::CodeGenOptLevel level =
      optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
      : optLevel == 0 ? llvm::CodeGenOptLevel::None
                      : llvm::CodeGenOptLevel::Default;
  llvm::TargetOptions targetOptions;
  // Constructors in .init_array, which the dynamic loader runs (lld does
  // not turn .ctors into it; the CUDA target's kernel loader is one).
  targetOptions.UseInitArray = true;
  std::unique_ptr<llvm::TargetMachine> machine(
      target->createTargetMachine(triple, cpuName, features, targetOptions,
                                  llvm::Reloc::PIC_, std::nullopt, level));
  if (!machine)
    return makeError("cannot generate code for CPU '" + cpuName + "'");
  // An unknown CPU name only warns inside LLVM: refuse it here.
  if (!cpu.empty() && cpu != "host" &&
      !machine->getMCSubtargetInfo()->isCPUStringValid(cpuName))
    return makeError("unknown CPU '" + cpuName +
                     "' (examples: host, x86-64-v3, skylake-avx512)");
  return std::move(machine);
}

int64_t vectorBits(const llvm::TargetMachine &machine) {
  const llvm::MCSubtargetInfo *info = machine.getMCSubtargetInfo();
  if (info->checkFeatures("+avx512f"))
    return 512;
  if (info->checkFeatures("+avx"))
    return 256;
  return 128;
}

} // namespace loom::runtime
