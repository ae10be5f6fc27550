//===- ImportONNX.cpp - ONNX ModelProto to the Loom dialect ---------------===//
//
// Parses the model with Debian's protobuf/ONNX libraries, runs ONNX's shape
// inference so that every value has a type, then builds one `loom.weight` per
// initializer (data handed over without a copy, external data mapped) and a
// `func.func` whose body holds the nodes in topological order. Known
// operators become typed ops (ImportONNXOps.cpp), all others `loom.onnx`.
//
//===----------------------------------------------------------------------===//

#include "loom/Target/ONNX/ONNXImport.h"

#include "ImportONNX.h"
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
namespace names = loom::onnx_names;

namespace {

/// Tensors with at most this many elements become readable `dense<...>`
/// attributes; larger ones `dense_resource` blobs.
constexpr int64_t kInlineElements = 16;

class Importer {
public:
  Importer(MLIRContext *context, StringRef path,
           const ONNXImportOptions &options)
      : context(context), builder(context), path(path.str()),
        fileLoc(FileLineColLoc::get(context, path, 0, 0)), options(options) {
    SmallString<256> dir(path);
    llvm::sys::path::remove_filename(dir);
    baseDir = std::string(dir.empty() ? "." : dir.str());
  }

  OwningOpRef<ModuleOp> run(onnx::ModelProto &model);

  /// `raw_data` of initializers that was left in the mapped model file.
  void
  setRawData(llvm::DenseMap<const onnx::TensorProto *, ArrayRef<char>> slices,
             std::shared_ptr<llvm::MemoryBuffer> file) {
    rawInFile = std::move(slices);
    modelFile = std::move(file);
  }

private:
  InFlightDiagnostic error() { return emitError(fileLoc); }

  // Types
  FailureOr<Type> convertType(const onnx::TypeProto &type, StringRef what);
  FailureOr<Type> convertTensorType(const onnx::TypeProto::Tensor &tensor,
                                    StringRef what, ArrayAttr *dimNames);

  // Tensors
  FailureOr<ElementsAttr> convertTensor(onnx::TensorProto &tensor,
                                        StringRef what);
  FailureOr<ElementsAttr> convertSparseTensor(onnx::SparseTensorProto &tensor,
                                              StringRef what);
  FailureOr<std::unique_ptr<llvm::MemoryBuffer>>
  mapExternalFile(StringRef file, StringRef what);
  FailureOr<std::pair<const char *, size_t>>
  mapExternalData(const onnx::TensorProto &tensor, StringRef what,
                  std::shared_ptr<llvm::MemoryBuffer> &keepAlive);

  // Graphs and nodes
  LogicalResult importGraphBody(onnx::GraphProto &graph);
  LogicalResult importNode(onnx::NodeProto &node);
  void recordNodeInfo(Operation *op, const onnx::NodeProto &node);
  FailureOr<Attribute>
  convertAttribute(onnx::AttributeProto &attr, StringRef nodeName,
                   SmallVectorImpl<onnx::GraphProto *> &graphs);
  Operation *buildGeneric(onnx::NodeProto &node, const NodeContext &ctx,
                          SmallVectorImpl<Type> &resultTypes);
  Value lookup(StringRef name);
  Value getNone();
  Type valueType(StringRef name);
  std::string describe(const onnx::NodeProto &node) const;
  Location nodeLoc(const onnx::NodeProto &node);
  void foldWeightIdentities(const onnx::GraphProto &graph);

  MLIRContext *context;
  OpBuilder builder;
  std::string path, baseDir;
  Location fileLoc;
  ONNXImportOptions options;
  ModuleOp module;
  func::FuncOp func;
  llvm::StringMap<int64_t> opsets;
  /// Values by ONNX name, innermost graph last.
  SmallVector<llvm::StringMap<Value>> scopes;
  /// Types by ONNX name from value_info, inputs, outputs (all graphs).
  llvm::StringMap<const onnx::TypeProto *> declaredTypes;
  llvm::StringMap<WeightOp> weights;
  WeightReads weightReads;
  /// Identity nodes of weights whose outputs became copy names.
  llvm::DenseSet<const onnx::NodeProto *> foldedIdentities;
  Value none;
  llvm::StringMap<std::shared_ptr<llvm::MemoryBuffer>> externalFiles;
  llvm::StringSet<> usedBlobNames;
  llvm::DenseMap<const onnx::TensorProto *, ArrayRef<char>> rawInFile;
  std::shared_ptr<llvm::MemoryBuffer> modelFile;
};

} // namespace

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

