//===- ToolSupport.cpp - what Loom's tools share --------------------------===//

#include "loom/Tools/ToolSupport.h"
#include "loom/InitAllDialects.h"
#include "loom/Support/Contained.h"
#include "loom/Support/FileOutput.h"
#include "loom/Target/ONNX/ONNXImport.h"
#include "loom/Target/TorchScript/TorchScriptImport.h"

#include "mlir/Bytecode/BytecodeReader.h"
#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;

void loom::printLocation(Location loc, raw_ostream &os, StringRef fallback) {
  if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    os << file.getFilename().getValue();
    if (file.getLine())
      os << ":" << file.getLine() << ":" << file.getColumn();
  } else if (auto name = dyn_cast<NameLoc>(loc)) {
    printLocation(name.getChildLoc(), os, fallback);
    os << ": node '" << name.getName().getValue() << "'";
  } else if (auto fused = dyn_cast<FusedLoc>(loc)) {
    if (!fused.getLocations().empty())
      printLocation(fused.getLocations().front(), os, fallback);
    else
      os << fallback;
  } else {
    os << fallback;
  }
}

static StringRef severityName(DiagnosticSeverity severity) {
  switch (severity) {
  case DiagnosticSeverity::Error:
    return "error";
  case DiagnosticSeverity::Warning:
    return "warning";
  case DiagnosticSeverity::Note:
    return "note";
  case DiagnosticSeverity::Remark:
    return "remark";
  }
  return "error";
}

/// Control characters in a message or a name (a newline, an ANSI escape)
/// would let a model forge lines of the tool's output: print them escaped.
static std::string escapeControls(StringRef text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\r')
      out += "\\r";
    else if (u < 0x20 || u == 0x7f)
      out += llvm::formatv("\\x{0:x-2}", static_cast<unsigned>(u)).str();
    else
      out += c;
  }
  return out;
}

loom::OneLineDiagnostics::OneLineDiagnostics(MLIRContext &context,
                                             std::string fallbackPath)
    : fallback(std::move(fallbackPath)),
      handler(&context, [this](Diagnostic &diag) {
        // One line per diagnostic, whatever it carries: notes are folded in
        // (with their own location when it differs), and the verifier's
        // "see current operation" note, a dump of the IR, is left out.
        std::string line, where;
        llvm::raw_string_ostream os(line), whereOs(where);
        printLocation(diag.getLocation(), whereOs, fallback);
        os << where << ": " << severityName(diag.getSeverity()) << ": "
           << StringRef(diag.str()).trim();
        for (Diagnostic &note : diag.getNotes()) {
          std::string message = note.str();
          if (StringRef(message).starts_with("see current operation"))
            continue;
          std::string noteWhere;
          llvm::raw_string_ostream noteOs(noteWhere);
          printLocation(note.getLocation(), noteOs, fallback);
          os << " (note: ";
          if (noteWhere != where)
            os << noteWhere << ": ";
          os << StringRef(message).trim() << ")";
        }
        llvm::errs() << escapeControls(line) << "\n";
        if (diag.getSeverity() == DiagnosticSeverity::Error)
          ++errors;
        return success();
      }) {}

loom::ModelFormat loom::modelFormatOf(StringRef path) {
  StringRef ext = llvm::sys::path::extension(path);
  if (ext.equals_insensitive(".onnx"))
    return ModelFormat::ONNX;
  if (ext == ".mlir" || ext == ".mlirbc")
    return ModelFormat::MLIR;
  if (ext == ".pt" || ext == ".pth" || ext == ".torchscript")
    return ModelFormat::TorchScript;
  return ModelFormat::Unknown;
}

loom::LoadedModel loom::loadModel(StringRef path, MLIRContext *context,
                                  const LoadOptions &options,
                                  ModelFormat format) {
  LoadedModel model;
  Location fileLoc = FileLineColLoc::get(context, path, 0, 0);
  if (format == ModelFormat::Unknown)
    format = path == "-" ? ModelFormat::MLIR : modelFormatOf(path);
  switch (format) {
  case ModelFormat::ONNX: {
    ONNXImportOptions onnx;
    onnx.onnxShapeInference = options.onnxShapeInference;
    onnx.typedOps = options.typedOps;
    model.module = importONNXFile(path, context, onnx);
    return model;
  }
  case ModelFormat::MLIR: {
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
        llvm::MemoryBuffer::getFileOrSTDIN(path);
    if (!buffer) {
      emitError(fileLoc) << "cannot open: " << buffer.getError().message();
      return model;
    }
    return loadMLIRBuffer(std::move(*buffer), context);
  }
  case ModelFormat::TorchScript: {
    TorchScriptImportOptions torch;
    torch.inputTypes = options.inputTypes;
    model.module = importTorchScriptFile(path, context, torch);
    return model;
  }
  case ModelFormat::Unknown:
    emitError(fileLoc) << "unknown model format: expected .onnx, .mlir, "
                          ".mlirbc or .pt";
    return model;
  }
  return model;
}

/// How deep brackets may nest in textual IR. MLIR's parser recurses once per
/// level and overflows the stack at about 100,000; real IR nests a few dozen
/// deep (a dense literal as deep as its tensor's rank).
static constexpr int kMaxTextNesting = 1000;

