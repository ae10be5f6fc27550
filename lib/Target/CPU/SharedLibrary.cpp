//===- SharedLibrary.cpp - compile a model into a shared library ----------===//
//
// 1. Bind the function's weights to arguments and lay them out in one
//    64-byte-aligned blob (the same binding the JIT evaluator uses).
// 2. Lower to the LLVM dialect (buildLoomCPUPipeline), translate to LLVM IR
//    and add what the C runtime reads: a packed entry point, the model's
//    description (names, dtypes, shapes, where each weight lies), the
//    weights when embedded, and `NAME_create`.
// 3. Optimize and emit an object file with a TargetMachine for the chosen
//    CPU, then link it with the runtime object (compiled when Loom was
//    built and kept inside this library) by ld.lld.
//
// The layout of `loom_rt_library` and of the description is the contract
// with lib/Runtime/AOT/loom_model_runtime.c, whose header comment spells it
// out.
//
//===----------------------------------------------------------------------===//

#include "loom/Target/CPU/SharedLibrary.h"

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Pipelines/Pipelines.h"
#include "loom/Support/FileOutput.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalAlias.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/xxhash.h"

#include <cstring>

using namespace mlir;
using llvm::Expected;
using loom::runtime::BoundFunction;
using loom::runtime::DType;
using loom::runtime::TensorSignature;

