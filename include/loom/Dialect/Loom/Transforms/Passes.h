//===- Passes.h - Loom dialect passes ---------------------------*- C++ -*-===//
//
// Declares the passes on the `loom` dialect (generated from Passes.td) and
// the function that registers them all with the pass registry.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_TRANSFORMS_PASSES_H
#define LOOM_DIALECT_LOOM_TRANSFORMS_PASSES_H

#include "loom/Dialect/Loom/Analysis/ParamStats.h"
#include "loom/Dialect/Loom/IR/LoomDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"

#include <optional>

namespace loom {

/// The ways `loom-tie-weights` may tie a duplicate weight to its master: the
/// one list of them (the pass option's values, its names and help).
#define LOOM_TIE_MODES(X)                                                      \
  X(Exact, "exact", "bit-identical copies")                                    \
  X(Cast, "cast", "copies in another float type that round-trip exactly")      \
  X(Transpose, "transpose", "transposed or permuted copies")                   \
  X(Scale, "scale", "copies scaled by a constant (W2 = c * W1)")               \
  X(Slice, "slice", "copies of a contiguous part of another weight")           \
  X(Partial, "partial", "weights that share leading rows with another")

enum class TieMode {
#define LOOM_TIE_MODE_ENUMERATOR(name, str, help) name,
  LOOM_TIE_MODES(LOOM_TIE_MODE_ENUMERATOR)
#undef LOOM_TIE_MODE_ENUMERATOR
};

/// The mode's option name ("exact", ...), and the mode of a name.
llvm::StringRef stringifyTieMode(TieMode mode);
std::optional<TieMode> symbolizeTieMode(llvm::StringRef name);
/// "exact|cast|...": every mode's name, for help and errors.
llvm::StringRef tieModeNames();

inline llvm::raw_ostream &operator<<(llvm::raw_ostream &os, TieMode mode) {
  return os << stringifyTieMode(mode);
}

} // namespace loom

/// Parses a tie mode by name. A parser of its own rather than `cl::values`:
/// MLIR's ListOption parses elements with a copy of the parser that does not
/// see values added to the option (LLVM 22), so the names live here.
template <>
class llvm::cl::parser<loom::TieMode>
    : public llvm::cl::basic_parser<loom::TieMode> {
public:
  using basic_parser::basic_parser;
  bool parse(Option &option, StringRef argName, StringRef arg,
             loom::TieMode &value) {
    if (std::optional<loom::TieMode> mode = loom::symbolizeTieMode(arg)) {
      value = *mode;
      return false;
    }
    return option.error("unknown mode '" + arg +
                        "' (modes: " + loom::tieModeNames() + ")");
  }
  StringRef getValueName() const override { return loom::tieModeNames(); }
};

namespace loom {

#define GEN_PASS_DECL
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"

/// Shapes computed at run time (Shape -> Gather -> Concat -> Reshape)
/// become constants where shapes are static (loom-fold-shapes), which makes
/// more shapes static (loom-infer-shapes, no remarks), which makes more
/// shape computations constant: repeated until neither the count of dynamic
/// dimensions nor that of shape-computing ops falls, at most `maxRounds`
/// times. `run` runs a pipeline on the
/// module (PassManager::run from a tool, Pass::runPipeline from a pass).
mlir::LogicalResult
settleShapes(mlir::ModuleOp module,
             llvm::function_ref<mlir::LogicalResult(mlir::OpPassManager &)> run,
             unsigned maxRounds = 16);

#define GEN_PASS_REGISTRATION
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"

} // namespace loom

#endif // LOOM_DIALECT_LOOM_TRANSFORMS_PASSES_H
