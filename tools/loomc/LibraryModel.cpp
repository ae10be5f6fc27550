//===- LibraryModel.cpp - a compiled model opened through its C API -------===//

#include "LibraryModel.h"

#include "loom_model.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstring>
#include <dlfcn.h>

using loom::runtime::DType;
using loom::runtime::HostTensor;
using loom::runtime::TensorSignature;

namespace loomc {

namespace {

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

} // namespace

struct LibraryModel::API {
  decltype(&loom_model_create) create;
  decltype(&loom_model_destroy) destroy;
  decltype(&loom_last_error) lastError;
  decltype(&loom_model_num_inputs) numInputs;
  decltype(&loom_model_num_outputs) numOutputs;
  decltype(&loom_model_input) input;
  decltype(&loom_model_output) output;
  decltype(&loom_model_run) run;
  decltype(&loom_model_set_threads) setThreads;
  decltype(&loom_tensor_free) tensorFree;
};

bool isSharedLibrary(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFileSlice(path, 4, 0);
  return buffer && (*buffer)->getBuffer() == "\x7f"
                                             "ELF";
}

/// Refuses a file dlopen would map past its end (a truncated library makes
/// the loader fault with SIGBUS instead of failing): the ELF header, the
/// program and section header tables and every loaded segment must lie
/// inside the file.
llvm::Error checkELF(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError("cannot read the library: " + buffer.getError().message());
  llvm::StringRef bytes = (*buffer)->getBuffer();
  uint64_t size = bytes.size();
  llvm::ELF::Elf64_Ehdr header;
  if (size < sizeof header)
    return makeError("not a shared library (truncated ELF header)");
  std::memcpy(&header, bytes.data(), sizeof header);
  if (header.e_ident[llvm::ELF::EI_CLASS] != llvm::ELF::ELFCLASS64 ||
      header.e_ident[llvm::ELF::EI_DATA] != llvm::ELF::ELFDATA2LSB ||
      header.e_type != llvm::ELF::ET_DYN)
    return makeError("not a 64-bit little-endian shared library");
  auto inside = [&](uint64_t offset, uint64_t count, uint64_t entry) {
    return entry != 0 && count <= size / entry && offset <= size &&
           count * entry <= size - offset;
  };
  if (!inside(header.e_phoff, header.e_phnum, sizeof(llvm::ELF::Elf64_Phdr)) ||
      (header.e_shnum &&
       !inside(header.e_shoff, header.e_shnum, sizeof(llvm::ELF::Elf64_Shdr))))
    return makeError("the library is truncated or damaged (its header "
                     "tables lie past the end of the file)");
  for (unsigned i = 0; i < header.e_phnum; ++i) {
    llvm::ELF::Elf64_Phdr segment;
    std::memcpy(&segment, bytes.data() + header.e_phoff + i * sizeof segment,
                sizeof segment);
    if (segment.p_type == llvm::ELF::PT_LOAD &&
        !inside(segment.p_offset, segment.p_filesz, 1))
      return makeError("the library is truncated or damaged (a segment lies "
                       "past the end of the file)");
  }
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<LibraryModel>>
LibraryModel::open(llvm::StringRef path, llvm::StringRef weightsPath) {
  if (llvm::Error error = checkELF(path))
    return std::move(error);
  std::unique_ptr<LibraryModel> result(new LibraryModel);
  // dlopen searches the library path for a bare name: make it a path.
  std::string file = path.contains('/') ? path.str() : "./" + path.str();
  result->handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!result->handle)
    return makeError(llvm::Twine("cannot open the library: ") + dlerror());
  auto api = std::make_unique<API>();
  bool missing = false;
  std::string which;
  auto bind = [&](auto &slot, const char *name) {
    void *symbol = dlsym(result->handle, name);
    if (!symbol && !missing) {
      missing = true;
      which = name;
    }
    slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(symbol);
  };
  bind(api->create, "loom_model_create");
  bind(api->destroy, "loom_model_destroy");
  bind(api->lastError, "loom_last_error");
  bind(api->numInputs, "loom_model_num_inputs");
  bind(api->numOutputs, "loom_model_num_outputs");
  bind(api->input, "loom_model_input");
  bind(api->output, "loom_model_output");
  bind(api->run, "loom_model_run");
  bind(api->setThreads, "loom_model_set_threads");
  bind(api->tensorFree, "loom_tensor_free");
  if (missing)
    return makeError("not a library made by loomc compile (no " + which + ")");
  std::string weights = weightsPath.str();
  result->model = api->create(weights.empty() ? nullptr : weights.c_str());
  if (!result->model)
    return makeError(api->lastError());
  auto *model = static_cast<loom_model *>(result->model);
  for (bool isInput : {true, false}) {
    int count = isInput ? api->numInputs(model) : api->numOutputs(model);
    for (int i = 0; i < count; ++i) {
      const char *name;
      int32_t dtype, rank;
      const int64_t *shape;
      (isInput ? api->input : api->output)(model, i, &name, &dtype, &rank,
                                           &shape);
      std::optional<DType> type = loom::runtime::getDTypeOfONNXDataType(dtype);
      if (!type)
        return makeError(
            llvm::formatv("'{0}' has dtype {1}, unknown here", name, dtype));
      TensorSignature signature{name, *type, {}};
      for (int d = 0; d < rank; ++d)
        signature.shape.push_back(shape[d] < 0 ? mlir::ShapedType::kDynamic
                                               : shape[d]);
      (isInput ? result->inputs : result->outputs).push_back(signature);
    }
  }
  result->api = std::move(api);
  return std::move(result);
}

LibraryModel::~LibraryModel() {
  if (api && model)
    api->destroy(static_cast<loom_model *>(model));
  // The library stays loaded: libomp's threads may still run its code's
  // thread-local destructors (dlclose before exit gains nothing here).
}

llvm::Expected<std::vector<HostTensor>>
LibraryModel::run(llvm::ArrayRef<const HostTensor *> given, unsigned threads) {
  auto *handle = static_cast<loom_model *>(model);
  if (api->setThreads(handle, static_cast<int>(threads)) != 0)
    return makeError(api->lastError());
  std::vector<loom_tensor> in(given.size()), out(outputs.size());
  for (auto [tensor, value] : llvm::zip(in, given)) {
    if (value->getShape().size() > LOOM_MAX_RANK)
      return makeError(llvm::formatv("an input has rank {0}, more than {1}",
                                     value->getShape().size(), LOOM_MAX_RANK));
    tensor.data = const_cast<char *>(value->data());
    tensor.bytes = value->getByteSize();
    tensor.dtype = loom::runtime::getONNXDataType(value->getDType());
    tensor.rank = value->getShape().size();
    for (auto [d, size] : llvm::enumerate(value->getShape()))
      tensor.shape[d] = size;
  }
  llvm::scope_exit freeOutputs([&] {
    for (loom_tensor &tensor : out)
      api->tensorFree(&tensor);
  });
  if (api->run(handle, in.data(), in.size(), out.data(), out.size()) != 0)
    return makeError(api->lastError());
  std::vector<HostTensor> results;
  for (auto [tensor, signature] : llvm::zip(out, outputs)) {
    HostTensor value(signature.dtype,
                     llvm::ArrayRef<int64_t>(tensor.shape, tensor.rank));
    if (value.getByteSize() && !value.data())
      return makeError("out of memory");
    if (value.getByteSize() != tensor.bytes)
      return makeError("output '" + signature.name + "' came back with " +
                       llvm::Twine(tensor.bytes) + " bytes, its shape needs " +
                       llvm::Twine(value.getByteSize()));
    if (tensor.bytes)
      std::memcpy(value.data(), tensor.data, tensor.bytes);
    results.push_back(std::move(value));
  }
  return std::move(results);
}

} // namespace loomc
