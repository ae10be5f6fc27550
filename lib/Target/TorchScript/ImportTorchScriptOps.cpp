//===- ImportTorchScriptOps.cpp - aten ops to Loom ops
//---------------------===//
//
// Each aten op the importer knows becomes typed Loom ops with ONNX semantics
// (lowerAten); sizes known only at run time become 0-d int64 tensor
// arithmetic (lowerShapeMath). An op left unhandled becomes a generic op in
// ImportTorchScript.cpp.
//
//===----------------------------------------------------------------------===//

#include "ImportTorchScript.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace loom;
using namespace loom::torchscript;

//===----------------------------------------------------------------------===//
// Run-time sizes
//===----------------------------------------------------------------------===//

/// Whether `v` is a 0-d integer tensor: a size computed in the graph.
static bool isRuntimeInt(Value v) {
  auto type = v ? dyn_cast<RankedTensorType>(v.getType()) : nullptr;
  return type && type.getRank() == 0 && isa<IntegerType>(type.getElementType());
}

LogicalResult Importer::lowerShapeMath(tj::Node *node, bool &handled) {
  std::string kind = node->kind().toQualString();
  Location loc = nodeLoc(node);
  auto in = [&](size_t i) -> Value {
    return i < node->inputs().size() ? tensor(node->input(i)) : Value();
  };
  if (kind == "aten::size" && node->inputs().size() == 2) {
    // size(x, d) of a dynamic dimension: Shape, then Gather.
    Value x = in(0);
    std::optional<int64_t> dim = staticInt(node->input(1));
    std::optional<int64_t> rank = x ? rankOf(x) : std::nullopt;
    if (!x || !dim || !rank)
      return success();
    int64_t axis = *dim < 0 ? *dim + *rank : *dim;
    Value shape = emit1("loom.shape", {x}, {}, loc);
    auto scalarType = RankedTensorType::get({}, builder.getI64Type());
    Value index = ConstantOp::create(
        builder, loc,
        DenseIntElementsAttr::get(scalarType, ArrayRef<int64_t>{axis}));
    Value size = emit1("loom.gather", {shape, index}, {i64("axis", 0)}, loc);
    if (size) {
      tensors[node->output()] = size;
      handled = true;
    }
    return success();
  }
  if (kind == "prim::NumToTensor" || kind == "aten::Int" ||
      kind == "aten::ScalarImplicit") {
    Value v = in(0);
    if (!isRuntimeInt(v))
      return success();
    if (getElementTypeOrSelf(v.getType()) != builder.getI64Type()) {
      FailureOr<Operation *> cast =
          emit("loom.cast", {v}, {}, loc, 1, builder.getI64Type());
      if (failed(cast))
        return success();
      v = (*cast)->getResult(0);
    }
    tensors[node->output()] = v;
    handled = true;
    return success();
  }
  if (kind == "aten::floordiv" || kind == "aten::floor_divide") {
    // Sizes are not negative: ONNX's truncating integer Div is the floor.
    Value a = in(0), b = in(1);
    Value like = isRuntimeInt(a) ? a : isRuntimeInt(b) ? b : Value();
    if (!like)
      return success();
    Value x = operand(node->input(0), like, loc),
          y = operand(node->input(1), like, loc);
    if (Value q = emit1("loom.div", {x, y}, {}, loc)) {
      tensors[node->output()] = q;
      handled = true;
    }
    return success();
  }
  if (kind == "prim::ListConstruct") {
    SmallVector<std::variant<int64_t, Value>> entries;
    bool runtime = false;
    for (tj::Value *v : node->inputs()) {
      if (std::optional<int64_t> i = staticInt(v)) {
        entries.push_back(*i);
      } else if (Value t = tensor(v); isRuntimeInt(t)) {
        entries.push_back(t);
        runtime = true;
      } else {
        return success();
      }
    }
    if (!runtime)
      return success();
    dynamicLists[node->output()] = std::move(entries);
    handled = true;
  }
  return success();
}

