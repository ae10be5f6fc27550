//===- ImportONNXTensors.cpp - ONNX types and tensors to Loom -------------===//
//
// Types (tensor, sequence, optional, map) and tensors: initializers and
// attribute tensors become `dense<...>` (small) or `dense_resource` blobs
// that reference the mapped model or external data file without a copy;
// sparse initializers become `sparse<...>`. Every size and offset in the
// file is checked before it is used.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "ONNXCommon.h"

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/WeightReads.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InterleavedRange.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/shape_inference/implementation.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/wire_format_lite.h>

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlir;
using namespace loom;
using namespace loom::onnx_import;
namespace names = loom::onnx_names;

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

FailureOr<Type>
Importer::convertTensorType(const onnx::TypeProto::Tensor &tensor,
                            StringRef what, ArrayAttr *dimNames) {
  Type elementType = getElementType(context, tensor.elem_type());
  if (!elementType) {
    if (tensor.elem_type() == 0)
      return Type(UnknownType::get(context));
    return error() << what << " has unknown data type " << tensor.elem_type();
  }
  if (!tensor.has_shape())
    return Type(UnrankedTensorType::get(elementType));
  SmallVector<int64_t> shape;
  SmallVector<Attribute> namesOfDims;
  bool anyName = false;
  for (const onnx::TensorShapeProto::Dimension &dim : tensor.shape().dim()) {
    // Some exporters (Paddle) write -1 for an unknown dimension.
    if (dim.has_dim_value() && dim.dim_value() >= 0) {
      shape.push_back(dim.dim_value());
      namesOfDims.push_back(builder.getStringAttr(""));
    } else {
      shape.push_back(ShapedType::kDynamic);
      namesOfDims.push_back(builder.getStringAttr(dim.dim_param()));
      anyName |= !dim.dim_param().empty();
    }
  }
  if (dimNames && anyName)
    *dimNames = builder.getArrayAttr(namesOfDims);
  return Type(RankedTensorType::get(shape, elementType));
}

FailureOr<Type> Importer::convertType(const onnx::TypeProto &type,
                                      StringRef what) {
  switch (type.value_case()) {
  case onnx::TypeProto::kTensorType:
    return convertTensorType(type.tensor_type(), what, nullptr);
  case onnx::TypeProto::kSequenceType: {
    FailureOr<Type> element =
        convertType(type.sequence_type().elem_type(), what);
    if (failed(element))
      return failure();
    return Type(SequenceType::get(context, *element));
  }
  case onnx::TypeProto::kOptionalType: {
    FailureOr<Type> element =
        convertType(type.optional_type().elem_type(), what);
    if (failed(element))
      return failure();
    return Type(OptionalType::get(context, *element));
  }
  case onnx::TypeProto::kMapType: {
    Type key = getElementType(context, type.map_type().key_type());
    FailureOr<Type> value = convertType(type.map_type().value_type(), what);
    if (!key)
      return error() << what << " has a map with unknown key type "
                     << type.map_type().key_type();
    if (failed(value))
      return failure();
    return Type(MapType::get(context, key, *value));
  }
  case onnx::TypeProto::kSparseTensorType: {
    onnx::TypeProto::Tensor dense;
    dense.set_elem_type(type.sparse_tensor_type().elem_type());
    if (type.sparse_tensor_type().has_shape())
      *dense.mutable_shape() = type.sparse_tensor_type().shape();
    FailureOr<Type> tensor = convertTensorType(dense, what, nullptr);
    if (failed(tensor))
      return failure();
    return Type(SparseTensorType::get(context, *tensor));
  }
  default:
    return Type(UnknownType::get(context));
  }
}

