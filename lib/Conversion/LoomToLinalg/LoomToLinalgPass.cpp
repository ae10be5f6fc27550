//===- LoomToLinalgPass.cpp - the convert-loom-to-linalg pass -------------===//
//
// A thin pass over populateLoomToLinalgPatterns: Loom's ops are illegal
// (weights, which are data, stay), linalg/tensor/arith/math are legal. An op
// without a lowering is refused by name; each op gets one error, never also
// the driver's "failed to legalize".
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/LoomToLinalg/LoomToLinalg.h"

#include "LoweringUtils.h"
#include "Patterns.h"
#include "loom/Dialect/Loom/IR/LoomDialect.h"
#include "loom/Dialect/Loom/IR/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;

namespace loom {
#define GEN_PASS_DEF_CONVERTLOOMTOLINALG
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

namespace {
using namespace loom::linalg_lowering;

/// The last resort for a Loom op: generic ONNX ops and typed ops that have
/// no lowering yet.
struct RefuseUnsupported : ConversionPattern {
  RefuseUnsupported(MLIRContext *context)
      : ConversionPattern(MatchAnyOpTypeTag(), /*benefit=*/0, context) {}
  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value>,
                  ConversionPatternRewriter &) const override {
    if (op->getDialect() == nullptr ||
        op->getDialect()->getNamespace() !=
            loom::LoomDialect::getDialectNamespace())
      return failure();
    if (auto generic = dyn_cast<loom::OnnxOp>(op)) {
      op->emitError() << "unsupported op '"
                      << (generic.getDomain().empty()
                              ? generic.getOpType()
                              : (generic.getDomain() + "." +
                                 generic.getOpType()).str())
                      << "': no typed Loom op carries it, so no back end "
                         "can compile it";
      return failure();
    }
    return refuse(op, "no lowering yet");
  }
};

struct ConvertLoomToLinalgPass
    : loom::impl::ConvertLoomToLinalgBase<ConvertLoomToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    ConversionTarget target(*context);
    loom::addLoomToLinalgLegalDialects(target);
    RewritePatternSet patterns(context);
    loom::populateLoomToLinalgPatterns(patterns);
    patterns.add<RefuseUnsupported>(context);

    // One error per op: a pattern that refused already said why.
    llvm::DenseSet<const void *> reported;
    ScopedDiagnosticHandler handler(context, [&](Diagnostic &diag) {
      if (diag.getSeverity() != DiagnosticSeverity::Error)
        return failure();
      const void *key = diag.getLocation().getAsOpaquePointer();
      if (!reported.insert(key).second)
        return success(); // swallowed
      return failure();   // passed on
    });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void loom::addLoomToLinalgLegalDialects(ConversionTarget &target) {
  target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                         math::MathDialect, tensor::TensorDialect,
                         func::FuncDialect>();
  target.addIllegalDialect<LoomDialect>();
  target.addLegalOp<WeightOp>();
  // Unsigned integers inside generic bodies (toSignless); the LLVM lowering
  // reconciles them.
  target.addLegalOp<UnrealizedConversionCastOp>();
}

void loom::populateLoomToLinalgPatterns(RewritePatternSet &patterns) {
  populateElementwisePatterns(patterns);
  populateContractionPatterns(patterns);
  populateWindowPatterns(patterns);
  populateReductionPatterns(patterns);
  populateTensorPatterns(patterns);
  populateResizePatterns(patterns);
  populateQuantPatterns(patterns);
  populateQuantKernelPatterns(patterns);
}
