//===- loom-opt.cpp - Loom's optimizer driver -----------------------------===//
//
// `mlir-opt` with the Loom dialect, every dialect Loom lowers into and every
// Loom pass registered, plus upstream's passes, for lit tests and for
// compiler engineers who build pipelines by hand.
//
//===----------------------------------------------------------------------===//

#include "loom/InitAllDialects.h"
#include "loom/InitAllPasses.h"

#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  loom::registerAllPasses();

  mlir::DialectRegistry registry;
  loom::registerAllDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Loom optimizer driver\n", registry));
}
