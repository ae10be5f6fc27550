//===- RunCommand.cpp - loomc run: compile in memory and evaluate ---------===//
//
//   loomc run MODEL --input NAME=FILE.npy ... [--output-dir DIR]
//                   [--benchmark N]
//
// Loads the model, specializes its input shapes to the given tensors
// (shape inference and shape folding until nothing changes),
// compiles it for the host CPU through the evaluator (lib/Runtime), runs it
// and writes each output as DIR/<output name>.npy (or prints a summary).
//
//===----------------------------------------------------------------------===//

#include "Driver.h"
#include "LibraryModel.h"

#include "loom/Dialect/Loom/Transforms/Passes.h"
#include "loom/Runtime/Evaluator.h"
#include "loom/Target/CPU/SharedLibrary.h"
#include "loom/Target/ONNX/ONNXTensorFile.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <thread>

namespace loomc {

namespace {

using loom::runtime::CompiledFunction;
using loom::runtime::HostTensor;

constexpr const char *kRunUsage =
    R"(usage: loomc run MODEL --input NAME=FILE [--input NAME=FILE ...]
                 [--output-dir DIR] [--benchmark N] [--threads K]
                 [--target cpu|cuda] [--gpu-arch sm_NN]

Compiles MODEL for this machine's CPU in memory (Loom's lowering to linalg,
bufferization, LLVM's JIT for the host CPU) and runs it on the given inputs.
MODEL may also be a library made by `loomc compile`: it is then opened and
called through its C API, as a program would (--weights names its side file
of weights when it is not beside the library).
With --target=cuda the model is compiled for the GPU as `loomc compile
--target=cuda` does, into a temporary library that is run through its C API
(needs an NVIDIA GPU and its driver here).
Inputs are NumPy .npy files or ONNX TensorProto .pb files (the ONNX test
data format), matched to the model's inputs by name (or by
position as 0=FILE, 1=FILE, ...); every input must be given. The model's
input shapes are specialized to the given tensors before compiling.
Outputs go to DIR/<output name>.npy (characters other than letters, digits,
'.', '_' and '-' in a name become '_'); without --output-dir a summary of
each output is printed.)";

/// A file name for an output name: no folders, no control characters.
std::string fileNameFor(StringRef name) {
  std::string file;
  for (char c : name)
    file += (llvm::isAlnum(c) || c == '.' || c == '_' || c == '-') ? c : '_';
  if (file.empty() || file == "." || file == "..")
    file = "output" + file;
  return file + ".npy";
}

std::string shapeText(ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

/// One line per output: dtype, shape and, for floats, min/max/mean.
void printSummary(const loom::runtime::TensorSignature &signature,
                  const HostTensor &tensor) {
  llvm::outs() << signature.name << ": " << getName(tensor.getDType()) << " "
               << shapeText(tensor.getShape());
  if (tensor.getDType() == loom::runtime::DType::F32 &&
      tensor.getNumElements() > 0) {
    const float *values = reinterpret_cast<const float *>(tensor.data());
    double sum = 0, lo = values[0], hi = values[0];
    for (int64_t i = 0; i < tensor.getNumElements(); ++i) {
      sum += values[i];
      lo = std::min<double>(lo, values[i]);
      hi = std::max<double>(hi, values[i]);
    }
    llvm::outs() << llvm::formatv("  min {0:g} max {1:g} mean {2:g}", lo, hi,
                                  sum / tensor.getNumElements());
  }
  llvm::outs() << "\n";
}

/// Reads a .npy file or an ONNX TensorProto .pb file.
llvm::Expected<HostTensor> readInput(StringRef file, MLIRContext *context) {
  if (file.ends_with(".npy"))
    return loom::runtime::readNpy(file);
  llvm::Expected<loom::ONNXTensorFile> proto =
      loom::readONNXTensorFile(file, context);
  if (!proto)
    return proto.takeError();
  std::optional<loom::runtime::DType> dtype =
      loom::runtime::getDType(proto->elementType);
  if (!dtype) {
    std::string type;
    llvm::raw_string_ostream os(type);
    os << proto->elementType;
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   file + ": error: element type " + type +
                                       " cannot be passed to compiled code");
  }
  HostTensor tensor(*dtype, proto->shape);
  if (!tensor.data() || tensor.getByteSize() != proto->bytes.size())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   file + ": error: out of memory");
  std::memcpy(tensor.data(), proto->bytes.data(), proto->bytes.size());
  return std::move(tensor);
}

} // namespace