/// Where textual IR first nests deeper than kMaxTextNesting (brackets of
/// every kind, outside strings and comments), or nullopt.
static std::optional<std::pair<unsigned, unsigned>>
findDeepNesting(StringRef text) {
  int depth = 0;
  unsigned line = 1, column = 0;
  for (size_t i = 0, e = text.size(); i < e; ++i) {
    char c = text[i];
    ++column;
    switch (c) {
    case '\n':
      ++line;
      column = 0;
      break;
    case '"': // a string: skip to its unescaped end
      for (++i; i < e && text[i] != '"' && text[i] != '\n'; ++i)
        if (text[i] == '\\')
          ++i;
      break;
    case '/':
      if (i + 1 < e && text[i + 1] == '/')
        while (i + 1 < e && text[i + 1] != '\n')
          ++i;
      break;
    case '(':
    case '[':
    case '{':
    case '<':
      if (++depth > kMaxTextNesting)
        return std::make_pair(line, column);
      break;
    case ')':
    case ']':
    case '}':
      depth = std::max(depth - 1, 0);
      break;
    case '>':
      if (i == 0 || text[i - 1] != '-') // not an arrow
        depth = std::max(depth - 1, 0);
      break;
    default:
      break;
    }
  }
  return std::nullopt;
}

/// MLIR's bytecode reader trusts what it reads: a corrupt file can make it
/// dereference null (a DenseIntOrFPElementsAttr whose element type is not a
/// number), corrupt the heap or spin. Until upstream checks, the reader first
/// runs on the bytes in a contained child; a child that dies or runs past
/// `seconds` means the bytes are refused before this process reads them.
/// Returns why they were refused, or nullopt.
static std::optional<std::string> probeBytecode(llvm::MemoryBufferRef buffer,
                                                MLIRContext *context,
                                                unsigned seconds) {
  DialectRegistry registry;
  context->getDialectRegistry().appendTo(registry);
  loom::ContainedLimits limits;
  limits.seconds = seconds;
  loom::ContainedResult probe = loom::runContained(
      [&](int) {
        MLIRContext probe(registry, MLIRContext::Threading::DISABLED);
        loom::loadLoomToolDialects(probe);
        ScopedDiagnosticHandler quiet(&probe,
                                      [](Diagnostic &) { return success(); });
        Block block;
        ParserConfig config(&probe);
        return succeeded(readBytecodeFile(buffer, &block, config)) ? 0 : 1;
      },
      limits);
  using Outcome = loom::ContainedResult::Outcome;
  if (probe.outcome == Outcome::NotRun || probe.outcome == Outcome::Exited)
    return std::nullopt; // read here: a parse error is reported as usual
  return "MLIR's bytecode reader " + probe.describe(limits) + " on it";
}

loom::LoadedModel
loom::loadMLIRBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer,
                     MLIRContext *context) {
  LoadedModel model;
  bool bytecode = isBytecode(*buffer);
  std::string name = buffer->getBufferIdentifier().str();
  if (bytecode) {
    // Five seconds, and one more per 100 MB (reading maps, not copies, the
    // resource blobs: a sound file takes far less).
    unsigned seconds = 5 + buffer->getBufferSize() / (100u << 20);
    if (std::optional<std::string> refused =
            probeBytecode(buffer->getMemBufferRef(), context, seconds)) {
      emitError(FileLineColLoc::get(context, name, 0, 0))
          << "not valid Loom bytecode: " << *refused;
      return model;
    }
  }
  if (!bytecode)
    if (auto where = findDeepNesting(buffer->getBuffer())) {
      emitError(FileLineColLoc::get(context, buffer->getBufferIdentifier(),
                                    where->first, where->second))
          << "nests brackets deeper than " << kMaxTextNesting
          << " levels (MLIR's parser would run out of stack)";
      return model;
    }
  model.sourceMgr = std::make_shared<llvm::SourceMgr>();
  model.sourceMgr->AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  // Parse errors carry file:line:col locations; the tools print them on one
  // line each (no source excerpt: OneLineDiagnostics).
  // A failed parse reports its first error only: later ones follow from it
  // (and the bytecode reader re-parses attributes as text, whose errors
  // locate into that text, not the file).
  std::optional<Diagnostic> first;
  {
    ScopedDiagnosticHandler capture(context, [&](Diagnostic &diag) {
      if (diag.getSeverity() != DiagnosticSeverity::Error)
        return failure(); // warnings and remarks pass on
      if (!first)
        first.emplace(std::move(diag));
      return success();
    });
    ParserConfig config(context);
    model.module = parseSourceFile<ModuleOp>(model.sourceMgr, config);
  }
  if (first) {
    if (!bytecode) {
      InFlightDiagnostic error = emitError(first->getLocation());
      error << first->str();
      for (Diagnostic &note : first->getNotes())
        error.attachNote(note.getLocation()) << note.str();
    } else {
      emitError(FileLineColLoc::get(context, name, 0, 0))
          << "not valid Loom bytecode: " << first->str();
    }
    model.module = nullptr;
  }
  return model;
}

LogicalResult
loom::writeFileAtomically(StringRef path,
                          function_ref<LogicalResult(raw_ostream &)> write) {
  // `write` reports its own errors; a failure then leaves nothing to add.
  bool writeFailed = false;
  llvm::Error error =
      loom::writeFileAtomically(path, [&](raw_ostream &os) -> llvm::Error {
        if (succeeded(write(os)))
          return llvm::Error::success();
        writeFailed = true;
        return llvm::createStringError("write failed");
      });
  if (!error)
    return success();
  std::string message = llvm::toString(std::move(error));
  if (!writeFailed)
    llvm::errs() << path << ": error: " << message << "\n";
  return failure();
}

LogicalResult loom::writeModule(ModuleOp module, StringRef path, bool bytecode,
                                bool noLocations) {
  bytecode |= path.ends_with(".mlirbc");
  return writeFileAtomically(path, [&](raw_ostream &os) -> LogicalResult {
    if (bytecode)
      return writeBytecodeToFile(module, os);
    OpPrintingFlags flags;
    if (!noLocations)
      flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
    module.print(os, flags);
    return success();
  });
}
