//===- CompileCommand.cpp - loomc compile: a model as a shared library ----===//
//
//   loomc compile MODEL --target=cpu -o libNAME.so [--header NAME.h] ...
//
// Loads the model, fixes the input shapes the user gives (the others stay
// as the model declares them: a dynamic batch stays dynamic), and compiles
// it with lib/Target/CPU into a shared library with Loom's C API.
//
//===----------------------------------------------------------------------===//

#include "Driver.h"

#include "loom/Target/CPU/SharedLibrary.h"

#include "llvm/ADT/StringExtras.h"

namespace loomc {

namespace {

constexpr const char *kCompileUsage =
    R"(usage: loomc compile MODEL [--target=cpu|cuda] -o libNAME.so
                     [--header NAME.h] [--input-shape NAME=DIMS ...]
                     [--weights auto|embed|file]
                     [--threads-default K] [--single-thread] [--cpu CPU]
                     [--gpu-arch sm_NN] [--cuda-toolkit DIR] [--block-size N]
                     [--thread-tile T]

Compiles MODEL ahead of time into a shared library with a small C API
(create, run, input/output names, dtypes and shapes, last error, destroy;
see the generated header and docs/CompiledModels.md). The library needs only
libc, libm and LLVM's OpenMP runtime libomp.so.5 (none with --single-thread):
no MLIR, no LLVM, no Python where it runs.

Input shapes are the model's own unless --input-shape fixes them; a dynamic
dimension ('?', such as the batch) stays dynamic and is given at run time.
Fixing every dimension the model does not need dynamic lets Loom fold shape
computations and compile faster code.

Weights go inside the library, or (--weights=file, and by default above
256 MiB) into <library stem>.weights beside it, which the library maps into
memory when a model is created; no weight is copied at load.

--target=cuda compiles for NVIDIA GPUs (docs/GPU.md): one kernel per fused
loop nest, serialized by ptxas (from --cuda-toolkit, CUDA_HOME or
/usr/local/cuda) into a fatbin inside the library, with Loom's CUDA runtime.
The library needs only libc where it runs, and the CUDA driver (libcuda.so.1,
opened at create, which uploads the weights to the GPU). Shapes must be
static. The same C API, plus loom_model_run_device (device memory, a stream).)";

/// "x=1x3x224x224" -> "x:1x3x224x224" (loom-infer-shapes' spelling).
std::optional<std::string> parseInputShape(StringRef text) {
  auto [name, dims] = text.split('=');
  if (name.empty() || dims.size() == text.size())
    return std::nullopt;
  if (dims.empty())
    return (name + ":").str();
  SmallVector<StringRef> parts;
  dims.split(parts, 'x');
  for (StringRef part : parts) {
    uint64_t size;
    if (part != "?" && part.getAsInteger(10, size))
      return std::nullopt;
  }
  return (name + ":" + dims).str();
}

} // namespace

