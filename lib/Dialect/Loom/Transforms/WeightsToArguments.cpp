//===- WeightsToArguments.cpp - bind weights to function arguments --------===//
//
// Appends one argument per weight a public function reads, marked
// `loom.weight = @name`, and replaces the function's weight_refs by it, so
// that compiled code takes weights' data from its caller (no copy into the
// code, and one compiled function for any weights of the same types).
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/MapVector.h"

namespace loom {
#define GEN_PASS_DEF_LOOMWEIGHTSTOARGUMENTS
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {
constexpr int64_t kMaxInlineElements = 64;

struct WeightsToArgumentsPass
    : loom::impl::LoomWeightsToArgumentsBase<WeightsToArgumentsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto function : module.getOps<func::FuncOp>()) {
      if (function.isExternal() || function.isPrivate())
        continue;
      if (failed(bind(function, symbols)))
        return signalPassFailure();
    }
  }

  LogicalResult bind(func::FuncOp function, SymbolTable &symbols) {
    // Weight name -> the weight_refs reading it, in order of first use.
    llvm::MapVector<StringAttr, SmallVector<WeightRefOp>> uses;
    function.walk([&](WeightRefOp ref) {
      // Small weights stay constants: shape operands (Reshape's shape,
      // Slice's starts) must be constants for lowering, and a few bytes in
      // the code cost nothing.
      auto type = dyn_cast<RankedTensorType>(ref.getType());
      if (type && type.hasStaticShape() &&
          type.getNumElements() <= kMaxInlineElements)
        return;
      uses[ref.getNameAttr().getAttr()].push_back(ref);
    });
    if (uses.empty())
      return success();
    MLIRContext *context = function.getContext();
    Block &entry = function.front();
    SmallVector<Type> inputs(function.getArgumentTypes());
    for (auto &[name, refs] : uses) {
      auto weight = symbols.lookup<WeightOp>(name);
      if (!weight)
        return refs.front().emitOpError("reads a weight that does not exist");
      Type type = weight.getType();
      unsigned index = entry.getNumArguments();
      BlockArgument argument = entry.addArgument(type, weight.getLoc());
      inputs.push_back(type);
      // The verifier makes every weight_ref's type its weight's.
      for (WeightRefOp ref : refs) {
        ref.replaceAllUsesWith(argument);
        ref.erase();
      }
      function.setType(FunctionType::get(context, inputs,
                                         function.getResultTypes()));
      function.setArgAttr(index, LoomDialect::getWeightAttrName(),
                          FlatSymbolRefAttr::get(name));
    }
    return success();
  }
};
} // namespace