namespace loom {

namespace {

#include "LoomModelAPIHeader.inc"
#include "LoomModelRuntimeObject.inc"
#include "LoomModelCUDARuntimeObject.inc"

constexpr uint32_t kABIVersion = 1;
constexpr uint64_t kWeightAlignment = 64;
constexpr uint64_t kWeightsHeaderBytes = 64;

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// The model's description, as loom_model_runtime.c reads it.
class DescriptionWriter {
public:
  void u32(uint32_t value) { raw(&value, sizeof value); }
  void u64(uint64_t value) { raw(&value, sizeof value); }
  void str(StringRef text) {
    u32(text.size());
    bytes.append(text.begin(), text.end());
  }
  void dims(ArrayRef<int64_t> shape) {
    for (int64_t size : shape)
      u64(ShapedType::isDynamic(size) ? uint64_t(-1) : uint64_t(size));
  }
  void tensors(ArrayRef<TensorSignature> list) {
    u32(list.size());
    for (const TensorSignature &tensor : list) {
      str(tensor.name);
      u32(runtime::getONNXDataType(tensor.dtype));
      u32(tensor.shape.size());
      dims(tensor.shape);
    }
  }
  std::string bytes;

private:
  void raw(const void *data, size_t size) {
    bytes.append(static_cast<const char *>(data), size);
  }
};

/// `void loom_entry(void **args)`: MLIR's packed calling convention around
/// the lowered function (what ExecutionEngine's `_mlir_` wrappers do).
llvm::Function *addPackedEntry(llvm::Module &module, llvm::Function *function) {
  llvm::LLVMContext &context = module.getContext();
  auto *pointer = llvm::PointerType::getUnqual(context);
  auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(context),
                                       {pointer}, /*isVarArg=*/false);
  auto *entry = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage,
                                       "loom_entry", module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", entry));
  llvm::Value *packed = entry->getArg(0);
  llvm::SmallVector<llvm::Value *> arguments;
  for (auto [index, argument] : llvm::enumerate(function->args())) {
    llvm::Value *slot = b.CreateConstGEP1_64(pointer, packed, index);
    llvm::Value *address = b.CreateLoad(pointer, slot);
    arguments.push_back(b.CreateLoad(argument.getType(), address));
  }
  llvm::Value *result = b.CreateCall(function, arguments);
  if (!function->getReturnType()->isVoidTy()) {
    llvm::Value *slot =
        b.CreateConstGEP1_64(pointer, packed, function->arg_size());
    b.CreateStore(result, b.CreateLoad(pointer, slot));
  }
  b.CreateRetVoid();
  return entry;
}

llvm::GlobalVariable *addBytes(llvm::Module &module, StringRef name,
                               StringRef bytes, uint64_t alignment) {
  llvm::Constant *value = llvm::ConstantDataArray::getRaw(
      bytes, bytes.size(), llvm::Type::getInt8Ty(module.getContext()));
  auto *global =
      new llvm::GlobalVariable(module, value->getType(), /*isConstant=*/true,
                               llvm::GlobalValue::InternalLinkage, value, name);
  global->setAlignment(llvm::Align(alignment));
  return global;
}

/// The loom_rt_library the runtime reads, and the exported `NAME_create`
/// and `loom_model_create`.
void addLibrary(llvm::Module &module, StringRef cName, llvm::Function *entry,
                llvm::GlobalVariable *description, uint64_t descriptionBytes,
                llvm::GlobalVariable *weights, uint64_t weightsBytes,
                uint32_t reserved) {
  llvm::LLVMContext &context = module.getContext();
  auto *pointer = llvm::PointerType::getUnqual(context);
  auto *i32 = llvm::Type::getInt32Ty(context);
  auto *i64 = llvm::Type::getInt64Ty(context);
  auto *libraryType = llvm::StructType::get(
      context, {i32, i32, pointer, i64, pointer, pointer, i64});
  llvm::Constant *fields[] = {llvm::ConstantInt::get(i32, kABIVersion),
                              llvm::ConstantInt::get(i32, reserved),
                              description,
                              llvm::ConstantInt::get(i64, descriptionBytes),
                              entry,
                              weights ? static_cast<llvm::Constant *>(weights)
                                      : llvm::ConstantPointerNull::get(pointer),
                              llvm::ConstantInt::get(i64, weightsBytes)};
  auto *library = new llvm::GlobalVariable(
      module, libraryType, /*isConstant=*/true,
      llvm::GlobalValue::InternalLinkage,
      llvm::ConstantStruct::get(libraryType, fields), "loom_library");

  auto *runtimeCreate = llvm::Function::Create(
      llvm::FunctionType::get(pointer, {pointer, pointer}, false),
      llvm::GlobalValue::ExternalLinkage, "loom_rt_create", module);
  auto *create = llvm::Function::Create(
      llvm::FunctionType::get(pointer, {pointer}, false),
      llvm::GlobalValue::ExternalLinkage, cName + "_create", module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", create));
  b.CreateRet(b.CreateCall(runtimeCreate, {library, create->getArg(0)}));
  llvm::GlobalAlias::create(llvm::GlobalValue::ExternalLinkage,
                            "loom_model_create", create);
}

/// Runs ld.lld; its messages become the error.
llvm::Error link(StringRef linker, ArrayRef<std::string> arguments,
                 StringRef folder) {
  llvm::SmallString<256> log(folder);
  llvm::sys::path::append(log, "link.log");
  std::vector<StringRef> argv;
  argv.push_back(linker);
  for (const std::string &argument : arguments)
    argv.push_back(argument);
  std::optional<StringRef> redirects[] = {std::nullopt, log.str(), log.str()};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(linker, argv, std::nullopt, redirects,
                                         /*SecondsToWait=*/0,
                                         /*MemoryLimit=*/0, &message);
  if (status == 0)
    return llvm::Error::success();
  std::string output;
  if (auto buffer = llvm::MemoryBuffer::getFile(log))
    output = StringRef((*buffer)->getBuffer()).trim().str();
  return makeError("linking failed (" + linker +
                   "): " + (output.empty() ? message : output));
}

Expected<std::string> findLinker(StringRef given) {
  if (!given.empty()) {
    if (!llvm::sys::fs::can_execute(given))
      return makeError("linker '" + given + "' is not an executable");
    return given.str();
  }
#ifdef LOOM_DEFAULT_LINKER
  if (llvm::sys::fs::can_execute(LOOM_DEFAULT_LINKER))
    return std::string(LOOM_DEFAULT_LINKER);
#endif
  for (StringRef name : {"ld.lld-22", "ld.lld"})
    if (auto found = llvm::sys::findProgramByName(name))
      return *found;
  return makeError("no ld.lld found (Debian package lld-22); give --linker");
}

/// The header users compile against: the API, then this model's create.
std::string makeHeader(StringRef cName, StringRef source,
                       const BoundFunction &bound, StringRef weightsFile) {
  std::string text;
  llvm::raw_string_ostream os(text);
  std::string guard = StringRef(cName).upper() + "_LOOM_H";
  os << "/* " << cName << ".h - generated by loomc compile";
  if (!source.empty())
    os << " from " << source;
  os << "; do not edit.\n *\n * inputs:\n";
  auto list = [&](ArrayRef<TensorSignature> tensors) {
    for (const TensorSignature &tensor : tensors)
      os << " *   " << tensor.name << ": " << runtime::getName(tensor.dtype)
         << " [" << runtime::describeShape(tensor.shape) << "]\n";
  };
  list(bound.inputs);
  os << " * outputs:\n";
  list(bound.outputs);
  if (!weightsFile.empty())
    os << " * weights: " << weightsFile
       << " beside the library (or the path given to " << cName << "_create)\n";
  os << " */\n\n#ifndef " << guard << "\n#define " << guard << "\n\n"
     << getModelAPIHeader()
     << "\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "/* Opens this model; see loom_model_create. */\n"
     << "loom_model *" << cName << "_create(const char *weights_path);\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  return text;
}

llvm::Error writeTemp(llvm::sys::fs::TempFile &file,
                      llvm::function_ref<void(llvm::raw_ostream &)> write) {
  llvm::raw_fd_ostream os(file.FD, /*shouldClose=*/false);
  write(os);
  os.flush();
  if (os.has_error()) {
    std::error_code error = os.error();
    os.clear_error();
    return makeError(file.TmpName + ": " + error.message());
  }
  return llvm::Error::success();
}

/// The GPU pipeline on the bound function: static shapes checked first,
/// then kernels serialized for `options.gpuArch` into the module.
llvm::Error lowerForCUDA(BoundFunction &bound,
                         const SharedLibraryOptions &options,
                         uint32_t &smVersion) {
  StringRef arch = options.gpuArch;
  if (!arch.consume_front("sm_") || arch.getAsInteger(10, smVersion) ||
      smVersion < 50)
    return makeError("GPU architecture '" + options.gpuArch +
                     "' is not sm_NN (sm_80, sm_90, ...)");
  for (auto [what, list] : {std::pair{"input", &bound.inputs},
                            std::pair{"output", &bound.outputs}})
    for (const TensorSignature &tensor : *list)
      if (llvm::any_of(tensor.shape, ShapedType::isDynamic))
        return makeError(llvm::formatv(
            "{0} '{1}' has a dynamic shape [{2}]; the CUDA target needs "
            "static shapes (fix them with --input-shape {1}=...)",
            what, tensor.name, runtime::describeShape(tensor.shape)));
  std::string toolkit = findCUDAToolkit(options.cudaToolkit);
  if (toolkit.empty())
    return makeError(
        options.cudaToolkit.empty()
            ? "no CUDA toolkit found (ptxas, for the kernels' cubin): set "
              "CUDA_HOME or give --cuda-toolkit"
            : "'" + options.cudaToolkit + "' holds no bin/ptxas");
  if (options.progress)
    options.progress("lowering to GPU kernels and host code (linalg, "
                     "bufferization, NVVM, ptxas for " +
                     options.gpuArch + ")");
  PassManager pm(bound.module->getContext());
  LoomGPUPipelineOptions pipeline;
  pipeline.gpuArch = options.gpuArch;
  // PTX 8.0 is what sm_90 needs and what CUDA 12+ ptxas reads; older
  // architectures take it too.
  pipeline.features = "+ptx80";
  pipeline.toolkit = toolkit;
  pipeline.blockSize = options.gpuBlockSize;
  pipeline.threadTile = options.gpuThreadTile;
  pipeline.tileMinThreads = options.gpuTileMinThreads;
  pipeline.optLevel = std::min(options.optLevel, 3u);
  pipeline.fuse = options.lowering.fuse;
  buildLoomGPUPipeline(pm, pipeline);
  if (failed(pm.run(*bound.module)))
    return makeError("the model could not be compiled for the GPU (see the "
                     "errors above)");
  for (auto weight :
       llvm::make_early_inc_range(bound.module->getOps<loom::WeightOp>()))
    weight.erase();
  return llvm::Error::success();
}

} // namespace

StringRef getModelAPIHeader() {
  return StringRef(reinterpret_cast<const char *>(kLoomModelAPIHeader),
                   sizeof(kLoomModelAPIHeader));
}

std::string getLibraryCName(StringRef libraryPath) {
  StringRef stem = llvm::sys::path::stem(libraryPath);
  if (stem.starts_with("lib") && stem.size() > 3)
    stem = stem.drop_front(3);
  std::string name;
  for (char c : stem)
    name += llvm::isAlnum(c) ? c : '_';
  if (name.empty() || llvm::isDigit(name[0]))
    name = "model_" + name;
  return name;
}

Expected<SharedLibraryResult>
compileSharedLibrary(ModuleOp module, StringRef functionName,
                     const SharedLibraryOptions &options) {
  auto progress = [&](StringRef stage) {
    if (options.progress)
      options.progress(stage);
  };
  Expected<std::string> linker = findLinker(options.linker);
  if (!linker)
    return linker.takeError();
  Expected<BoundFunction> bound = BoundFunction::bind(module, functionName);
  if (!bound)
    return bound.takeError();
  SharedLibraryResult result;
  result.inputs = bound->inputs;
  result.outputs = bound->outputs;

  // Weights: one blob, each at a 64-byte boundary (what vector loads like).
  DescriptionWriter description;
  std::vector<uint64_t> offsets;
  uint64_t weightsBytes = 0;
  uint64_t id = 0;
  for (const runtime::BoundArgument &argument : bound->arguments) {
    if (argument.input >= 0) {
      offsets.push_back(0);
      continue;
    }
    weightsBytes = llvm::alignTo(weightsBytes, kWeightAlignment);
    offsets.push_back(weightsBytes);
    weightsBytes += argument.bytes.size();
    uint64_t hash = llvm::xxh3_64bits(llvm::ArrayRef<uint8_t>(
        reinterpret_cast<const uint8_t *>(argument.bytes.data()),
        argument.bytes.size()));
    id = llvm::xxh3_64bits(llvm::ArrayRef<uint8_t>(
             reinterpret_cast<const uint8_t *>(&hash), sizeof hash)) ^
         (id * 0x9E3779B97F4A7C15ull + weightsBytes);
  }
  bool embed = options.weights == WeightsPlacement::Embed ||
               (options.weights == WeightsPlacement::Auto &&
                weightsBytes <= options.embedLimit);
  if (embed && weightsBytes > (uint64_t(1) << 31) - (uint64_t(1) << 24))
    return makeError(llvm::formatv(
        "{0} bytes of weights cannot be embedded in a library (x86-64's "
        "small code model reaches 2 GiB); use --weights=file",
        weightsBytes));
  std::string weightsFile;
  llvm::SmallString<256> weightsPath;
  if (!embed && weightsBytes > 0) {
    weightsFile =
        (llvm::sys::path::stem(options.outputPath) + ".weights").str();
    weightsPath = llvm::sys::path::parent_path(options.outputPath);
    llvm::sys::path::append(weightsPath, weightsFile);
  }

  description.bytes = "LOOMMETA";
  description.u32(kABIVersion);
  description.str(options.name);
  description.u32(options.defaultThreads);
  description.tensors(bound->inputs);
  description.tensors(bound->outputs);
  description.u32(bound->arguments.size());
  for (auto [argument, offset] : llvm::zip(bound->arguments, offsets)) {
    description.u32(static_cast<uint32_t>(argument.input));
    description.u32(argument.shape.size());
    description.dims(argument.shape);
    description.u64(argument.input >= 0 ? 0 : offset);
    description.u64(argument.input >= 0 ? 0 : argument.bytes.size());
  }
  description.u64(weightsBytes);
  description.u64(id);
  description.str(weightsFile);

  auto machine = runtime::createTargetMachine(options.cpu, options.optLevel);
  if (!machine)
    return machine.takeError();
  bool cuda = options.target == CompileTarget::CUDA;
  uint32_t smVersion = 0;
  if (cuda) {
    if (llvm::Error error = lowerForCUDA(*bound, options, smVersion))
      return std::move(error);
  } else {
    progress("lowering to LLVM (linalg, bufferization, loops)");
    // Register blocks sized for the CPU the code is for, not this one.
    runtime::LoweringOptions lowering = options.lowering;
    if (lowering.vectorBits == 0)
      lowering.vectorBits = runtime::vectorBits(**machine);
    if (llvm::Error error =
            runtime::lowerToLLVMDialect(*bound->module, lowering))
      return std::move(error);
  }

  progress("generating machine code");
  MLIRContext *context = module.getContext();
  registerBuiltinDialectTranslation(*context);
  registerLLVMDialectTranslation(*context);
  registerOpenMPDialectTranslation(*context);
  registerGPUDialectTranslation(*context);
  registerNVVMDialectTranslation(*context);
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*bound->module, llvmContext, options.name);
  if (!llvmModule)
    return makeError("translating to LLVM IR failed");
  llvmModule->setTargetTriple((*machine)->getTargetTriple());
  llvmModule->setDataLayout((*machine)->createDataLayout());