int runCompile(const std::vector<std::string> &args) {
  po::options_description options("loomc compile options");
  options.add_options()("help,h", "Print this help")(
      "target", po::value<std::string>()->default_value("cpu"),
      "What to compile for: cpu (this machine's kind of CPU; see --cpu) or "
      "cuda (NVIDIA GPUs; see --gpu-arch)")(
      "output,o", po::value<std::string>(),
      "The shared library to write, as libNAME.so (required)")(
      "header", po::value<std::string>(),
      "The C header to write (default: NAME.h beside the library)")(
      "no-header", po::bool_switch(), "Write no header")(
      "name", po::value<std::string>(),
      "The model's C name: the library exports NAME_create (default: from "
      "the library's file name, libNAME.so)")(
      "input-shape", po::value<std::vector<std::string>>()->composing(),
      "NAME=DIMS: fix input NAME's shape, as 1x3x224x224 ('?' keeps a "
      "dimension dynamic; NAME may be a position, 0, 1, ...)")(
      "weights", po::value<std::string>()->default_value("auto"),
      "auto: in the library up to 256 MiB, else beside it; embed: in the "
      "library (up to 2 GiB); file: in <library stem>.weights beside it, "
      "mapped at create")(
      "threads-default", po::value<unsigned>()->default_value(0),
      "Threads a run uses unless the program sets them with "
      "loom_model_set_threads (0: all cores, or OMP_NUM_THREADS)")(
      "single-thread", po::bool_switch(),
      "Compile for one thread: the library then needs only libc and libm")(
      "cpu", po::value<std::string>()->default_value("host"),
      "The CPU to generate code for: host (this machine's CPU and its "
      "features) or an LLVM CPU name such as x86-64-v3 or skylake-avx512")(
      "no-vectorize", po::bool_switch(),
      "Compile convolutions as plain loops (slower; for comparison)")(
      "opt-level", po::value<unsigned>(),
      "LLVM optimization level of the generated code, 0-3 (default: 2 for "
      "the CPU, 3 for --target=cuda; -O3's unrolling made blocks that "
      "LLVM's scheduler took 12x longer on, for no speed)")(
      "gpu-arch", po::value<std::string>()->default_value("sm_90"),
      "With --target=cuda: the GPU architecture the kernels are compiled for "
      "(sm_80, sm_90, ...); the fatbin also holds PTX, which newer GPUs "
      "compile when loaded")(
      "cuda-toolkit", po::value<std::string>(),
      "With --target=cuda: the CUDA toolkit whose ptxas assembles the kernels "
      "(default: CUDA_HOME, CUDA_ROOT, then /usr/local/cuda)")(
      "block-size", po::value<int64_t>()->default_value(256),
      "With --target=cuda: threads per block, 1..1024")(
      "thread-tile", po::value<int64_t>()->default_value(4),
      "With --target=cuda: outputs per thread along each of the last two "
      "parallel loops of a large matmul, convolution or pooling, 1..8 (T x "
      "T per thread where at least 262,144 threads remain; 1: one output "
      "per thread everywhere)")(
      "linker", po::value<std::string>(),
      "The ld.lld to link with (default: the one found when Loom was built, "
      "then ld.lld on PATH)");
  addModelOptions(options, "Print progress even when stderr is not a terminal");
  int exitCode = kOk;
  std::optional<po::variables_map> vm =
      parseCommand("compile", args, options, kCompileUsage, exitCode);
  if (!vm)
    return exitCode;
  auto usage = [](const Twine &message) {
    llvm::errs() << "loomc compile: error: " << message << "\n";
    return kUsage;
  };
  std::string modelPath = (*vm)["model"].as<std::string>();
  std::string target = (*vm)["target"].as<std::string>();
  if (target != "cpu" && target != "cuda")
    return usage("unknown --target '" + target + "' (targets: cpu, cuda)");
  bool cuda = target == "cuda";
  for (const char *option : {"cpu", "single-thread", "threads-default"})
    if (cuda && !vm->find(option)->second.defaulted())
      return usage(llvm::Twine("--") + option + " is for --target=cpu");
  for (const char *option :
       {"gpu-arch", "cuda-toolkit", "block-size", "thread-tile"})
    if (!cuda && vm->count(option) && !vm->find(option)->second.defaulted())
      return usage(llvm::Twine("--") + option + " is for --target=cuda");
  if (!vm->count("output"))
    return usage("no output library given (-o libNAME.so)");
  std::string output = (*vm)["output"].as<std::string>();
  if (output == "-" || isStreamPath(output))
    return usage("-o must name a file: a library is linked, not streamed");
  unsigned optLevel = vm->count("opt-level") ? (*vm)["opt-level"].as<unsigned>()
                      : cuda                 ? 3
                                             : 2;
  if (optLevel > 3)
    return usage("--opt-level must be 0..3");

  loom::SharedLibraryOptions compile;
  if (cuda) {
    compile.target = loom::CompileTarget::CUDA;
    compile.gpuArch = (*vm)["gpu-arch"].as<std::string>();
    if (vm->count("cuda-toolkit"))
      compile.cudaToolkit = (*vm)["cuda-toolkit"].as<std::string>();
    compile.gpuBlockSize = (*vm)["block-size"].as<int64_t>();
    compile.gpuThreadTile = (*vm)["thread-tile"].as<int64_t>();
    // Given explicitly: wherever the sizes allow.
    if (!vm->find("thread-tile")->second.defaulted())
      compile.gpuTileMinThreads = 0;
    if (compile.gpuThreadTile < 1 || compile.gpuThreadTile > 8)
      return usage("--thread-tile must be 1..8");
    StringRef arch = compile.gpuArch;
    unsigned version;
    if (!arch.consume_front("sm_") || arch.getAsInteger(10, version) ||
        version < 50)
      return usage("--gpu-arch '" + compile.gpuArch +
                   "' is not sm_NN (sm_80, sm_90, ...)");
    if (compile.gpuBlockSize < 1 || compile.gpuBlockSize > 1024)
      return usage("--block-size must be 1..1024");
  }
  compile.outputPath = output;
  compile.optLevel = optLevel;
  compile.cpu = (*vm)["cpu"].as<std::string>();
  compile.name = vm->count("name") ? (*vm)["name"].as<std::string>()
                                   : loom::getLibraryCName(output);
  if (compile.name.empty() || llvm::isDigit(compile.name[0]) ||
      !llvm::all_of(compile.name,
                    [](char c) { return llvm::isAlnum(c) || c == '_'; }))
    return usage("--name '" + compile.name +
                 "' is not a C identifier (letters, digits, '_')");
  std::string weights = (*vm)["weights"].as<std::string>();
  if (weights == "auto")
    compile.weights = loom::WeightsPlacement::Auto;
  else if (weights == "embed")
    compile.weights = loom::WeightsPlacement::Embed;
  else if (weights == "file")
    compile.weights = loom::WeightsPlacement::File;
  else
    return usage("--weights must be auto, embed or file");
  compile.defaultThreads = (*vm)["threads-default"].as<unsigned>();
  compile.lowering.parallel = !(*vm)["single-thread"].as<bool>();
  compile.lowering.vectorizeConvs = !(*vm)["no-vectorize"].as<bool>();
  if (vm->count("linker"))
    compile.linker = (*vm)["linker"].as<std::string>();
  if (!(*vm)["no-header"].as<bool>()) {
    if (vm->count("header")) {
      compile.headerPath = (*vm)["header"].as<std::string>();
    } else {
      llvm::SmallString<256> header(output);
      llvm::sys::path::remove_filename(header);
      llvm::sys::path::append(header, compile.name + ".h");
      compile.headerPath = header.str().str();
    }
  }
  compile.source = llvm::sys::path::filename(modelPath).str();
  std::vector<std::string> inputShapes;
  if (vm->count("input-shape"))
    for (const std::string &text :
         (*vm)["input-shape"].as<std::vector<std::string>>()) {
      std::optional<std::string> shape = parseInputShape(text);
      if (!shape)
        return usage("--input-shape '" + text +
                     "' is not NAME=DIMS (as x=1x3x224x224, '?' for a "
                     "dynamic dimension)");
      inputShapes.push_back(*shape);
    }
  for (StringRef path : {StringRef(output), StringRef(compile.headerPath)})
    if (!path.empty())
      if (std::optional<std::string> problem = outputFolderProblem(path)) {
        llvm::errs() << "loomc compile: error: cannot write '" << path
                     << "': " << *problem << "\n";
        return kFailed;
      }
  if (canonicalPath(output) == canonicalPath(modelPath) ||
      (!compile.headerPath.empty() &&
       canonicalPath(compile.headerPath) == canonicalPath(modelPath)))
    return usage("an output would replace the model itself");

  bool verbose = (*vm)["verbose"].as<bool>(), quiet = (*vm)["quiet"].as<bool>();
  Progress progress("compile", verbose, quiet);
  auto started = Clock::now();
  Session session(modelPath);
  loom::LoadedModel model = load(session, modelPath, progress, *vm);
  if (!model)
    return kFailed;
  ModuleOp module = *model.module;

  progress.start("settling shapes");
  if (failed(specializeShapes(module, inputShapes)))
    return kFailed;
  progress.done("settled");

  compile.progress = [&](StringRef stage) { progress.line(stage); };
  progress.start(cuda ? "compiling for NVIDIA " + compile.gpuArch
                      : "compiling for " + compile.cpu + " CPU");
  llvm::Expected<loom::SharedLibraryResult> result =
      loom::compileSharedLibrary(module, "", compile);
  if (!result) {
    llvm::errs() << modelPath
                 << ": error: " << llvm::toString(result.takeError()) << "\n";
    return kFailed;
  }
  progress.done("compiled");

  llvm::outs() << "compiled " << output << ": " << grouped(result->libraryBytes)
               << " bytes";
  if (result->weightsPath.empty())
    llvm::outs() << " (weights embedded: " << grouped(result->weightsBytes)
                 << " bytes)";
  else
    llvm::outs() << ", weights " << result->weightsPath << ": "
                 << grouped(result->weightsBytes + 64) << " bytes";
  llvm::outs() << llvm::formatv(", {0:f1} s\n", secondsSince(started));
  if (!compile.headerPath.empty())
    llvm::outs() << "header " << compile.headerPath << ": " << compile.name
                 << "_create\n";
  for (auto [what, list] :
       {std::pair{"input", &result->inputs}, {"output", &result->outputs}})
    for (const loom::runtime::TensorSignature &tensor : *list)
      llvm::outs() << "  " << what << " " << tensor.name << ": "
                   << loom::runtime::getName(tensor.dtype) << " ["
                   << loom::runtime::describeShape(tensor.shape) << "]\n";
  return kOk;
}

} // namespace loomc
