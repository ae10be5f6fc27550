//===- ImportONNXFile.cpp - reading an ONNX model file --------------------===//
//
// Splits the model file's wire format so that the `raw_data` of top-level
// initializers stays in the mapped file (a model of gigabytes is parsed
// without copying its weights), parses the rest with a nesting limit, and
// hands both to the importer.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "ONNXCommon.h"

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/WeightReads.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InterleavedRange.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/shape_inference/implementation.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/wire_format_lite.h>

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlir;
using namespace loom;
using namespace loom::onnx_import;
namespace names = loom::onnx_names;

namespace {
/// The wire-format pieces of a model file, split so that large `raw_data`
/// payloads of top-level initializers stay in the mapped file.
struct SplitModel {
  std::string modelFields; // every ModelProto field but `graph`
  std::string graphFields; // every GraphProto field but `initializer`
  /// Each initializer without its `raw_data`, and where that lies in the file
  /// (empty when it stayed inside `header`).
  std::vector<std::pair<std::string, ArrayRef<char>>> initializers;
};
} // namespace

/// Parses `bytes` as one whole message. Protobuf's default nesting limit
/// (100) refuses valid models whose `If`s nest deeper than about 31 levels
/// (a graph inside a node inside an attribute is three levels); Loom allows
/// kMaxProtobufDepth, which the importer's own recursion is sized for.
static bool parseWhole(google::protobuf::MessageLite &message,
                       const std::string &bytes) {
  google::protobuf::io::CodedInputStream in(
      reinterpret_cast<const uint8_t *>(bytes.data()),
      static_cast<int>(bytes.size()));
  in.SetRecursionLimit(loom::kMaxProtobufDepth);
  return message.ParseFromCodedStream(&in) && in.ConsumedEntireMessage();
}

/// Appends the bytes of the field whose tag `in` just read to `out`.
static bool copyField(google::protobuf::io::CodedInputStream &in,
                      const char *base, int start, uint32_t tag,
                      std::string &out) {
  if (!google::protobuf::internal::WireFormatLite::SkipField(&in, tag))
    return false;
  out.append(base + start, in.CurrentPosition() - start);
  return true;
}

/// Walks the top-level fields with protobuf's CodedInputStream; everything
/// is still parsed by the generated classes, only big byte fields are left in
/// place. Payloads below `threshold` bytes stay inside their tensors (ONNX's
/// shape inference reads small initializers such as Reshape's shape).
static bool splitModel(ArrayRef<char> file, uint64_t threshold,
                       SplitModel &split) {
  using google::protobuf::internal::WireFormatLite;
  using google::protobuf::io::CodedInputStream;
  constexpr uint32_t kGraph = 7, kInitializer = 5, kRawData = 9;
  const char *base = file.data();
  auto bytes = reinterpret_cast<const uint8_t *>(base);
  CodedInputStream model(bytes, static_cast<int>(file.size()));
  model.SetTotalBytesLimit(std::numeric_limits<int>::max());
  for (;;) {
    int start = model.CurrentPosition();
    uint32_t tag = model.ReadTag();
    if (!tag)
      break;
    bool isGraph = WireFormatLite::GetTagFieldNumber(tag) == kGraph &&
                   WireFormatLite::GetTagWireType(tag) ==
                       WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
    if (!isGraph) {
      if (!copyField(model, base, start, tag, split.modelFields))
        return false;
      continue;
    }
    uint32_t graphLength;
    if (!model.ReadVarint32(&graphLength))
      return false;
    int graphStart = model.CurrentPosition();
    if (static_cast<uint64_t>(graphStart) + graphLength > file.size())
      return false;
    CodedInputStream graph(bytes + graphStart, graphLength);
    graph.SetTotalBytesLimit(std::numeric_limits<int>::max());
    const char *graphBase = base + graphStart;
    for (;;) {
      int gstart = graph.CurrentPosition();
      uint32_t gtag = graph.ReadTag();
      if (!gtag)
        break;
      if (WireFormatLite::GetTagFieldNumber(gtag) != kInitializer ||
          WireFormatLite::GetTagWireType(gtag) !=
              WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
        if (!copyField(graph, graphBase, gstart, gtag, split.graphFields))
          return false;
        continue;
      }
      uint32_t tensorLength;
      if (!graph.ReadVarint32(&tensorLength))
        return false;
      int tensorStart = graph.CurrentPosition();
      if (static_cast<uint64_t>(tensorStart) + tensorLength > graphLength)
        return false;
      CodedInputStream tensor(bytes + graphStart + tensorStart, tensorLength);
      const char *tensorBase = graphBase + tensorStart;
      std::string header;
      ArrayRef<char> raw;
      for (;;) {
        int tstart = tensor.CurrentPosition();
        uint32_t ttag = tensor.ReadTag();
        if (!ttag)
          break;
        if (WireFormatLite::GetTagFieldNumber(ttag) == kRawData &&
            WireFormatLite::GetTagWireType(ttag) ==
                WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
          uint32_t rawLength;
          if (!tensor.ReadVarint32(&rawLength))
            return false;
          int rawStart = tensor.CurrentPosition();
          if (static_cast<uint64_t>(rawStart) + rawLength > tensorLength ||
              !tensor.Skip(rawLength))
            return false;
          if (rawLength >= threshold) {
            raw = ArrayRef<char>(tensorBase + rawStart, rawLength);
            continue;
          }
          header.append(tensorBase + tstart, tensor.CurrentPosition() - tstart);
          continue;
        }
        if (!copyField(tensor, tensorBase, tstart, ttag, header))
          return false;
      }
      if (!tensor.ConsumedEntireMessage() ||
          tensor.CurrentPosition() != static_cast<int>(tensorLength))
        return false;
      if (!graph.Skip(tensorLength))
        return false;
      split.initializers.emplace_back(std::move(header), raw);
    }
    if (!graph.ConsumedEntireMessage() ||
        graph.CurrentPosition() != static_cast<int>(graphLength) ||
        !model.Skip(graphLength))
      return false;
  }
  return model.ConsumedEntireMessage() &&
         model.CurrentPosition() == static_cast<int>(file.size());
}