Type Importer::valueType(StringRef name) {
  auto it = declaredTypes.find(name);
  if (it == declaredTypes.end())
    return nullptr;
  // A type that fails to convert was reported where it was declared.
  FailureOr<Type> type = convertType(*it->second, "value '" + name.str() + "'");
  return succeeded(type) ? *type : nullptr;
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

/// A blob name from a tensor name: MLIR resource keys are identifiers.
static std::string blobName(StringRef name) {
  std::string result;
  for (char c : name)
    result.push_back(llvm::isAlnum(c) || c == '_' || c == '.' ? c : '_');
  if (result.empty() || llvm::isDigit(result.front()))
    result.insert(result.begin(), '_');
  return result;
}

/// The alignment a blob of this element type needs.
static size_t blobAlignment(Type elementType) {
  if (auto complex = dyn_cast<ComplexType>(elementType))
    elementType = complex.getElementType();
  unsigned bits = elementType.getIntOrFloatBitWidth();
  return std::max<size_t>(1, std::min<size_t>(8, bits / 8));
}

FailureOr<std::unique_ptr<llvm::MemoryBuffer>>
Importer::mapExternalFile(StringRef file, StringRef what) {
  // A model file is untrusted: its external data must be a regular file of
  // the model's own folder. No symlink as the last component (O_NOFOLLOW),
  // no symlinked folder leading out (the real path must stay inside the real
  // model folder), no device or FIFO (O_NONBLOCK so that opening a FIFO does
  // not wait for a writer; then S_ISREG), no second name for a file
  // elsewhere (a hard link). The size comes from the open file, before
  // mapping.
  auto refuse = [&](const Twine &why) -> InFlightDiagnostic {
    return error() << what << ": external data file '" << file << "' " << why;
  };
  SmallString<256> realFile, realBase;
  if (std::error_code ec = llvm::sys::fs::real_path(baseDir, realBase))
    return refuse("cannot be resolved: " + ec.message());
  int fd = ::open(file.str().c_str(),
                  O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    std::error_code ec(errno, std::generic_category());
    if (errno == ELOOP)
      return refuse("is a symbolic link; external data must be a file of the "
                    "model's own folder");
    return error() << what << ": cannot open external data file '" << file
                   << "': " << ec.message();
  }
  llvm::scope_exit closeFd([&] { ::close(fd); });
  struct stat info;
  if (::fstat(fd, &info) != 0)
    return refuse("cannot be read: " +
                  std::error_code(errno, std::generic_category()).message());
  if (!S_ISREG(info.st_mode))
    return refuse("is not a regular file (a device, FIFO, socket or folder)");
  if (info.st_nlink > 1)
    return refuse("has " + Twine(static_cast<uint64_t>(info.st_nlink)) +
                  " names (a hard link may point at any file of the file "
                  "system); copy it to give the model its own file");
  if (std::error_code ec = llvm::sys::fs::real_path(file, realFile))
    return refuse("cannot be resolved: " + ec.message());
  if (!StringRef(realFile).starts_with(
          (realBase + llvm::sys::path::get_separator()).str()))
    return refuse("resolves to '" + realFile +
                  "', outside the model's folder (through a symbolic link)");
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> mapped =
      llvm::MemoryBuffer::getOpenFile(fd, file,
                                      static_cast<uint64_t>(info.st_size),
                                      /*RequiresNullTerminator=*/false);
  if (!mapped)
    return refuse("cannot be mapped: " + mapped.getError().message());
  return std::move(*mapped);
}

FailureOr<std::pair<const char *, size_t>>
Importer::mapExternalData(const onnx::TensorProto &tensor, StringRef what,
                          std::shared_ptr<llvm::MemoryBuffer> &keepAlive) {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const onnx::StringStringEntryProto &entry : tensor.external_data()) {
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset" || entry.key() == "length") {
      uint64_t value;
      if (StringRef(entry.value()).getAsInteger(10, value))
        return error() << what << ": external data " << entry.key() << " '"
                       << entry.value() << "' is not a number";
      if (entry.key() == "offset")
        offset = value;
      else
        length = value;
    }
  }
  if (location.empty())
    return error() << what << ": external data has no location";
  if (llvm::sys::path::is_absolute(location) ||
      llvm::is_contained(llvm::make_range(llvm::sys::path::begin(location),
                                          llvm::sys::path::end(location)),
                         ".."))
    return error() << what << ": external data location '" << location
                   << "' must be a relative path inside the model's folder";
  SmallString<256> file(baseDir);
  llvm::sys::path::append(file, location);
  std::shared_ptr<llvm::MemoryBuffer> &buffer = externalFiles[file];
  if (!buffer) {
    FailureOr<std::unique_ptr<llvm::MemoryBuffer>> mapped =
        mapExternalFile(file, what);
    if (failed(mapped))
      return failure();
    buffer = std::move(*mapped);
  }
  uint64_t size = buffer->getBufferSize();
  if (offset > size)
    return error() << what << ": external data offset " << offset
                   << " is past the end of '" << file << "' (" << size
                   << " bytes)";
  uint64_t available = size - offset;
  uint64_t take = length.value_or(available);
  if (take > available)
    return error() << what << ": external data [" << offset << ", "
                   << offset + take << ") runs past the end of '" << file
                   << "' (" << size << " bytes)";
  keepAlive = buffer;
  return std::make_pair(buffer->getBufferStart() + offset,
                        static_cast<size_t>(take));
}

