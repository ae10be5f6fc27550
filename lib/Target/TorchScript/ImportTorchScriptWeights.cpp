//===- ImportTorchScriptWeights.cpp - parameters and buffers as weights ---===//
//
// Every parameter and buffer of the archive's module tree becomes one
// `loom.weight` named by its dotted path, its storage handed over without a
// copy (a `dense_resource` blob that keeps the tensor alive); a tensor
// reached through several paths is imported once, with the other names as
// aliases. Sizes and strides are checked against the storage first.
//
//===----------------------------------------------------------------------===//
#include "ImportTorchScript.h"
#include "loom/Support/Contained.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"

#include "llvm/Support/FileSystem.h"

#include <c10/core/CPUAllocator.h>
#include <torch/csrc/jit/passes/inliner.h>

#include <memory>
#include <mutex>

using namespace mlir;
using namespace loom;
using namespace loom::torchscript;
namespace tj = torch::jit;

//===----------------------------------------------------------------------===//
// Weights
//===----------------------------------------------------------------------===//

LogicalResult Importer::importWeights(tj::Module &module) {
  // Every path to every tensor: parameters first, then buffers.
  struct Entry {
    std::string name;
    at::Tensor tensor;
    bool buffer;
  };
  std::vector<Entry> entries;
  for (const auto &p : module.named_parameters(/*recurse=*/true))
    entries.push_back({p.name, p.value, false});
  for (const auto &b : module.named_buffers(/*recurse=*/true))
    entries.push_back({b.name, b.value, true});

  // One weight per tensor: same storage, offset, sizes, strides and dtype.
  std::map<std::string, WeightOp> byIdentity;
  builder.setInsertionPointToEnd(this->module.getBody());
  for (Entry &entry : entries) {
    at::Tensor &t = entry.tensor;
    std::string identity = std::to_string(reinterpret_cast<uintptr_t>(
                               t.storage().unsafeGetStorageImpl())) +
                           ":" + std::to_string(t.storage_offset()) + ":" +
                           c10::str(t.sizes()) + ":" + c10::str(t.strides()) +
                           ":" + std::string(c10::toString(t.scalar_type()));
    if (auto it = byIdentity.find(identity); it != byIdentity.end()) {
      WeightOp weight = it->second;
      SmallVector<Attribute> aliases;
      if (std::optional<ArrayAttr> old = weight.getAliases())
        llvm::append_range(aliases, *old);
      aliases.push_back(builder.getStringAttr(entry.name));
      weight.setAliasesAttr(builder.getArrayAttr(aliases));
      // Trainable if any path says so (they are one tensor).
      if (!entry.buffer && t.requires_grad())
        weight.setFrozen(false);
      weights[entry.name] = weight;
      continue;
    }
    Type elementType = elementTypeOf(t.scalar_type(), context);
    if (!elementType)
      return error() << (entry.buffer ? "buffer '" : "parameter '")
                     << entry.name << "' has dtype "
                     << c10::toString(t.scalar_type())
                     << ", which Loom does not import";
    if (std::optional<std::string> bad = storageOverrun(t, allocated))
      return error() << (entry.buffer ? "buffer '" : "parameter '")
                     << entry.name << "': " << *bad;
    SmallVector<int64_t> shape(t.sizes().begin(), t.sizes().end());
    auto type = RankedTensorType::get(shape, elementType);
    at::Tensor data = t.detach().contiguous();
    ElementsAttr value;
    if (elementType.isInteger(1)) {
      // Bools: one byte each in libtorch, bits in MLIR's dense form.
      SmallVector<bool> bits;
      const bool *p = data.data_ptr<bool>();
      bits.assign(p, p + data.numel());
      value = DenseElementsAttr::get(type, ArrayRef<bool>(bits));
    } else {
      // The blob reads libtorch's memory and keeps the tensor alive.
      const char *bytes = static_cast<const char *>(data.data_ptr());
      size_t size = data.nbytes();
      size_t alignment = data.element_size();
      while (alignment < 64 &&
             reinterpret_cast<uintptr_t>(bytes) % (alignment * 2) == 0)
        alignment *= 2;
      AsmResourceBlob blob(
          ArrayRef<char>(bytes, size), alignment,
          [keep = data](void *, size_t, size_t) mutable { keep.reset(); },
          /*dataIsMutable=*/false);
      value = DenseResourceElementsAttr::get(type, entry.name, std::move(blob));
    }
    bool frozen = entry.buffer || !t.requires_grad();
    auto weight = WeightOp::create(
        builder, NameLoc::get(builder.getStringAttr(entry.name), fileLoc),
        builder.getStringAttr(entry.name), value,
        WeightRoleAttr::get(context, entry.buffer ? WeightRole::Buffer
                                                  : WeightRole::Parameter),
        frozen ? builder.getUnitAttr() : UnitAttr(), IntegerAttr(), ArrayAttr(),
        ArrayAttr());
    byIdentity[identity] = weight;
    weights[entry.name] = weight;
  }
  return success();
}
