//===- loom-translate.cpp - ONNX <-> Loom IR ------------------------------===//
//
//   loom-translate --import-onnx MODEL.onnx -o OUT.mlir   (.mlirbc: bytecode)
//   loom-translate --export-onnx IN.mlir -o OUT.onnx [--external-data=...]
//
// Errors print one line each, naming the file and the node or tensor; the
// exit code is 0 on success, 1 for bad input, 2 for bad usage. Outputs are
// written to a temporary file and renamed, so a failure leaves none behind.
//
//===----------------------------------------------------------------------===//

#include "loom/InitAllDialects.h"
#include "loom/Target/ONNX/ONNXExport.h"
#include "loom/Target/ONNX/ONNXImport.h"
#include "loom/Target/TorchScript/TorchScriptImport.h"
#include "loom/Tools/ToolSupport.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("loom-translate options");

enum class Action { None, ImportONNX, ImportTorchScript, ExportONNX };
static cl::opt<Action> action(
    cl::desc("Translation:"), cl::cat(category),
    cl::values(clEnumValN(Action::ImportONNX, "import-onnx",
                          "ONNX model (.onnx) to Loom IR (.mlir, or .mlirbc "
                          "bytecode)"),
               clEnumValN(Action::ImportTorchScript, "import-torchscript",
                          "TorchScript archive (.pt) to Loom IR"),
               clEnumValN(Action::ExportONNX, "export-onnx",
                          "Loom IR (.mlir or .mlirbc) to an ONNX model")),
    cl::init(Action::None));
static cl::opt<std::string> inputPath(cl::Positional, cl::desc("<input>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string>
    outputPath("o",
               cl::desc("Output file ('-' for stdout, Loom IR only); an output "
                        "ending in .mlirbc is written as bytecode"),
               cl::value_desc("path"), cl::init("-"), cl::cat(category));
static cl::list<std::string> inputTypes(
    "input-types",
    cl::desc("Import TorchScript: forward()'s input types, in order, as "
             "1x3x224x224xf32 (dims, then f32/f16/bf16/f64/i64/i32/i8/ui8/i1)"),
    cl::value_desc("types"), cl::CommaSeparated, cl::cat(category));
static cl::opt<std::string> exportTo(
    "export-onnx-to",
    cl::desc("With --import-onnx: export the imported model to this ONNX "
             "file in the same process (no IR written unless -o is given)"),
    cl::value_desc("path"), cl::cat(category));
static cl::opt<bool> emitBytecode("emit-bytecode",
                                  cl::desc("Write Loom IR as bytecode"),
                                  cl::cat(category));
static cl::opt<bool> noLocations(
    "no-locations",
    cl::desc("Import: leave locations out of textual IR (they carry node and "
             "value names and symbolic dimensions, which export writes back; "
             "bytecode always keeps them)"),
    cl::cat(category));
static cl::opt<bool> noShapeInference(
    "no-onnx-shape-inference",
    cl::desc("Import: skip ONNX's shape inference (values without value_info "
             "then have unknown types)"),
    cl::cat(category));
static cl::opt<bool>
    genericOnly("generic-only",
                cl::desc("Import: every node as the generic loom.onnx op"),
                cl::cat(category));
// Its values come from the exporter's list (getExternalDataChoices), added
// in main().
static cl::opt<loom::ONNXExportOptions::ExternalData>
    externalData("external-data", cl::desc("Export: where tensor data goes"),
                 cl::init(loom::ONNXExportOptions::ExternalData::Auto),
                 cl::cat(category));
static cl::opt<uint64_t> externalThreshold(
    "external-data-threshold",
    cl::desc("Export: tensors smaller than this many bytes stay inside the "
             "model (default 1024)"),
    cl::init(1024), cl::cat(category));

static loom::ONNXExportOptions exportOptions() {
  loom::ONNXExportOptions options;
  options.externalData = externalData;
  options.externalDataThreshold = externalThreshold;
  return options;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  for (const loom::ExternalDataChoice &choice : loom::getExternalDataChoices())
    externalData.getParser().addLiteralOption(choice.name, choice.value,
                                              choice.help);
  cl::HideUnrelatedOptions(category);
  if (!cl::ParseCommandLineOptions(
          argc, argv, "Loom translator: ONNX <-> Loom IR\n", &llvm::errs()))
    return 2;
  if (action == Action::None) {
    llvm::errs() << "loom-translate: error: choose --import-onnx, "
                    "--import-torchscript or --export-onnx (see --help)\n";
    return 2;
  }
  if (!exportTo.empty() && action == Action::ExportONNX) {
    llvm::errs() << "loom-translate: error: --export-onnx-to goes with "
                    "--import-onnx or --import-torchscript\n";
    return 2;
  }
  if (action == Action::ExportONNX && outputPath == "-") {
    llvm::errs() << "loom-translate: error: --export-onnx needs -o OUT.onnx\n";
    return 2;
  }

  DialectRegistry registry;
  // What loom-opt writes, loom-translate reads (and refuses to export, by
  // op, where ONNX has no form).
  loom::registerAllDialects(registry);
  MLIRContext context(registry);
  loom::loadLoomToolDialects(context);
  // One line per diagnostic: location, severity, message.
  loom::OneLineDiagnostics diagnostics(context, inputPath);

  if (action == Action::ImportONNX || action == Action::ImportTorchScript) {
    loom::LoadOptions options;
    options.onnxShapeInference = !noShapeInference;
    options.typedOps = !genericOnly;
    options.inputTypes.assign(inputTypes.begin(), inputTypes.end());
    if (action == Action::ImportTorchScript && !loom::hasTorchScriptImport()) {
      llvm::errs() << "loom-translate: error: TorchScript import is not built "
                      "in (LOOM_ENABLE_TORCHSCRIPT)\n";
      return 2;
    }
    loom::LoadedModel model = loom::loadModel(
        inputPath, &context, options,
        action == Action::ImportONNX ? loom::ModelFormat::ONNX
                                     : loom::ModelFormat::TorchScript);
    OwningOpRef<ModuleOp> &module = model.module;
    if (!module)
      return 1;
    if (!exportTo.empty()) {
      if (failed(loom::exportONNXFile(*module, exportTo, exportOptions())))
        return 1;
      if (outputPath == "-")
        return 0;
    }
    return failed(loom::writeModule(*module, outputPath, emitBytecode,
                                    noLocations))
               ? 1
               : 0;
  }

  loom::LoadedModel model =
      loom::loadModel(inputPath, &context, {}, loom::ModelFormat::MLIR);
  if (!model)
    return 1;
  return failed(
             loom::exportONNXFile(*model.module, outputPath, exportOptions()))
             ? 1
             : 0;
}
