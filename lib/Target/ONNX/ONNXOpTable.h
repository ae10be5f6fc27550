//===- ONNXOpTable.h - ONNX operators that have typed Loom ops --*- C++ -*-===//
//
// One row per typed op: the ONNX operator (default domain), the Loom op, the
// most results the Loom op has, and the first opset whose form the importer
// maps (older forms that differ only by attributes-turned-operands are
// upgraded by the importer and written back by the exporter). The rows are
// generated from ODS (each op's onnxName, onnxMinOpset, onnxMaxResults in
// include/loom/Dialect/Loom/IR/*.td), the one source of these facts.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_TARGET_ONNX_ONNXOPTABLE_H
#define LOOM_LIB_TARGET_ONNX_ONNXOPTABLE_H

#include "loom/Dialect/Loom/IR/LoomOps.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"

#include <vector>

namespace loom {

struct ONNXOpMapping {
  llvm::StringLiteral onnxName;
  llvm::StringLiteral loomName;
  /// ~0u: variadic.
  unsigned maxResults;
  int64_t minOpset;
};

namespace detail {
template <typename... Ops> std::vector<ONNXOpMapping> collectONNXOps() {
  std::vector<ONNXOpMapping> table;
  auto add = [&](llvm::StringLiteral onnx, llvm::StringLiteral loom,
                 int maxResults, int64_t minOpset) {
    if (!onnx.empty())
      table.push_back(
          {onnx, loom, maxResults < 0 ? ~0u : unsigned(maxResults), minOpset});
  };
  (add(Ops::getONNXName(), Ops::getOperationName(), Ops::getONNXMaxResults(),
       Ops::getONNXMinOpset()),
   ...);
  llvm::sort(table, [](const ONNXOpMapping &a, const ONNXOpMapping &b) {
    return a.onnxName < b.onnxName;
  });
  return table;
}
} // namespace detail

/// An attribute of older opsets that Loom's (newest) form of the operator
/// takes as an operand: the importer upgrades it into a constant operand,
/// the exporter writes a constant operand back as it. One list of these
/// rules serves both directions.
struct AttributeOperandRule {
  llvm::StringLiteral opType;
  /// Opsets below this one have the attribute.
  int64_t untilOpset;
  llvm::StringLiteral attribute;
  /// The operand (ODS operand group) it becomes.
  unsigned operand;
  /// INTS (a 1-D i64 tensor) or FLOAT (a scalar of the input's type).
  bool isFloat;
};

inline llvm::ArrayRef<AttributeOperandRule> getAttributeOperandRules() {
  static const AttributeOperandRule rules[] = {
      {"Squeeze", 13, "axes", 1, false},   {"Unsqueeze", 13, "axes", 1, false},
      {"ReduceSum", 13, "axes", 1, false}, {"ReduceMean", 18, "axes", 1, false},
      {"ReduceMax", 18, "axes", 1, false}, {"Split", 13, "split", 1, false},
      {"Slice", 10, "starts", 1, false},   {"Slice", 10, "ends", 2, false},
      {"Slice", 10, "axes", 3, false},     {"Clip", 11, "min", 1, true},
      {"Clip", 11, "max", 2, true},
  };
  return rules;
}

/// Every Loom op that mirrors an ONNX operator, by ONNX name.
inline llvm::ArrayRef<ONNXOpMapping> getONNXOpTable() {
  static const std::vector<ONNXOpMapping> table = detail::collectONNXOps<
#define GET_OP_LIST
#include "loom/Dialect/Loom/IR/LoomOps.cpp.inc"
      >();
  return table;
}

} // namespace loom

#endif // LOOM_LIB_TARGET_ONNX_ONNXOPTABLE_H
