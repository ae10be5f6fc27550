//===- ExportONNXTensors.cpp - Loom tensors and types to ONNX -------------===//
//
// Elements attributes to TensorProtos (raw bytes, streamed from their blobs
// when large, or into the external data file), types to TypeProtos with
// their symbolic dimension names, op attributes to AttributeProtos.
//
//===----------------------------------------------------------------------===//

#include "Exporter.h"
#include "ONNXCommon.h"

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/WeightData.h"
#include "loom/Support/FileOutput.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <unistd.h>
#include <xxhash.h>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>

using namespace mlir;
using namespace loom;
using namespace loom::onnx_export;
namespace names = loom::onnx_names;

//===----------------------------------------------------------------------===//
// Tensors, types, attributes
//===----------------------------------------------------------------------===//

/// The raw bytes of a dense attribute in ONNX's layout (bools one byte each).
static std::string denseBytes(DenseElementsAttr dense) {
  std::string bytes;
  auto type = cast<ShapedType>(dense.getType());
  if (type.getElementType().isInteger(1)) {
    for (bool value : dense.getValues<bool>())
      bytes.push_back(value ? 1 : 0);
    return bytes;
  }
  ArrayRef<char> raw = dense.getRawData();
  if (!dense.isSplat())
    return std::string(raw.data(), raw.size());
  for (int64_t i = 0, e = type.getNumElements(); i < e; ++i)
    bytes.append(raw.data(), raw.size());
  return bytes;
}

bool Exporter::referToShared(ArrayRef<char> data, onnx::TensorProto *tensor) {
  if (!options.findShared || data.size() < options.externalDataThreshold)
    return false;
  std::optional<ONNXExportOptions::SharedTensor> shared =
      options.findShared(data);
  if (!shared)
    return false;
  tensor->set_data_location(onnx::TensorProto::EXTERNAL);
  auto add = [&](StringRef key, std::string value) {
    onnx::StringStringEntryProto *kv = tensor->add_external_data();
    kv->set_key(key.str());
    kv->set_value(std::move(value));
  };
  add("location", shared->location);
  add("offset", std::to_string(shared->offset));
  add("length", std::to_string(data.size()));
  return true;
}

LogicalResult Exporter::writeTensor(ElementsAttr value,
                                    onnx::TensorProto *tensor) {
  auto type = cast<ShapedType>(value.getType());
  std::optional<int32_t> dataType = getONNXDataType(type.getElementType());
  if (!dataType || !type.hasStaticShape())
    return emitError(module.getLoc())
           << "tensor '" << tensor->name() << "' of type " << type
           << " has no ONNX form";
  tensor->set_data_type(*dataType);
  for (int64_t dim : type.getShape())
    tensor->add_dims(dim);
  // A splat's bytes are not in the IR: bound what writing it out may claim.
  if (auto dense = dyn_cast<DenseElementsAttr>(value);
      dense && dense.isSplat()) {
    std::optional<int64_t> count = getCheckedNumElements(type.getShape());
    uint64_t elementBytes = 1;
    if (auto strings = dyn_cast<DenseStringElementsAttr>(value))
      elementBytes =
          std::max<uint64_t>(1, strings.getRawStringData().front().size());
    else if (std::optional<unsigned> bytes =
                 getElementByteSize(type.getElementType()))
      elementBytes = *bytes;
    uint64_t total;
    if (!count ||
        __builtin_mul_overflow(uint64_t(*count), elementBytes, &total) ||
        total > kMaxSplatExpansionBytes)
      return emitError(module.getLoc())
             << "tensor '" << tensor->name() << "' is one value repeated "
             << "over " << type << "; written out it would take more than "
             << (kMaxSplatExpansionBytes >> 30)
             << " GiB, more than export expands";
  }
  if (auto strings = dyn_cast<DenseStringElementsAttr>(value)) {
    for (StringRef s : strings.getRawStringData())
      tensor->add_string_data(s.str());
    if (strings.isSplat())
      for (int64_t i = 1; i < type.getNumElements(); ++i)
        tensor->add_string_data(strings.getRawStringData().front().str());
    return success();
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return emitError(module.getLoc())
             << "tensor '" << tensor->name() << "' refers to resource '"
             << resource.getRawHandle().getKey() << "', which holds no data";
    ArrayRef<char> data = blob->getData();
    if (referToShared(data, tensor))
      return success();
    if (useExternal && data.size() >= options.externalDataThreshold) {
      externalTensors.emplace_back(tensor, data);
      return success();
    }
    if (streamRawData && data.size() >= kStreamThreshold) {
      // Written straight from the blob when the file is (no copy).
      streamedData = data;
      return success();
    }
    tensor->set_raw_data(data.data(), data.size());
    return success();
  }
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    // The raw data of a non-splat, byte-sized dense attribute is the ONNX
    // raw data.
    if (!dense.isSplat() && !type.getElementType().isInteger(1) &&
        referToShared(dense.getRawData(), tensor))
      return success();
    tensor->set_raw_data(denseBytes(dense));
    return success();
  }
  return emitError(module.getLoc()) << "tensor '" << tensor->name() << "' is a "
                                    << value << ", which export does not write";
}