std::string loom::typedFieldBytes(const onnx::TensorProto &tensor,
                                  int64_t count, uint64_t byteSize,
                                  bool &countMatches) {
  // No reserve(byteSize): the shape, not the data, says byteSize, and a
  // few values under a huge shape must fail the count check, not allocate.
  std::string bytes;
  auto append = [&](const void *data, size_t size) {
    bytes.append(static_cast<const char *>(data), size);
  };
  auto fromInt32 = [&](size_t width) {
    countMatches =
        static_cast<uint64_t>(tensor.int32_data_size()) * width == byteSize;
    for (int32_t value : tensor.int32_data())
      append(&value, width); // little-endian: the low bytes come first
  };
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::COMPLEX64:
    countMatches = tensor.float_data_size() * 4ull == byteSize;
    append(tensor.float_data().data(), tensor.float_data_size() * 4);
    break;
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::COMPLEX128:
    countMatches = tensor.double_data_size() * 8ull == byteSize;
    append(tensor.double_data().data(), tensor.double_data_size() * 8);
    break;
  case onnx::TensorProto::INT64:
    countMatches = tensor.int64_data_size() * 8ull == byteSize;
    append(tensor.int64_data().data(), tensor.int64_data_size() * 8);
    break;
  case onnx::TensorProto::UINT32:
    countMatches = tensor.uint64_data_size() * 4ull == byteSize;
    for (uint64_t value : tensor.uint64_data())
      append(&value, 4);
    break;
  case onnx::TensorProto::UINT64:
    countMatches = tensor.uint64_data_size() * 8ull == byteSize;
    append(tensor.uint64_data().data(), tensor.uint64_data_size() * 8);
    break;
  case onnx::TensorProto::INT32:
    fromInt32(4);
    break;
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    fromInt32(2);
    break;
  default: // 8-bit types, bool, fp8, and 4-bit types (one packed byte each)
    fromInt32(1);
    break;
  }
  (void)count;
  return bytes;
}

