//===- WeightReads.cpp - one weight_ref per name an importer reads --------===//

#include "loom/Dialect/Loom/IR/WeightReads.h"

using namespace mlir;

Value loom::WeightReads::get(OpBuilder &builder, WeightOp weight,
                             StringRef name, Location fileLoc) {
  Value &ref = refs[name];
  if (!ref) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPoint(block, insertPoint);
    ref = WeightRefOp::create(
        builder, NameLoc::get(builder.getStringAttr(name), fileLoc),
        weight.getType(), FlatSymbolRefAttr::get(weight.getSymNameAttr()));
  }
  return ref;
}
