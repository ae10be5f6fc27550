//===- ParamStatsReport.cpp - the parameter report's formats
//---------------===//
//
// Printing a ParamReport: aligned terminal tables, JSON (the schema is
// docs/ParamStats.schema.json), Markdown, and the SVG histogram figure.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Loom/Analysis/ParamStats.h"
#include "loom/Support/FileOutput.h"

#include "mlir/IR/Threading.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Regex.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <mutex>

using namespace mlir;
using namespace loom;

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

namespace {

/// Rows of cells printed as an aligned terminal table or a Markdown table.
class Table {
public:
  /// `right[i]`: column i is right-aligned (numbers).
  Table(std::vector<std::string> header, std::vector<bool> right)
      : right(std::move(right)) {
    rows.push_back(std::move(header));
  }
  void add(std::vector<std::string> row) { rows.push_back(std::move(row)); }

  void printText(llvm::raw_ostream &os) const {
    std::vector<size_t> widths = columnWidths();
    for (auto [index, row] : llvm::enumerate(rows)) {
      std::string line;
      for (size_t c = 0; c < row.size(); ++c) {
        size_t pad = widths[c] - row[c].size();
        bool last = c + 1 == row.size();
        if (right[c])
          line += std::string(pad, ' ') + row[c];
        else
          line += row[c] + (last ? "" : std::string(pad, ' '));
        if (!last)
          line += "  ";
      }
      os << StringRef(line).rtrim() << "\n";
      if (index == 0) {
        size_t total = 0;
        for (size_t w : widths)
          total += w + 2;
        os << std::string(total - 2, '-') << "\n";
      }
    }
  }

  void printMarkdown(llvm::raw_ostream &os) const {
    for (auto [index, row] : llvm::enumerate(rows)) {
      os << "|";
      for (const std::string &cell : row)
        os << " " << escape(cell) << " |";
      os << "\n";
      if (index == 0) {
        os << "|";
        for (bool r : right)
          os << (r ? " ---: |" : " --- |");
        os << "\n";
      }
    }
  }

private:
  static std::string escape(StringRef cell) {
    std::string out;
    for (char c : cell) {
      if (c == '|')
        out += "\\|";
      else
        out += c;
    }
    return out;
  }
  std::vector<size_t> columnWidths() const {
    std::vector<size_t> widths(rows.front().size(), 0);
    for (const auto &row : rows)
      for (size_t c = 0; c < row.size(); ++c)
        widths[c] = std::max(widths[c], row[c].size());
    return widths;
  }

  std::vector<bool> right;
  std::vector<std::vector<std::string>> rows;
};

std::string grouped(uint64_t n) { return formatGrouped(n); }

std::string humanBytes(uint64_t bytes) {
  const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = bytes;
  int unit = 0;
  while (v >= 1024 && unit < 4)
    v /= 1024, ++unit;
  return unit ? llvm::formatv("{0:f1} {1}", v, units[unit]).str()
              : std::to_string(bytes) + " B";
}

std::string number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.4g", v);
  return buffer;
}
std::string percent(double v) {
  return llvm::formatv("{0:f1}%", 100.0 * v).str();
}

std::string flags(const TensorStats &s) {
  std::vector<std::string> out;
  if (s.nans)
    out.push_back(std::to_string(s.nans) + " NaN");
  if (s.infs)
    out.push_back(std::to_string(s.infs) + " Inf");
  if (s.allZero())
    out.push_back("all zero");
  if (s.isConstant())
    out.push_back("constant");
  return llvm::join(out, ", ");
}

std::string roleText(const TensorStats &s) {
  std::string role = stringifyWeightRole(s.role).str();
  if (s.role == WeightRole::Parameter)
    role = s.frozen ? "frozen" : "trainable";
  return role;
}

Table layerTable(const ParamReport &report) {
  Table table({"layer", "op", "weights", "params", "bytes", "dtype", "role",
               "sparsity", "shared with"},
              {false, false, false, true, true, false, false, true, false});
  for (const LayerStats &layer : report.layers) {
    std::vector<std::string> weights;
    for (const LayerStats::Read &read : layer.reads)
      weights.push_back(read.name + " [" + report.tensors[read.tensor].shape +
                        "]");
    std::string role = layer.role;
    if (role == "parameter")
      role = layer.frozen ? "frozen" : "trainable";
    // A terminal row names the first few other names.
    constexpr size_t kShown = 3;
    std::vector<std::string> shared(
        layer.sharedWith.begin(),
        layer.sharedWith.begin() + std::min(kShown, layer.sharedWith.size()));
    if (layer.sharedWith.size() > kShown)
      shared.push_back("+" + std::to_string(layer.sharedWith.size() - kShown) +
                       " more");
    table.add({layer.name, layer.op, llvm::join(weights, ", "),
               grouped(layer.params), grouped(layer.bytes), layer.dtype, role,
               percent(layer.sparsity()), llvm::join(shared, ", ")});
  }
  return table;
}