/// Raw little-endian bytes of the typed `*_data` fields.
static std::string typedFieldBytes(const onnx::TensorProto &tensor,
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

//===----------------------------------------------------------------------===//
// Nodes
//===----------------------------------------------------------------------===//

std::string loom::describeNode(const onnx::NodeProto &node) {
  std::string text = "node '";
  text += node.name().empty()
              ? (node.output_size() ? node.output(0) : std::string("?"))
              : node.name();
  text += "' (";
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    text += node.domain() + ".";
  text += node.op_type() + ")";
  return text;
}

std::string Importer::describe(const onnx::NodeProto &node) const {
  return describeNode(node);
}

/// PyTorch's exporter merges equal tensors (a BatchNorm weight of ones and
/// another layer's running variance) into one initializer and gives the
/// other names back through `Identity` nodes. Each such name becomes a copy
/// of the weight (`#loom.copy`), so that statistics still count the source's
/// tensors, and each name's role comes from its use: a name BatchNorm reads
/// as its running mean or variance (inputs 3 and 4) is a buffer.
void Importer::foldWeightIdentities(const onnx::GraphProto &graph) {
  llvm::StringSet<> graphOutputs, produced;
  for (const onnx::ValueInfoProto &output : graph.output())
    graphOutputs.insert(output.name());
  for (const onnx::NodeProto &node : graph.node())
    for (const std::string &output : node.output())
      if (!output.empty() && !produced.insert(output).second)
        produced.erase(output); // defined twice: the importer reports it
  // Chains of Identity resolve in as many rounds as they are long.
  SmallVector<std::string> copyNames;
  for (bool changed = true; changed;) {
    changed = false;
    for (const onnx::NodeProto &node : graph.node()) {
      if (node.op_type() != "Identity" ||
          !(node.domain().empty() || node.domain() == "ai.onnx") ||
          node.input_size() != 1 || node.output_size() != 1 ||
          foldedIdentities.contains(&node))
        continue;
      const std::string &output = node.output(0);
      auto source = weights.find(node.input(0));
      if (source == weights.end() || output.empty() ||
          graphOutputs.contains(output) || !produced.contains(output) ||
          weights.count(output))
        continue;
      weights[output] = source->second;
      foldedIdentities.insert(&node);
      copyNames.push_back(output);
      changed = true;
    }
  }

  // Roles by use: running statistics are buffers.
  llvm::StringSet<> statistics, otherUse;
  for (const onnx::NodeProto &node : graph.node()) {
    if (foldedIdentities.contains(&node))
      continue;
    bool batchNorm = node.op_type() == "BatchNormalization" &&
                     (node.domain().empty() || node.domain() == "ai.onnx");
    for (auto [index, input] : llvm::enumerate(node.input()))
      (batchNorm && (index == 3 || index == 4) ? statistics : otherUse)
          .insert(input);
  }
  auto roleOf = [&](StringRef name, WeightRole fallback) {
    if (fallback == WeightRole::Parameter && statistics.contains(name) &&
        !otherUse.contains(name))
      return WeightRole::Buffer;
    return fallback;
  };
  for (WeightOp weight : module.getOps<WeightOp>())
    weight.setRole(roleOf(weight.getSymName(), weight.getRole()));
  llvm::MapVector<Operation *, SmallVector<Attribute>> copies;
  for (const std::string &name : copyNames) {
    WeightOp weight = weights[name];
    // A copy of a float tensor is a parameter unless used as statistics.
    WeightRole fallback =
        isa<FloatType, ComplexType>(weight.getType().getElementType())
            ? WeightRole::Parameter
            : WeightRole::Constant;
    copies[weight].push_back(WeightCopyAttr::get(
        context, builder.getStringAttr(name), roleOf(name, fallback)));
  }
  for (auto &[op, list] : copies)
    cast<WeightOp>(op).setCopiesAttr(builder.getArrayAttr(list));
}

Location Importer::nodeLoc(const onnx::NodeProto &node) {
  std::string name = node.name();
  if (name.empty())
    name = node.op_type() + ":" +
           (node.output_size() ? node.output(0) : std::string());
  return NameLoc::get(builder.getStringAttr(name), fileLoc);
}

Value Importer::lookup(StringRef name) {
  for (auto &scope : llvm::reverse(scopes)) {
    auto it = scope.find(name);
    if (it != scope.end())
      return it->second;
  }
  auto weight = weights.find(name);
  if (weight == weights.end())
    return nullptr;
  return weightReads.get(builder, weight->second, name, fileLoc);
}

Value Importer::getNone() {
  if (!none) {
    OpBuilder::InsertionGuard guard(builder);
    setInsertionPointDominatingAll(builder, &func.front());
    none = NoneOp::create(builder, fileLoc, builder.getNoneType());
  }
  return none;
}

FailureOr<Attribute>
Importer::convertAttribute(onnx::AttributeProto &attr, StringRef nodeName,
                           SmallVectorImpl<onnx::GraphProto *> &graphs) {
  std::string what = nodeName.str() + ", attribute '" + attr.name() + "'";
  auto tensorAttr = [&](onnx::TensorProto &tensor) -> FailureOr<Attribute> {
    FailureOr<ElementsAttr> value = convertTensor(tensor, what);
    if (failed(value))
      return failure();
    return Attribute(*value);
  };
  auto graphAttr = [&](onnx::GraphProto &graph) {
    graphs.push_back(&graph);
    return GraphAttr::get(context, graphs.size() - 1);
  };
  if (!attr.ref_attr_name().empty())
    return error() << what << " refers to function attribute '"
                   << attr.ref_attr_name()
                   << "', which only model-local functions may do";
  switch (attr.type()) {
  case onnx::AttributeProto::FLOAT:
    return Attribute(builder.getF32FloatAttr(attr.f()));
  case onnx::AttributeProto::INT:
    return Attribute(builder.getI64IntegerAttr(attr.i()));
  case onnx::AttributeProto::STRING:
    return Attribute(builder.getStringAttr(attr.s()));
  case onnx::AttributeProto::TENSOR:
    return tensorAttr(*attr.mutable_t());
  case onnx::AttributeProto::GRAPH:
    return Attribute(graphAttr(*attr.mutable_g()));
  case onnx::AttributeProto::SPARSE_TENSOR: {
    FailureOr<ElementsAttr> value =
        convertSparseTensor(*attr.mutable_sparse_tensor(), what);
    if (failed(value))
      return failure();
    return Attribute(*value);
  }
  case onnx::AttributeProto::TYPE_PROTO: {
    FailureOr<Type> type = convertType(attr.tp(), what);
    if (failed(type))
      return failure();
    return Attribute(TypeAttr::get(*type));
  }
  case onnx::AttributeProto::FLOATS:
    return Attribute(builder.getDenseF32ArrayAttr(
        SmallVector<float>(attr.floats().begin(), attr.floats().end())));
  case onnx::AttributeProto::INTS:
    return Attribute(builder.getDenseI64ArrayAttr(
        SmallVector<int64_t>(attr.ints().begin(), attr.ints().end())));
  case onnx::AttributeProto::STRINGS: {
    SmallVector<Attribute> values;
    for (const std::string &s : attr.strings())
      values.push_back(builder.getStringAttr(s));
    return Attribute(builder.getArrayAttr(values));
  }
  case onnx::AttributeProto::TENSORS: {
    SmallVector<Attribute> values;
    for (onnx::TensorProto &tensor : *attr.mutable_tensors()) {
      FailureOr<Attribute> value = tensorAttr(tensor);
      if (failed(value))
        return failure();
      values.push_back(*value);
    }
    return Attribute(builder.getArrayAttr(values));
  }
  case onnx::AttributeProto::GRAPHS: {
    SmallVector<Attribute> values;
    for (onnx::GraphProto &graph : *attr.mutable_graphs())
      values.push_back(graphAttr(graph));
    return Attribute(builder.getArrayAttr(values));
  }
  case onnx::AttributeProto::SPARSE_TENSORS: {
    SmallVector<Attribute> values;
    for (onnx::SparseTensorProto &tensor : *attr.mutable_sparse_tensors()) {
      FailureOr<ElementsAttr> value = convertSparseTensor(tensor, what);
      if (failed(value))
        return failure();
      values.push_back(*value);
    }
    return Attribute(builder.getArrayAttr(values));
  }
  case onnx::AttributeProto::TYPE_PROTOS: {
    SmallVector<Attribute> values;
    for (const onnx::TypeProto &tp : attr.type_protos()) {
      FailureOr<Type> type = convertType(tp, what);
      if (failed(type))
        return failure();
      values.push_back(TypeAttr::get(*type));
    }
    return Attribute(builder.getArrayAttr(values));
  }
  default:
    return error() << what << " has unknown attribute type " << attr.type();
  }
}

Operation *Importer::buildGeneric(onnx::NodeProto &node, const NodeContext &ctx,
                                  SmallVectorImpl<Type> &resultTypes) {
  SmallVector<onnx::GraphProto *> graphs;
  SmallVector<NamedAttribute> attributes;
  for (onnx::AttributeProto &attr : *node.mutable_attribute()) {
    FailureOr<Attribute> value = convertAttribute(attr, describe(node), graphs);
    if (failed(value))
      return nullptr;
    attributes.emplace_back(builder.getStringAttr(attr.name()), *value);
  }
  SmallVector<Value> operands;
  for (Value operand : ctx.operands)
    operands.push_back(operand ? operand : getNone());
  for (Type &type : resultTypes)
    if (!type)
      type = UnknownType::get(context);

  std::optional<int64_t> version;
  if (auto it = opsets.find(node.domain() == "ai.onnx" ? "" : node.domain());
      it != opsets.end())
    version = it->second;
  auto op = OnnxOp::create(
      builder, ctx.loc, resultTypes, builder.getStringAttr(node.op_type()),
      builder.getStringAttr(node.domain()),
      version ? builder.getI64IntegerAttr(*version) : IntegerAttr(),
      attributes.empty() ? DictionaryAttr()
                         : builder.getDictionaryAttr(attributes),
      operands, graphs.size());

  // Nested graphs: block arguments are the graph's inputs; the body may read
  // any value of the enclosing graphs.
  for (auto [index, graph] : llvm::enumerate(graphs)) {
    Region &region = op->getRegion(index);
    Block *block = new Block();
    region.push_back(block);
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(block);
    scopes.emplace_back();
    for (const onnx::ValueInfoProto &input : graph->input()) {
      FailureOr<Type> type =
          convertType(input.type(), "subgraph input '" + input.name() + "'");
      if (failed(type)) {
        scopes.pop_back();
        return nullptr;
      }
      scopes.back()[input.name()] = block->addArgument(*type, ctx.loc);
    }
    // A subgraph's own initializers are constants of its body.
    for (onnx::TensorProto &tensor : *graph->mutable_initializer()) {
      FailureOr<ElementsAttr> value =
          convertTensor(tensor, "subgraph initializer '" + tensor.name() + "'");
      if (failed(value)) {
        scopes.pop_back();
        return nullptr;
      }
      scopes.back()[tensor.name()] =
          ConstantOp::create(builder, ctx.loc, *value);
    }
    if (failed(importGraphBody(*graph))) {
      scopes.pop_back();
      return nullptr;
    }
    SmallVector<Value> results;
    for (const onnx::ValueInfoProto &output : graph->output()) {
      Value value = lookup(output.name());
      if (!value) {
        error() << describe(node) << ": subgraph output '" << output.name()
                << "' is produced by nothing";
        scopes.pop_back();
        return nullptr;
      }
      results.push_back(value);
    }
    YieldOp::create(builder, ctx.loc, results);
    scopes.pop_back();
  }
  return op;
}

LogicalResult Importer::importNode(onnx::NodeProto &node) {
  // An Identity of a weight became a copy name of that weight (see
  // foldWeightIdentities): its output reads the weight under that name.
  if (foldedIdentities.contains(&node)) {
    Value ref = lookup(node.output(0));
    scopes.back()[node.output(0)] = ref;
    return success();
  }
  NodeContext ctx{
      node, 0, {}, {}, nodeLoc(node), [&](const onnx::TensorProto &tensor) {
        onnx::TensorProto copy = tensor;
        return convertTensor(copy, describe(node));
      }};
  // Not a ?: of "" and the std::string: that makes a temporary string.
  StringRef domain = node.domain();
  if (domain == "ai.onnx")
    domain = "";
  if (auto it = opsets.find(domain); it != opsets.end())
    ctx.opset = it->second;
  for (const std::string &input : node.input()) {
    if (input.empty()) {
      ctx.operands.push_back(nullptr);
      continue;
    }
    Value value = lookup(input);
    if (!value)
      return error() << describe(node) << " reads '" << input
                     << "', which no node, graph input or initializer "
                        "produces";
    ctx.operands.push_back(value);
  }
  for (const std::string &output : node.output())
    ctx.resultTypes.push_back(output.empty() ? Type() : valueType(output));

  Operation *op = nullptr;
  if (options.typedOps)
    op = importTypedOp(builder, ctx);
  if (!op) {
    SmallVector<Type> types;
    for (auto [name, type] : llvm::zip_equal(node.output(), ctx.resultTypes))
      types.push_back(name.empty() ? Type(builder.getNoneType()) : type);
    op = buildGeneric(node, ctx, types);
    if (!op)
      return failure();
  }
  // Typed ops may have fewer results than the node has outputs (trailing
  // optional outputs left out).
  for (auto [index, name] : llvm::enumerate(node.output())) {
    if (name.empty())
      continue;
    if (index >= op->getNumResults())
      return error() << describe(node) << ": output '" << name
                     << "' has no counterpart in " << op->getName();
    if (!scopes.back().try_emplace(name, op->getResult(index)).second ||
        weights.count(name))
      return error() << describe(node) << " writes '" << name
                     << "', which another node, input or initializer "
                        "already defines";
  }
  recordNodeInfo(op, node);
  return success();
}

void Importer::recordNodeInfo(Operation *op, const onnx::NodeProto &node) {
  // The outputs' names and symbolic dimension names (ONNX Runtime matches
  // shapes by them when it fuses) travel in the location's metadata; export
  // writes them back.
  SmallVector<Attribute> dims, outputs;
  bool anyDims = false;
  for (const std::string &name : node.output()) {
    ArrayAttr dimNames;
    auto it = declaredTypes.find(name);
    if (!name.empty() && it != declaredTypes.end() &&
        it->second->has_tensor_type())
      (void)convertTensorType(it->second->tensor_type(), name, &dimNames);
    anyDims |= static_cast<bool>(dimNames);
    dims.push_back(dimNames ? dimNames : builder.getArrayAttr({}));
    outputs.push_back(builder.getStringAttr(name));
  }
  SmallVector<NamedAttribute> meta = {
      builder.getNamedAttr(names::kOutputs, builder.getArrayAttr(outputs))};
  if (anyDims)
    meta.push_back(builder.getNamedAttr(LoomDialect::getDimsAttrName(),
                                        builder.getArrayAttr(dims)));
  op->setLoc(
      FusedLoc::get(context, {op->getLoc()}, builder.getDictionaryAttr(meta)));
}

LogicalResult Importer::importGraphBody(onnx::GraphProto &graph) {
  // sortGraphs (ImportONNXValidate.cpp) put the nodes in topological order.
  for (onnx::NodeProto &node : *graph.mutable_node())
    if (failed(importNode(node)))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

/// Records every type the graph declares, subgraphs included.
static void
collectDeclaredTypes(const onnx::GraphProto &graph,
                     llvm::StringMap<const onnx::TypeProto *> &types) {
  for (const auto *list :
       {&graph.input(), &graph.output(), &graph.value_info()})
    for (const onnx::ValueInfoProto &info : *list)
      if (info.has_type())
        types[info.name()] = &info.type();
  for (const onnx::NodeProto &node : graph.node())
    for (const onnx::AttributeProto &attr : node.attribute()) {
      if (attr.has_g())
        collectDeclaredTypes(attr.g(), types);
      for (const onnx::GraphProto &sub : attr.graphs())
        collectDeclaredTypes(sub, types);
    }
}

OwningOpRef<ModuleOp> Importer::run(onnx::ModelProto &model) {
  context->loadDialect<LoomDialect, func::FuncDialect>();
  OwningOpRef<ModuleOp> owned = ModuleOp::create(fileLoc);
  module = *owned;
  builder.setInsertionPointToEnd(module.getBody());

  // Model-level fields, written back by the exporter.
  SmallVector<NamedAttribute> opsetAttrs;
  for (const onnx::OperatorSetIdProto &opset : model.opset_import()) {
    std::string domain = opset.domain() == "ai.onnx" ? "" : opset.domain();
    opsets[domain] = opset.version();
    // MLIR cannot parse an empty attribute name: the default domain is
    // recorded under its long name.
    opsetAttrs.emplace_back(
        builder.getStringAttr(domain.empty() ? "ai.onnx" : domain),
        builder.getI64IntegerAttr(opset.version()));
  }
  module->setAttr(names::kOpsetImport, builder.getDictionaryAttr(opsetAttrs));
  module->setAttr(names::kIrVersion,
                  builder.getI64IntegerAttr(model.ir_version()));
  auto setString = [&](StringRef name, const std::string &value) {
    if (!value.empty())
      module->setAttr(name, builder.getStringAttr(value));
  };
  setString(names::kProducerName, model.producer_name());
  setString(names::kProducerVersion, model.producer_version());
  setString(names::kDomain, model.domain());
  setString(names::kDocString, model.doc_string());
  if (model.model_version())
    module->setAttr(names::kModelVersion,
                    builder.getI64IntegerAttr(model.model_version()));
  if (model.metadata_props_size()) {
    SmallVector<NamedAttribute> props;
    for (const onnx::StringStringEntryProto &prop : model.metadata_props())
      props.emplace_back(builder.getStringAttr(prop.key()),
                         builder.getStringAttr(prop.value()));
    module->setAttr(names::kMetadataProps, builder.getDictionaryAttr(props));
  }
  if (model.functions_size()) {
    // Model-local functions travel unchanged, as serialized FunctionProtos.
    SmallVector<Attribute> functions;
    for (const onnx::FunctionProto &function : model.functions())
      functions.push_back(builder.getStringAttr(function.SerializeAsString()));
    module->setAttr(names::kFunctions, builder.getArrayAttr(functions));
  }

  onnx::GraphProto &graph = *model.mutable_graph();
  if (std::optional<std::string> invalid = prepareForShapeInference(model)) {
    error() << *invalid;
    return nullptr;
  }
  if (options.onnxShapeInference) {
    // Best effort: nodes ONNX's (1.12) schemas do not know keep no types,
    // and neither does a model ONNX's inference crashes on.
    if (!inferShapesIsolated(model, /*seconds=*/30))
      emitWarning(fileLoc) << "ONNX's shape inference failed on this model "
                              "(crashed or ran past 30 s); imported with the "
                              "types it declares";
  }
  collectDeclaredTypes(graph, declaredTypes);

  // Initializers become weights; initializers that are also graph inputs are
  // trainable parameters (a caller may override them).
  llvm::StringMap<int> inputIndex;
  for (auto [index, input] : llvm::enumerate(graph.input()))
    inputIndex[input.name()] = index;
  llvm::StringSet<> symbolNames;
  auto addWeight = [&](const std::string &name, ElementsAttr value,
                       StringRef doc) -> LogicalResult {
    if (name.empty())
      return error() << "an initializer has no name";
    if (!symbolNames.insert(name).second)
      return error() << "initializer '" << name << "' is defined twice";
    auto it = inputIndex.find(name);
    bool isInput = it != inputIndex.end();
    Type elementType = cast<ShapedType>(value.getType()).getElementType();
    WeightRole role = isa<FloatType, ComplexType>(elementType)
                          ? WeightRole::Parameter
                          : WeightRole::Constant;
    bool frozen = !isInput;
    // What Loom wrote where ONNX has no word for it (a buffer, a trainable
    // parameter that is no graph input).
    parseWeightDocString(doc, role, frozen);
    auto weight = WeightOp::create(
        builder, NameLoc::get(builder.getStringAttr(name), fileLoc),
        builder.getStringAttr(name), value, WeightRoleAttr::get(context, role),
        frozen ? builder.getUnitAttr() : UnitAttr(),
        isInput ? builder.getI64IntegerAttr(it->second) : IntegerAttr(),
        ArrayAttr(), ArrayAttr());
    weights[name] = weight;
    return success();
  };
  for (onnx::TensorProto &tensor : *graph.mutable_initializer()) {
    FailureOr<ElementsAttr> value =
        convertTensor(tensor, "initializer '" + tensor.name() + "'");
    if (failed(value) ||
        failed(addWeight(tensor.name(), *value, tensor.doc_string())))
      return nullptr;
  }
  for (onnx::SparseTensorProto &sparse : *graph.mutable_sparse_initializer()) {
    std::string name = sparse.values().name();
    FailureOr<ElementsAttr> value =
        convertSparseTensor(sparse, "sparse initializer '" + name + "'");
    if (failed(value) ||
        failed(addWeight(name, *value, sparse.values().doc_string())))
      return nullptr;
  }

  foldWeightIdentities(graph);

  // The function: graph inputs that are not initializers, graph outputs.
  SmallVector<Type> argTypes, resultTypes;
  SmallVector<DictionaryAttr> argAttrs, resultAttrs;
  llvm::StringSet<> seenInputs;
  auto infoAttrs = [&](const onnx::ValueInfoProto &info, Type &type,
                       StringRef kind) -> FailureOr<DictionaryAttr> {
    std::string what = kind.str() + " '" + info.name() + "'";
    if (!info.has_type())
      return error() << what << " has no type";
    ArrayAttr dimNames;
    FailureOr<Type> converted =
        info.type().has_tensor_type()
            ? convertTensorType(info.type().tensor_type(), what, &dimNames)
            : convertType(info.type(), what);
    if (failed(converted))
      return failure();
    type = *converted;
    SmallVector<NamedAttribute> attrs = {builder.getNamedAttr(
        LoomDialect::getNameAttrName(), builder.getStringAttr(info.name()))};
    if (dimNames)
      attrs.push_back(
          builder.getNamedAttr(LoomDialect::getDimsAttrName(), dimNames));
    if (!info.doc_string().empty())
      attrs.push_back(builder.getNamedAttr(
          names::kDocString, builder.getStringAttr(info.doc_string())));
    return builder.getDictionaryAttr(attrs);
  };
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (weights.count(input.name()))
      continue;
    if (!seenInputs.insert(input.name()).second) {
      error() << "graph input '" << input.name() << "' is declared twice";
      return nullptr;
    }
    Type type;
    FailureOr<DictionaryAttr> attrs = infoAttrs(input, type, "graph input");
    if (failed(attrs))
      return nullptr;
    // A caller must know what to feed: ONNX requires an input's type.
    if (isa<UnknownType>(type) ||
        (isa<TensorType>(type) &&
         isa<UnknownType>(cast<TensorType>(type).getElementType()))) {
      error() << "graph input '" << input.name()
              << "' has no type (elem_type 0 or no type at all)";
      return nullptr;
    }
    argTypes.push_back(type);
    argAttrs.push_back(*attrs);
  }
  for (const onnx::ValueInfoProto &output : graph.output()) {
    Type type;
    FailureOr<DictionaryAttr> attrs = infoAttrs(output, type, "graph output");
    if (failed(attrs))
      return nullptr;
    resultTypes.push_back(type);
    resultAttrs.push_back(*attrs);
  }

  std::string funcName = "main";
  while (symbolNames.count(funcName))
    funcName += "_";
  func = func::FuncOp::create(builder, fileLoc, funcName,
                              builder.getFunctionType(argTypes, resultTypes));
  func.setAllArgAttrs(argAttrs);
  func.setAllResultAttrs(resultAttrs);
  if (!graph.name().empty())
    func->setAttr(names::kGraphName, builder.getStringAttr(graph.name()));
  if (!graph.doc_string().empty())
    func->setAttr(names::kDocString, builder.getStringAttr(graph.doc_string()));
  Block *entry = func.addEntryBlock();
  weightReads.setBlock(entry);
  builder.setInsertionPointToEnd(entry);
  scopes.emplace_back();
  unsigned argIndex = 0;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (weights.count(input.name()))
      continue;
    scopes.back()[input.name()] = entry->getArgument(argIndex++);
  }

  if (failed(importGraphBody(graph)))
    return nullptr;

  SmallVector<Value> results;
  for (auto [index, output] : llvm::enumerate(graph.output())) {
    Value value = lookup(output.name());
    if (!value) {
      error() << "graph output '" << output.name()
              << "' is produced by no node, input or initializer";
      return nullptr;
    }
    // The declared output type may be less precise than what the graph
    // computes; the function returns the declared type.
    results.push_back(value);
  }
  auto ret = func::ReturnOp::create(builder, fileLoc, results);
  // Output types: the more precise of declared and computed.
  SmallVector<Type> finalResults;
  for (auto [declaredType, value] :
       llvm::zip_equal(resultTypes, ret.getOperands())) {
    Type computed = value.getType();
    finalResults.push_back(
        isCompatibleType(computed, declaredType) ? computed : declaredType);
  }
  func.setFunctionType(builder.getFunctionType(argTypes, finalResults));
  for (auto [index, type] : llvm::enumerate(finalResults))
    if (ret.getOperand(index).getType() != type) {
      error() << "graph output '" << graph.output(index).name()
              << "' is declared " << resultTypes[index]
              << " but its producer yields " << ret.getOperand(index).getType();
      return nullptr;
    }
  if (failed(verify(module)))
    return nullptr;
  return owned;
}

