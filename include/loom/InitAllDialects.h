//===- InitAllDialects.h - every dialect Loom's tools know ------*- C++ -*-===//
//
// The one list of dialects: loom-opt, loom-translate, loomc (and the
// fuzzers) register these, so what loom-opt writes, loom-translate and loomc
// read. Registering is cheap; tools load on use (loadLoomToolDialects loads
// the ones the importers build with).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_INITALLDIALECTS_H
#define LOOM_INITALLDIALECTS_H

#include "loom/Dialect/Loom/IR/LoomDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

namespace loom {

/// Loom's dialect and every dialect Loom lowers into.
inline void registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<
      loom::LoomDialect, mlir::func::FuncDialect, mlir::arith::ArithDialect,
      mlir::math::MathDialect, mlir::tensor::TensorDialect,
      mlir::linalg::LinalgDialect, mlir::tosa::TosaDialect,
      mlir::scf::SCFDialect, mlir::cf::ControlFlowDialect,
      mlir::bufferization::BufferizationDialect, mlir::memref::MemRefDialect,
      mlir::vector::VectorDialect, mlir::gpu::GPUDialect,
      mlir::NVVM::NVVMDialect, mlir::LLVM::LLVMDialect>();
}

/// The dialects the importers and passes build ops of, loaded up front;
/// the others load when a parsed file uses them.
inline void loadLoomToolDialects(mlir::MLIRContext &context) {
  context.loadDialect<loom::LoomDialect, mlir::func::FuncDialect,
                      mlir::arith::ArithDialect, mlir::math::MathDialect,
                      mlir::tensor::TensorDialect>();
}

} // namespace loom

#endif // LOOM_INITALLDIALECTS_H
