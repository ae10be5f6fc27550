//===- LibraryModel.h - a compiled model opened through its C API -*- C++
//-*-===//
//
// `loomc run libNAME.so` opens a library made by `loomc compile` with
// dlopen and calls it only through the C API of loom_model.h, the way a
// user's program does, so that the same command tests and times both the
// in-memory and the compiled path.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TOOLS_LOOMC_LIBRARYMODEL_H
#define LOOM_TOOLS_LOOMC_LIBRARYMODEL_H

#include "loom/Runtime/BoundFunction.h"
#include "loom/Runtime/HostTensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <vector>

namespace loomc {

/// True when `path` starts like an ELF file (a compiled model).
bool isSharedLibrary(llvm::StringRef path);

class LibraryModel {
public:
  /// Opens the library and creates its model (`weightsPath`: its side file
  /// of weights, or empty to look beside the library).
  static llvm::Expected<std::unique_ptr<LibraryModel>>
  open(llvm::StringRef path, llvm::StringRef weightsPath);
  ~LibraryModel();

  llvm::ArrayRef<loom::runtime::TensorSignature> getInputs() const {
    return inputs;
  }
  llvm::ArrayRef<loom::runtime::TensorSignature> getOutputs() const {
    return outputs;
  }
  /// Runs the model on `given` (in input order) with `threads` (0: the
  /// library's default).
  llvm::Expected<std::vector<loom::runtime::HostTensor>>
  run(llvm::ArrayRef<const loom::runtime::HostTensor *> given,
      unsigned threads);

private:
  struct API;
  LibraryModel() = default;
  void *handle = nullptr;
  std::unique_ptr<API> api;
  void *model = nullptr;
  std::vector<loom::runtime::TensorSignature> inputs, outputs;
};

} // namespace loomc

#endif // LOOM_TOOLS_LOOMC_LIBRARYMODEL_H