Value Importer::dynamicInts(tj::Value *list, Location loc) {
  auto it = dynamicLists.find(list);
  if (it == dynamicLists.end())
    return nullptr;
  SmallVector<Value> parts;
  for (auto &entry : it->second) {
    if (auto *i = std::get_if<int64_t>(&entry)) {
      parts.push_back(ints({*i}, loc));
      continue;
    }
    Value v = std::get<Value>(entry);
    parts.push_back(emit1("loom.unsqueeze", {v, ints({0}, loc)}, {}, loc));
  }
  return emit1("loom.concat", parts, {i64("axis", 0)}, loc);
}

//===----------------------------------------------------------------------===//
// Aten ops
//===----------------------------------------------------------------------===//

LogicalResult Importer::lowerAten(tj::Node *node, bool &handled) {
  std::string kind = node->kind().toQualString();
  if (StringRef(kind).ends_with("_") && !StringRef(kind).ends_with("__"))
    kind.pop_back(); // in-place forms: relu_, add_, hardtanh_
  Location loc = nodeLoc(node);
  auto input = [&](size_t i) -> tj::Value * {
    return i < node->inputs().size() ? node->input(i) : nullptr;
  };
  auto in = [&](size_t i) -> Value {
    return i < node->inputs().size() ? tensor(node->input(i)) : Value();
  };
  auto set = [&](Value v) {
    if (!v)
      return false;
    tensors[node->output()] = v;
    handled = true;
    return true;
  };
  auto normAxis = [](int64_t axis, int64_t rank) {
    return axis < 0 ? axis + rank : axis;
  };

  // Pass-throughs in inference.
  if (kind == "aten::contiguous" || kind == "aten::detach" ||
      kind == "aten::clone" || kind == "aten::dropout" ||
      kind == "aten::feature_dropout" || kind == "aten::alpha_dropout" ||
      kind == "aten::lift_fresh") {
    if (kind.find("dropout") != std::string::npos) {
      std::optional<int64_t> train = staticInt(input(2));
      if (!train || *train)
        return success(); // training-mode dropout: generic
    }
    set(in(0));
    return success();
  }
  if (kind == "aten::to" || kind == "aten::type_as") {
    // The target dtype: the `dtype` argument, or `other`'s element type.
    Value x = in(0);
    if (!x)
      return success();
    Type target;
    if (kind == "aten::type_as") {
      if (Value other = in(1))
        target = getElementTypeOrSelf(other.getType());
    } else if (const c10::FunctionSchema *schema = node->maybeSchema()) {
      for (auto [index, arg] : llvm::enumerate(schema->arguments())) {
        if (arg.name() == "other")
          if (Value other = in(index))
            target = getElementTypeOrSelf(other.getType());
        if (arg.name() == "dtype") {
          if (std::optional<int64_t> code = staticInt(input(index)))
            target =
                elementTypeOf(static_cast<c10::ScalarType>(*code), context);
          else if (isNone(input(index)))
            target = getElementTypeOrSelf(x.getType()); // device moves only
        }
      }
    }
    if (!target)
      return success();
    if (target == getElementTypeOrSelf(x.getType())) {
      set(x);
      return success();
    }
    FailureOr<Operation *> cast = emit("loom.cast", {x}, {}, loc, 1, target);
    if (succeeded(cast))
      set((*cast)->getResult(0));
    return success();
  }

  StringRef unaryOp = llvm::StringSwitch<StringRef>(kind)
                          .Case("aten::relu", "loom.relu")
                          .Case("aten::sigmoid", "loom.sigmoid")
                          .Case("aten::tanh", "loom.tanh")
                          .Case("aten::exp", "loom.exp")
                          .Case("aten::sqrt", "loom.sqrt")
                          .Case("aten::neg", "loom.neg")
                          .Case("aten::erf", "loom.erf")
                          .Default("");
  if (!unaryOp.empty()) {
    set(emit1(unaryOp, {in(0)}, {}, loc));
    return success();
  }
  if (kind == "aten::gelu") {
    const Static *approx = staticOf(input(1));
    std::string mode =
        approx && approx->kind == Static::Str ? approx->s : "none";
    auto gelu = symbolizeGeluApproximation(mode);
    if (!gelu)
      return success();
    set(emit1("loom.gelu", {in(0)},
              {builder.getNamedAttr(
                  "approximate", GeluApproximationAttr::get(context, *gelu))},
              loc));
    return success();
  }
  if (kind == "aten::silu") {
    Value s = emit1("loom.sigmoid", {in(0)}, {}, loc);
    set(emit1("loom.mul", {in(0), s}, {}, loc));
    return success();
  }
  if (kind == "aten::hardtanh" || kind == "aten::relu6" ||
      kind == "aten::clamp") {
    Value x = in(0);
    if (!x)
      return success();
    std::optional<double> lo =
        kind == "aten::relu6" ? 0.0 : staticNumber(input(1));
    std::optional<double> hi =
        kind == "aten::relu6" ? 6.0 : staticNumber(input(2));
    Type element = getElementTypeOrSelf(x);
    Value min = lo ? scalar(*lo, element, loc) : Value();
    Value max = hi ? scalar(*hi, element, loc) : Value();
    SmallVector<Value> operands = {x};
    if (min)
      operands.push_back(min);
    if (max)
      operands.push_back(max);
    auto segments = builder.getNamedAttr(
        "operandSegmentSizes",
        builder.getDenseI32ArrayAttr({1, min ? 1 : 0, max ? 1 : 0}));
    set(emit1("loom.clip", operands, {segments}, loc));
    return success();
  }
  if (kind == "aten::hardswish" || kind == "aten::hardsigmoid") {
    Value x = in(0);
    if (!x)
      return success();
    Type element = getElementTypeOrSelf(x);
    Value shifted = emit1("loom.add", {x, scalar(3.0, element, loc)}, {}, loc);
    Value clipped =
        emit1("loom.clip",
              {shifted, scalar(0.0, element, loc), scalar(6.0, element, loc)},
              {builder.getNamedAttr("operandSegmentSizes",
                                    builder.getDenseI32ArrayAttr({1, 1, 1}))},
              loc);
    Value gate =
        emit1("loom.div", {clipped, scalar(6.0, element, loc)}, {}, loc);
    set(kind == "aten::hardsigmoid" ? gate
                                    : emit1("loom.mul", {x, gate}, {}, loc));
    return success();
  }

  // Arithmetic: tensors with tensors or numbers (a number takes the tensor's
  // dtype, as PyTorch's type promotion does for Python scalars).
  if (kind == "aten::add" || kind == "aten::sub" || kind == "aten::rsub" ||
      kind == "aten::mul" || kind == "aten::div" || kind == "aten::pow") {
    Value a = in(0), b = in(1);
    Value like = a ? a : b;
    if (!like)
      return success();
    Value x = operand(input(0), like, loc), y = operand(input(1), like, loc);
    if (!x || !y)
      return success();
    if (kind == "aten::div" && node->inputs().size() > 2 && !isNone(input(2)))
      return success(); // rounding modes: generic
    if ((kind == "aten::add" || kind == "aten::sub" || kind == "aten::rsub") &&
        node->inputs().size() > 2) {
      std::optional<double> alpha = staticNumber(input(2));
      if (!alpha)
        return success();
      if (*alpha != 1)
        y = emit1("loom.mul", {y, scalar(*alpha, getElementTypeOrSelf(y), loc)},
                  {}, loc);
    }
    StringRef name = llvm::StringSwitch<StringRef>(kind)
                         .Case("aten::add", "loom.add")
                         .Case("aten::mul", "loom.mul")
                         .Case("aten::div", "loom.div")
                         .Case("aten::pow", "loom.pow")
                         .Default("loom.sub");
    if (kind == "aten::rsub")
      std::swap(x, y);
    set(emit1(name, {x, y}, {}, loc));
    return success();
  }

  // Comparisons, masks and selection (causal attention masks).
  if (kind == "aten::eq" || kind == "aten::lt" || kind == "aten::gt") {
    Value a = in(0), b = in(1);
    Value like = a ? a : b;
    if (!like)
      return success();
    Value x = operand(input(0), like, loc), y = operand(input(1), like, loc);
    StringRef name = kind == "aten::eq"   ? "loom.equal"
                     : kind == "aten::lt" ? "loom.less"
                                          : "loom.greater";
    FailureOr<Operation *> op =
        emit(name, {x, y}, {}, loc, 1, builder.getI1Type());
    if (succeeded(op))
      set((*op)->getResult(0));
    return success();
  }
  if (kind == "aten::masked_fill") {
    // masked_fill(x, mask, value) = where(mask, value, x)
    Value x = in(0), mask = in(1);
    if (!x || !mask)
      return success();
    Value value = operand(input(2), x, loc);
    if (!value)
      return success();
    set(emit1("loom.where", {mask, value, x}, {}, loc));
    return success();
  }
  if (kind == "aten::where" && node->inputs().size() == 3) {
    Value cond = in(0), a = in(1), b = in(2);
    Value like = a ? a : b;
    if (!cond || !like)
      return success();
    set(emit1(
        "loom.where",
        {cond, operand(input(1), like, loc), operand(input(2), like, loc)}, {},
        loc));
    return success();
  }
  if (kind == "aten::expand") {
    // Static sizes; -1 keeps a dimension (1 under ONNX's broadcasting).
    Value x = in(0);
    std::optional<std::vector<int64_t>> sizes = staticInts(input(1));
    if (!x || !sizes)
      return success();
    for (int64_t &d : *sizes)
      if (d == -1)
        d = 1;
    set(emit1("loom.expand", {x, ints(*sizes, loc)}, {}, loc));
    return success();
  }

  if (kind == "aten::_convolution" || kind == "aten::conv2d" ||
      kind == "aten::conv1d" || kind == "aten::conv3d") {
    Value x = in(0), w = in(1), b = in(2);
    bool full = kind == "aten::_convolution";
    std::optional<std::vector<int64_t>> stride = staticInts(input(3)),
                                        padding = staticInts(input(4)),
                                        dilation = staticInts(input(5));
    std::optional<int64_t> transposed = full ? staticInt(input(6)) : 0;
    std::optional<int64_t> groups = staticInt(input(full ? 8 : 6));
    std::optional<int64_t> rank = w ? rankOf(w) : std::nullopt;
    if (!x || !w || !stride || !padding || !dilation || !transposed ||
        *transposed || !groups || !rank)
      return success();
    size_t spatial = *rank - 2;
    auto expand = [&](std::vector<int64_t> v) {
      if (v.size() == 1)
        v.assign(spatial, v[0]);
      return v;
    };
    std::vector<int64_t> pads = expand(*padding);
    pads.insert(pads.end(), pads.begin(), pads.end());
    SmallVector<Value> operands = {x, w};
    if (b)
      operands.push_back(b);
    set(emit1("loom.conv", operands,
              {i64s("strides", expand(*stride)), i64s("pads", pads),
               i64s("dilations", expand(*dilation)), i64("group", *groups)},
              loc));
    return success();
  }

  if (kind == "aten::batch_norm") {
    Value x = in(0), scale = in(1), bias = in(2), mean = in(3), var = in(4);
    std::optional<int64_t> training = staticInt(input(5));
    std::optional<double> eps = staticNumber(input(7));
    if (!x || !mean || !var || !training || *training || !eps)
      return success();
    auto channels = cast<ShapedType>(mean.getType());
    auto fill = [&](double v) {
      return ConstantOp::create(
          builder, loc,
          DenseElementsAttr::get(channels,
                                 FloatAttr::get(channels.getElementType(), v)));
    };
    set(emit1(
        "loom.batch_norm",
        {x, scale ? scale : fill(1.0), bias ? bias : fill(0.0), mean, var},
        {f32("epsilon", *eps)}, loc));
    return success();
  }

  if (kind == "aten::layer_norm") {
    Value x = in(0), scale = in(2), bias = in(3);
    std::optional<std::vector<int64_t>> shape = staticInts(input(1));
    std::optional<double> eps = staticNumber(input(4));
    if (!x || !shape || !eps)
      return success();
    if (!scale) {
      auto type = RankedTensorType::get(*shape, getElementTypeOrSelf(x));
      scale = ConstantOp::create(
          builder, loc,
          DenseElementsAttr::get(type,
                                 FloatAttr::get(type.getElementType(), 1.0)));
    }
    SmallVector<Value> operands = {x, scale};
    if (bias)
      operands.push_back(bias);
    set(emit1("loom.layer_norm", operands,
              {i64("axis", -static_cast<int64_t>(shape->size())),
               f32("epsilon", *eps)},
              loc));
    return success();
  }

  if (kind == "aten::linear") {
    Value x = in(0), w = in(1), b = in(2);
    std::optional<int64_t> rank = x ? rankOf(x) : std::nullopt;
    if (!x || !w)
      return success();
    if (rank == 2) {
      SmallVector<Value> operands = {x, w};
      if (b)
        operands.push_back(b);
      set(emit1("loom.gemm", operands, {i64("transB", 1)}, loc));
      return success();
    }
    Value wt = emit1("loom.transpose", {w}, {i64s("perm", {1, 0})}, loc);
    Value y = emit1("loom.matmul", {x, wt}, {}, loc);
    set(b ? emit1("loom.add", {y, b}, {}, loc) : y);
    return success();
  }
  if (kind == "aten::addmm") {
    Value c = in(0), a = in(1), b = in(2);
    std::optional<double> beta = node->inputs().size() > 3
                                     ? staticNumber(input(3))
                                     : std::optional<double>(1.0);
    std::optional<double> alpha = node->inputs().size() > 4
                                      ? staticNumber(input(4))
                                      : std::optional<double>(1.0);
    if (!a || !b || !c || !alpha || !beta)
      return success();
    set(emit1("loom.gemm", {a, b, c},
              {f32("alpha", *alpha), f32("beta", *beta)}, loc));
    return success();
  }
  if (kind == "aten::matmul" || kind == "aten::mm" || kind == "aten::bmm") {
    set(emit1("loom.matmul", {in(0), in(1)}, {}, loc));
    return success();
  }

  if (kind == "aten::max_pool2d" || kind == "aten::avg_pool2d" ||
      kind == "aten::max_pool1d" || kind == "aten::avg_pool1d") {
    bool isMax = StringRef(kind).starts_with("aten::max");
    Value x = in(0);
    std::optional<std::vector<int64_t>> kernel = staticInts(input(1)),
                                        stride = staticInts(input(2)),
                                        padding = staticInts(input(3));
    std::optional<std::vector<int64_t>> dilation =
        isMax ? staticInts(input(4)) : std::vector<int64_t>{1};
    std::optional<int64_t> ceil = staticInt(input(isMax ? 5 : 4));
    std::optional<int64_t> countPad =
        isMax ? std::optional<int64_t>(0) : staticInt(input(5));
    if (!x || !kernel || !stride || !padding || !dilation || !ceil || !countPad)
      return success();
    if (!isMax && node->inputs().size() > 6 && !isNone(input(6)))
      return success(); // divisor_override
    size_t spatial = StringRef(kind).ends_with("1d") ? 1 : 2;
    auto expand = [&](std::vector<int64_t> v) {
      if (v.size() == 1)
        v.assign(spatial, v[0]);
      return v;
    };
    std::vector<int64_t> k = expand(*kernel);
    std::vector<int64_t> s = stride->empty() ? k : expand(*stride);
    std::vector<int64_t> pads = expand(*padding);
    pads.insert(pads.end(), pads.begin(), pads.end());
    SmallVector<NamedAttribute> attrs = {i64s("kernel_shape", k),
                                         i64s("strides", s), i64s("pads", pads),
                                         i64("ceil_mode", *ceil)};
    if (isMax)
      attrs.push_back(i64s("dilations", expand(*dilation)));
    else
      attrs.push_back(i64("count_include_pad", *countPad));
    set(emit1(isMax ? "loom.max_pool" : "loom.average_pool", {x}, attrs, loc));
    return success();
  }
  if (kind == "aten::adaptive_avg_pool2d" ||
      kind == "aten::adaptive_avg_pool1d") {
    Value x = in(0);
    std::optional<std::vector<int64_t>> size = staticInts(input(1));
    auto type = x ? dyn_cast<RankedTensorType>(x.getType()) : nullptr;
    if (!x || !size)
      return success();
    if (llvm::all_of(*size, [](int64_t d) { return d == 1; })) {
      set(emit1("loom.global_average_pool", {x}, {}, loc));
      return success();
    }
    // An output that divides the input: a plain average pool.
    if (!type || !type.hasStaticShape())
      return success();
    std::vector<int64_t> kernel;
    for (auto [i, out] : llvm::enumerate(*size)) {
      int64_t in = type.getDimSize(type.getRank() - size->size() + i);
      if (out <= 0 || in % out)
        return success();
      kernel.push_back(in / out);
    }
    set(emit1("loom.average_pool", {x},
              {i64s("kernel_shape", kernel), i64s("strides", kernel)}, loc));
    return success();
  }

  if (kind == "aten::softmax" || kind == "aten::log_softmax") {
    std::optional<int64_t> dim = staticInt(input(1));
    if (!dim || (node->inputs().size() > 2 && !isNone(input(2))))
      return success();
    set(emit1(kind == "aten::softmax" ? "loom.softmax" : "loom.log_softmax",
              {in(0)}, {i64("axis", *dim)}, loc));
    return success();
  }

  if (kind == "aten::flatten") {
    Value x = in(0);
    std::optional<int64_t> start = staticInt(input(1)),
                           end = staticInt(input(2));
    std::optional<int64_t> rank = x ? rankOf(x) : std::nullopt;
    if (!x || !start || !end || !rank)
      return success();
    int64_t s = normAxis(*start, *rank), e = normAxis(*end, *rank);
    if (e == *rank - 1 && s == 1) {
      set(emit1("loom.flatten", {x}, {i64("axis", 1)}, loc));
      return success();
    }
    // Otherwise a reshape: kept dims as 0 (copy), the flattened run as -1.
    std::vector<int64_t> shape;
    for (int64_t i = 0; i < s; ++i)
      shape.push_back(0);
    shape.push_back(-1);
    for (int64_t i = e + 1; i < *rank; ++i)
      shape.push_back(0);
    set(emit1("loom.reshape", {x, ints(shape, loc)}, {}, loc));
    return success();
  }
  if (kind == "aten::reshape" || kind == "aten::view") {
    if (!in(0))
      return success();
    if (std::optional<std::vector<int64_t>> shape = staticInts(input(1)))
      set(emit1("loom.reshape", {in(0), ints(*shape, loc)}, {}, loc));
    else if (Value shape = dynamicInts(input(1), loc))
      set(emit1("loom.reshape", {in(0), shape}, {}, loc));
    return success();
  }
  if (kind == "aten::transpose" || kind == "aten::t" ||
      kind == "aten::permute") {
    Value x = in(0);
    std::optional<int64_t> rank = x ? rankOf(x) : std::nullopt;
    if (!x || !rank)
      return success();
    std::vector<int64_t> perm(*rank);
    for (int64_t i = 0; i < *rank; ++i)
      perm[i] = i;
    if (kind == "aten::permute") {
      std::optional<std::vector<int64_t>> dims = staticInts(input(1));
      if (!dims || dims->size() != size_t(*rank))
        return success();
      for (int64_t i = 0; i < *rank; ++i)
        perm[i] = normAxis((*dims)[i], *rank);
    } else if (kind == "aten::transpose") {
      std::optional<int64_t> a = staticInt(input(1)), b = staticInt(input(2));
      if (!a || !b)
        return success();
      std::swap(perm[normAxis(*a, *rank)], perm[normAxis(*b, *rank)]);
    } else if (*rank == 2) {
      std::swap(perm[0], perm[1]);
    }
    set(emit1("loom.transpose", {x}, {i64s("perm", perm)}, loc));
    return success();
  }
  if (kind == "aten::unsqueeze" || kind == "aten::squeeze") {
    Value x = in(0);
    if (!x)
      return success();
    if (node->inputs().size() < 2) {
      set(emit1("loom.squeeze", {x}, {}, loc));
      return success();
    }
    std::optional<int64_t> dim = staticInt(input(1));
    if (!dim)
      return success();
    set(emit1(kind == "aten::unsqueeze" ? "loom.unsqueeze" : "loom.squeeze",
              {x, ints({*dim}, loc)}, {}, loc));
    return success();
  }
  if (kind == "aten::cat" || kind == "aten::concat" || kind == "aten::stack") {
    auto list = tensorLists.find(input(0));
    std::optional<int64_t> dim = staticInt(input(1));
    if (list == tensorLists.end() || !dim)
      return success();
    SmallVector<Value> parts = list->second;
    if (kind == "aten::stack") {
      std::optional<int64_t> rank = rankOf(parts.front());
      if (!rank)
        return success();
      int64_t axis = *dim < 0 ? *dim + *rank + 1 : *dim;
      for (Value &p : parts)
        p = emit1("loom.unsqueeze", {p, ints({axis}, loc)}, {}, loc);
      set(emit1("loom.concat", parts, {i64("axis", axis)}, loc));
      return success();
    }
    set(emit1("loom.concat", parts, {i64("axis", *dim)}, loc));
    return success();
  }
  if (kind == "aten::split" || kind == "aten::chunk" ||
      kind == "aten::split_with_sizes") {
    Value x = in(0);
    auto type = x ? dyn_cast<RankedTensorType>(x.getType()) : nullptr;
    std::optional<int64_t> dim = staticInt(input(2));
    if (!type || !dim)
      return success();
    int64_t axis = normAxis(*dim, type.getRank());
    if (axis < 0 || axis >= type.getRank() || type.isDynamicDim(axis))
      return success();
    int64_t total = type.getDimSize(axis);
    std::vector<int64_t> sizes;
    if (kind == "aten::split_with_sizes" ||
        (kind == "aten::split" && staticOf(input(1)) &&
         staticOf(input(1))->kind == Static::List)) {
      std::optional<std::vector<int64_t>> given = staticInts(input(1));
      if (!given)
        return success();
      sizes = *given;
    } else {
      std::optional<int64_t> n = staticInt(input(1));
      if (!n || *n <= 0)
        return success();
      int64_t piece = kind == "aten::chunk" ? (total + *n - 1) / *n : *n;
      for (int64_t left = total; left > 0; left -= piece)
        sizes.push_back(std::min(piece, left));
    }
    FailureOr<Operation *> op = emit("loom.split", {x, ints(sizes, loc)},
                                     {i64("axis", axis)}, loc, sizes.size());
    if (failed(op))
      return success();
    tensorLists[node->output()] = SmallVector<Value>((*op)->getResults());
    handled = true;
    return success();
  }
  if (kind == "aten::slice") {
    Value x = in(0);
    std::optional<int64_t> dim = staticInt(input(1));
    std::optional<int64_t> start =
        isNone(input(2)) ? std::optional<int64_t>(0) : staticInt(input(2));
    std::optional<int64_t> end =
        isNone(input(3))
            ? std::optional<int64_t>(std::numeric_limits<int64_t>::max())
            : staticInt(input(3));
    std::optional<int64_t> step = staticInt(input(4));
    if (!x || !dim || !start || !end || !step)
      return success();
    set(emit1(
        "loom.slice",
        {x, ints({*start}, loc), ints({*end}, loc), ints({*dim}, loc),
         ints({*step}, loc)},
        {builder.getNamedAttr("operandSegmentSizes",
                              builder.getDenseI32ArrayAttr({1, 1, 1, 1, 1}))},
        loc));
    return success();
  }
  if (kind == "aten::select") {
    Value x = in(0);
    std::optional<int64_t> dim = staticInt(input(1)),
                           index = staticInt(input(2));
    if (!x || !dim || !index)
      return success();
    auto type = RankedTensorType::get({}, builder.getI64Type());
    Value idx = ConstantOp::create(
        builder, loc,
        DenseIntElementsAttr::get(type, ArrayRef<int64_t>{*index}));
    set(emit1("loom.gather", {x, idx}, {i64("axis", *dim)}, loc));
    return success();
  }
  if (kind == "aten::ones" || kind == "aten::zeros" || kind == "aten::full" ||
      kind == "aten::ones_like" || kind == "aten::zeros_like" ||
      kind == "aten::full_like") {
    // A tensor of one value: a splat constant of static shape and dtype.
    bool like = StringRef(kind).ends_with("_like");
    bool full = StringRef(kind).starts_with("aten::full");
    std::optional<std::vector<int64_t>> shape;
    Type element;
    if (like) {
      auto type = in(0) ? dyn_cast<RankedTensorType>(in(0).getType()) : nullptr;
      if (!type || !type.hasStaticShape())
        return success();
      shape =
          std::vector<int64_t>(type.getShape().begin(), type.getShape().end());
      element = type.getElementType();
    } else {
      shape = staticInts(input(0));
    }
    std::optional<double> fill =
        full ? staticNumber(input(1))
             : std::optional<double>(kind.find("ones") != std::string::npos);
    size_t dtypeIndex = full ? 2 : 1;
    if (std::optional<int64_t> code = staticInt(input(dtypeIndex)))
      element = elementTypeOf(static_cast<c10::ScalarType>(*code), context);
    else if (!isNone(input(dtypeIndex)))
      return success();
    if (!element)
      element = builder.getF32Type();
    if (!shape || !fill)
      return success();
    auto type = RankedTensorType::get(*shape, element);
    Attribute value =
        isa<FloatType>(element)
            ? Attribute(FloatAttr::get(element, *fill))
            : Attribute(IntegerAttr::get(element, static_cast<int64_t>(*fill)));
    set(ConstantOp::create(builder, loc, DenseElementsAttr::get(type, value)));
    return success();
  }
  if (kind == "aten::arange") {
    // arange(end, dtype, ...), arange(start, end, dtype, ...),
    // arange(start, end, step, dtype, ...): a constant.
    size_t n = node->inputs().size();
    size_t numbers = n == 5 ? 1 : n == 6 ? 2 : n == 7 ? 3 : 0;
    if (!numbers)
      return success();
    std::vector<const Static *> args;
    for (size_t i = 0; i < numbers; ++i) {
      const Static *a = staticOf(input(i));
      if (!a || !a->isNumber())
        return success();
      args.push_back(a);
    }
    double start = numbers > 1 ? args[0]->number() : 0;
    double end = args[numbers > 1 ? 1 : 0]->number();
    double step = numbers > 2 ? args[2]->number() : 1;
    bool integral = llvm::all_of(
        args, [](const Static *a) { return a->kind != Static::Float; });
    Type element =
        integral ? Type(builder.getI64Type()) : Type(builder.getF32Type());
    if (std::optional<int64_t> code = staticInt(input(numbers)))
      element = elementTypeOf(static_cast<c10::ScalarType>(*code), context);
    if (!element || step == 0)
      return success();
    // The element values are built here, one attribute each: a range past
    // kMaxFoldedElements (or not finite) stays a generic aten::arange.
    double length = std::ceil((end - start) / step);
    if (!std::isfinite(length) || length > double(kMaxFoldedElements))
      return success();
    int64_t count = std::max<int64_t>(0, static_cast<int64_t>(length));
    auto type = RankedTensorType::get({count}, element);
    SmallVector<Attribute> values;
    for (int64_t i = 0; i < count; ++i) {
      double v = start + i * step;
      values.push_back(
          isa<FloatType>(element)
              ? Attribute(FloatAttr::get(element, v))
              : Attribute(IntegerAttr::get(element, static_cast<int64_t>(v))));
    }
    set(ConstantOp::create(builder, loc, DenseElementsAttr::get(type, values)));
    return success();
  }
  if (kind == "aten::embedding") {
    set(emit1("loom.gather", {in(0), in(1)}, {i64("axis", 0)}, loc));
    return success();
  }
  if (kind == "aten::mean" || kind == "aten::sum") {
    Value x = in(0);
    std::optional<std::vector<int64_t>> dims = staticInts(input(1));
    std::optional<int64_t> keep = staticInt(input(2));
    if (!x || !dims || !keep ||
        (node->inputs().size() > 3 && !isNone(input(3))))
      return success();
    set(emit1(kind == "aten::mean" ? "loom.reduce_mean" : "loom.reduce_sum",
              {x, ints(*dims, loc)}, {i64("keepdims", *keep)}, loc));
    return success();
  }
  return success();
}
