//===- Evaluator.cpp - compile a Loom function once, run it on tensors ----===//
//
// Calling convention (MLIR's default lowering of memrefs to LLVM): every
// memref argument is (allocated, aligned, offset, sizes[rank],
// strides[rank]); results come back as the same descriptors, packed in one
// struct. ExecutionEngine's `_mlir_<name>` wrapper takes a pointer to each
// of those scalars, then one to the result struct. All fields are 8 bytes,
// so descriptors are arrays of int64_t here. Results are buffers the
// function allocated with malloc (the deallocation pipeline hands their
// ownership to the caller): copied out, then freed.
//
//===----------------------------------------------------------------------===//

#include "loom/Runtime/Evaluator.h"

#include "RuntimeSupport.h"
#include "loom/Dialect/Loom/IR/LoomDialect.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/WeightData.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"
#include "loom/Pipelines/Pipelines.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/xxhash.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

using namespace mlir;
using llvm::Expected;

namespace loom::runtime {

/// A JIT-compiled function, shared by every CompiledFunction whose
/// weight-free module text is the same.
class CompiledKernel {
public:
  std::unique_ptr<ExecutionEngine> engine;
  void (*entry)(void **) = nullptr;
};

namespace {

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Compiled kernels by content hash. Entries expire with their last user.
struct KernelCache {
  std::mutex mutex;
  llvm::DenseMap<uint64_t, std::weak_ptr<CompiledKernel>> kernels;
};
KernelCache &getKernelCache() {
  static KernelCache cache;
  return cache;
}

/// libomp, loaded once; its omp_set_num_threads, or null without it.
using SetNumThreads = void (*)(int);
SetNumThreads loadOpenMP() {
#ifdef LOOM_OPENMP_LIBRARY
  static SetNumThreads setter = [] {
    std::string error;
    if (llvm::sys::DynamicLibrary::LoadLibraryPermanently(LOOM_OPENMP_LIBRARY,
                                                          &error))
      return SetNumThreads(nullptr);
    return reinterpret_cast<SetNumThreads>(
        llvm::sys::DynamicLibrary::SearchForAddressOfSymbol(
            "omp_set_num_threads"));
  }();
  return setter;
#else
  return nullptr;
#endif
}

void initializeNativeTarget() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

Expected<std::shared_ptr<CompiledKernel>>
buildKernel(ModuleOp module, StringRef functionName,
            const CompileOptions &options) {
  MLIRContext *context = module.getContext();
  if (options.progress)
    options.progress("lowering to LLVM (linalg, bufferization, loops)");
  LoweringOptions lowering;
  lowering.fuse = options.fuse;
  lowering.parallel = options.parallel && loadOpenMP();
  lowering.vectorizeConvs = options.vectorizeConvs;
  if (llvm::Error error = lowerToLLVMDialect(module, lowering))
    return std::move(error);

  if (options.progress)
    options.progress("generating machine code for the host CPU");
  initializeNativeTarget();
  registerBuiltinDialectTranslation(*context);
  registerLLVMDialectTranslation(*context);
  registerOpenMPDialectTranslation(*context);
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  builder->setCodeGenOptLevel(
      options.optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
      : options.optLevel == 0 ? llvm::CodeGenOptLevel::None
                              : llvm::CodeGenOptLevel::Default);
  auto machine = builder->createTargetMachine();
  if (!machine)
    return machine.takeError();
  ExecutionEngineOptions engineOptions;
  auto transformer = makeOptimizingTransformer(options.optLevel,
                                               /*sizeLevel=*/0, machine->get());
  engineOptions.transformer = transformer;
  engineOptions.enableGDBNotificationListener = false;
  engineOptions.enablePerfNotificationListener = false;
  auto engine =
      ExecutionEngine::create(module, engineOptions, std::move(*machine));
  if (!engine)
    return engine.takeError();
  (*engine)->registerSymbols(getRuntimeSupportSymbols);
  (*engine)->initialize();
  auto entry = (*engine)->lookupPacked(functionName);
  if (!entry)
    return entry.takeError();
  auto kernel = std::make_shared<CompiledKernel>();
  kernel->engine = std::move(*engine);
  kernel->entry = *entry;
  return kernel;
}

} // namespace

CompiledFunction::~CompiledFunction() = default;

bool hasThreads() { return loadOpenMP() != nullptr; }

Expected<std::unique_ptr<CompiledFunction>>
CompiledFunction::compile(ModuleOp module, StringRef functionName,
                          const CompileOptions &options) {
  Expected<BoundFunction> bound = BoundFunction::bind(module, functionName);
  if (!bound)
    return bound.takeError();
  OwningOpRef<ModuleOp> clone = std::move(bound->module);
  std::string name = bound->name;
  std::unique_ptr<CompiledFunction> result(new CompiledFunction);
  result->inputs = std::move(bound->inputs);
  result->outputs = std::move(bound->outputs);
  for (BoundArgument &argument : bound->arguments) {
    Argument entry;
    entry.input = argument.input;
    entry.data = argument.bytes.data();
    entry.shape = std::move(argument.shape);
    if (argument.owned)
      result->ownedWeights.push_back(std::move(argument.owned));
    result->arguments.push_back(std::move(entry));
  }

  std::string text;
  {
    llvm::raw_string_ostream os(text);
    os << name << ";" << options.optLevel << ";" << options.fuse << ";"
       << (options.parallel && loadOpenMP()) << ";" << options.vectorizeConvs
       << ";";
    clone->print(os, OpPrintingFlags().enableDebugInfo(false));
  }
  uint64_t key = llvm::xxh3_64bits(text);
  KernelCache &cache = getKernelCache();
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    auto it = cache.kernels.find(key);
    if (it != cache.kernels.end())
      if (std::shared_ptr<CompiledKernel> kernel = it->second.lock()) {
        result->kernel = std::move(kernel);
        result->cached = true;
        return std::move(result);
      }
  }
  Expected<std::shared_ptr<CompiledKernel>> kernel =
      buildKernel(*clone, name, options);
  if (!kernel)
    return kernel.takeError();
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    cache.kernels[key] = *kernel;
  }
  result->kernel = std::move(*kernel);
  return std::move(result);
}