LogicalResult Exporter::writeType(Type type, ArrayAttr dimNames, Location loc,
                                  onnx::TypeProto *proto) {
  if (isa<UnknownType>(type))
    return success();
  if (auto tensor = dyn_cast<TensorType>(type)) {
    std::optional<int32_t> dataType = getONNXDataType(tensor.getElementType());
    if (!dataType)
      return emitError(loc) << "type " << type << " has no ONNX form";
    onnx::TypeProto::Tensor *t = proto->mutable_tensor_type();
    t->set_elem_type(*dataType);
    if (auto ranked = dyn_cast<RankedTensorType>(tensor)) {
      onnx::TensorShapeProto *shape = t->mutable_shape();
      for (auto [index, dim] : llvm::enumerate(ranked.getShape())) {
        onnx::TensorShapeProto::Dimension *d = shape->add_dim();
        if (!ShapedType::isDynamic(dim)) {
          d->set_dim_value(dim);
        } else if (dimNames && index < dimNames.size()) {
          StringRef name = cast<StringAttr>(dimNames[index]).getValue();
          if (!name.empty())
            d->set_dim_param(name.str());
        }
      }
    }
    return success();
  }
  if (auto seq = dyn_cast<SequenceType>(type))
    return writeType(seq.getElementType(), nullptr, loc,
                     proto->mutable_sequence_type()->mutable_elem_type());
  if (auto opt = dyn_cast<OptionalType>(type))
    return writeType(opt.getElementType(), nullptr, loc,
                     proto->mutable_optional_type()->mutable_elem_type());
  if (auto map = dyn_cast<MapType>(type)) {
    std::optional<int32_t> key = getONNXDataType(map.getKeyType());
    if (!key)
      return emitError(loc)
             << "map key type " << map.getKeyType() << " has no ONNX form";
    proto->mutable_map_type()->set_key_type(*key);
    return writeType(map.getValueType(), nullptr, loc,
                     proto->mutable_map_type()->mutable_value_type());
  }
  if (auto sparse = dyn_cast<SparseTensorType>(type)) {
    onnx::TypeProto dense;
    if (failed(writeType(sparse.getTensorType(), dimNames, loc, &dense)))
      return failure();
    onnx::TypeProto::SparseTensor *s = proto->mutable_sparse_tensor_type();
    s->set_elem_type(dense.tensor_type().elem_type());
    if (dense.tensor_type().has_shape())
      *s->mutable_shape() = dense.tensor_type().shape();
    return success();
  }
  return emitError(loc) << "type " << type << " has no ONNX form";
}