namespace {
/// The wire-format pieces of a model file, split so that large `raw_data`
/// payloads of top-level initializers stay in the mapped file.
struct SplitModel {
  std::string modelFields; // every ModelProto field but `graph`
  std::string graphFields; // every GraphProto field but `initializer`
  /// Each initializer without its `raw_data`, and where that lies in the file
  /// (empty when it stayed inside `header`).
  std::vector<std::pair<std::string, ArrayRef<char>>> initializers;
};
} // namespace

/// Parses `bytes` as one whole message. Protobuf's default nesting limit
/// (100) refuses valid models whose `If`s nest deeper than about 31 levels
/// (a graph inside a node inside an attribute is three levels); Loom allows
/// kMaxProtobufDepth, which the importer's own recursion is sized for.
static bool parseWhole(google::protobuf::MessageLite &message,
                       const std::string &bytes) {
  google::protobuf::io::CodedInputStream in(
      reinterpret_cast<const uint8_t *>(bytes.data()),
      static_cast<int>(bytes.size()));
  in.SetRecursionLimit(loom::kMaxProtobufDepth);
  return message.ParseFromCodedStream(&in) && in.ConsumedEntireMessage();
}

/// Appends the bytes of the field whose tag `in` just read to `out`.
static bool copyField(google::protobuf::io::CodedInputStream &in,
                      const char *base, int start, uint32_t tag,
                      std::string &out) {
  if (!google::protobuf::internal::WireFormatLite::SkipField(&in, tag))
    return false;
  out.append(base + start, in.CurrentPosition() - start);
  return true;
}

