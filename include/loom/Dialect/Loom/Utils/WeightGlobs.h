//===- WeightGlobs.h - selecting weights by name globs ----------*- C++ -*-===//
//
// Globs on a weight's name and aliases, as the passes that select weights by
// name take them (loom-freeze's patterns, loom-prune's include/exclude): each
// remembers whether it matched, so that a glob naming no weight (a typo) can
// be an error.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_UTILS_WEIGHTGLOBS_H
#define LOOM_DIALECT_LOOM_UTILS_WEIGHTGLOBS_H

#include "loom/Dialect/Loom/IR/LoomOps.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/GlobPattern.h"

#include <string>
#include <vector>

namespace loom {

struct WeightGlob {
  std::string text;
  llvm::GlobPattern pattern;
  bool used = false;
};

/// The weight's name and its aliases: what globs and layers match.
inline llvm::SmallVector<llvm::StringRef> getWeightNames(WeightOp weight) {
  llvm::SmallVector<llvm::StringRef> names{weight.getSymName()};
  if (mlir::ArrayAttr aliases = weight.getAliasesAttr())
    for (auto alias : aliases.getAsRange<mlir::StringAttr>())
      names.push_back(alias.getValue());
  return names;
}

/// Compiles `texts`; a bad one calls `onError(text, reason)` and fails.
inline mlir::FailureOr<std::vector<WeightGlob>> compileWeightGlobs(
    llvm::ArrayRef<std::string> texts,
    llvm::function_ref<void(llvm::StringRef, llvm::StringRef)> onError) {
  std::vector<WeightGlob> globs;
  for (const std::string &text : texts) {
    llvm::Expected<llvm::GlobPattern> pattern = llvm::GlobPattern::create(text);
    if (!pattern) {
      onError(text, llvm::toString(pattern.takeError()));
      return mlir::failure();
    }
    globs.push_back({text, std::move(*pattern)});
  }
  return globs;
}

/// Whether a glob matches the weight's name or an alias (marking each glob
/// that does as used).
inline bool matchAnyWeightGlob(WeightOp weight,
                               std::vector<WeightGlob> &globs) {
  bool any = false;
  for (WeightGlob &glob : globs)
    for (llvm::StringRef name : getWeightNames(weight))
      if (glob.pattern.match(name)) {
        glob.used = any = true;
        break;
      }
  return any;
}

/// Fails with `<pass>: <option> glob '<text>' matches no <what>` at `loc`
/// for the first of `globs` that matched nothing (a typo, most likely).
inline mlir::LogicalResult checkWeightGlobsUsed(
    mlir::Location loc, llvm::StringRef pass, llvm::StringRef option,
    const std::vector<WeightGlob> &globs, llvm::StringRef what) {
  for (const WeightGlob &glob : globs)
    if (!glob.used)
      return mlir::emitError(loc) << pass << ": " << option << " glob '"
                                  << glob.text << "' matches no " << what;
  return mlir::success();
}

} // namespace loom

#endif // LOOM_DIALECT_LOOM_UTILS_WEIGHTGLOBS_H
