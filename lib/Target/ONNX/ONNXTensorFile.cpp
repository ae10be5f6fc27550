//===- ONNXTensorFile.cpp - one TensorProto in a .pb file -----------------===//

#include "loom/Target/ONNX/ONNXTensorFile.h"

#include "ONNXCommon.h"
#include "loom/Dialect/Loom/IR/WeightData.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;

llvm::Expected<loom::ONNXTensorFile>
loom::readONNXTensorFile(llvm::StringRef path, MLIRContext *context) {
  auto fail = [&](const llvm::Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   path + ": " + message);
  };
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fail(buffer.getError().message());
  onnx::TensorProto tensor;
  llvm::StringRef data = (*buffer)->getBuffer();
  if (data.size() > INT32_MAX ||
      !tensor.ParseFromArray(data.data(), static_cast<int>(data.size())))
    return fail("not a serialized ONNX TensorProto");
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    return fail("external data is not supported in a tensor file");
  ONNXTensorFile result;
  result.name = tensor.name();
  result.elementType = getElementType(context, tensor.data_type());
  if (!result.elementType)
    return fail(llvm::formatv("data type {0} has no Loom element type",
                              tensor.data_type()));
  for (int64_t dim : tensor.dims()) {
    if (dim < 0)
      return fail(llvm::formatv("negative dimension {0}", dim));
    result.shape.push_back(dim);
  }
  std::optional<int64_t> count = getCheckedNumElements(result.shape);
  std::optional<uint64_t> byteSize =
      count ? getRawByteSize(tensor.data_type(), *count) : std::nullopt;
  if (!byteSize)
    return fail("element count or byte size overflows, or the type has no "
                "fixed size");
  if (tensor.has_raw_data()) {
    if (tensor.raw_data().size() != *byteSize)
      return fail(llvm::formatv("raw_data holds {0} bytes, the shape needs {1}",
                                tensor.raw_data().size(), *byteSize));
    result.bytes = tensor.raw_data();
    return std::move(result);
  }
  bool countMatches = false;
  result.bytes = typedFieldBytes(tensor, *count, *byteSize, countMatches);
  if (!countMatches)
    return fail(llvm::formatv("holds {0} data bytes, the shape needs {1}",
                              result.bytes.size(), *byteSize));
  return std::move(result);
}
