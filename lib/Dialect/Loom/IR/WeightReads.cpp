//===- WeightReads.cpp - one weight_ref per name an importer reads --------===//

#include "loom/Dialect/Loom/IR/WeightReads.h"

using namespace mlir;

void loom::setInsertionPointDominatingAll(OpBuilder &builder, Block *entry) {
  Block *current = builder.getInsertionBlock();
  if (!current || current == entry)
    return;
  Operation *enclosing = current->getParentOp();
  while (enclosing && enclosing->getBlock() != entry)
    enclosing = enclosing->getParentOp();
  if (enclosing)
    builder.setInsertionPoint(enclosing);
  else
    builder.setInsertionPointToEnd(entry);
}

Value loom::WeightReads::get(OpBuilder &builder, WeightOp weight,
                             StringRef name, Location fileLoc) {
  Value &ref = refs[name];
  if (!ref) {
    OpBuilder::InsertionGuard guard(builder);
    setInsertionPointDominatingAll(builder, block);
    ref = WeightRefOp::create(
        builder, NameLoc::get(builder.getStringAttr(name), fileLoc),
        weight.getType(), FlatSymbolRefAttr::get(weight.getSymNameAttr()));
  }
  return ref;
}
