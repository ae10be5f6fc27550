//===- ExportONNXFile.cpp - writing the ONNX model file -------------------===//
//
// The model and its external data reach the disk through temporary files
// renamed into place, the data (named after its content) first and the
// model last; initializers of 64 KiB or more are streamed from their blobs
// instead of being copied into the protobuf message.
//
//===----------------------------------------------------------------------===//

#include "Exporter.h"
#include "ONNXCommon.h"

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/IR/WeightData.h"
#include "loom/Support/FileOutput.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <unistd.h>
#include <xxhash.h>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>

using namespace mlir;
using namespace loom;
using namespace loom::onnx_export;
namespace names = loom::onnx_names;

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

/// Once a model is in place, the data files of the models it replaced
/// (`<model>.<16 hex digits>.data` beside it, other than its own) are read
/// by nothing: removes them.
static void removeSupersededData(StringRef folder, StringRef modelName,
                                 StringRef keep) {
  std::error_code ec;
  std::string prefix = (modelName + ".").str();
  for (llvm::sys::fs::directory_iterator it(folder.empty() ? "." : folder, ec),
       end;
       !ec && it != end; it.increment(ec)) {
    StringRef name = llvm::sys::path::filename(it->path());
    if (name == keep || !name.consume_front(prefix) ||
        !name.consume_back(".data") || name.size() != 16 ||
        !llvm::all_of(name, [](char c) { return llvm::isHexDigit(c); }))
      continue;
    llvm::sys::fs::remove(it->path());
  }
}

LogicalResult Exporter::writeFiles() {
  // External data: one file beside the model, each tensor 64-byte aligned,
  // named after its content (`OUT.onnx.<xxh3-64>.data`). A new model never
  // takes over the name its predecessor reads: the data is renamed into
  // place first, the model last, and a kill in between leaves the old model
  // with its old data (never a model beside data that is not its own).
  std::optional<llvm::sys::fs::TempFile> dataFile;
  std::string modelName = llvm::sys::path::filename(path).str();
  std::string dataName;
  if (!externalTensors.empty()) {
    llvm::Expected<llvm::sys::fs::TempFile> temp =
        createTempBeside(path + ".data");
    if (!temp)
      return emitError(module.getLoc())
             << "cannot create '" << path
             << ".data': " << llvm::toString(temp.takeError());
    dataFile.emplace(std::move(*temp));
    llvm::raw_fd_ostream out(dataFile->FD, /*shouldClose=*/false);
    XXH3_state_t *hash = XXH3_createState();
    XXH3_64bits_reset(hash);
    auto emit = [&](const char *bytes, size_t size) {
      out.write(bytes, size);
      XXH3_64bits_update(hash, bytes, size);
    };
    static const char zeros[64] = {};
    uint64_t offset = 0;
    std::vector<std::pair<onnx::TensorProto *, uint64_t>> offsets;
    for (auto &[tensor, data] : externalTensors) {
      uint64_t padding = llvm::alignTo(offset, 64) - offset;
      emit(zeros, padding);
      offset += padding;
      emit(data.data(), data.size());
      offsets.emplace_back(tensor, offset);
      offset += data.size();
    }
    dataName =
        llvm::formatv("{0}.{1:x-16}.data", modelName, XXH3_64bits_digest(hash))
            .str();
    XXH3_freeState(hash);
    for (auto [i, entry] : llvm::enumerate(offsets)) {
      auto [tensor, tensorOffset] = entry;
      tensor->set_data_location(onnx::TensorProto::EXTERNAL);
      auto add = [&](StringRef key, std::string value) {
        onnx::StringStringEntryProto *kv = tensor->add_external_data();
        kv->set_key(key.str());
        kv->set_value(std::move(value));
      };
      add("location", dataName);
      add("offset", std::to_string(tensorOffset));
      add("length", std::to_string(externalTensors[i].second.size()));
    }
    out.flush();
    if (out.has_error()) {
      std::string message = out.error().message();
      out.clear_error();
      consumeError(dataFile->discard());
      return emitError(module.getLoc())
             << "cannot write '" << path << ".data': " << message;
    }
  }

  if (model.ByteSizeLong() + streamedBytes() >= kProtobufLimit) {
    if (dataFile)
      consumeError(dataFile->discard());
    return emitError(module.getLoc())
           << "the model is over protobuf's 2 GB limit; export with "
              "external data";
  }
  // A device or a pipe (`-o /dev/null`) cannot be replaced by a rename (as
  // root, the rename would replace /dev/null itself): write it in place.
  if (isStreamPath(path)) {
    if (dataFile) {
      consumeError(dataFile->discard());
      return emitError(module.getLoc())
             << "'" << path
             << "' is no regular file: a model with external data needs one";
    }
    int fd;
    if (std::error_code ec = llvm::sys::fs::openFileForWrite(
            path, fd, llvm::sys::fs::CD_OpenExisting))
      return emitError(module.getLoc())
             << "cannot open '" << path << "': " << ec.message();
    LogicalResult written = writeModel(fd);
    ::close(fd);
    if (failed(written))
      return emitError(module.getLoc()) << "cannot write '" << path << "'";
    return success();
  }
  llvm::Expected<llvm::sys::fs::TempFile> temp = createTempBeside(path);
  if (!temp) {
    if (dataFile)
      consumeError(dataFile->discard());
    return emitError(module.getLoc())
           << "cannot create '" << path
           << "': " << llvm::toString(temp.takeError());
  }
  if (failed(writeModel(temp->FD))) {
    consumeError(temp->discard());
    if (dataFile)
      consumeError(dataFile->discard());
    return emitError(module.getLoc()) << "cannot write '" << path << "'";
  }
  SmallString<256> folder(path);
  llvm::sys::path::remove_filename(folder);
  if (dataFile) {
    SmallString<256> dataPath(folder);
    llvm::sys::path::append(dataPath, dataName);
    if (llvm::Error err = dataFile->keep(dataPath)) {
      consumeError(temp->discard());
      return emitError(module.getLoc())
             << "cannot write '" << dataPath
             << "': " << llvm::toString(std::move(err));
    }
  }
  if (llvm::Error err = temp->keep(path))
    return emitError(module.getLoc())
           << "cannot write '" << path
           << "': " << llvm::toString(std::move(err));
  removeSupersededData(folder, modelName, dataName);
  if (dataFile) {
    SmallString<256> dataPath(folder);
    llvm::sys::path::append(dataPath, dataName);
    writtenDataPath = dataPath.str().str();
  }
  return success();
}