Table tensorTable(const ParamReport &report) {
  Table table({"tensor", "role", "dtype", "shape", "params", "sparsity", "min",
               "max", "mean", "std", "flags", "other names"},
              {false, false, false, false, true, true, true, true, true, true,
               false, false});
  for (const TensorStats &s : report.tensors) {
    std::vector<std::string> others = s.aliases;
    for (auto &[copy, role] : s.copies)
      others.push_back(copy + " (copy" +
                       (role == WeightRole::Parameter
                            ? std::string()
                            : ", " + stringifyWeightRole(role).str()) +
                       ")");
    std::vector<std::string> row = {s.name, roleText(s), s.dtype, s.shape,
                                    grouped(s.count)};
    if (s.numeric) {
      row.insert(row.end(), {percent(s.sparsity()), number(s.min),
                             number(s.max), number(s.mean), number(s.stddev)});
    } else {
      row.insert(row.end(), {"-", "-", "-", "-", "-"});
    }
    row.push_back(flags(s));
    row.push_back(llvm::join(others, ", "));
    table.add(std::move(row));
  }
  return table;
}

void printTotals(const ParamReport &r, llvm::raw_ostream &os,
                 StringRef bullet) {
  os << bullet << "parameters: " << grouped(r.total()) << " ("
     << grouped(r.trainable) << " trainable, " << grouped(r.frozen)
     << " frozen)\n";
  os << bullet << "buffers: " << grouped(r.buffers)
     << "; constants: " << grouped(r.constants) << "\n";
  os << bullet << "unique parameters: " << grouped(r.uniqueParams)
     << "; unique bytes: " << grouped(r.uniqueBytes);
  if (r.uniqueBytes >= 1024)
    os << " (" << humanBytes(r.uniqueBytes) << ")";
  os << "; referenced bytes: " << grouped(r.referencedBytes)
     << "; sharing ratio: " << llvm::formatv("{0:f3}", r.sharingRatio())
     << "\n";
  os << bullet << "bytes by dtype:";
  for (auto &[dtype, bytes] : r.bytesByDtype)
    os << " " << dtype << " " << grouped(bytes);
  os << "\n";
  os << bullet << "NaN: " << r.nans << "; Inf: " << r.infs << "\n";
  std::vector<std::string> zero, constant;
  for (const TensorStats &s : r.tensors) {
    if (s.allZero())
      zero.push_back(s.name);
    if (s.isConstant())
      constant.push_back(s.name);
  }
  if (!zero.empty())
    os << bullet << "all-zero tensors: " << llvm::join(zero, ", ") << "\n";
  if (!constant.empty())
    os << bullet << "constant tensors: " << llvm::join(constant, ", ") << "\n";
}

} // namespace

void loom::printParamStatsText(const ParamReport &report,
                               llvm::raw_ostream &os) {
  os << "Layers\n";
  layerTable(report).printText(os);
  os << "\nTensors\n";
  tensorTable(report).printText(os);
  os << "\nTotals\n";
  printTotals(report, os, "  ");
}

void loom::printParamStatsMarkdown(const ParamReport &report,
                                   llvm::raw_ostream &os) {
  os << "## Totals\n\n";
  printTotals(report, os, "- ");
  os << "\n## Layers\n\n";
  layerTable(report).printMarkdown(os);
  os << "\n## Tensors\n\n";
  tensorTable(report).printMarkdown(os);
}

