//===- ONNXOpTable.h - ONNX operators that have typed Loom ops --*- C++ -*-===//
//
// One row per typed op: the ONNX operator (default domain), the Loom op, the
// most results the Loom op has, and the first opset whose form the importer
// maps (older forms that differ only by attributes-turned-operands are
// upgraded by the importer and written back by the exporter).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_TARGET_ONNX_ONNXOPTABLE_H
#define LOOM_LIB_TARGET_ONNX_ONNXOPTABLE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace loom {

struct ONNXOpMapping {
  llvm::StringLiteral onnxName;
  llvm::StringLiteral loomName;
  /// ~0u: variadic.
  unsigned maxResults;
  int64_t minOpset;
};

inline llvm::ArrayRef<ONNXOpMapping> getONNXOpTable() {
  static const ONNXOpMapping table[] = {
      {"Abs", "loom.abs", 1, 6},
      {"Add", "loom.add", 1, 7},
      {"AveragePool", "loom.average_pool", 1, 7},
      {"BatchNormalization", "loom.batch_norm", 1, 9},
      {"Cast", "loom.cast", 1, 6},
      {"Clip", "loom.clip", 1, 6},
      {"Concat", "loom.concat", 1, 4},
      {"Constant", "loom.constant", 1, 1},
      {"Conv", "loom.conv", 1, 1},
      {"ConvTranspose", "loom.conv_transpose", 1, 1},
      {"DequantizeLinear", "loom.dequantize_linear", 1, 10},
      {"Div", "loom.div", 1, 7},
      {"Dropout", "loom.dropout", 2, 12},
      {"Equal", "loom.equal", 1, 7},
      {"Erf", "loom.erf", 1, 9},
      {"Exp", "loom.exp", 1, 6},
      {"Expand", "loom.expand", 1, 8},
      {"Flatten", "loom.flatten", 1, 1},
      {"Gather", "loom.gather", 1, 1},
      {"Gelu", "loom.gelu", 1, 20},
      {"Gemm", "loom.gemm", 1, 7},
      {"GlobalAveragePool", "loom.global_average_pool", 1, 1},
      {"Greater", "loom.greater", 1, 7},
      {"Identity", "loom.identity", 1, 1},
      {"LayerNormalization", "loom.layer_norm", 1, 17},
      {"LeakyRelu", "loom.leaky_relu", 1, 6},
      {"Less", "loom.less", 1, 7},
      {"Log", "loom.log", 1, 6},
      {"LogSoftmax", "loom.log_softmax", 1, 1},
      {"MatMul", "loom.matmul", 1, 1},
      {"MatMulInteger", "loom.matmul_integer", 1, 10},
      {"MaxPool", "loom.max_pool", 2, 1},
      {"Mul", "loom.mul", 1, 7},
      {"Neg", "loom.neg", 1, 6},
      {"Pow", "loom.pow", 1, 7},
      {"QuantizeLinear", "loom.quantize_linear", 1, 10},
      {"ReduceMax", "loom.reduce_max", 1, 1},
      {"ReduceMean", "loom.reduce_mean", 1, 1},
      {"ReduceSum", "loom.reduce_sum", 1, 1},
      {"Relu", "loom.relu", 1, 6},
      {"Reshape", "loom.reshape", 1, 5},
      {"Shape", "loom.shape", 1, 1},
      {"Sigmoid", "loom.sigmoid", 1, 6},
      {"Slice", "loom.slice", 1, 1},
      {"Softmax", "loom.softmax", 1, 1},
      {"Split", "loom.split", ~0u, 2},
      {"Sqrt", "loom.sqrt", 1, 6},
      {"Squeeze", "loom.squeeze", 1, 1},
      {"Sub", "loom.sub", 1, 7},
      {"Tanh", "loom.tanh", 1, 6},
      {"Transpose", "loom.transpose", 1, 1},
      {"Unsqueeze", "loom.unsqueeze", 1, 1},
      {"Where", "loom.where", 1, 9},
  };
  return table;
}

} // namespace loom

#endif // LOOM_LIB_TARGET_ONNX_ONNXOPTABLE_H