static uint64_t fieldSize(uint32_t tag, uint64_t payload) {
  using google::protobuf::io::CodedOutputStream;
  return CodedOutputStream::VarintSize32(tag) +
         CodedOutputStream::VarintSize64(payload) + payload;
}

uint64_t Exporter::streamedBytes() const {
  uint64_t total = 0;
  for (const auto &[tensor, data] : streamed) {
    uint64_t tensorSize =
        tensor->ByteSizeLong() + fieldSize(kTensorRawDataTag, data.size());
    total +=
        fieldSize(kModelGraphTag, fieldSize(kGraphInitializerTag, tensorSize));
  }
  return total;
}

/// Writes the model, then each streamed initializer as one more `graph`
/// field holding one `initializer`: protobuf merges repeated occurrences of
/// a message field, so readers see one graph with every initializer, and the
/// raw bytes go from the blob to the file without a copy in between.
LogicalResult Exporter::writeModel(int fd) {
  google::protobuf::io::FileOutputStream stream(fd);
  bool ok;
  {
    google::protobuf::io::CodedOutputStream out(&stream);
    (void)
        model.ByteSizeLong(); // caches the sizes SerializeWithCachedSizes uses
    model.SerializeWithCachedSizes(&out);
    for (const auto &[tensor, data] : streamed) {
      uint64_t header = tensor->ByteSizeLong();
      uint64_t tensorSize = header + fieldSize(kTensorRawDataTag, data.size());
      out.WriteTag(kModelGraphTag);
      out.WriteVarint64(fieldSize(kGraphInitializerTag, tensorSize));
      out.WriteTag(kGraphInitializerTag);
      out.WriteVarint64(tensorSize);
      tensor->SerializeWithCachedSizes(&out);
      out.WriteTag(kTensorRawDataTag);
      out.WriteVarint64(data.size());
      out.WriteRaw(data.data(), data.size());
    }
    ok = !out.HadError();
  }
  ok &= stream.Flush();
  return success(ok);
}

LogicalResult loom::exportONNXFile(ModuleOp module, StringRef path,
                                   const ONNXExportOptions &options,
                                   ONNXExportResult *result) {
  Exporter exporter(module, path, options);
  LogicalResult written = exporter.run();
  if (succeeded(written) && result)
    result->dataPath = exporter.writtenDataPath;
  return written;
}

ArrayRef<loom::ExternalDataChoice> loom::getExternalDataChoices() {
  using ExternalData = ONNXExportOptions::ExternalData;
  static const ExternalDataChoice choices[] = {
      {ExternalData::Auto, "auto",
       "beside the model (OUT.onnx.<content hash>.data) only when the model "
       "would pass protobuf's 2 GB limit (default)"},
      {ExternalData::Always, "always",
       "tensors of at least the threshold (1 KiB) always beside the model"},
      {ExternalData::Never, "never", "everything inside the model"},
  };
  return choices;
}

std::optional<loom::ONNXExportOptions::ExternalData>
loom::symbolizeExternalData(StringRef name) {
  for (const ExternalDataChoice &choice : getExternalDataChoices())
    if (choice.name == name)
      return choice.value;
  return std::nullopt;
}
