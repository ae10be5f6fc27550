//===- loom-opt.cpp - Loom's optimizer driver -----------------------------===//
//
// `mlir-opt` with the Loom dialect, every dialect Loom lowers into and every
// Loom pass registered, plus upstream's passes, for lit tests and for
// compiler engineers who build pipelines by hand.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/IR/LoomDialect.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"

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
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  loom::registerLoomPasses();

  mlir::DialectRegistry registry;
  registry.insert<
      loom::LoomDialect, mlir::func::FuncDialect, mlir::arith::ArithDialect,
      mlir::math::MathDialect, mlir::tensor::TensorDialect,
      mlir::linalg::LinalgDialect, mlir::tosa::TosaDialect,
      mlir::scf::SCFDialect, mlir::cf::ControlFlowDialect,
      mlir::bufferization::BufferizationDialect, mlir::memref::MemRefDialect,
      mlir::vector::VectorDialect, mlir::gpu::GPUDialect,
      mlir::NVVM::NVVMDialect, mlir::LLVM::LLVMDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Loom optimizer driver\n", registry));
}