OwningOpRef<ModuleOp> loom::importONNXFile(StringRef path, MLIRContext *context,
                                           const ONNXImportOptions &options) {
  // Map the file: initializers' bytes are referenced where they lie.
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> mapped =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!mapped) {
    emitError(FileLineColLoc::get(context, path, 0, 0))
        << "cannot open: " << mapped.getError().message();
    return nullptr;
  }
  return importONNXBuffer(std::move(*mapped), path, context, options);
}

OwningOpRef<ModuleOp>
loom::importONNXBuffer(std::shared_ptr<llvm::MemoryBuffer> file, StringRef path,
                       MLIRContext *context, const ONNXImportOptions &options) {
  Location loc = FileLineColLoc::get(context, path, 0, 0);
  ArrayRef<char> bytes(file->getBufferStart(), file->getBufferSize());
  auto invalid = [&]() {
    emitError(loc) << "not a valid ONNX model (protobuf parsing failed: the "
                      "file is truncated, corrupt or not ONNX, or its "
                      "messages nest deeper than "
                   << kMaxProtobufDepth << " levels)";
    return nullptr;
  };
  if (bytes.size() >= (1ull << 31))
    return emitError(loc) << "is over protobuf's 2 GB limit; ONNX models that "
                             "large keep their weights in external data",
           nullptr;
  SplitModel split;
  if (!splitModel(bytes, /*threshold=*/64 * 1024, split))
    return invalid();
  onnx::ModelProto model;
  onnx::GraphProto graph;
  if (!parseWhole(model, split.modelFields) ||
      !parseWhole(graph, split.graphFields))
    return invalid();
  llvm::DenseMap<const onnx::TensorProto *, ArrayRef<char>> rawData;
  for (auto &[header, raw] : split.initializers) {
    onnx::TensorProto *tensor = graph.add_initializer();
    if (!parseWhole(*tensor, header))
      return invalid();
    if (!raw.empty())
      rawData[tensor] = raw;
  }
  if (split.initializers.empty() && split.graphFields.empty() &&
      !bytes.empty() && split.modelFields.empty())
    return invalid();
  if (bytes.empty()) {
    emitError(loc) << "is empty (0 bytes), not an ONNX model";
    return nullptr;
  }
  // Parsed apart, the graph is always "present": an empty one means the file
  // had none (or an empty one), which no exporter writes.
  if (split.graphFields.empty() && split.initializers.empty()) {
    emitError(loc) << "not a valid ONNX model: it has no graph";
    return nullptr;
  }
  *model.mutable_graph() = std::move(graph);
  // The move above keeps the TensorProto objects (and so the map's keys).
  Importer importer(context, path, options);
  importer.setRawData(std::move(rawData), file);
  return importer.run(model);
}