void loom::printParamStatsJSON(const ParamReport &report,
                               llvm::raw_ostream &os) {
  auto strings = [](const std::vector<std::string> &list) {
    llvm::json::Array array;
    for (const std::string &s : list)
      array.push_back(s);
    return array;
  };
  llvm::json::Array layers;
  for (const LayerStats &layer : report.layers) {
    llvm::json::Array weights;
    for (const LayerStats::Read &read : layer.reads)
      weights.push_back(
          llvm::json::Object{{"name", read.name},
                             {"tensor", report.tensors[read.tensor].name},
                             {"shape", report.tensors[read.tensor].shape}});
    layers.push_back(llvm::json::Object{
        {"name", layer.name},
        {"op", layer.op},
        {"params", layer.params},
        {"bytes", static_cast<int64_t>(layer.bytes)},
        {"dtype", layer.dtype},
        {"role", layer.role},
        {"frozen", layer.frozen},
        {"aliases", strings(layer.sharedWith)},
        {"sparsity", layer.sparsity()},
        {"weights", std::move(weights)},
    });
  }
  llvm::json::Array tensors;
  for (const TensorStats &s : report.tensors) {
    llvm::json::Array copies;
    for (auto &[copy, role] : s.copies)
      copies.push_back(llvm::json::Object{
          {"name", copy}, {"role", stringifyWeightRole(role).str()}});
    llvm::json::Object tensor{
        {"name", s.name},
        {"role", stringifyWeightRole(s.role).str()},
        {"frozen", s.frozen},
        {"dtype", s.dtype},
        {"shape", s.shape},
        {"params", s.count},
        {"bytes", static_cast<int64_t>(s.bytes)},
        {"aliases", strings(s.aliases)},
        {"copies", std::move(copies)},
        {"users", strings(s.users)},
        {"all_zero", s.allZero()},
        {"constant", s.isConstant()},
    };
    if (s.numeric) {
      tensor["sparsity"] = s.sparsity();
      tensor["nan"] = static_cast<int64_t>(s.nans);
      tensor["inf"] = static_cast<int64_t>(s.infs);
      tensor["min"] = s.min;
      tensor["max"] = s.max;
      tensor["mean"] = s.mean;
      tensor["std"] = s.stddev;
      llvm::json::Array counts;
      for (uint64_t c : s.histogram)
        counts.push_back(static_cast<int64_t>(c));
      tensor["histogram"] = std::move(counts);
      tensor["histogram_elements"] = static_cast<int64_t>(s.histogramElements);
    }
    tensors.push_back(std::move(tensor));
  }
  llvm::json::Object byDtype;
  for (auto &[dtype, bytes] : report.bytesByDtype)
    byDtype[dtype] = static_cast<int64_t>(bytes);
  llvm::json::Object root{
      {"total", report.total()},
      {"trainable", report.trainable},
      {"frozen", report.frozen},
      {"buffers", report.buffers},
      {"constants", report.constants},
      {"unique_params", report.uniqueParams},
      {"unique_bytes", static_cast<int64_t>(report.uniqueBytes)},
      {"referenced_bytes", static_cast<int64_t>(report.referencedBytes)},
      {"sharing_ratio", report.sharingRatio()},
      {"bytes_by_dtype", std::move(byDtype)},
      {"nan_count", static_cast<int64_t>(report.nans)},
      {"inf_count", static_cast<int64_t>(report.infs)},
      {"layers", std::move(layers)},
      {"tensors", std::move(tensors)},
  };
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
}

//===----------------------------------------------------------------------===//
// SVG
//===----------------------------------------------------------------------===//

namespace {

std::string xmlEscape(StringRef text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&apos;";
      break;
    default:
      // XML 1.0 forbids most control characters.
      if (static_cast<unsigned char>(c) >= 0x20 || c == '\t')
        out += c;
    }
  }
  return out;
}

