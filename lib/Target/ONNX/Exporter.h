//===- Exporter.h - the ONNX exporter's state -------------------*- C++ -*-===//
//
// Private to lib/Target/ONNX: the class that writes one module as an ONNX
// model, split by concern across ExportONNX.cpp (names, graphs, the model),
// ExportONNXTensors.cpp (tensors, types, attributes) and ExportONNXFile.cpp
// (the files: external data, streamed initializers, atomic replacement).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_TARGET_ONNX_EXPORTER_H
#define LOOM_LIB_TARGET_ONNX_EXPORTER_H

#include "ExportONNX.h"

#include "loom/Target/ONNX/ONNXExport.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"

#include "onnx/onnx_pb.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace loom::onnx_export {

using namespace mlir;

constexpr int64_t kDefaultOpset = 21;
constexpr int64_t kDefaultIrVersion = 10;
/// Protobuf cannot write messages of 2 GB or more; stay clear of it.
constexpr uint64_t kProtobufLimit = (1ull << 31) - (64ull << 20);
/// Initializers at least this large are streamed from their blobs.
constexpr uint64_t kStreamThreshold = 64 * 1024;
// Wire-format tags (field number << 3 | length-delimited) of the fields the
// streamed initializers are written under.
constexpr uint32_t kModelGraphTag = (7 << 3) | 2; // ModelProto.graph
constexpr uint32_t kGraphInitializerTag =
    (5 << 3) | 2;                                    // GraphProto.initializer
constexpr uint32_t kTensorRawDataTag = (9 << 3) | 2; // TensorProto.raw_data

class Exporter {
public:
  Exporter(ModuleOp module, StringRef path, const ONNXExportOptions &options)
      : module(module), symbols(module), path(path.str()), options(options) {}

  LogicalResult run();
  /// After run(): the external data file written, or empty.
  std::string writtenDataPath;

private:
  /// Makes `tensor` refer to `data` in a file shared by several models
  /// when options.findShared knows it; false otherwise.
  bool referToShared(llvm::ArrayRef<char> data, onnx::TensorProto *tensor);
  LogicalResult writeTensor(ElementsAttr value, onnx::TensorProto *tensor);
  LogicalResult writeType(Type type, ArrayAttr dimNames, Location loc,
                          onnx::TypeProto *proto);
  LogicalResult writeAttribute(Operation *op, StringRef name, Attribute value,
                               onnx::AttributeProto *attr);
  LogicalResult writeBlock(Block &block, onnx::GraphProto *graph);
  LogicalResult writeOp(Operation *op, onnx::GraphProto *graph);
  LogicalResult writeSubgraph(Region &region, StringRef name,
                              onnx::GraphProto *graph);
  std::string freshName(StringRef hint);
  std::string nameOf(Value value);
  std::string nodeName(Operation *op);
  void addValueInfo(Value value, onnx::GraphProto *graph);

  ModuleOp module;
  /// Weights by name: one table, not a scan of the module per read (which
  /// made export quadratic in the number of weights).
  SymbolTable symbols;
  std::string path;
  ONNXExportOptions options;
  onnx::ModelProto model;
  int64_t opset = kDefaultOpset;
  llvm::DenseMap<Value, std::string> names;
  llvm::StringSet<> used;
  /// Output names import recorded; fresh names avoid them.
  llvm::StringSet<> reserved;
  llvm::StringSet<> nodeNames;
  /// Each typed op kind's ODS attribute defaults (ExportONNXOps.cpp).
  llvm::DenseMap<OperationName, DictionaryAttr> opDefaults;
  /// Constants that typed ops may have written as attributes instead.
  llvm::StringSet<> foldableConstants;
  void dropUnreadConstants(onnx::GraphProto *graph);
  void hoistConstants(onnx::GraphProto *graph);
  onnx::GraphProto *currentGraph = nullptr;
  /// Tensors that go to the external data file, in order.
  std::vector<std::pair<onnx::TensorProto *, ArrayRef<char>>> externalTensors;
  bool useExternal = false;
  /// Initializers whose raw data is streamed from their blobs into the file
  /// after the rest of the model (see writeModel).
  std::vector<std::pair<std::unique_ptr<onnx::TensorProto>, ArrayRef<char>>>
      streamed;
  bool streamRawData = false;
  std::optional<ArrayRef<char>> streamedData;

  /// Writes the model (and its external data) once the graph is built.
  LogicalResult writeFiles();
  LogicalResult writeModel(int fd);
  uint64_t streamedBytes() const;
};

/// Writes a SparseElementsAttr as a SparseTensorProto with [NNZ, rank]
/// coordinates, its values and indices through `write`.
LogicalResult writeSparse(
    SparseElementsAttr sparse, onnx::SparseTensorProto *proto,
    llvm::function_ref<LogicalResult(ElementsAttr, onnx::TensorProto *)> write);

} // namespace loom::onnx_export

#endif // LOOM_LIB_TARGET_ONNX_EXPORTER_H
