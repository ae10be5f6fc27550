//===- Importer.h - the ONNX importer's state -------------------*- C++ -*-===//
//
// Private to lib/Target/ONNX: the class that turns one ModelProto into a
// module, split by concern across ImportONNX.cpp (graphs, nodes, the
// model), ImportONNXTensors.cpp (types, initializers, external data) and
// ImportONNXFile.cpp (reading a model file without copying its weights).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_TARGET_ONNX_IMPORTER_H
#define LOOM_LIB_TARGET_ONNX_IMPORTER_H

#include "ImportONNX.h"

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/WeightReads.h"
#include "loom/Target/ONNX/ONNXImport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/onnx_pb.h"

#include <memory>

namespace loom::onnx_import {

using namespace mlir;

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

} // namespace loom::onnx_import

#endif // LOOM_LIB_TARGET_ONNX_IMPORTER_H
