//===- HostTensor.cpp - host tensors and NumPy's .npy format --------------===//

#include "loom/Runtime/HostTensor.h"

#include "loom/Dialect/Loom/IR/WeightData.h"
#include "loom/Support/FileOutput.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdlib>
#include <cstring>

using namespace mlir;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;

namespace loom::runtime {

namespace {
struct DTypeInfo {
  DType dtype;
  unsigned bytes;
  const char *name;
  const char *npy; // the descr without its byte-order character
};
constexpr DTypeInfo kDTypes[] = {
    {DType::F16, 2, "float16", "f2"}, {DType::BF16, 2, "bfloat16", "V2"},
    {DType::F32, 4, "float32", "f4"}, {DType::F64, 8, "float64", "f8"},
    {DType::I8, 1, "int8", "i1"},     {DType::I16, 2, "int16", "i2"},
    {DType::I32, 4, "int32", "i4"},   {DType::I64, 8, "int64", "i8"},
    {DType::U8, 1, "uint8", "u1"},    {DType::U16, 2, "uint16", "u2"},
    {DType::U32, 4, "uint32", "u4"},  {DType::U64, 8, "uint64", "u8"},
    {DType::Bool, 1, "bool", "b1"},
};
const DTypeInfo &info(DType dtype) {
  for (const DTypeInfo &entry : kDTypes)
    if (entry.dtype == dtype)
      return entry;
  llvm_unreachable("unknown dtype");
}
} // namespace

unsigned getByteSize(DType dtype) { return info(dtype).bytes; }
StringRef getName(DType dtype) { return info(dtype).name; }

namespace {
/// DType <-> ONNX TensorProto.DataType.
constexpr std::pair<DType, int32_t> kONNXDataTypes[] = {
    {DType::F32, 1},  {DType::U8, 2},   {DType::I8, 3},   {DType::U16, 4},
    {DType::I16, 5},  {DType::I32, 6},  {DType::I64, 7},  {DType::Bool, 9},
    {DType::F16, 10}, {DType::F64, 11}, {DType::U32, 12}, {DType::U64, 13},
    {DType::BF16, 16}};
} // namespace

int32_t getONNXDataType(DType dtype) {
  for (auto [candidate, code] : kONNXDataTypes)
    if (candidate == dtype)
      return code;
  return 0;
}

std::optional<DType> getDTypeOfONNXDataType(int32_t code) {
  for (auto [dtype, candidate] : kONNXDataTypes)
    if (candidate == code)
      return dtype;
  return std::nullopt;
}

std::optional<DType> getDType(Type type) {
  if (type.isF16())
    return DType::F16;
  if (type.isBF16())
    return DType::BF16;
  if (type.isF32())
    return DType::F32;
  if (type.isF64())
    return DType::F64;
  if (type.isInteger(1))
    return DType::Bool;
  if (auto integer = dyn_cast<IntegerType>(type)) {
    bool isUnsigned = integer.isUnsigned();
    switch (integer.getWidth()) {
    case 8:
      return isUnsigned ? DType::U8 : DType::I8;
    case 16:
      return isUnsigned ? DType::U16 : DType::I16;
    case 32:
      return isUnsigned ? DType::U32 : DType::I32;
    case 64:
      return isUnsigned ? DType::U64 : DType::I64;
    default:
      return std::nullopt;
    }
  }
  return std::nullopt;
}

Type getMLIRType(MLIRContext *context, DType dtype) {
  Builder b(context);
  switch (dtype) {
  case DType::F16:
    return b.getF16Type();
  case DType::BF16:
    return b.getBF16Type();
  case DType::F32:
    return b.getF32Type();
  case DType::F64:
    return b.getF64Type();
  case DType::Bool:
    return b.getI1Type();
  case DType::I8:
  case DType::I16:
  case DType::I32:
  case DType::I64:
    return b.getIntegerType(getByteSize(dtype) * 8);
  case DType::U8:
  case DType::U16:
  case DType::U32:
  case DType::U64:
    return IntegerType::get(context, getByteSize(dtype) * 8,
                            IntegerType::Unsigned);
  }
  llvm_unreachable("unknown dtype");
}

void HostTensor::Free::operator()(char *p) const { std::free(p); }

HostTensor::HostTensor(DType dtype, llvm::ArrayRef<int64_t> shape)
    : dtype(dtype), shape(shape) {
  numBytes =
      static_cast<size_t>(getNumElements()) * runtime::getByteSize(dtype);
  // 64-byte alignment (a cache line, an AVX-512 vector); at least one
  // allocation unit so that data() is never null.
  size_t rounded = (std::max<size_t>(numBytes, 1) + 63) / 64 * 64;
  bytes.reset(static_cast<char *>(std::aligned_alloc(64, rounded)));
  if (bytes)
    std::memset(bytes.get(), 0, rounded);
}

int64_t HostTensor::getNumElements() const {
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  return count;
}

/// The most bytes a .npy file may declare (its header is untrusted): the
/// data must be in the file anyway, so the check below bounds it too.
Expected<HostTensor> parseNpy(StringRef bytes, StringRef what) {
  auto fail = [&](const llvm::Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   what + ": " + message);
  };
  if (!bytes.starts_with("\x93NUMPY") || bytes.size() < 10)
    return fail("not a .npy file (no \\x93NUMPY magic)");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength = static_cast<unsigned char>(bytes[8]) |
                   (static_cast<unsigned char>(bytes[9]) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fail("truncated header");
    headerLength = 0;
    for (int i = 3; i >= 0; --i)
      headerLength =
          (headerLength << 8) | static_cast<unsigned char>(bytes[8 + i]);
    headerStart = 12;
  } else {
    return fail(llvm::formatv("unsupported .npy version {0}", major));
  }
  if (headerLength > bytes.size() - headerStart)
    return fail("truncated header");
  StringRef header = bytes.substr(headerStart, headerLength);
  StringRef data = bytes.substr(headerStart + headerLength);

