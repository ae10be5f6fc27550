//===- FrozenValues.cpp - what depends only on frozen data ----------------===//
//
// The one test of foldability, shared by the rewrites and the evaluation:
// a value is frozen when it is a frozen weight, a constant, or computed by
// a typed Loom op from frozen values. Not memoized: rewrites create and
// erase values while patterns ask.
//
//===----------------------------------------------------------------------===//

#include "loom/ConstEval/Passes.h"

#include "loom/Dialect/Loom/IR/LoomOps.h"

#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;
using namespace loom;

static bool isFrozenLeaf(Operation *op, bool &isLeaf) {
  isLeaf = true;
  if (isa<ConstantOp, NoneOp>(op))
    return true;
  if (auto ref = dyn_cast<WeightRefOp>(op)) {
    auto weight =
        SymbolTable::lookupNearestSymbolFrom<WeightOp>(op, ref.getNameAttr());
    return weight && !weight.getInputIndex() &&
           (weight.getFrozen() || weight.getRole() == WeightRole::Constant);
  }
  isLeaf = false;
  // Typed Loom ops compute; the generic op and anything with regions (or
  // outside the dialect) is not evaluated.
  return isa<LoomDialect>(op->getDialect()) && !isa<OnnxOp>(op) &&
         op->getNumRegions() == 0;
}

bool loom::isFrozenValue(Value value) {
  llvm::DenseSet<Operation *> seen;
  SmallVector<Operation *> stack;
  auto push = [&](Value v) {
    Operation *op = v.getDefiningOp();
    if (!op)
      return false; // a function argument: a model input
    if (seen.insert(op).second)
      stack.push_back(op);
    return true;
  };
  if (!push(value))
    return false;
  while (!stack.empty()) {
    Operation *op = stack.pop_back_val();
    bool isLeaf;
    if (!isFrozenLeaf(op, isLeaf))
      return false;
    if (isLeaf)
      continue;
    for (Value operand : op->getOperands())
      if (!push(operand))
        return false;
  }
  return true;
}
