//===- ImportONNXValidate.cpp - what ONNX's shape inference must not see --===//
//
// Debian's ONNX 1.12 shape inference trusts what it reads: a zero stride or
// dilation divides by zero (SIGFPE) in its Conv/pool rules, a model-local
// function that calls itself recurses until the stack is gone, and an
// inference function reads inputs and attributes its schema requires without
// looking (MaxUnpool with one input reads a null pointer). This check runs
// over every node of every graph and function before that inference does:
// each standard node must satisfy its schema (ONNX's own `OpSchema::Verify`,
// the node check of `onnx.checker`, which ONNX Runtime also applies), and
// window attributes must be positive. A model that fails is refused with one
// line naming the node; it is invalid ONNX either way. Nodes of opsets newer
// than ONNX 1.12 knows, and of other domains, are not checked here (ONNX's
// inference has no schema for them either).
//
//===----------------------------------------------------------------------===//

#include "ImportONNX.h"
#include "loom/Support/Contained.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringSet.h"

#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"

#include <google/protobuf/io/coded_stream.h>

#include <cerrno>

#include <unistd.h>

using namespace mlir;
using loom::describeNode;

namespace {

/// Operators whose window attributes ONNX's inference divides by.
bool hasWindow(const std::string &opType) {
  static const char *ops[] = {"Conv",        "ConvTranspose", "ConvInteger",
                              "QLinearConv", "MaxPool",       "AveragePool",
                              "LpPool",      "MaxUnpool",     "DeformConv",
                              "Col2Im",      "Im2Col"};
  return llvm::is_contained(ops, opType);
}

/// The default domain's opset in `imports`, or 0.
int64_t
defaultOpset(const google::protobuf::RepeatedPtrField<onnx::OperatorSetIdProto>
                 &imports) {
  for (const onnx::OperatorSetIdProto &id : imports)
    if (id.domain().empty() || id.domain() == "ai.onnx")
      return id.version();
  return 0;
}

/// Kahn's algorithm over the names nodes read (a subgraph's reads count as
/// its node's), keeping the file's order among ready nodes; then the same in
/// every subgraph. ONNX requires a topological order, but exporters do not
/// always write one, and ONNX's inference reads a type not inferred yet as a
/// null pointer.
std::optional<std::string> sortGraph(onnx::GraphProto &graph) {
  int numNodes = graph.node_size();
  llvm::StringMap<SmallVector<int, 2>> readers;
  SmallVector<int> pending(numNodes, 0);
  llvm::StringSet<> producedHere;
  for (int i = 0; i < numNodes; ++i)
    for (const std::string &output : graph.node(i).output())
      if (!output.empty())
        producedHere.insert(output);
  auto collectInputs = [&](const onnx::NodeProto &node, llvm::StringSet<> &out,
                           auto &self) -> void {
    for (const std::string &input : node.input())
      if (!input.empty())
        out.insert(input);
    for (const onnx::AttributeProto &attr : node.attribute()) {
      auto visit = [&](const onnx::GraphProto &sub) {
        for (const onnx::NodeProto &inner : sub.node())
          self(inner, out, self);
      };
      if (attr.has_g())
        visit(attr.g());
      for (const onnx::GraphProto &sub : attr.graphs())
        visit(sub);
    }
  };
  for (int i = 0; i < numNodes; ++i) {
    llvm::StringSet<> inputs;
    collectInputs(graph.node(i), inputs, collectInputs);
    for (const auto &input : inputs) {
      if (!producedHere.count(input.getKey()))
        continue;
      readers[input.getKey()].push_back(i);
      ++pending[i];
    }
  }
  std::vector<int> order;
  SmallVector<int> heap;
  for (int i = 0; i < numNodes; ++i)
    if (pending[i] == 0)
      heap.push_back(i);
  auto cmp = [](int a, int b) { return a > b; };
  std::make_heap(heap.begin(), heap.end(), cmp);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), cmp);
    int i = heap.pop_back_val();
    order.push_back(i);
    for (const std::string &output : graph.node(i).output()) {
      auto it = readers.find(output);
      if (output.empty() || it == readers.end())
        continue;
      for (int reader : it->second)
        if (--pending[reader] == 0) {
          heap.push_back(reader);
          std::push_heap(heap.begin(), heap.end(), cmp);
        }
      readers.erase(it);
    }
  }
  if (static_cast<int>(order.size()) != numNodes)
    for (int i = 0; i < numNodes; ++i)
      if (pending[i] > 0)
        return "graph '" + graph.name() + "' has a cycle through " +
               describeNode(graph.node(i));
  if (!llvm::is_sorted(order)) {
    google::protobuf::RepeatedPtrField<onnx::NodeProto> sorted;
    sorted.Reserve(numNodes);
    for (int i : order)
      *sorted.Add() = std::move(*graph.mutable_node(i));
    graph.mutable_node()->Swap(&sorted);
  }
  for (onnx::NodeProto &node : *graph.mutable_node())
    for (onnx::AttributeProto &attr : *node.mutable_attribute()) {
      if (attr.has_g())
        if (std::optional<std::string> error = sortGraph(*attr.mutable_g()))
          return error;
      for (onnx::GraphProto &sub : *attr.mutable_graphs())
        if (std::optional<std::string> error = sortGraph(sub))
          return error;
    }
  return std::nullopt;
}

