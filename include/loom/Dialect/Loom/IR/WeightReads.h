//===- WeightReads.h - one weight_ref per name an importer reads -*- C++
//-*-===//
//
// Importers read module weights through `loom.weight_ref`: one per name the
// source graph reads (a weight's own name, an alias or a copy), created
// where the function's entry block ends at the time (before the node that
// first reads it), located by that name so that statistics and export know
// which of a weight's names each node reads.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_IR_WEIGHTREADS_H
#define LOOM_DIALECT_LOOM_IR_WEIGHTREADS_H

#include "loom/Dialect/Loom/IR/LoomOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

namespace loom {

class WeightReads {
public:
  /// Reads go into `entry` (the function being built).
  void setBlock(mlir::Block *entry) {
    block = entry;
    insertPoint = entry->begin();
  }
  /// The read of `weight` under `name`, created on first use.
  mlir::Value get(mlir::OpBuilder &builder, WeightOp weight,
                  llvm::StringRef name, mlir::Location fileLoc);

private:
  mlir::Block *block = nullptr;
  mlir::Block::iterator insertPoint;
  llvm::StringMap<mlir::Value> refs;
};

} // namespace loom

#endif // LOOM_DIALECT_LOOM_IR_WEIGHTREADS_H
