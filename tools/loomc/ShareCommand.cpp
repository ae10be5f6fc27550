//===- ShareCommand.cpp - loomc compress --share-weights ------------------===//
//
//   loomc compress A.onnx B.onnx ... --share-weights -o OUTDIR
//
// Loads every model into one context, runs compress's passes on each, ties
// across them (ShareWeights.h), then stores every tensor whose bytes two or
// more models hold once, in OUTDIR/shared.weights, and each model's own
// tensors in its own external-data file beside OUTDIR/<model>.onnx.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/Transforms/ShareWeights.h"
#include "loom/Support/FileOutput.h"

#include "Driver.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Threading.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/xxhash.h"

using namespace mlir;
using namespace loomc;

namespace {

constexpr llvm::StringLiteral kSharedName = "shared.weights";

/// One weight's bytes, as the exporter will see them.
struct Blob {
  ArrayRef<char> data;
  unsigned model;
  uint64_t hash = 0;
};

/// The bytes of `weight` when export may write them as external data: a
/// resource blob, or a non-splat dense attribute of a byte-sized type (the
/// exporter asks about the same bytes, by address: ExportONNXTensors.cpp).
std::optional<ArrayRef<char>> blobOf(loom::WeightOp weight,
                                     uint64_t threshold) {
  std::optional<ArrayRef<char>> data;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(weight.getValue())) {
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      data = blob->getData();
  } else if (auto dense = dyn_cast<DenseElementsAttr>(weight.getValue())) {
    if (!dense.isSplat() && !dense.getElementType().isInteger(1))
      data = dense.getRawData();
  }
  if (!data || data->size() < threshold)
    return std::nullopt;
  return data;
}

/// `model.onnx` for `dir/model.onnx`, `dir/model.pt`, `dir/model.mlir`.
std::string outputName(StringRef model) {
  SmallString<128> name(llvm::sys::path::filename(model));
  llvm::sys::path::replace_extension(name, ".onnx");
  return name.str().str();
}

} // namespace