/// The names a node may read: its graph's so far, then the enclosing ones.
struct Scope {
  const Scope *outer = nullptr;
  llvm::StringSet<> names;
  bool contains(StringRef name) const {
    for (const Scope *scope = this; scope; scope = scope->outer)
      if (scope->names.contains(name))
        return true;
    return false;
  }
};

class Validator {
public:
  Validator(std::string &error, int64_t opset) : error(error), opset(opset) {
    const auto &ranges =
        onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
    if (auto it = ranges.find(""); it != ranges.end())
      newestKnownOpset = it->second.second;
  }

  /// The node against its schema, as `onnx.checker` checks it.
  bool checkSchema(const onnx::NodeProto &node) {
    if (opset <= 0 || opset > newestKnownOpset)
      return true;
    const onnx::OpSchema *schema =
        onnx::OpSchemaRegistry::Schema(node.op_type(), opset, "");
    if (!schema)
      return true;
    try {
      schema->Verify(node);
    } catch (const std::exception &e) {
      // ONNX appends "==> Context: ..." lines; the first says it.
      StringRef what(e.what());
      what = what.take_until([](char c) { return c == '\n'; }).trim();
      return fail(describeNode(node) +
                  ": does not satisfy its ONNX schema: " + what.str());
    }
    return true;
  }

  bool checkNode(const onnx::NodeProto &node, Scope &scope) {
    // ONNX's inference reads an undefined input's type as a null pointer
    // (the graph is sorted: a name read before it is made is made nowhere).
    for (const std::string &input : node.input())
      if (!input.empty() && !scope.contains(input))
        return fail(describeNode(node) + " reads '" + input +
                    "', which no node, graph input or initializer produces");
    if (node.domain().empty() || node.domain() == "ai.onnx") {
      // Without an opset the node has no meaning (onnx.checker and ONNX
      // Runtime refuse it); an exporter would have to invent one, and the
      // model it wrote would then not be the model it read (found by the
      // onnx-roundtrip fuzzer).
      if (opset <= 0)
        return fail(describeNode(node) +
                    ": the model imports no opset of the default ONNX domain "
                    "(opset_import has no entry for \"\")");
      if (!checkSchema(node))
        return false;
      if (hasWindow(node.op_type()))
        for (const onnx::AttributeProto &attr : node.attribute()) {
          bool positive = attr.name() == "strides" ||
                          attr.name() == "dilations" ||
                          attr.name() == "kernel_shape";
          if (positive && attr.type() == onnx::AttributeProto::INTS)
            for (int64_t value : attr.ints())
              if (value < 1)
                return fail(describeNode(node) + ": attribute '" + attr.name() +
                            "' must be positive, got " + std::to_string(value));
          if (attr.name() == "group" &&
              attr.type() == onnx::AttributeProto::INT && attr.i() < 1)
            return fail(describeNode(node) +
                        ": attribute 'group' must be positive, got " +
                        std::to_string(attr.i()));
        }
    }
    for (const onnx::AttributeProto &attr : node.attribute()) {
      if (attr.has_g() && !checkGraph(attr.g(), &scope))
        return false;
      for (const onnx::GraphProto &graph : attr.graphs())
        if (!checkGraph(graph, &scope))
          return false;
    }
    for (const std::string &output : node.output())
      scope.names.insert(output);
    return true;
  }

  bool checkGraph(const onnx::GraphProto &graph, const Scope *outer) {
    Scope scope{outer, {}};
    for (const onnx::ValueInfoProto &input : graph.input())
      scope.names.insert(input.name());
    for (const onnx::TensorProto &init : graph.initializer())
      scope.names.insert(init.name());
    for (const onnx::SparseTensorProto &init : graph.sparse_initializer())
      scope.names.insert(init.values().name());
    for (const onnx::NodeProto &node : graph.node())
      if (!checkNode(node, scope))
        return false;
    return true;
  }

