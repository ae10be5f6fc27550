//===- ExportONNXOps.cpp - typed Loom ops as ONNX nodes -------------------===//
//
// (Filled in with the typed-op importer; until then no typed op exports.)
//
//===----------------------------------------------------------------------===//

#include "ExportONNX.h"

using namespace mlir;

LogicalResult loom::exportTypedOp(Operation *, const NodeWriter &,
                                  onnx::NodeProto &) {
  return success();
}