  llvm::Function *function = llvmModule->getFunction(bound->name);
  if (!function)
    return makeError("the lowered module lost function '" + bound->name + "'");
  // The code's buffers come from the runtime's cache of freed blocks
  // (loom_model_runtime.c), which the runtime's own output handling frees
  // into too.
  if (!cuda)
    for (auto [from, to] : {std::pair<StringRef, StringRef>{"malloc",
                                                            "loom_rt_malloc"},
                            {"aligned_alloc", "loom_rt_aligned_alloc"},
                            {"free", "loom_rt_free"}})
      if (llvm::Function *declared = llvmModule->getFunction(from))
        if (declared->isDeclaration())
          declared->setName(to);
  // Only NAME_create and the runtime's API are exported.
  for (llvm::Function &defined : *llvmModule)
    if (!defined.isDeclaration())
      defined.setLinkage(llvm::GlobalValue::InternalLinkage);
  // (Not llvm.global_ctors: the CUDA kernels' loader is one.)
  for (llvm::GlobalVariable &global : llvmModule->globals())
    if (!global.isDeclaration() && !global.getName().starts_with("llvm."))
      global.setLinkage(llvm::GlobalValue::InternalLinkage);
  llvm::Function *entry = addPackedEntry(*llvmModule, function);
  llvm::GlobalVariable *descriptionGlobal =
      addBytes(*llvmModule, "loom_description", description.bytes, 8);
  llvm::GlobalVariable *weightsGlobal = nullptr;
  if (embed && weightsBytes > 0) {
    std::string blob(weightsBytes, '\0');
    for (auto [argument, offset] : llvm::zip(bound->arguments, offsets))
      if (argument.input < 0)
        std::memcpy(blob.data() + offset, argument.bytes.data(),
                    argument.bytes.size());
    weightsGlobal =
        addBytes(*llvmModule, "loom_weights", blob, kWeightAlignment);
  }
  addLibrary(*llvmModule, options.name, entry, descriptionGlobal,
             description.bytes.size(), weightsGlobal, embed ? weightsBytes : 0,
             smVersion);
  if (llvm::verifyModule(*llvmModule, &llvm::errs()))
    return makeError("the generated LLVM IR is invalid");
  auto optimize = makeOptimizingTransformer(options.optLevel, /*sizeLevel=*/0,
                                            machine->get());
  if (llvm::Error error = optimize(llvmModule.get()))
    return std::move(error);

