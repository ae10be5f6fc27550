//===- LoomDialect.cpp - the Loom dialect ---------------------------------===//
//
// Registers the dialect's ops, types and attributes and materializes folded
// constants as `loom.constant`.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/IR/LoomDialect.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace loom;

#include "loom/Dialect/Loom/IR/LoomDialect.cpp.inc"
#include "loom/Dialect/Loom/IR/LoomEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "loom/Dialect/Loom/IR/LoomAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "loom/Dialect/Loom/IR/LoomTypes.cpp.inc"

void LoomDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "loom/Dialect/Loom/IR/LoomOps.cpp.inc"
      >();
  registerTypes();
  registerAttributes();
}

void LoomDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "loom/Dialect/Loom/IR/LoomTypes.cpp.inc"
      >();
}

void LoomDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "loom/Dialect/Loom/IR/LoomAttrs.cpp.inc"
      >();
}

Operation *LoomDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}

//===----------------------------------------------------------------------===//
// Discardable attributes
//===----------------------------------------------------------------------===//

/// `loom.name` and `loom.dims` on a function argument or result.
static LogicalResult verifyValueAttribute(Operation *op, NamedAttribute attr,
                                          StringRef what, unsigned index) {
  auto fail = [&]() {
    return op->emitOpError() << what << " " << index << ": '"
                             << attr.getName().getValue() << "' must be ";
  };
  if (attr.getName() == LoomDialect::getNameAttrName()) {
    if (!isa<StringAttr>(attr.getValue()))
      return fail() << "a string";
    return success();
  }
  if (attr.getName() == LoomDialect::getDimsAttrName()) {
    auto dims = dyn_cast<ArrayAttr>(attr.getValue());
    if (!dims || !llvm::all_of(dims, llvm::IsaPred<StringAttr>))
      return fail() << "an array of strings";
    return success();
  }
  if (attr.getName() == LoomDialect::getWeightAttrName()) {
    if (what != "argument" || !isa<FlatSymbolRefAttr>(attr.getValue()))
      return fail() << "a symbol reference on an argument";
    return success();
  }
  return op->emitOpError() << what << " " << index
                           << ": unknown Loom attribute '"
                           << attr.getName().getValue() << "'";
}

LogicalResult LoomDialect::verifyRegionArgAttribute(Operation *op,
                                                    unsigned regionIndex,
                                                    unsigned argIndex,
                                                    NamedAttribute attr) {
  return verifyValueAttribute(op, attr, "argument", argIndex);
}

LogicalResult LoomDialect::verifyRegionResultAttribute(Operation *op,
                                                       unsigned regionIndex,
                                                       unsigned resultIndex,
                                                       NamedAttribute attr) {
  return verifyValueAttribute(op, attr, "result", resultIndex);
}

LogicalResult LoomDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attr) {
  // `loom.name` and `loom.dims` belong on arguments and results; an op may
  // carry the activation range calibration measured for its first operand.
  if (attr.getName() == getActivationRangeAttrName()) {
    auto range = dyn_cast<DenseF32ArrayAttr>(attr.getValue());
    if (!range || range.size() != 2 || !(range[0] <= range[1]))
      return op->emitOpError()
             << "'" << getActivationRangeAttrName()
             << "' must be array<f32: min, max> with min <= max";
    if (!isa<ConvOp, GemmOp, MatMulOp>(op))
      return op->emitOpError() << "'" << getActivationRangeAttrName()
                               << "' belongs on a Conv, Gemm or MatMul";
    return success();
  }
  if (attr.getName() == getQuantizeBitsAttrName()) {
    auto bits = dyn_cast<IntegerAttr>(attr.getValue());
    if (!bits || !llvm::is_contained({0, 4, 8}, bits.getInt()))
      return op->emitOpError() << "'" << getQuantizeBitsAttrName()
                               << "' must be 4, 8 or 0 (float)";
    if (!isa<WeightOp>(op))
      return op->emitOpError() << "'" << getQuantizeBitsAttrName()
                               << "' belongs on a loom.weight";
    return success();
  }
  return op->emitOpError() << "unknown Loom attribute '"
                           << attr.getName().getValue() << "'";
}