/// One histogram panel: bars with a log-scaled count axis at (x, y).
void drawHistogram(llvm::raw_ostream &os, double x, double y, double width,
                   double height, const std::vector<uint64_t> &bins, double lo,
                   double hi, StringRef caption, bool axes) {
  uint64_t peak = 1;
  for (uint64_t c : bins)
    peak = std::max(peak, c);
  double logPeak = std::log10(double(peak) + 1);
  os << llvm::formatv("<g transform=\"translate({0:f1},{1:f1})\">\n", x, y);
  os << llvm::formatv("<rect x=\"0\" y=\"0\" width=\"{0:f1}\" height=\"{1:f1}\""
                      " fill=\"#fafafa\" stroke=\"#999\"/>\n",
                      width, height);
  double barWidth = width / std::max<size_t>(1, bins.size());
  for (auto [i, count] : llvm::enumerate(bins)) {
    if (!count)
      continue;
    double h = height * std::log10(double(count) + 1) / logPeak;
    os << llvm::formatv("<rect x=\"{0:f2}\" y=\"{1:f2}\" width=\"{2:f2}\" "
                        "height=\"{3:f2}\" fill=\"#3b75af\"><title>[{4}, {5}): "
                        "{6}</title></rect>\n",
                        i * barWidth, height - h, std::max(barWidth - 0.5, 0.5),
                        h, number(lo + i * (hi - lo) / bins.size()),
                        number(lo + (i + 1) * (hi - lo) / bins.size()), count);
  }
  os << llvm::formatv("<text x=\"0\" y=\"-6\" font-size=\"{0}\">{1}</text>\n",
                      axes ? 15 : 11, xmlEscape(caption));
  int tickFont = axes ? 12 : 9;
  os << llvm::formatv(
      "<text x=\"0\" y=\"{0:f1}\" font-size=\"{1}\">{2}</text>\n"
      "<text x=\"{3:f1}\" y=\"{0:f1}\" font-size=\"{1}\" "
      "text-anchor=\"end\">{4}</text>\n",
      height + tickFont + 3, tickFont, xmlEscape(number(lo)), width,
      xmlEscape(number(hi)));
  if (axes) {
    for (int t = 1; t < 4; ++t)
      os << llvm::formatv("<text x=\"{0:f1}\" y=\"{1:f1}\" font-size=\"12\" "
                          "text-anchor=\"middle\">{2}</text>\n",
                          width * t / 4, height + 15,
                          xmlEscape(number(lo + (hi - lo) * t / 4)));
    os << llvm::formatv("<text x=\"{0:f1}\" y=\"{1:f1}\" font-size=\"12\" "
                        "text-anchor=\"middle\">value</text>\n",
                        width / 2, height + 32);
    os << llvm::formatv(
        "<text x=\"-8\" y=\"{0:f1}\" font-size=\"12\" text-anchor=\"end\">"
        "{1}</text>\n<text x=\"-8\" y=\"{2:f1}\" font-size=\"12\" "
        "text-anchor=\"end\">0</text>\n",
        12.0, grouped(peak), height);
    os << llvm::formatv("<text transform=\"translate(-62,{0:f1}) rotate(-90)\" "
                        "font-size=\"12\" text-anchor=\"middle\">count (log "
                        "scale)</text>\n",
                        height / 2);
  }
  os << "</g>\n";
}

} // namespace