  /// Model-local functions may call each other, never (indirectly) themselves.
  bool checkFunctions(const onnx::ModelProto &model) {
    llvm::StringMap<const onnx::FunctionProto *> functions;
    auto key = [](const std::string &domain, const std::string &name) {
      return domain + "\x1f" + name;
    };
    for (const onnx::FunctionProto &function : model.functions())
      functions[key(function.domain(), function.name())] = &function;
    // Depth-first over calls; `onPath` holds the functions being expanded.
    llvm::StringSet<> done, onPath;
    std::function<bool(const onnx::FunctionProto &)> visit =
        [&](const onnx::FunctionProto &function) -> bool {
      std::string self = key(function.domain(), function.name());
      if (done.contains(self))
        return true;
      onPath.insert(self);
      // A function's nodes are of the function's own opset.
      int64_t outer = opset;
      if (int64_t own = defaultOpset(function.opset_import()))
        opset = own;
      llvm::scope_exit restore([&] { opset = outer; });
      Scope scope;
      for (const std::string &input : function.input())
        scope.names.insert(input);
      for (const onnx::NodeProto &node : function.node()) {
        if (!checkNode(node, scope))
          return false;
        std::string callee = key(node.domain(), node.op_type());
        auto it = functions.find(callee);
        if (it == functions.end())
          continue;
        if (onPath.contains(callee))
          return fail("model-local function '" + function.name() + "' calls '" +
                      node.op_type() +
                      "', which calls it back (recursion ONNX forbids), in " +
                      describeNode(node));
        if (!visit(*it->second))
          return false;
      }
      onPath.erase(self);
      done.insert(self);
      return true;
    };
    for (const onnx::FunctionProto &function : model.functions())
      if (!visit(function))
        return false;
    return true;
  }

private:
  bool fail(std::string message) {
    error = std::move(message);
    return false;
  }
  std::string &error;
  int64_t opset;
  int64_t newestKnownOpset = 0;
};

} // namespace

std::optional<std::string>
loom::prepareForShapeInference(onnx::ModelProto &model) {
  if (std::optional<std::string> cycle = sortGraph(*model.mutable_graph()))
    return cycle;
  std::string error;
  Validator validator(error, defaultOpset(model.opset_import()));
  if (!validator.checkFunctions(model) ||
      !validator.checkGraph(model.graph(), nullptr))
    return error;
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// ONNX's shape inference, in a child process
//===----------------------------------------------------------------------===//

/// Copies what inference added (value_info, output types) from `src`, the
/// child's copy of `dst`, graph by graph (inference adds no node).
static void mergeInferred(onnx::GraphProto &dst, const onnx::GraphProto &src) {
  *dst.mutable_value_info() = src.value_info();
  if (dst.output_size() == src.output_size())
    *dst.mutable_output() = src.output();
  if (dst.node_size() != src.node_size())
    return;
  for (int i = 0; i < dst.node_size(); ++i) {
    onnx::NodeProto &d = *dst.mutable_node(i);
    const onnx::NodeProto &s = src.node(i);
    if (d.attribute_size() != s.attribute_size())
      continue;
    for (int j = 0; j < d.attribute_size(); ++j) {
      onnx::AttributeProto &da = *d.mutable_attribute(j);
      const onnx::AttributeProto &sa = s.attribute(j);
      if (da.has_g() && sa.has_g())
        mergeInferred(*da.mutable_g(), sa.g());
      if (da.graphs_size() == sa.graphs_size())
        for (int k = 0; k < da.graphs_size(); ++k)
          mergeInferred(*da.mutable_graphs(k), sa.graphs(k));
    }
  }
}

bool loom::inferShapesIsolated(onnx::ModelProto &model, unsigned seconds) {
  ContainedLimits limits;
  limits.seconds = seconds;
  ContainedResult child = runContained(
      [&](int fd) {
        try {
          onnx::shape_inference::InferShapes(model);
        } catch (const std::exception &) {
          // Best effort, as ONNX's own per-node errors are.
        }
        std::string bytes = model.graph().SerializeAsString();
        const char *data = bytes.data();
        size_t left = bytes.size();
        while (left) {
          ssize_t n = ::write(fd, data, left);
          if (n <= 0) {
            if (n < 0 && errno == EINTR)
              continue;
            return 1;
          }
          data += n;
          left -= n;
        }
        return 0;
      },
      limits);
  if (!child.exited(0))
    return false;
  const std::string &bytes = child.output;
  onnx::GraphProto inferred;
  google::protobuf::io::CodedInputStream in(
      reinterpret_cast<const uint8_t *>(bytes.data()),
      static_cast<int>(bytes.size()));
  in.SetRecursionLimit(kMaxProtobufDepth);
  if (!inferred.ParseFromCodedStream(&in))
    return false;
  mergeInferred(*model.mutable_graph(), inferred);
  return true;
}