/// Walks the top-level fields with protobuf's CodedInputStream; everything
/// is still parsed by the generated classes, only big byte fields are left in
/// place. Payloads below `threshold` bytes stay inside their tensors (ONNX's
/// shape inference reads small initializers such as Reshape's shape).
static bool splitModel(ArrayRef<char> file, uint64_t threshold,
                       SplitModel &split) {
  using google::protobuf::internal::WireFormatLite;
  using google::protobuf::io::CodedInputStream;
  constexpr uint32_t kGraph = 7, kInitializer = 5, kRawData = 9;
  const char *base = file.data();
  auto bytes = reinterpret_cast<const uint8_t *>(base);
  CodedInputStream model(bytes, static_cast<int>(file.size()));
  model.SetTotalBytesLimit(std::numeric_limits<int>::max());
  for (;;) {
    int start = model.CurrentPosition();
    uint32_t tag = model.ReadTag();
    if (!tag)
      break;
    bool isGraph = WireFormatLite::GetTagFieldNumber(tag) == kGraph &&
                   WireFormatLite::GetTagWireType(tag) ==
                       WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
    if (!isGraph) {
      if (!copyField(model, base, start, tag, split.modelFields))
        return false;
      continue;
    }
    uint32_t graphLength;
    if (!model.ReadVarint32(&graphLength))
      return false;
    int graphStart = model.CurrentPosition();
    if (static_cast<uint64_t>(graphStart) + graphLength > file.size())
      return false;
    CodedInputStream graph(bytes + graphStart, graphLength);
    graph.SetTotalBytesLimit(std::numeric_limits<int>::max());
    const char *graphBase = base + graphStart;
    for (;;) {
      int gstart = graph.CurrentPosition();
      uint32_t gtag = graph.ReadTag();
      if (!gtag)
        break;
      if (WireFormatLite::GetTagFieldNumber(gtag) != kInitializer ||
          WireFormatLite::GetTagWireType(gtag) !=
              WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
        if (!copyField(graph, graphBase, gstart, gtag, split.graphFields))
          return false;
        continue;
      }
      uint32_t tensorLength;
      if (!graph.ReadVarint32(&tensorLength))
        return false;
      int tensorStart = graph.CurrentPosition();
      if (static_cast<uint64_t>(tensorStart) + tensorLength > graphLength)
        return false;
      CodedInputStream tensor(bytes + graphStart + tensorStart, tensorLength);
      const char *tensorBase = graphBase + tensorStart;
      std::string header;
      ArrayRef<char> raw;
      for (;;) {
        int tstart = tensor.CurrentPosition();
        uint32_t ttag = tensor.ReadTag();
        if (!ttag)
          break;
        if (WireFormatLite::GetTagFieldNumber(ttag) == kRawData &&
            WireFormatLite::GetTagWireType(ttag) ==
                WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
          uint32_t rawLength;
          if (!tensor.ReadVarint32(&rawLength))
            return false;
          int rawStart = tensor.CurrentPosition();
          if (static_cast<uint64_t>(rawStart) + rawLength > tensorLength ||
              !tensor.Skip(rawLength))
            return false;
          if (rawLength >= threshold) {
            raw = ArrayRef<char>(tensorBase + rawStart, rawLength);
            continue;
          }
          header.append(tensorBase + tstart, tensor.CurrentPosition() - tstart);
          continue;
        }
        if (!copyField(tensor, tensorBase, tstart, ttag, header))
          return false;
      }
      if (!tensor.ConsumedEntireMessage() ||
          tensor.CurrentPosition() != static_cast<int>(tensorLength))
        return false;
      if (!graph.Skip(tensorLength))
        return false;
      split.initializers.emplace_back(std::move(header), raw);
    }
    if (!graph.ConsumedEntireMessage() ||
        graph.CurrentPosition() != static_cast<int>(graphLength) ||
        !model.Skip(graphLength))
      return false;
  }
  return model.ConsumedEntireMessage() &&
         model.CurrentPosition() == static_cast<int>(file.size());
}