int runRun(const std::vector<std::string> &args) {
  po::options_description options("loomc run options");
  options.add_options()("help,h", "Print this help")(
      "input,i", po::value<std::vector<std::string>>()->composing(),
      "NAME=FILE: the value of input NAME (or position N as N=FILE), a .npy "
      "or an ONNX TensorProto .pb file")(
      "output-dir,d", po::value<std::string>(),
      "Write every output as DIR/<output name>.npy (DIR must exist)")(
      "benchmark", po::value<unsigned>()->default_value(0),
      "After one warm-up run, run N more times and print the median and "
      "minimum latency")("threads", po::value<unsigned>()->default_value(0),
                         "Threads that run the compiled code (0: all cores)")(
      "no-vectorize", po::bool_switch(),
      "Compile convolutions as plain loops left to LLVM's loop vectorizer "
      "instead of register-blocked vector code (slower; for comparison)")(
      "opt-level", po::value<unsigned>(),
      "LLVM optimization level of the generated code, 0-3 (default: 2 for "
      "the CPU, 3 for --target=cuda; -O3's unrolling made blocks that "
      "LLVM's scheduler took 12x longer on, for no speed)")(
      "weights", po::value<std::string>(),
      "A compiled library's side file of weights (default: beside it)")(
      "target", po::value<std::string>()->default_value("cpu"),
      "cpu: compile for this CPU in memory; cuda: compile for an NVIDIA GPU "
      "(a temporary library) and run there")(
      "gpu-arch", po::value<std::string>()->default_value("sm_90"),
      "With --target=cuda: the GPU architecture (sm_80, sm_90, ...)");
  addModelOptions(options, "Print progress even when stderr is not a terminal");
  int exitCode = kOk;
  std::optional<po::variables_map> vm =
      parseCommand("run", args, options, kRunUsage, exitCode);
  if (!vm)
    return exitCode;
  std::string modelPath = (*vm)["model"].as<std::string>();
  // 2 for the CPU, 3 for CUDA (set where the target is known, below).
  std::optional<unsigned> chosenOptLevel;
  if (vm->count("opt-level"))
    chosenOptLevel = (*vm)["opt-level"].as<unsigned>();
  unsigned optLevel = chosenOptLevel.value_or(2);
  if (optLevel > 3) {
    llvm::errs() << "loomc run: error: --opt-level must be 0..3\n";
    return kUsage;
  }
  std::string target = (*vm)["target"].as<std::string>();
  if (target != "cpu" && target != "cuda") {
    llvm::errs() << "loomc run: error: unknown --target '" << target
                 << "' (targets: cpu, cuda)\n";
    return kUsage;
  }
  bool cuda = target == "cuda";
  std::optional<std::string> outputDir;
  if (vm->count("output-dir")) {
    outputDir = (*vm)["output-dir"].as<std::string>();
    if (!llvm::sys::fs::is_directory(*outputDir)) {
      llvm::errs() << "loomc run: error: --output-dir '" << *outputDir
                   << "' is not a folder\n";
      return kUsage;
    }
  }
  // NAME=FILE pairs, checked before the model loads so that bad usage
  // costs nothing; read after (a .pb file's type needs the context).
  std::vector<std::pair<std::string, std::string>> pairs;
  if (vm->count("input"))
    for (const std::string &pair :
         (*vm)["input"].as<std::vector<std::string>>()) {
      auto [name, file] = StringRef(pair).split('=');
      if (name.empty() || file.empty()) {
        llvm::errs() << "loomc run: error: --input '" << pair
                     << "' is not NAME=FILE\n";
        return kUsage;
      }
      if (!file.ends_with(".npy") && !file.ends_with(".pb")) {
        llvm::errs()
            << file
            << ": error: inputs are .npy or ONNX TensorProto .pb files\n";
        return kFailed;
      }
      pairs.emplace_back(name.str(), file.str());
    }

  bool verbose = (*vm)["verbose"].as<bool>(), quiet = (*vm)["quiet"].as<bool>();
  Progress progress("run", verbose, quiet);
  if (modelPath != "-" && !llvm::sys::fs::exists(modelPath)) {
    llvm::errs() << modelPath << ": error: no such file\n";
    return kFailed;
  }
  bool library = isSharedLibrary(modelPath);
  if (library && cuda) {
    llvm::errs() << "loomc run: error: --target is for a model; a compiled "
                    "library runs where it was compiled for\n";
    return kUsage;
  }
  if (!library && vm->count("weights")) {
    llvm::errs() << "loomc run: error: --weights is for a compiled library\n";
    return kUsage;
  }
  Session session(modelPath);
  std::vector<std::pair<std::string, HostTensor>> given;
  for (auto &[name, file] : pairs) {
    llvm::Expected<HostTensor> tensor = readInput(file, session.context.get());
    if (!tensor) {
      llvm::errs() << llvm::toString(tensor.takeError()) << "\n";
      return kFailed;
    }
    given.emplace_back(name, std::move(*tensor));
  }
  unsigned threads = (*vm)["threads"].as<unsigned>();

  // Either a compiled library, called through its C API...
  std::unique_ptr<LibraryModel> compiledLibrary;
  // ... or a model compiled here in memory.
  loom::LoadedModel model;
  std::unique_ptr<CompiledFunction> compiled;
  std::vector<std::string> inputNames;
  if (library) {
    progress.start("opening the compiled library");
    std::string weights =
        vm->count("weights") ? (*vm)["weights"].as<std::string>() : "";
    llvm::Expected<std::unique_ptr<LibraryModel>> opened =
        LibraryModel::open(modelPath, weights);
    if (!opened) {
      llvm::errs() << modelPath
                   << ": error: " << llvm::toString(opened.takeError()) << "\n";
      return kFailed;
    }
    compiledLibrary = std::move(*opened);
    progress.done("opened");
    for (const auto &input : compiledLibrary->getInputs())
      inputNames.push_back(input.name);
  } else {
    model = load(session, modelPath, progress, *vm);
    if (!model)
      return kFailed;
    func::FuncOp function;
    for (auto candidate : model.module->getOps<func::FuncOp>())
      if (!candidate.isExternal() && candidate.isPublic())
        function = function ? func::FuncOp() : candidate;
    if (!function) {
      llvm::errs() << modelPath
                   << ": error: the model needs exactly one public function\n";
      return kFailed;
    }
    for (unsigned i = 0; i < function.getNumArguments(); ++i) {
      auto name = function.getArgAttrOfType<StringAttr>(
          i, loom::LoomDialect::getNameAttrName());
      inputNames.push_back(name ? name.getValue().str() : std::to_string(i));
    }
  }

  // Match the given tensors to the inputs.
  std::vector<const HostTensor *> ordered(inputNames.size(), nullptr);
  for (auto &[name, tensor] : given) {
    auto it = llvm::find(inputNames, name);
    unsigned index;
    if (it != inputNames.end())
      index = it - inputNames.begin();
    else if (StringRef(name).getAsInteger(10, index) ||
             index >= inputNames.size()) {
      llvm::errs() << "loomc run: error: the model has no input '" << name
                   << "' (inputs: " << llvm::join(inputNames, ", ") << ")\n";
      return kUsage;
    }
    if (ordered[index]) {
      llvm::errs() << "loomc run: error: input '" << inputNames[index]
                   << "' given twice\n";
      return kUsage;
    }
    ordered[index] = &tensor;
  }
  for (auto [index, tensor] : llvm::enumerate(ordered))
    if (!tensor) {
      llvm::errs() << "loomc run: error: no value for input '"
                   << inputNames[index] << "' (give --input "
                   << inputNames[index] << "=FILE.npy)\n";
      return kUsage;
    }

  if (!library) {
    // Specialize the input shapes, fold what they make constant, infer again.
    progress.start("specializing shapes");
    std::vector<std::string> inputShapes;
    for (auto [index, tensor] : llvm::enumerate(ordered)) {
      std::string dims;
      for (int64_t size : tensor->getShape())
        dims += (dims.empty() ? "" : "x") + std::to_string(size);
      inputShapes.push_back(std::to_string(index) + ":" + dims);
    }
    if (failed(specializeShapes(*model.module, inputShapes)))
      return kFailed;
    progress.done("specialized");

    if (cuda) {
      // Compiled as `loomc compile --target=cuda` would, into a temporary
      // folder, then opened through the C API like any library.
      llvm::SmallString<128> folder;
      if (std::error_code error =
              llvm::sys::fs::createUniqueDirectory("loom-run", folder)) {
        llvm::errs() << "loomc run: error: cannot create a temporary folder: "
                     << error.message() << "\n";
        return kFailed;
      }
      llvm::scope_exit cleanup(
          [&] { llvm::sys::fs::remove_directories(folder); });
      loom::SharedLibraryOptions gpu;
      gpu.target = loom::CompileTarget::CUDA;
      gpu.gpuArch = (*vm)["gpu-arch"].as<std::string>();
      gpu.name = "model";
      llvm::SmallString<256> libraryPath(folder);
      llvm::sys::path::append(libraryPath, "libmodel.so");
      gpu.outputPath = libraryPath.str().str();
      gpu.weights = loom::WeightsPlacement::Embed;
      gpu.optLevel = chosenOptLevel.value_or(3);
      gpu.progress = [&](StringRef stage) { progress.line(stage); };
      progress.start("compiling for NVIDIA " + gpu.gpuArch);
      llvm::Expected<loom::SharedLibraryResult> built =
          loom::compileSharedLibrary(*model.module, "", gpu);
      if (!built) {
        llvm::errs() << modelPath
                     << ": error: " << llvm::toString(built.takeError())
                     << "\n";
        return kFailed;
      }
      progress.done("compiled");
      llvm::Expected<std::unique_ptr<LibraryModel>> opened =
          LibraryModel::open(libraryPath, "");
      if (!opened) {
        llvm::errs() << modelPath
                     << ": error: " << llvm::toString(opened.takeError())
                     << "\n";
        return kFailed;
      }
      compiledLibrary = std::move(*opened);
    }
  }
  if (!library && !cuda) {
    loom::runtime::CompileOptions compileOptions;
    compileOptions.optLevel = optLevel;
    compileOptions.vectorizeConvs = !(*vm)["no-vectorize"].as<bool>();
    compileOptions.progress = [&](StringRef stage) { progress.line(stage); };
    progress.start("compiling for the host CPU");
    llvm::Expected<std::unique_ptr<CompiledFunction>> function =
        CompiledFunction::compile(*model.module, "", compileOptions);
    if (!function) {
      llvm::errs() << modelPath
                   << ": error: " << llvm::toString(function.takeError())
                   << "\n";
      return kFailed;
    }
    compiled = std::move(*function);
    progress.done("compiled", compiled->wasCached() ? "cached" : "");
  }

  auto runOnce = [&]() -> llvm::Expected<std::vector<HostTensor>> {
    if (compiledLibrary)
      return compiledLibrary->run(ordered, threads);
    return compiled->run(ordered, threads);
  };
  llvm::Expected<std::vector<HostTensor>> outputs = runOnce();
  if (!outputs) {
    llvm::errs() << modelPath
                 << ": error: " << llvm::toString(outputs.takeError()) << "\n";
    return kFailed;
  }
  ArrayRef<loom::runtime::TensorSignature> signatures =
      compiledLibrary ? compiledLibrary->getOutputs() : compiled->getOutputs();
  if (outputDir) {
    for (auto [signature, tensor] : llvm::zip(signatures, *outputs)) {
      llvm::SmallString<256> path(*outputDir);
      llvm::sys::path::append(path, fileNameFor(signature.name));
      if (llvm::Error error = loom::runtime::writeNpy(tensor, path)) {
        llvm::errs() << path << ": error: " << llvm::toString(std::move(error))
                     << "\n";
        return kFailed;
      }
      progress.line("wrote " + path.str());
    }
  } else {
    for (auto [signature, tensor] : llvm::zip(signatures, *outputs))
      printSummary(signature, tensor);
  }

  unsigned runs = (*vm)["benchmark"].as<unsigned>();
  if (runs > 0) {
    std::vector<double> times;
    for (unsigned i = 0; i < runs; ++i) {
      auto start = std::chrono::steady_clock::now();
      llvm::Expected<std::vector<HostTensor>> again = runOnce();
      double ms = std::chrono::duration<double, std::milli>(
                      std::chrono::steady_clock::now() - start)
                      .count();
      if (!again) {
        llvm::errs() << modelPath
                     << ": error: " << llvm::toString(again.takeError())
                     << "\n";
        return kFailed;
      }
      times.push_back(ms);
    }
    std::sort(times.begin(), times.end());
    double median =
        times.size() % 2
            ? times[times.size() / 2]
            : (times[times.size() / 2 - 1] + times[times.size() / 2]) / 2;
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    std::string used = library ? (threads ? std::to_string(threads) : "default")
                               : std::to_string(!loom::runtime::hasThreads() ? 1
                                                : threads ? threads
                                                          : cores);
    llvm::outs() << llvm::formatv("benchmark: {0} runs, median {1:f3} ms, min "
                                  "{2:f3} ms, {3} thread(s)\n",
                                  runs, median, times.front(), used);
  }
  return kOk;
}

} // namespace loomc
