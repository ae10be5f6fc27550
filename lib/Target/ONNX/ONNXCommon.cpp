//===- ONNXCommon.cpp - ONNX data types <-> MLIR element types ------------===//

#include "ONNXCommon.h"

#include "loom/Dialect/Loom/IR/LoomDialect.h"

#include "onnx/onnx_pb.h"

using namespace mlir;

namespace {
// Data types newer than Debian's onnx.proto (1.12) knows; the field is an
// int32, so files that use them still parse.
enum : int32_t {
  kFloat8E4M3FN = 17,
  kFloat8E4M3FNUZ = 18,
  kFloat8E5M2 = 19,
  kFloat8E5M2FNUZ = 20,
  kUInt4 = 21,
  kInt4 = 22,
  kFloat4E2M1 = 23,
  kFloat8E8M0 = 24,
};
} // namespace

Type loom::getElementType(MLIRContext *context, int32_t dataType) {
  Builder b(context);
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::UINT8:
    return IntegerType::get(context, 8, IntegerType::Unsigned);
  case onnx::TensorProto::INT8:
    return b.getIntegerType(8);
  case onnx::TensorProto::UINT16:
    return IntegerType::get(context, 16, IntegerType::Unsigned);
  case onnx::TensorProto::INT16:
    return b.getIntegerType(16);
  case onnx::TensorProto::INT32:
    return b.getIntegerType(32);
  case onnx::TensorProto::INT64:
    return b.getIntegerType(64);
  case onnx::TensorProto::STRING:
    return StringType::get(context);
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::UINT32:
    return IntegerType::get(context, 32, IntegerType::Unsigned);
  case onnx::TensorProto::UINT64:
    return IntegerType::get(context, 64, IntegerType::Unsigned);
  case onnx::TensorProto::COMPLEX64:
    return ComplexType::get(b.getF32Type());
  case onnx::TensorProto::COMPLEX128:
    return ComplexType::get(b.getF64Type());
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case kFloat8E4M3FN:
    return Float8E4M3FNType::get(context);
  case kFloat8E4M3FNUZ:
    return Float8E4M3FNUZType::get(context);
  case kFloat8E5M2:
    return Float8E5M2Type::get(context);
  case kFloat8E5M2FNUZ:
    return Float8E5M2FNUZType::get(context);
  case kUInt4:
    return IntegerType::get(context, 4, IntegerType::Unsigned);
  case kInt4:
    return b.getIntegerType(4);
  case kFloat4E2M1:
    return Float4E2M1FNType::get(context);
  case kFloat8E8M0:
    return Float8E8M0FNUType::get(context);
  default:
    return nullptr;
  }
}

std::optional<int32_t> loom::getONNXDataType(Type type) {
  if (type.isF32())
    return onnx::TensorProto::FLOAT;
  if (type.isF64())
    return onnx::TensorProto::DOUBLE;
  if (type.isF16())
    return onnx::TensorProto::FLOAT16;
  if (type.isBF16())
    return onnx::TensorProto::BFLOAT16;
  if (isa<Float8E4M3FNType>(type))
    return kFloat8E4M3FN;
  if (isa<Float8E4M3FNUZType>(type))
    return kFloat8E4M3FNUZ;
  if (isa<Float8E5M2Type>(type))
    return kFloat8E5M2;
  if (isa<Float8E5M2FNUZType>(type))
    return kFloat8E5M2FNUZ;
  if (isa<Float4E2M1FNType>(type))
    return kFloat4E2M1;
  if (isa<Float8E8M0FNUType>(type))
    return kFloat8E8M0;
  if (isa<StringType>(type))
    return onnx::TensorProto::STRING;
  if (auto complex = dyn_cast<ComplexType>(type)) {
    if (complex.getElementType().isF32())
      return onnx::TensorProto::COMPLEX64;
    if (complex.getElementType().isF64())
      return onnx::TensorProto::COMPLEX128;
    return std::nullopt;
  }
  auto integer = dyn_cast<IntegerType>(type);
  if (!integer)
    return std::nullopt;
  bool isUnsigned = integer.isUnsigned();
  switch (integer.getWidth()) {
  case 1:
    return onnx::TensorProto::BOOL;
  case 4:
    return isUnsigned ? kUInt4 : kInt4;
  case 8:
    return isUnsigned ? onnx::TensorProto::UINT8 : onnx::TensorProto::INT8;
  case 16:
    return isUnsigned ? onnx::TensorProto::UINT16 : onnx::TensorProto::INT16;
  case 32:
    return isUnsigned ? onnx::TensorProto::UINT32 : onnx::TensorProto::INT32;
  case 64:
    return isUnsigned ? onnx::TensorProto::UINT64 : onnx::TensorProto::INT64;
  default:
    return std::nullopt;
  }
}