/// Writes a SparseElementsAttr as a SparseTensorProto with [NNZ, rank]
/// coordinates.
LogicalResult loom::onnx_export::writeSparse(
    SparseElementsAttr sparse, onnx::SparseTensorProto *proto,
    llvm::function_ref<LogicalResult(ElementsAttr, onnx::TensorProto *)>
        write) {
  auto type = cast<ShapedType>(sparse.getType());
  for (int64_t dim : type.getShape())
    proto->add_dims(dim);
  if (failed(write(sparse.getValues(), proto->mutable_values())) ||
      failed(write(sparse.getIndices(), proto->mutable_indices())))
    return failure();
  return success();
}

LogicalResult Exporter::writeAttribute(Operation *op, StringRef name,
                                       Attribute value,
                                       onnx::AttributeProto *attr) {
  attr->set_name(name.str());
  auto writeGraph = [&](GraphAttr graph, onnx::GraphProto *proto) {
    return writeSubgraph(op->getRegion(graph.getRegion()), name, proto);
  };
  auto tensorWriter = [&](ElementsAttr e, onnx::TensorProto *t) {
    return writeTensor(e, t);
  };
  if (writeSimpleAttribute(value, attr))
    return success();
  if (auto sparse = dyn_cast<SparseElementsAttr>(value)) {
    attr->set_type(onnx::AttributeProto::SPARSE_TENSOR);
    return writeSparse(sparse, attr->mutable_sparse_tensor(), tensorWriter);
  } else if (auto e = dyn_cast<ElementsAttr>(value)) {
    attr->set_type(onnx::AttributeProto::TENSOR);
    bool saved = useExternal;
    useExternal = false; // attribute tensors stay inside the node
    LogicalResult result = writeTensor(e, attr->mutable_t());
    useExternal = saved;
    return result;
  } else if (auto g = dyn_cast<GraphAttr>(value)) {
    attr->set_type(onnx::AttributeProto::GRAPH);
    return writeGraph(g, attr->mutable_g());
  } else if (auto t = dyn_cast<TypeAttr>(value)) {
    attr->set_type(onnx::AttributeProto::TYPE_PROTO);
    return writeType(t.getValue(), nullptr, op->getLoc(), attr->mutable_tp());
  } else if (auto array = dyn_cast<ArrayAttr>(value)) {
    Attribute first = array.empty() ? Attribute() : array[0];
    if (!first || isa<StringAttr>(first)) {
      attr->set_type(onnx::AttributeProto::STRINGS);
      for (Attribute a : array)
        attr->add_strings(cast<StringAttr>(a).getValue().str());
    } else if (isa<GraphAttr>(first)) {
      attr->set_type(onnx::AttributeProto::GRAPHS);
      for (Attribute a : array)
        if (failed(writeGraph(cast<GraphAttr>(a), attr->add_graphs())))
          return failure();
    } else if (isa<TypeAttr>(first)) {
      attr->set_type(onnx::AttributeProto::TYPE_PROTOS);
      for (Attribute a : array)
        if (failed(writeType(cast<TypeAttr>(a).getValue(), nullptr,
                             op->getLoc(), attr->add_type_protos())))
          return failure();
    } else if (isa<SparseElementsAttr>(first)) {
      attr->set_type(onnx::AttributeProto::SPARSE_TENSORS);
      for (Attribute a : array)
        if (failed(writeSparse(cast<SparseElementsAttr>(a),
                               attr->add_sparse_tensors(), tensorWriter)))
          return failure();
    } else if (isa<ElementsAttr>(first)) {
      attr->set_type(onnx::AttributeProto::TENSORS);
      for (Attribute a : array)
        if (failed(writeTensor(cast<ElementsAttr>(a), attr->add_tensors())))
          return failure();
    } else {
      return op->emitOpError("attribute '") << name << "' has no ONNX form";
    }
  } else {
    return op->emitOpError("attribute '") << name << "' has no ONNX form";
  }
  return success();
}