FailureOr<ElementsAttr> Importer::convertTensor(onnx::TensorProto &tensor,
                                                StringRef what) {
  Type elementType = getElementType(context, tensor.data_type());
  if (!elementType)
    return error() << what << " has unknown data type " << tensor.data_type();
  SmallVector<int64_t> shape;
  // Checked: the dims come from the file. 2^60 elements bound every byte
  // size below (at most 16 bytes an element) within 64 bits; the data
  // present must match it anyway, so no real tensor is near it.
  constexpr int64_t kMaxElements = int64_t(1) << 60;
  int64_t count = 1;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0)
      return error() << what << " has negative dimension " << dim;
    shape.push_back(dim);
    if (dim != 0 && count > kMaxElements / dim)
      return error() << what << " has more than 2^60 elements (dims "
                     << llvm::interleaved(tensor.dims(), " x ") << ")";
    count *= dim;
  }
  auto type = RankedTensorType::get(shape, elementType);
  if (tensor.has_segment())
    return error() << what
                   << " is a segment of a larger tensor, which ONNX "
                      "no longer supports";

  if (isa<StringType>(elementType)) {
    if (tensor.string_data_size() != count)
      return error() << what << " has " << tensor.string_data_size()
                     << " strings; its shape needs " << count;
    SmallVector<StringRef> strings(tensor.string_data().begin(),
                                   tensor.string_data().end());
    return ElementsAttr(DenseStringElementsAttr::get(type, strings));
  }

  uint64_t byteSize = *getRawByteSize(tensor.data_type(), count);
  bool external = tensor.data_location() == onnx::TensorProto::EXTERNAL;
  std::shared_ptr<llvm::MemoryBuffer> mapping;
  std::unique_ptr<std::string> owned;
  const char *data = nullptr;
  size_t size = 0;
  auto inFile = rawInFile.find(&tensor);
  if (external) {
    FailureOr<std::pair<const char *, size_t>> slice =
        mapExternalData(tensor, what, mapping);
    if (failed(slice))
      return failure();
    std::tie(data, size) = *slice;
  } else if (inFile != rawInFile.end()) {
    mapping = modelFile;
    data = inFile->second.data();
    size = inFile->second.size();
  } else if (tensor.has_raw_data()) {
    owned.reset(tensor.release_raw_data());
    data = owned->data();
    size = owned->size();
  } else {
    bool countMatches = true;
    owned = std::make_unique<std::string>(
        typedFieldBytes(tensor, count, byteSize, countMatches));
    if (!countMatches)
      return error() << what << ": its typed data field holds " << owned->size()
                     << " bytes' worth of values; shape " << type << " needs "
                     << byteSize;
    data = owned->data();
    size = owned->size();
  }
  if (size != byteSize)
    return error() << what << ": " << (external ? "external data" : "raw_data")
                   << " has " << size << " bytes; shape " << type << " needs "
                   << byteSize;

  bool subByte = elementType.isIntOrFloat() &&
                 elementType.getIntOrFloatBitWidth() < 8 &&
                 !elementType.isInteger(1);
  if (count <= kInlineElements && !subByte) {
    ArrayRef<char> bytes(data, size);
    if (elementType.isInteger(1)) {
      SmallVector<bool> values;
      for (char byte : bytes)
        values.push_back(byte != 0);
      return ElementsAttr(DenseElementsAttr::get(type, values));
    }
    if (count == 0)
      return ElementsAttr(DenseElementsAttr::getFromRawBuffer(type, {}));
    return ElementsAttr(DenseElementsAttr::getFromRawBuffer(type, bytes));
  }

  // Bytes in a mapped file lie where the writer put them: ONNX does not
  // align them, so the blob states the alignment it really has rather than
  // being copied (x86 and the consumers read unaligned data).
  size_t alignment = blobAlignment(elementType);
  while (reinterpret_cast<uintptr_t>(data) % alignment != 0)
    alignment /= 2;
  AsmResourceBlob blob;
  if (owned) {
    std::string *storage = owned.release();
    blob = AsmResourceBlob(
        ArrayRef<char>(data, size), alignment,
        [storage](void *, size_t, size_t) { delete storage; },
        /*dataIsMutable=*/true);
  } else {
    blob = AsmResourceBlob(
        ArrayRef<char>(data, size), alignment,
        [mapping](void *, size_t, size_t) {},
        /*dataIsMutable=*/false);
  }
  return ElementsAttr(DenseResourceElementsAttr::get(
      type, blobName(tensor.name().empty() ? what : tensor.name()),
      std::move(blob)));
}

