//===- WeightData.cpp - the bytes of a weight's value ---------------------===//

#include "loom/Dialect/Loom/IR/WeightData.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

std::optional<unsigned> loom::getElementByteSize(Type element) {
  unsigned bits;
  if (auto complex = dyn_cast<ComplexType>(element))
    bits = 2 * complex.getElementType().getIntOrFloatBitWidth();
  else if (element.isIntOrFloat())
    bits = element.getIntOrFloatBitWidth();
  else
    return std::nullopt;
  if (bits % 8)
    return std::nullopt;
  return bits / 8;
}

std::optional<int64_t> loom::getCheckedNumElements(ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t dim : shape)
    if (dim < 0 || __builtin_mul_overflow(count, dim, &count))
      return std::nullopt;
  return count;
}

std::optional<ArrayRef<char>> loom::getWeightBytes(ElementsAttr value,
                                                   std::vector<char> &storage) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  std::optional<unsigned> elemBytes = getElementByteSize(type.getElementType());
  if (!elemBytes)
    return std::nullopt;
  std::optional<int64_t> count = getCheckedNumElements(type.getShape());
  uint64_t size;
  if (!count || __builtin_mul_overflow(uint64_t(*count), *elemBytes, &size))
    return std::nullopt;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != size)
      return std::nullopt;
    return blob->getData();
  }
  auto dense = dyn_cast<DenseElementsAttr>(value);
  // Dense bools are bit-packed: not element bytes.
  if (!dense || type.getElementType().isInteger(1))
    return std::nullopt;
  ArrayRef<char> raw = dense.getRawData();
  if (!dense.isSplat())
    return raw;
  if (size > kMaxSplatExpansionBytes)
    return std::nullopt;
  storage.clear();
  storage.reserve(size);
  for (int64_t i = 0; i < type.getNumElements(); ++i)
    storage.insert(storage.end(), raw.begin(), raw.end());
  return ArrayRef<char>(storage);
}