  auto valueOf = [&](StringRef key) -> std::optional<StringRef> {
    size_t at = header.find(("'" + key + "'").str());
    if (at == StringRef::npos)
      return std::nullopt;
    StringRef rest = header.substr(at + key.size() + 2).ltrim();
    if (!rest.consume_front(":"))
      return std::nullopt;
    return rest.ltrim();
  };
  std::optional<StringRef> descr = valueOf("descr");
  std::optional<StringRef> fortran = valueOf("fortran_order");
  std::optional<StringRef> shapeText = valueOf("shape");
  if (!descr || !fortran || !shapeText)
    return fail("header lacks descr, fortran_order or shape");
  if (fortran->starts_with("True"))
    return fail("Fortran-ordered arrays are not supported (save with "
                "np.ascontiguousarray)");
  if (!descr->consume_front("'"))
    return fail("malformed descr");
  StringRef type = descr->take_until([](char c) { return c == '\''; });
  char order = type.empty() ? 0 : type.front();
  StringRef code = type.drop_front();
  std::optional<DType> dtype;
  for (const DTypeInfo &entry : kDTypes)
    if (code == entry.npy)
      dtype = entry.dtype;
  if (!dtype || (order != '<' && order != '|' &&
                 !(order == '>' && getByteSize(*dtype) == 1)))
    return fail("unsupported dtype '" + type +
                "' (little-endian bool, int, uint and float only)");
  if (!shapeText->consume_front("("))
    return fail("malformed shape");
  StringRef dims = shapeText->take_until([](char c) { return c == ')'; });
  SmallVector<int64_t> shape;
  SmallVector<StringRef> parts;
  dims.split(parts, ',');
  for (StringRef part : parts) {
    part = part.trim();
    if (part.empty())
      continue;
    int64_t size;
    if (part.getAsInteger(10, size) || size < 0)
      return fail("malformed shape dimension '" + part + "'");
    shape.push_back(size);
  }
  std::optional<int64_t> count = getCheckedNumElements(shape);
  if (!count)
    return fail("element count overflows");
  uint64_t expected = static_cast<uint64_t>(*count) * getByteSize(*dtype);
  if (*count > 0 &&
      expected / static_cast<uint64_t>(*count) != getByteSize(*dtype))
    return fail("byte size overflows");
  if (data.size() != expected)
    return fail(llvm::formatv("holds {0} data bytes, the header says {1}",
                              data.size(), expected));
  HostTensor tensor(*dtype, shape);
  if (!tensor.data())
    return fail("out of memory");
  std::memcpy(tensor.data(), data.data(), data.size());
  return std::move(tensor);
}

Expected<HostTensor> readNpy(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return llvm::createStringError(buffer.getError(),
                                   path + ": " + buffer.getError().message());
  return parseNpy((*buffer)->getBuffer(), path);
}

Error writeNpy(const HostTensor &tensor, StringRef path) {
  std::string header = "{'descr': '";
  header += getByteSize(tensor.getDType()) == 1 ? "|" : "<";
  header += info(tensor.getDType()).npy;
  header += "', 'fortran_order': False, 'shape': (";
  llvm::ArrayRef<int64_t> shape = tensor.getShape();
  for (size_t i = 0; i < shape.size(); ++i)
    header += (i ? ", " : "") + std::to_string(shape[i]);
  header += shape.size() == 1 ? ",)" : ")";
  header += ", }";
  // Magic (6) + version (2) + length (2) + header + '\n', a multiple of 64.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  return writeFileAtomically(path, [&](llvm::raw_ostream &os) -> Error {
    os << "\x93NUMPY";
    os << char(1) << char(0);
    os << char(header.size() & 0xff) << char(header.size() >> 8);
    os << header;
    os.write(tensor.data(), tensor.getByteSize());
    return Error::success();
  });
}

} // namespace loom::runtime
