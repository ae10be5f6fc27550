//===- LoomOps.td - all Loom ops ---------------------------*- tablegen -*-===//
//
// The single entry point for op generation and documentation: includes each
// op family's file.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_LOOM_IR_LOOMOPS_TD
#define LOOM_DIALECT_LOOM_IR_LOOMOPS_TD

include "loom/Dialect/Loom/IR/LoomStructureOps.td"
include "loom/Dialect/Loom/IR/LoomElementwiseOps.td"
include "loom/Dialect/Loom/IR/LoomNNOps.td"
include "loom/Dialect/Loom/IR/LoomTensorOps.td"
include "loom/Dialect/Loom/IR/LoomQuantOps.td"

#endif // LOOM_DIALECT_LOOM_IR_LOOMOPS_TD