OwningOpRef<ModuleOp> loom::importONNXFile(StringRef path, MLIRContext *context,
                                           const ONNXImportOptions &options) {
  // Map the file: initializers' bytes are referenced where they lie.
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> mapped =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!mapped) {
    emitError(FileLineColLoc::get(context, path, 0, 0))
        << "cannot open: " << mapped.getError().message();
    return nullptr;
  }
  return importONNXBuffer(std::move(*mapped), path, context, options);
}

OwningOpRef<ModuleOp>
loom::importONNXBuffer(std::shared_ptr<llvm::MemoryBuffer> file, StringRef path,
                       MLIRContext *context, const ONNXImportOptions &options) {
  Location loc = FileLineColLoc::get(context, path, 0, 0);
  ArrayRef<char> bytes(file->getBufferStart(), file->getBufferSize());
  auto invalid = [&]() {
    emitError(loc) << "not a valid ONNX model (protobuf parsing failed: the "
                      "file is truncated, corrupt or not ONNX, or its "
                      "messages nest deeper than "
                   << kMaxProtobufDepth << " levels)";
    return nullptr;
  };
  if (bytes.size() >= (1ull << 31))
    return emitError(loc) << "is over protobuf's 2 GB limit; ONNX models that "
                             "large keep their weights in external data",
           nullptr;
  SplitModel split;
  if (!splitModel(bytes, /*threshold=*/64 * 1024, split))
    return invalid();
  onnx::ModelProto model;
  onnx::GraphProto graph;
  if (!parseWhole(model, split.modelFields) ||
      !parseWhole(graph, split.graphFields))
    return invalid();
  llvm::DenseMap<const onnx::TensorProto *, ArrayRef<char>> rawData;
  for (auto &[header, raw] : split.initializers) {
    onnx::TensorProto *tensor = graph.add_initializer();
    if (!parseWhole(*tensor, header))
      return invalid();
    if (!raw.empty())
      rawData[tensor] = raw;
  }
  if (split.initializers.empty() && split.graphFields.empty() &&
      !bytes.empty() && split.modelFields.empty())
    return invalid();
  if (bytes.empty()) {
    emitError(loc) << "is empty (0 bytes), not an ONNX model";
    return nullptr;
  }
  // Parsed apart, the graph is always "present": an empty one means the file
  // had none (or an empty one), which no exporter writes.
  if (split.graphFields.empty() && split.initializers.empty()) {
    emitError(loc) << "not a valid ONNX model: it has no graph";
    return nullptr;
  }
  *model.mutable_graph() = std::move(graph);
  // The move above keeps the TensorProto objects (and so the map's keys).
  Importer importer(context, path, options);
  importer.setRawData(std::move(rawData), file);
  return importer.run(model);
}
