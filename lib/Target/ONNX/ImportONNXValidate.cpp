//===- ImportONNXValidate.cpp - what ONNX's shape inference must not see --===//
//
// Debian's ONNX 1.12 shape inference trusts what it reads: a zero stride or
// dilation divides by zero (SIGFPE) in its Conv/pool rules, a model-local
// function that calls itself recurses until the stack is gone. This check
// runs over every node of every graph and function before that inference
// does, and refuses such a model with one line naming the node; the model is
// invalid ONNX either way.
//
//===----------------------------------------------------------------------===//

#include "ImportONNX.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

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

class Validator {
public:
  explicit Validator(std::string &error) : error(error) {}

  bool checkNode(const onnx::NodeProto &node) {
    if (node.domain().empty() || node.domain() == "ai.onnx") {
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
      if (attr.has_g() && !checkGraph(attr.g()))
        return false;
      for (const onnx::GraphProto &graph : attr.graphs())
        if (!checkGraph(graph))
          return false;
    }
    return true;
  }

  bool checkGraph(const onnx::GraphProto &graph) {
    for (const onnx::NodeProto &node : graph.node())
      if (!checkNode(node))
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
      for (const onnx::NodeProto &node : function.node()) {
        if (!checkNode(node))
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
};

} // namespace

std::optional<std::string>
loom::validateBeforeShapeInference(const onnx::ModelProto &model) {
  std::string error;
  Validator validator(error);
  if (!validator.checkFunctions(model) || !validator.checkGraph(model.graph()))
    return error;
  return std::nullopt;
}
