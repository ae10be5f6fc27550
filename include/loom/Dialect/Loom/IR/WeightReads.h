//===- WeightReads.h - one weight_ref per name an importer reads -*- C++
//-*-===//
//
// Importers read module weights through `loom.weight_ref`: one per name the
// source graph reads (a weight's own name, an alias or a copy), located by
// that name so that statistics and export know which of a weight's names each
// node reads. A read is created once, on first use, in the function's entry
// block, at a point that dominates every later use: before the node being
// imported when that node is in the entry block, and before the entry-block
// op that encloses it when the first use is inside a nested graph (an `If`
// branch or a `Loop` body) - a sibling graph or a later node may read the
// same name, so the read never lives in the first reader's region.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_IR_WEIGHTREADS_H
#define LOOM_DIALECT_LOOM_IR_WEIGHTREADS_H

#include "loom/Dialect/Loom/IR/LoomOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

namespace loom {

/// Sets `builder` to a point of `entry` that dominates its current insertion
/// point: that point itself when it is in `entry`, otherwise just before the
/// op of `entry` that encloses it. Values every graph level may read
/// (weights, a shared `loom.none`) are created there.
void setInsertionPointDominatingAll(mlir::OpBuilder &builder,
                                    mlir::Block *entry);

class WeightReads {
public:
  /// Reads go into `entry` (the function being built).
  void setBlock(mlir::Block *entry) { block = entry; }
  /// The read of `weight` under `name`, created on first use (see above).
  mlir::Value get(mlir::OpBuilder &builder, WeightOp weight,
                  llvm::StringRef name, mlir::Location fileLoc);

private:
  mlir::Block *block = nullptr;
  llvm::StringMap<mlir::Value> refs;
};

} // namespace loom

#endif // LOOM_DIALECT_LOOM_IR_WEIGHTREADS_H