Expected<std::vector<HostTensor>>
CompiledFunction::run(ArrayRef<const HostTensor *> given,
                      unsigned threads) const {
  if (given.size() != inputs.size())
    return makeError(llvm::formatv("expected {0} inputs, got {1}",
                                   inputs.size(), given.size()));
  for (auto [index, tensor] : llvm::enumerate(given)) {
    const TensorSignature &signature = inputs[index];
    if (tensor->getDType() != signature.dtype)
      return makeError(llvm::formatv("input '{0}': expected {1}, got {2}",
                                     signature.name, getName(signature.dtype),
                                     getName(tensor->getDType())));
    ArrayRef<int64_t> shape = tensor->getShape();
    bool matches = shape.size() == signature.shape.size();
    for (size_t d = 0; matches && d < shape.size(); ++d)
      matches = ShapedType::isDynamic(signature.shape[d]) ||
                signature.shape[d] == shape[d];
    if (!matches)
      return makeError(llvm::formatv(
          "input '{0}': expected shape {1}, got {2}", signature.name,
          describeShape(signature.shape), describeShape(shape)));
  }

  // Argument descriptors, then the result struct, as 8-byte words.
  size_t argumentWords = 0, resultWords = 0;
  for (const Argument &argument : arguments)
    argumentWords += 3 + 2 * argument.shape.size();
  for (const TensorSignature &output : outputs)
    resultWords += 3 + 2 * output.shape.size();
  std::vector<int64_t> words(argumentWords + resultWords, 0);
  std::vector<void *> packed;
  packed.reserve(argumentWords + 1);
  llvm::DenseSet<const void *> borrowed;
  size_t at = 0;
  for (const Argument &argument : arguments) {
    const char *data = argument.data;
    ArrayRef<int64_t> shape = argument.shape;
    if (argument.input >= 0) {
      data = given[argument.input]->data();
      shape = given[argument.input]->getShape();
    }
    borrowed.insert(data);
    int64_t rank = shape.size();
    int64_t *descriptor = words.data() + at;
    std::memcpy(&descriptor[0], &data, sizeof(void *));
    std::memcpy(&descriptor[1], &data, sizeof(void *));
    descriptor[2] = 0;
    int64_t stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      descriptor[3 + d] = shape[d];
      descriptor[3 + rank + d] = stride;
      stride *= shape[d];
    }
    for (int64_t w = 0; w < 3 + 2 * rank; ++w)
      packed.push_back(&descriptor[w]);
    at += 3 + 2 * rank;
  }
  if (!outputs.empty())
    packed.push_back(words.data() + argumentWords);

  if (SetNumThreads setNumThreads = loadOpenMP())
    setNumThreads(threads ? static_cast<int>(threads)
                          : static_cast<int>(std::max(
                                1u, std::thread::hardware_concurrency())));
  kernel->entry(packed.data());

  // Every output is copied before any buffer is freed: outputs may share
  // one (a function that returns the same value twice).
  std::vector<HostTensor> results;
  llvm::SetVector<void *> owned;
  at = argumentWords;
  for (const TensorSignature &output : outputs) {
    int64_t rank = output.shape.size();
    const int64_t *descriptor = words.data() + at;
    at += 3 + 2 * rank;
    void *allocated, *aligned;
    std::memcpy(&allocated, &descriptor[0], sizeof(void *));
    std::memcpy(&aligned, &descriptor[1], sizeof(void *));
    SmallVector<int64_t> shape(descriptor + 3, descriptor + 3 + rank);
    ArrayRef<int64_t> strides(descriptor + 3 + rank, rank);
    HostTensor tensor(output.dtype, shape);
    if (!tensor.data())
      return makeError("output '" + output.name + "': out of memory");
    unsigned elementBytes = getByteSize(output.dtype);
    const char *base =
        static_cast<const char *>(aligned) + descriptor[2] * elementBytes;
    copyStrided(tensor.data(), base, shape, strides, elementBytes);
    if (allocated && !borrowed.contains(allocated))
      owned.insert(allocated);
    results.push_back(std::move(tensor));
  }
  for (void *allocated : owned)
    std::free(allocated);
  return std::move(results);
}

} // namespace loom::runtime
