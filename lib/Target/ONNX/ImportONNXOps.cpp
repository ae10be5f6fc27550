//===- ImportONNXOps.cpp - known ONNX operators to typed Loom ops ---------===//
//
// (Filled in step by step; until an operator is listed here it imports as the
// generic `loom.onnx`, which round-trips everything.)
//
//===----------------------------------------------------------------------===//

#include "ImportONNX.h"

using namespace mlir;

Operation *loom::importTypedOp(OpBuilder &, const NodeContext &) {
  return nullptr;
}