LogicalResult loom::writeParamStatsSVG(const ParamReport &report,
                                       StringRef layerRegex, StringRef title,
                                       llvm::raw_ostream &os,
                                       std::string &error) {
  llvm::Regex regex(layerRegex);
  if (!layerRegex.empty() && !regex.isValid(error)) {
    error = "invalid --layer pattern '" + layerRegex.str() + "': " + error;
    return failure();
  }
  std::vector<const TensorStats *> selected;
  for (const TensorStats &s : report.tensors) {
    // Floating-point values only: shape tensors and indices are no weights.
    if (!s.numeric || uint64_t(s.count) == s.nans + s.infs ||
        !isa<FloatType>(WeightOp(s.op).getType().getElementType()))
      continue;
    bool match = layerRegex.empty();
    for (const std::string &name : s.allNames())
      match |= !layerRegex.empty() && regex.match(name);
    for (const std::string &user : s.users)
      match |= !layerRegex.empty() && regex.match(user);
    if (match)
      selected.push_back(&s);
  }
  if (selected.empty()) {
    error = layerRegex.empty()
                ? "no floating-point tensor to plot"
                : "no tensor or layer matches '" + layerRegex.str() + "'";
    return failure();
  }

  // The common histogram: a second read of the selected tensors.
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  uint64_t values = 0;
  for (const TensorStats *s : selected) {
    lo = std::min(lo, s->min), hi = std::max(hi, s->max);
    values += s->count - s->nans - s->infs;
  }
  constexpr unsigned kBins = 80;
  std::vector<uint64_t> total(kBins, 0);
  std::mutex mutex;
  MLIRContext *context = WeightOp(selected.front()->op)->getContext();
  parallelForEach(context, selected, [&](const TensorStats *s) {
    std::vector<uint64_t> bins(kBins, 0);
    fillHistogram(*s, lo, hi, bins);
    std::lock_guard<std::mutex> lock(mutex);
    for (unsigned i = 0; i < kBins; ++i)
      total[i] += bins[i];
  });

  constexpr unsigned kPanels = 24, kColumns = 4;
  unsigned panels = std::min<size_t>(selected.size(), kPanels);
  double width = 960, mainHeight = 280, panelWidth = 200, panelHeight = 80;
  double panelsTop = 420;
  unsigned rows = (panels + kColumns - 1) / kColumns;
  double height = panelsTop + rows * (panelHeight + 50) + 30;
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  os << llvm::formatv("<svg xmlns=\"http://www.w3.org/2000/svg\" "
                      "width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
                      "font-family=\"sans-serif\">\n",
                      width, height);
  os << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  os << llvm::formatv("<text x=\"20\" y=\"28\" font-size=\"18\" "
                      "font-weight=\"bold\">{0}</text>\n",
                      xmlEscape(title));
  std::string subtitle =
      llvm::formatv("{0} tensor(s){1}, {2} values", selected.size(),
                    layerRegex.empty() ? std::string()
                                       : " matching '" + layerRegex.str() + "'",
                    grouped(values))
          .str();
  os << llvm::formatv("<text x=\"20\" y=\"48\" font-size=\"13\" "
                      "fill=\"#555\">{0}</text>\n",
                      xmlEscape(subtitle));
  drawHistogram(os, 90, 80, width - 130, mainHeight, total, lo, hi,
                "all selected values", /*axes=*/true);
  for (unsigned i = 0; i < panels; ++i) {
    const TensorStats &s = *selected[i];
    double x = 40 + (i % kColumns) * (panelWidth + 30);
    double y = panelsTop + (i / kColumns) * (panelHeight + 50);
    // Captions fit the panel: long names keep their end (the layer).
    std::string caption = s.name + " [" + s.shape + "]";
    constexpr size_t kCaption = 36;
    if (caption.size() > kCaption)
      caption = "..." + caption.substr(caption.size() - (kCaption - 3));
    drawHistogram(os, x, y, panelWidth, panelHeight, s.histogram, s.min, s.max,
                  caption, /*axes=*/false);
  }
  if (selected.size() > panels)
    os << llvm::formatv("<text x=\"40\" y=\"{0:f1}\" font-size=\"12\" "
                        "fill=\"#555\">(and {1} more tensors)</text>\n",
                        height - 10, selected.size() - panels);
  os << "</svg>\n";
  return success();
}

//===----------------------------------------------------------------------===//
// Writing the outputs
//===----------------------------------------------------------------------===//

loom::ParamStatsStatus
loom::writeParamStatsOutputs(const ParamReport &report,
                             const ParamStatsOutputs &outputs, Location loc,
                             StringRef prefix) {
  auto write = [&](StringRef path, StringRef what, StringRef text) {
    if (llvm::Error error =
            writeFileAtomically(path, [&](raw_ostream &os) -> llvm::Error {
              os << text;
              return llvm::Error::success();
            })) {
      emitError(FileLineColLoc::get(loc->getContext(), path, 0, 0))
          << prefix << "cannot write the " << what << ": "
          << llvm::toString(std::move(error));
      return failure();
    }
    return success();
  };

  // The plot first: a layer that matches nothing is bad usage, and nothing
  // is written then.
  std::string svg;
  if (!outputs.plot.empty()) {
    std::string error;
    llvm::raw_string_ostream svgStream(svg);
    if (failed(writeParamStatsSVG(report, outputs.layer, outputs.plotTitle,
                                  svgStream, error))) {
      emitError(loc) << prefix << error;
      return ParamStatsStatus::BadLayer;
    }
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  switch (outputs.format) {
  case ParamStatsFormat::Text:
    printParamStatsText(report, os);
    break;
  case ParamStatsFormat::JSON:
    printParamStatsJSON(report, os);
    break;
  case ParamStatsFormat::Markdown:
    printParamStatsMarkdown(report, os);
    break;
  }
  if (failed(write(outputs.output, "report", text)) ||
      (!outputs.plot.empty() && failed(write(outputs.plot, "plot", svg))))
    return ParamStatsStatus::WriteFailed;

  if (!outputs.check)
    return ParamStatsStatus::Ok;
  bool bad = false;
  for (const TensorStats &s : report.tensors)
    if (s.nans || s.infs) {
      emitError(WeightOp(s.op).getLoc())
          << "weight '" << s.name << "' holds " << s.nans << " NaN and "
          << s.infs << " Inf value(s)";
      bad = true;
    }
  return bad ? ParamStatsStatus::CheckFailed : ParamStatsStatus::Ok;
}
