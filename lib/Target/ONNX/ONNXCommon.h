//===- ONNXCommon.h - shared by the ONNX importer and exporter --*- C++ -*-===//
//
// The mapping between ONNX's TensorProto data types and MLIR element types,
// byte sizes of stored elements, and the names of the attributes through
// which the importer records what the exporter must write back.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_TARGET_ONNX_ONNXCOMMON_H
#define LOOM_LIB_TARGET_ONNX_ONNXCOMMON_H

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

#include "onnx/onnx_pb.h"

namespace loom::onnx_names {
// Module attributes: the ModelProto fields.
constexpr llvm::StringLiteral kIrVersion = "onnx.ir_version";
constexpr llvm::StringLiteral kOpsetImport = "onnx.opset_import";
constexpr llvm::StringLiteral kProducerName = "onnx.producer_name";
constexpr llvm::StringLiteral kProducerVersion = "onnx.producer_version";
constexpr llvm::StringLiteral kDomain = "onnx.domain";
constexpr llvm::StringLiteral kModelVersion = "onnx.model_version";
constexpr llvm::StringLiteral kDocString = "onnx.doc_string";
constexpr llvm::StringLiteral kMetadataProps = "onnx.metadata_props";
constexpr llvm::StringLiteral kFunctions = "onnx.functions";
// Function attributes: the GraphProto fields.
constexpr llvm::StringLiteral kGraphName = "onnx.graph_name";
// Argument and result attributes: LoomDialect::getNameAttrName() and
// getDimsAttrName().
// Location metadata of an imported op: its node's output names.
constexpr llvm::StringLiteral kOutputs = "onnx.outputs";
} // namespace loom::onnx_names

namespace loom {

/// The MLIR element type of an ONNX TensorProto.DataType, or null.
mlir::Type getElementType(mlir::MLIRContext *context, int32_t dataType);

/// The ONNX data type of an MLIR element type, or nullopt.
std::optional<int32_t> getONNXDataType(mlir::Type elementType);

/// Bytes that `count` elements take in ONNX `raw_data` (4-bit types packed two
/// to a byte), or nullopt for strings.
std::optional<uint64_t> getRawByteSize(int32_t dataType, uint64_t count);

/// Writes an attribute of a simple kind (i64 INT, f32 FLOAT, STRING, INTS,
/// FLOATS) into `proto`; false for any other kind.
bool writeSimpleAttribute(mlir::Attribute value, onnx::AttributeProto *proto);

/// Raw little-endian bytes of a TensorProto's typed `*_data` fields;
/// `countMatches` says whether they hold exactly `byteSize` bytes.
std::string typedFieldBytes(const onnx::TensorProto &tensor, int64_t count,
                            uint64_t byteSize, bool &countMatches);

/// What ONNX cannot say about a weight, kept in its initializer's doc_string
/// as "loom: buffer", "loom: parameter trainable", ...: written only where
/// import would infer otherwise (floats are frozen parameters, others
/// constants; graph inputs trainable), so files stay as they were otherwise.
std::string weightDocString(WeightRole role, bool frozen,
                            mlir::Type elementType, bool isGraphInput);
/// Reads such a doc string; false (nothing changed) for any other text.
bool parseWeightDocString(llvm::StringRef doc, WeightRole &role, bool &frozen);

} // namespace loom

#endif // LOOM_LIB_TARGET_ONNX_ONNXCOMMON_H