int loomc::runShareWeights(const ShareRequest &request, Session &session,
                           PassManager &pm, Progress &progress,
                           const po::variables_map &vm) {
  // Every output is decided and checked before anything is read or written.
  llvm::StringSet<> names;
  std::vector<std::string> outputs;
  for (const std::string &model : request.models) {
    std::string name = outputName(model);
    if (!names.insert(name).second) {
      llvm::errs() << "loomc compress: error: --share-weights: two models "
                      "would both be written as '"
                   << name << "'\n";
      return kUsage;
    }
    SmallString<256> out(request.outDir);
    llvm::sys::path::append(out, name);
    if (canonicalPath(out) == canonicalPath(model)) {
      llvm::errs() << "loomc compress: error: --share-weights: -o '"
                   << request.outDir << "' would overwrite the model '" << model
                   << "'\n";
      return kUsage;
    }
    outputs.push_back(out.str().str());
  }
  if (!llvm::sys::fs::is_directory(request.outDir)) {
    if (llvm::sys::fs::exists(request.outDir)) {
      llvm::errs() << "loomc compress: error: -o '" << request.outDir
                   << "' is no folder (--share-weights writes a folder)\n";
      return kFailed;
    }
    if (std::optional<std::string> problem =
            outputFolderProblem(request.outDir)) {
      llvm::errs() << "loomc compress: error: cannot create -o '"
                   << request.outDir << "': " << *problem << "\n";
      return kFailed;
    }
  }

  Clock::time_point begin = Clock::now();
  std::vector<loom::LoadedModel> loaded;
  std::vector<ModuleOp> modules;
  std::vector<Figures> before;
  for (const std::string &path : request.models) {
    loaded.push_back(load(session, path, progress, vm));
    if (!loaded.back())
      return kFailed;
    modules.push_back(*loaded.back().module);
    before.push_back(figuresOf(modules.back(), path, path + ".data"));
  }
  std::vector<std::pair<std::string, double>> passTimes;
  pm.addInstrumentation(
      std::make_unique<ProgressInstrumentation>(progress, passTimes));
  for (auto [path, module] : llvm::zip(request.models, modules))
    if (failed(pm.run(module))) {
      if (!session.diagnostics->numErrors())
        llvm::errs() << "loomc compress: error: a pass failed on " << path
                     << "; nothing written\n";
      return kFailed;
    }

  progress.start("tying across models");
  loom::ShareWeightsResult tied = loom::shareWeightsAcrossModels(modules);
  progress.done("tied");

  // Equal bytes held by two or more models: stored once, in shared.weights.
  uint64_t threshold = request.exportOptions.externalDataThreshold;
  std::vector<Blob> blobs;
  for (auto [i, module] : llvm::enumerate(modules))
    for (loom::WeightOp weight : module.getOps<loom::WeightOp>())
      if (std::optional<ArrayRef<char>> data = blobOf(weight, threshold))
        blobs.push_back({*data, static_cast<unsigned>(i)});
  parallelForEach(session.context.get(), blobs, [](Blob &blob) {
    blob.hash = llvm::xxh3_64bits(ArrayRef<uint8_t>(
        reinterpret_cast<const uint8_t *>(blob.data.data()), blob.data.size()));
  });
  // Groups of equal bytes (hash, then size and memcmp against the first).
  llvm::DenseMap<std::pair<uint64_t, size_t>,
                 SmallVector<SmallVector<unsigned>>>
      groups;
  for (auto [i, blob] : llvm::enumerate(blobs)) {
    auto &candidates = groups[{blob.hash, blob.data.size()}];
    bool placed = false;
    for (SmallVector<unsigned> &group : candidates)
      if (blobs[group.front()].data.data() == blob.data.data() ||
          std::memcmp(blobs[group.front()].data.data(), blob.data.data(),
                      blob.data.size()) == 0) {
        group.push_back(i);
        placed = true;
        break;
      }
    if (!placed)
      candidates.push_back({static_cast<unsigned>(i)});
  }
  struct Shared {
    ArrayRef<char> data;
    uint64_t offset;
  };
  std::vector<Shared> shared;
  llvm::DenseMap<const char *, uint64_t> offsetOf;
  std::vector<uint64_t> sharedBytesOf(modules.size(), 0);
  uint64_t size = 0;
  // In the order of the first model's weights: deterministic output.
  std::vector<SmallVector<unsigned> *> ordered;
  for (auto &[key, candidates] : groups)
    for (SmallVector<unsigned> &group : candidates)
      ordered.push_back(&group);
  llvm::sort(ordered, [](auto *a, auto *b) { return a->front() < b->front(); });
  for (SmallVector<unsigned> *group : ordered) {
    llvm::SmallDenseSet<unsigned> owners;
    for (unsigned i : *group)
      owners.insert(blobs[i].model);
    if (owners.size() < 2)
      continue;
    ArrayRef<char> data = blobs[group->front()].data;
    size = llvm::alignTo(size, 64);
    shared.push_back({data, size});
    for (unsigned i : *group)
      offsetOf[blobs[i].data.data()] = size;
    for (unsigned model : owners)
      sharedBytesOf[model] += data.size();
    size += data.size();
  }

  // Write: the folder, shared.weights, then each model with its own data.
  if (std::error_code ec = llvm::sys::fs::create_directories(request.outDir)) {
    llvm::errs() << "loomc compress: error: cannot create -o '"
                 << request.outDir << "': " << ec.message() << "\n";
    return kFailed;
  }
  SmallString<256> sharedPath(request.outDir);
  llvm::sys::path::append(sharedPath, kSharedName);
  progress.start(("writing " + sharedPath).str());
  if (failed(loom::writeFileAtomically(sharedPath, [&](raw_ostream &os) {
        static const char zeros[64] = {};
        uint64_t at = 0;
        for (const Shared &s : shared) {
          os.write(zeros, s.offset - at);
          os.write(s.data.data(), s.data.size());
          at = s.offset + s.data.size();
        }
        return success();
      })))
    return kFailed;
  progress.done(("wrote " + sharedPath).str(),
                grouped(size) + " bytes, " + std::to_string(shared.size()) +
                    " tensors");
  std::vector<std::string> written = {sharedPath.str().str()};
  auto undo = [&] {
    // Nothing half-written: what this run wrote goes.
    for (const std::string &path : written)
      llvm::sys::fs::remove(path);
  };
  loom::ONNXExportOptions exportOptions = request.exportOptions;
  exportOptions.externalData = loom::ONNXExportOptions::ExternalData::Always;
  exportOptions.findShared = [&](ArrayRef<char> data)
      -> std::optional<loom::ONNXExportOptions::SharedTensor> {
    auto it = offsetOf.find(data.data());
    if (it == offsetOf.end())
      return std::nullopt;
    return loom::ONNXExportOptions::SharedTensor{kSharedName.str(), it->second};
  };
  std::vector<Figures> after;
  for (auto [module, out] : llvm::zip(modules, outputs)) {
    progress.start("writing " + out);
    loom::ONNXExportResult exported;
    if (failed(loom::exportONNXFile(module, out, exportOptions, &exported))) {
      undo();
      return kFailed;
    }
    written.push_back(out);
    if (!exported.dataPath.empty())
      written.push_back(exported.dataPath);
    progress.done("wrote " + out);
    after.push_back(figuresOf(module, out, exported.dataPath));
  }
  double seconds = secondsSince(begin);

  // The report: bytes before, after (own files), shared, saved, per model.
  llvm::outs() << "loomc compress --share-weights: " << request.models.size()
               << " models -> " << request.outDir << "\n";
  llvm::outs() << llvm::formatv("  {0,-32} {1,14} {2,14} {3,14} {4,14} {5,8}\n",
                                "model", "before", "own after", "shared reads",
                                "saved", "change");
  uint64_t totalBefore = 0, totalOwn = 0;
  llvm::json::Array perModel;
  for (size_t i = 0; i < modules.size(); ++i) {
    uint64_t b = before[i].fileBytes, a = after[i].fileBytes;
    totalBefore += b, totalOwn += a;
    uint64_t saved = b > a ? b - a : 0;
    llvm::outs() << llvm::formatv(
        "  {0,-32} {1,14} {2,14} {3,14} {4,14} {5,8}\n",
        llvm::sys::path::filename(outputs[i]), grouped(b), grouped(a),
        grouped(sharedBytesOf[i]), grouped(saved), change(b, a));
    const loom::ShareWeightsResult::Model &t = tied.models[i];
    unsigned views = 0;
    for (unsigned v : t.views)
      views += v;
    llvm::json::Object views_by_mode;
    for (int m = 1; m < 6; ++m)
      if (t.views[m])
        views_by_mode[loom::stringifyTieMode(loom::TieMode(m))] = t.views[m];
    perModel.push_back(llvm::json::Object{
        {"model", request.models[i]},
        {"output", outputs[i]},
        {"bytes_before", static_cast<int64_t>(b)},
        {"own_bytes_after", static_cast<int64_t>(a)},
        {"shared_bytes_read", static_cast<int64_t>(sharedBytesOf[i])},
        {"bytes_saved", static_cast<int64_t>(saved)},
        {"views_of_other_models", std::move(views_by_mode)},
        {"before", before[i].toJSON()},
        {"after", after[i].toJSON()},
    });
    if (views)
      progress.line(llvm::formatv("{0}: {1} weight(s) became views of another "
                                  "model's ({2} bytes)",
                                  request.models[i], views,
                                  grouped(t.viewBytes)));
  }
  uint64_t totalAfter = totalOwn + size;
  llvm::outs() << llvm::formatv("  {0,-32} {1,14} {2,14}\n", kSharedName, "",
                                grouped(size));
  llvm::outs() << llvm::formatv(
      "  {0,-32} {1,14} {2,14} {3,14} {4,14} {5,8}\n", "total",
      grouped(totalBefore), grouped(totalAfter), "",
      grouped(totalBefore > totalAfter ? totalBefore - totalAfter : 0),
      change(totalBefore, totalAfter));
  // Each pass once, its time summed over the models.
  llvm::MapVector<StringRef, double> totals;
  for (auto &[name, t] : passTimes)
    totals[name] += t;
  std::vector<std::string> times;
  for (auto &[name, t] : totals)
    times.push_back(llvm::formatv("{0} {1:f2} s", name, t).str());
  if (!times.empty())
    llvm::outs() << "  passes: " << llvm::join(times, ", ") << "\n";
  llvm::outs() << llvm::formatv("  total time: {0:f2} s\n", seconds);
  llvm::outs().flush();

  if (request.reportPath) {
    llvm::json::Object root{
        {"models", std::move(perModel)},
        {"output", request.outDir},
        {"pipeline", request.pipeline},
        {"shared_file", sharedPath.str()},
        {"shared_bytes", static_cast<int64_t>(size)},
        {"shared_tensors", static_cast<int64_t>(shared.size())},
        {"bytes_before", static_cast<int64_t>(totalBefore)},
        {"bytes_after", static_cast<int64_t>(totalAfter)},
        {"seconds", seconds},
    };
    if (failed(loom::writeFileAtomically(
            *request.reportPath, [&](raw_ostream &os) {
              os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root)))
                 << "\n";
              return success();
            })))
      return kFailed;
  }
  return kOk;
}