  llvm::SmallString<128> folder;
  if (std::error_code error =
          llvm::sys::fs::createUniqueDirectory("loom-compile", folder))
    return makeError("cannot create a temporary folder: " + error.message());
  llvm::scope_exit cleanup([&] { llvm::sys::fs::remove_directories(folder); });
  llvm::SmallString<256> objectPath(folder), runtimePath(folder);
  llvm::sys::path::append(objectPath, "model.o");
  llvm::sys::path::append(runtimePath, "loom_model_runtime.o");
  {
    std::error_code error;
    llvm::raw_fd_ostream os(objectPath, error);
    if (error)
      return makeError(objectPath + ": " + error.message());
    llvm::legacy::PassManager codegen;
    if ((*machine)->addPassesToEmitFile(codegen, os, nullptr,
                                        llvm::CodeGenFileType::ObjectFile))
      return makeError("this target cannot emit object files");
    codegen.run(*llvmModule);
    llvmModule.reset();
    llvm::raw_fd_ostream runtimeOs(runtimePath, error);
    if (error)
      return makeError(runtimePath + ": " + error.message());
    if (cuda)
      runtimeOs.write(
          reinterpret_cast<const char *>(kLoomModelCUDARuntimeObject),
          sizeof(kLoomModelCUDARuntimeObject));
    else
      runtimeOs.write(reinterpret_cast<const char *>(kLoomModelRuntimeObject),
                      sizeof(kLoomModelRuntimeObject));
  }

