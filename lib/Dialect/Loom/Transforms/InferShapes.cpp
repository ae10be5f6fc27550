//===- InferShapes.cpp - refine result types through functions ------------===//
//
// Implements `--loom-infer-shapes`: optional input-shape overrides, then one
// walk in program order that refines each op's result types with its ONNX
// shape rules, then function signatures updated from their returns.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringMap.h"

namespace loom {
#define GEN_PASS_DEF_LOOMINFERSHAPES
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {

/// One `NAME:DxD...` entry of the `input-shapes` option.
struct ShapeOverride {
  std::string key;
  SmallVector<int64_t> shape;
  bool used = false;
};

/// Parses `NAME:1x?x16` (an empty shape after the colon means a scalar).
FailureOr<ShapeOverride> parseOverride(StringRef text, Location loc) {
  size_t colon = text.rfind(':');
  if (colon == StringRef::npos || colon == 0)
    return emitError(loc) << "input-shapes entry '" << text
                          << "' must be NAME:DIMS, e.g. ids:1x16";
  ShapeOverride result;
  result.key = text.take_front(colon).str();
  StringRef dims = text.drop_front(colon + 1);
  if (dims.empty())
    return result;
  SmallVector<StringRef> parts;
  dims.split(parts, 'x');
  for (StringRef part : parts) {
    int64_t dim;
    if (part == "?") {
      result.shape.push_back(ShapedType::kDynamic);
    } else if (!part.getAsInteger(10, dim) && dim >= 0) {
      result.shape.push_back(dim);
    } else {
      return emitError(loc)
             << "input-shapes entry '" << text << "' has a bad dimension '"
             << part << "' (expected a number >= 0 or '?')";
    }
  }
  return result;
}

struct LoomInferShapesPass
    : public loom::impl::LoomInferShapesBase<LoomInferShapesPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<ShapeOverride> overrides;
    for (const std::string &entry : inputShapes) {
      FailureOr<ShapeOverride> parsed = parseOverride(entry, module.getLoc());
      if (failed(parsed))
        return signalPassFailure();
      overrides.push_back(std::move(*parsed));
    }

    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      if (failed(applyOverrides(func, overrides)) || failed(refine(func)))
        return signalPassFailure();
      updateSignature(func);
    }
    for (const ShapeOverride &entry : overrides)
      if (!entry.used) {
        module.emitError("input-shapes names '")
            << entry.key << "', which is not an input of any function";
        return signalPassFailure();
      }
    if (summary)
      emitRemark(module.getLoc(), "loom-infer-shapes: refined ")
          << refined << " result type(s); " << unknown
          << " op(s) keep unknown shapes; " << overridden
          << " input(s) overridden";
    numRefined += refined;
    numUnknown += unknown;
    numOverridden += overridden;
  }

  // Counted here as well as in the statistics, which may be compiled out.
  uint64_t refined = 0, unknown = 0, overridden = 0;

  LogicalResult applyOverrides(func::FuncOp func,
                               MutableArrayRef<ShapeOverride> overrides) {
    for (BlockArgument arg : func.getArguments()) {
      auto name = func.getArgAttrOfType<StringAttr>(
          arg.getArgNumber(), LoomDialect::getNameAttrName());
      for (ShapeOverride &entry : overrides) {
        bool byName = name && name.getValue() == entry.key;
        bool byIndex = entry.key == std::to_string(arg.getArgNumber());
        if (!byName && !byIndex)
          continue;
        auto type = dyn_cast<TensorType>(arg.getType());
        if (!type)
          return func.emitError("input '")
                 << entry.key << "' is not a tensor (" << arg.getType()
                 << "); its shape cannot be overridden";
        if (type.hasRank() &&
            type.getRank() != static_cast<int64_t>(entry.shape.size()))
          return func.emitError("input '")
                 << entry.key << "' has rank " << type.getRank()
                 << " but input-shapes gives " << entry.shape.size()
                 << " dimension(s)";
        arg.setType(RankedTensorType::get(entry.shape, type.getElementType()));
        entry.used = true;
        ++overridden;
      }
    }
    return success();
  }

  LogicalResult refine(func::FuncOp func) {
    WalkResult result = func.walk<WalkOrder::PreOrder>([&](Operation *op) {
      auto inference = dyn_cast<ShapeInferenceOpInterface>(op);
      if (inference) {
        SmallVector<Type> inferred;
        if (failed(inference.inferResultTypes(inferred)))
          return WalkResult::interrupt();
        for (auto [index, result, type] :
             llvm::enumerate(op->getResults(), inferred)) {
          if (!isCompatibleType(result.getType(), type)) {
            op->emitOpError("result #")
                << index << " is declared " << result.getType()
                << " but its operands imply " << type;
            return WalkResult::interrupt();
          }
          Type precise = refineType(result.getType(), type);
          if (precise != result.getType()) {
            result.setType(precise);
            ++refined;
          }
        }
      }
      if (op->getNumResults() && !isa<func::FuncOp>(op) &&
          llvm::any_of(op->getResultTypes(), [](Type type) {
            auto shaped = dyn_cast<ShapedType>(type);
            return shaped && !shaped.hasStaticShape();
          })) {
        ++unknown;
        if (reportUnknown) {
          InFlightDiagnostic diag = op->emitRemark("shape stays unknown: ");
          llvm::interleaveComma(op->getResultTypes(), diag);
        }
      }
      return WalkResult::advance();
    });
    return failure(result.wasInterrupted());
  }

  /// Argument types may have been overridden and returned values refined.
  static void updateSignature(func::FuncOp func) {
    SmallVector<Type> results(func.getFunctionType().getResults());
    func.walk([&](func::ReturnOp ret) {
      if (ret->getParentOp() == func.getOperation())
        results.assign(ret.getOperandTypes().begin(),
                       ret.getOperandTypes().end());
    });
    func.setFunctionType(FunctionType::get(
        func.getContext(), func.front().getArgumentTypes(), results));
  }
};

} // namespace