std::optional<uint64_t> loom::getRawByteSize(int32_t dataType, uint64_t count) {
  switch (dataType) {
  case onnx::TensorProto::STRING:
  case onnx::TensorProto::UNDEFINED:
    return std::nullopt;
  case kUInt4:
  case kInt4:
  case kFloat4E2M1:
    return (count + 1) / 2;
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::BOOL:
  case kFloat8E4M3FN:
  case kFloat8E4M3FNUZ:
  case kFloat8E5M2:
  case kFloat8E5M2FNUZ:
  case kFloat8E8M0:
    return count;
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    return 2 * count;
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
    return 4 * count;
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::UINT64:
  case onnx::TensorProto::COMPLEX64:
    return 8 * count;
  case onnx::TensorProto::COMPLEX128:
    return 16 * count;
  default:
    return std::nullopt;
  }
}

bool loom::writeSimpleAttribute(Attribute value, onnx::AttributeProto *proto) {
  if (auto i = dyn_cast<IntegerAttr>(value)) {
    proto->set_type(onnx::AttributeProto::INT);
    proto->set_i(i.getInt());
  } else if (auto f = dyn_cast<FloatAttr>(value)) {
    proto->set_type(onnx::AttributeProto::FLOAT);
    proto->set_f(f.getValueAsDouble());
  } else if (auto s = dyn_cast<StringAttr>(value)) {
    proto->set_type(onnx::AttributeProto::STRING);
    proto->set_s(s.getValue().str());
  } else if (auto ints = dyn_cast<DenseI64ArrayAttr>(value)) {
    proto->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : ints.asArrayRef())
      proto->add_ints(v);
  } else if (auto floats = dyn_cast<DenseF32ArrayAttr>(value)) {
    proto->set_type(onnx::AttributeProto::FLOATS);
    for (float v : floats.asArrayRef())
      proto->add_floats(v);
  } else {
    return false;
  }
  return true;
}

std::string loom::weightDocString(WeightRole role, bool frozen,
                                  mlir::Type elementType, bool isGraphInput) {
  WeightRole inferredRole =
      mlir::isa<mlir::FloatType, mlir::ComplexType>(elementType)
          ? WeightRole::Parameter
          : WeightRole::Constant;
  bool inferredFrozen = !isGraphInput;
  if (role == inferredRole && frozen == inferredFrozen)
    return "";
  std::string doc = "loom: " + stringifyWeightRole(role).str();
  if (!frozen)
    doc += " trainable";
  return doc;
}

bool loom::parseWeightDocString(llvm::StringRef doc, WeightRole &role,
                                bool &frozen) {
  if (!doc.consume_front("loom: "))
    return false;
  llvm::SmallVector<llvm::StringRef> words;
  doc.split(words, ' ', -1, /*KeepEmpty=*/false);
  if (words.empty() || words.size() > 2 ||
      (words.size() == 2 && words[1] != "trainable"))
    return false;
  std::optional<WeightRole> parsed = symbolizeWeightRole(words[0]);
  if (!parsed)
    return false;
  role = *parsed;
  frozen = words.size() == 1;
  return true;
}
