//===- RuntimeSupport.cpp - functions compiled code calls -----------------===//

#include "RuntimeSupport.h"

#include "llvm/ExecutionEngine/Orc/CoreContainers.h"

#include <cstring>

namespace loom::runtime {

namespace {
/// Copies between two strided arrays, dimension by dimension; the innermost
/// contiguous run with one memcpy.
void copyStridedBoth(char *dst, const int64_t *dstStrides, const char *src,
                     const int64_t *srcStrides, const int64_t *sizes,
                     int64_t rank, unsigned elementBytes) {
  if (rank == 0) {
    std::memcpy(dst, src, elementBytes);
    return;
  }
  if (rank == 1) {
    if (dstStrides[0] == 1 && srcStrides[0] == 1) {
      std::memcpy(dst, src, sizes[0] * elementBytes);
      return;
    }
    for (int64_t i = 0; i < sizes[0]; ++i)
      std::memcpy(dst + i * dstStrides[0] * elementBytes,
                  src + i * srcStrides[0] * elementBytes, elementBytes);
    return;
  }
  for (int64_t i = 0; i < sizes[0]; ++i)
    copyStridedBoth(dst + i * dstStrides[0] * elementBytes, dstStrides + 1,
                    src + i * srcStrides[0] * elementBytes, srcStrides + 1,
                    sizes + 1, rank - 1, elementBytes);
}

/// MLIR's unranked memref: a rank and a pointer to a ranked descriptor
/// (allocated, aligned, offset, sizes[rank], strides[rank]).
struct UnrankedMemRef {
  int64_t rank;
  void *descriptor;
};

struct RankedView {
  char *aligned;
  const int64_t *sizes;
  const int64_t *strides;
};

RankedView view(const UnrankedMemRef &memref, unsigned elementBytes) {
  auto *words = static_cast<int64_t *>(memref.descriptor);
  char *aligned;
  std::memcpy(&aligned, &words[1], sizeof(char *));
  return {aligned + words[2] * elementBytes, words + 3,
          words + 3 + memref.rank};
}
} // namespace

void copyStrided(char *dst, const char *src, llvm::ArrayRef<int64_t> sizes,
                 llvm::ArrayRef<int64_t> strides, unsigned elementBytes) {
  int64_t rank = sizes.size();
  for (int64_t size : sizes)
    if (size == 0)
      return;
  llvm::SmallVector<int64_t> dense(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    dense[d] = dense[d + 1] * sizes[d + 1];
  copyStridedBoth(dst, dense.data(), src, strides.data(), sizes.data(), rank,
                  elementBytes);
}

} // namespace loom::runtime

/// `memref.copy` between buffers that are not both contiguous.
extern "C" void loomMemrefCopy(int64_t elementBytes,
                               loom::runtime::UnrankedMemRef *source,
                               loom::runtime::UnrankedMemRef *target) {
  using namespace loom::runtime;
  RankedView from = view(*source, elementBytes);
  RankedView to = view(*target, elementBytes);
  for (int64_t d = 0; d < source->rank; ++d)
    if (from.sizes[d] == 0)
      return;
  copyStridedBoth(to.aligned, to.strides, from.aligned, from.strides,
                  from.sizes, source->rank, elementBytes);
}

llvm::orc::SymbolMap
loom::runtime::getRuntimeSupportSymbols(llvm::orc::MangleAndInterner interner) {
  llvm::orc::SymbolMap symbols;
  symbols[interner("memrefCopy")] = {
      llvm::orc::ExecutorAddr::fromPtr(&loomMemrefCopy),
      llvm::JITSymbolFlags::Exported};
  return symbols;
}
