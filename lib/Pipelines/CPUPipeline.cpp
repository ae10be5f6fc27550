//===- CPUPipeline.cpp - from Loom ops to the LLVM dialect for the host ---===//
//
// The stages, in order: bind weights to arguments; lower to linalg on
// tensors; fuse elementwise ops; bufferize the whole module at once (so that
// function results are buffers the caller owns, identity layouts at the
// boundary); free temporaries (ownership-based deallocation); lower linalg
// to loops and everything to the LLVM dialect. With `parallel`, large ops
// are split into chunks (loom-linalg-distribute) that become OpenMP
// work-sharing loops: the thread count is the caller's (omp_set_num_threads).
// erf, tanh, exp, log and friends become polynomial approximations that
// vectorize (loom-math-approximation); what is left calls libm.
//
//===----------------------------------------------------------------------===//

#include "loom/Pipelines/Pipelines.h"

#include "PipelineStages.h"

#include "loom/Conversion/LoomToLinalg/LoomToLinalg.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void loom::addLinalgOnTensorsStages(OpPassManager &pm, bool fuse) {
  pm.addPass(createLoomWeightsToArguments());
  pm.addPass(createConvertLoomToLinalg());
  pm.addPass(createCanonicalizerPass());
  if (fuse) {
    pm.addPass(createLinalgElementwiseOpFusionPass());
    pm.addPass(createCanonicalizerPass());
  }
  pm.addPass(createCSEPass());
}

void loom::addOneShotBufferizeStages(OpPassManager &pm) {
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  pm.addPass(bufferization::createEmptyTensorToAllocTensorPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
}

void loom::buildLoomCPUPipeline(OpPassManager &pm,
                                const LoomCPUPipelineOptions &options) {
  addLinalgOnTensorsStages(pm, options.fuse);
  // Before the threads' chunks, so that each copy of the patches is made
  // once and shared.
  if (options.vectorize) {
    LoomLinalgConvToMatmulOptions convToMatmul;
    convToMatmul.vectorBits = options.vectorBits;
    pm.addNestedPass<func::FuncOp>(createLoomLinalgConvToMatmul(convToMatmul));
  }
  if (options.parallel)
    pm.addNestedPass<func::FuncOp>(createLoomLinalgDistribute());
  if (options.vectorize) {
    pm.addNestedPass<func::FuncOp>(createLoomLinalgVectorizeConvs());
    LoomLinalgVectorizeContractionsOptions contractions;
    contractions.vectorBits = options.vectorBits;
    pm.addNestedPass<func::FuncOp>(
        createLoomLinalgVectorizeContractions(contractions));
  }
  if (options.loopOrder)
    pm.addNestedPass<func::FuncOp>(createLoomLinalgLoopOrder());

  // Results written into the buffers their `outs` came from where possible,
  // fresh allocations elsewhere.
  addOneShotBufferizeStages(pm);
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());

  if (options.vectorize) {
    pm.addPass(createCanonicalizerPass());
    pm.addNestedPass<func::FuncOp>(createLoomHoistVectorTransfers());
  }
  if (options.parallel)
    pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  pm.addPass(createConvertLinalgToLoopsPass());
  if (options.parallel) {
    pm.addPass(createConvertSCFToOpenMPPass());
    // The loop bodies come wrapped in memref.alloca_scope; without allocas
    // inside, canonicalization inlines them (lowering scf to cf inside one
    // would give it several blocks, which it may not have).
    pm.addPass(createCanonicalizerPass());
  }
  // Fully unrolled: the loop form keeps each n-D transfer in a stack
  // buffer allocated inside the surrounding loop nest, which grows the stack
  // on every iteration (a 48x320 image overflowed it).
  if (options.vectorize)
    pm.addPass(createConvertVectorToSCFPass(
        VectorTransferToSCFOptions().enableFullUnroll()));
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  if (options.approximateMath)
    pm.addNestedPass<func::FuncOp>(createLoomMathApproximation());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  if (options.vectorize) {
    ConvertVectorToLLVMPassOptions vectorToLLVM;
    vectorToLLVM.vectorContractLowering =
        vector::VectorContractLowering::OuterProduct;
    vectorToLLVM.vectorTransposeLowering =
        vector::VectorTransposeLowering::Shuffle1D;
    pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  }
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  if (options.parallel)
    pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}