FailureOr<ElementsAttr>
Importer::convertSparseTensor(onnx::SparseTensorProto &sparse, StringRef what) {
  FailureOr<ElementsAttr> values =
      convertTensor(*sparse.mutable_values(), what.str() + " (values)");
  FailureOr<ElementsAttr> indices =
      convertTensor(*sparse.mutable_indices(), what.str() + " (indices)");
  if (failed(values) || failed(indices))
    return failure();
  SmallVector<int64_t> shape(sparse.dims().begin(), sparse.dims().end());
  // The dense shape, the values and the indices come from the file: check
  // them against each other before anything is built from them.
  int64_t denseCount = 1;
  for (int64_t dim : shape) {
    if (dim < 0)
      return error() << what << ": sparse tensor dimension " << dim
                     << " is negative";
    if (__builtin_mul_overflow(denseCount, dim, &denseCount) ||
        denseCount > (int64_t(1) << 60))
      return error() << what << ": sparse tensor has more than 2^60 elements";
  }
  if (cast<ShapedType>(values->getType()).getRank() != 1)
    return error() << what << ": sparse tensor values must be 1-D";
  auto valuesDense = dyn_cast<DenseElementsAttr>(*values);
  auto indicesDense = dyn_cast<DenseIntElementsAttr>(*indices);
  int64_t nnz = cast<ShapedType>(values->getType()).getNumElements();
  auto indicesType = cast<ShapedType>(indices->getType());
  if (!valuesDense || !indicesDense) {
    // Larger than the inline limit: read the blobs once into dense attributes.
    auto read = [](ElementsAttr attr) -> DenseElementsAttr {
      auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
      if (!resource)
        return dyn_cast<DenseElementsAttr>(attr);
      ArrayRef<char> data = resource.getData();
      return DenseElementsAttr::getFromRawBuffer(
          cast<ShapedType>(attr.getType()), data);
    };
    valuesDense = read(*values);
    indicesDense = dyn_cast_or_null<DenseIntElementsAttr>(read(*indices));
  }
  if (!valuesDense || !indicesDense ||
      !indicesType.getElementType().isInteger(64))
    return error() << what << ": sparse tensor indices must be int64";
  // ONNX allows [NNZ] linear indices or [NNZ, rank] coordinates; MLIR wants
  // coordinates.
  auto coordType = RankedTensorType::get(
      {nnz, static_cast<int64_t>(shape.size())}, IntegerType::get(context, 64));
  DenseIntElementsAttr coords = indicesDense;
  if (indicesType.getRank() == 1) {
    if (indicesType.getNumElements() != nnz)
      return error() << what << ": " << indicesType.getNumElements()
                     << " sparse indices for " << nnz << " values";
    SmallVector<int64_t> expanded;
    for (APInt linear : indicesDense.getValues<APInt>()) {
      int64_t rest = linear.getSExtValue();
      if (rest < 0 || rest >= denseCount)
        return error() << what << ": sparse index " << rest
                       << " is outside the " << denseCount
                       << " elements of the tensor";
      SmallVector<int64_t> coord(shape.size());
      for (int64_t d = shape.size() - 1; d >= 0; --d) {
        coord[d] = shape[d] ? rest % shape[d] : 0;
        rest = shape[d] ? rest / shape[d] : 0;
      }
      llvm::append_range(expanded, coord);
    }
    coords = DenseIntElementsAttr::get(coordType, expanded);
  } else if (indicesType != coordType) {
    return error() << what << ": sparse indices " << indicesType
                   << " do not match " << nnz << " values of rank "
                   << shape.size();
  } else {
    int64_t rank = shape.size(), i = 0;
    for (APInt value : indicesDense.getValues<APInt>()) {
      int64_t coord = value.getSExtValue(), dim = shape[i++ % rank];
      if (coord < 0 || coord >= dim)
        return error() << what << ": sparse coordinate " << coord
                       << " is outside a dimension of size " << dim;
    }
  }
  auto type = RankedTensorType::get(shape, valuesDense.getElementType());
  return ElementsAttr(SparseElementsAttr::get(type, coords, valuesDense));
}