  progress("linking");
  Expected<llvm::sys::fs::TempFile> libraryTemp =
      createTempBeside(options.outputPath);
  if (!libraryTemp)
    return libraryTemp.takeError();
  llvm::scope_exit discardLibrary([&] {
    if (libraryTemp)
      llvm::consumeError(libraryTemp->discard());
  });
  std::vector<std::string> arguments = {
      "-shared",
      "-o",
      libraryTemp->TmpName,
      "-soname",
      llvm::sys::path::filename(options.outputPath).str(),
      "--no-undefined",
      "-Bsymbolic",
      "--gc-sections",
      "--build-id",
      "-z",
      "noexecstack",
      "-z",
      "relro",
      "-z",
      "now",
      "--hash-style=gnu",
      objectPath.str().str(),
      runtimePath.str().str()};
#ifdef LOOM_COMPILER_BUILTINS
  // Helpers LLVM may call (half-precision conversions, ...).
  if (llvm::sys::fs::exists(LOOM_COMPILER_BUILTINS))
    arguments.push_back(LOOM_COMPILER_BUILTINS);
#endif
  for (const char *dir : {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                          "/lib64", "/usr/lib64", "/lib", "/usr/lib"})
    if (llvm::sys::fs::is_directory(dir))
      arguments.push_back(std::string("-L") + dir);
  arguments.push_back("--as-needed");
  if (options.lowering.parallel && !cuda) {
#ifdef LOOM_OPENMP_LIBRARY
    arguments.push_back(LOOM_OPENMP_LIBRARY);
#else
    return makeError("this build of Loom found no OpenMP runtime; compile "
                     "for one thread");
#endif
  }
  if (!cuda)
    arguments.push_back("-lm");
  arguments.push_back("-lc");
  if (llvm::Error error = link(*linker, arguments, folder))
    return std::move(error);

  std::optional<llvm::sys::fs::TempFile> weightsTemp, headerTemp;
  llvm::scope_exit discardOthers([&] {
    if (weightsTemp)
      llvm::consumeError(weightsTemp->discard());
    if (headerTemp)
      llvm::consumeError(headerTemp->discard());
  });
  if (!weightsFile.empty()) {
    progress("writing " + weightsFile);
    Expected<llvm::sys::fs::TempFile> temp = createTempBeside(weightsPath);
    if (!temp)
      return temp.takeError();
    weightsTemp.emplace(std::move(*temp));
    if (llvm::Error error = writeTemp(*weightsTemp, [&](llvm::raw_ostream &os) {
          char header[kWeightsHeaderBytes] = {};
          std::memcpy(header, "LOOMWGT1", 8);
          std::memcpy(header + 8, &id, 8);
          std::memcpy(header + 16, &weightsBytes, 8);
          os.write(header, sizeof header);
          uint64_t at = 0;
          for (auto [argument, offset] : llvm::zip(bound->arguments, offsets)) {
            if (argument.input >= 0)
              continue;
            os.write_zeros(offset - at);
            os.write(argument.bytes.data(), argument.bytes.size());
            at = offset + argument.bytes.size();
          }
        }))
      return std::move(error);
  }
  if (!options.headerPath.empty()) {
    Expected<llvm::sys::fs::TempFile> temp =
        createTempBeside(options.headerPath);
    if (!temp)
      return temp.takeError();
    headerTemp.emplace(std::move(*temp));
    std::string header =
        makeHeader(options.name, options.source, *bound, weightsFile);
    if (llvm::Error error = writeTemp(
            *headerTemp, [&](llvm::raw_ostream &os) { os << header; }))
      return std::move(error);
  }

  // Everything is written: the files appear together, the library last.
  if (weightsTemp) {
    llvm::Error kept = weightsTemp->keep(weightsPath);
    weightsTemp.reset();
    if (kept)
      return kept;
    result.weightsPath = weightsPath.str().str();
    result.weightsBytes = weightsBytes;
  }
  if (headerTemp) {
    llvm::Error kept = headerTemp->keep(options.headerPath);
    headerTemp.reset();
    if (kept)
      return kept;
  }
  llvm::Error kept = libraryTemp->keep(options.outputPath);
  if (kept)
    return kept;
  uint64_t size = 0;
  llvm::sys::fs::file_size(options.outputPath, size);
  result.libraryBytes = size;
  if (result.weightsPath.empty())
    result.weightsBytes = weightsBytes;
  return std::move(result);
}

} // namespace loom
