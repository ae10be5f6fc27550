//===- MapToGPU.cpp - bufferized linalg to GPU launches and device buffers ===//
//
// The GPU pipeline's mapping step, on buffers:
//   1. memref.copy -> linalg.copy (a copy is a kernel like any other);
//   2. each linalg op -> scf.parallel over its parallel loops, with the
//      reductions as scf.for inside carrying the output values in
//      registers (loaded once, stored once); an op without parallel loops
//      gets a one-iteration scf.parallel;
//   3. each outermost scf.parallel -> one gpu.launch: the iterations are
//      linearized, one thread each, `block-size` threads per block, with a
//      bounds guard; the kernel is named after its ONNX node, and every
//      kernel goes into one gpu.module, `loom_kernels` (one binary to load);
//   4. every buffer a kernel touches is allocated on the device.
// What remains on the host is allocation, views, and launches; a load or a
// store left there would read device memory from the CPU, and is refused
// with the node it came from.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/LoomToLinalg/LoomToLinalg.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Utils/GPUUtils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/StringExtras.h"

namespace loom {
#define GEN_PASS_DEF_LOOMMAPTOGPU
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {

/// The first ONNX node name in `loc` ("" if none).
StringRef findNodeName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().strref();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (StringRef name = findNodeName(inner); !name.empty())
        return name;
  if (auto callSite = dyn_cast<CallSiteLoc>(loc))
    return findNodeName(callSite.getCallee());
  return "";
}

/// "k<index>_<node>" with the node's name made a C identifier.
std::string kernelName(unsigned index, StringRef node) {
  std::string name = "k" + std::to_string(index);
  if (!node.empty()) {
    name += '_';
    for (char c : node.take_front(48))
      name += llvm::isAlnum(c) ? c : '_';
  }
  return name;
}

/// The buffer a view (subview, reshape, cast...) of `value` comes from.
Value rootBuffer(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    if (auto view = dyn_cast<ViewLikeOpInterface>(def)) {
      value = view.getViewSource();
      continue;
    }
    if (auto metadata = dyn_cast<memref::ExtractStridedMetadataOp>(def)) {
      value = metadata.getSource();
      continue;
    }
    break;
  }
  return value;
}

struct MapToGPUPass : loom::impl::LoomMapToGPUBase<MapToGPUPass> {
  using LoomMapToGPUBase::LoomMapToGPUBase;

  void runOnOperation() override {
    func::FuncOp function = getOperation();
    if (function.isExternal())
      return;
    if (blockSize < 1 || blockSize > 1024) {
      function.emitError("loom-map-to-gpu: block-size must be 1..1024");
      return signalPassFailure();
    }
    if (threadTile < 1 || threadTile > 8) {
      function.emitError("loom-map-to-gpu: thread-tile must be 1..8");
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());

    // 1. Copies become linalg.copy.
    SmallVector<memref::CopyOp> copies;
    function.walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies) {
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    }

    // 2. Linalg ops become parallel loops with register accumulators.
    SmallVector<linalg::LinalgOp> linalgOps;
    function.walk([&](linalg::LinalgOp op) { linalgOps.push_back(op); });
    for (linalg::LinalgOp op : linalgOps) {
      if (!op.hasPureBufferSemantics()) {
        op->emitError("loom-map-to-gpu: ")
            << op->getName() << " is not on buffers (bufferize first)";
        return signalPassFailure();
      }
      if (failed(lowerToLoops(rewriter, op)))
        return signalPassFailure();
    }

    // 3. Outermost parallel loops become launches.
    SmallVector<scf::ParallelOp> loops;
    function.walk([&](scf::ParallelOp loop) {
      if (!loop->getParentOfType<scf::ParallelOp>() &&
          !loop->getParentOfType<gpu::LaunchOp>())
        loops.push_back(loop);
    });
    unsigned index = 0;
    for (scf::ParallelOp loop : loops)
      if (failed(launch(rewriter, loop, index++)))
        return signalPassFailure();

    // 4. Device buffers, and nothing left on the host that reads them.
    if (failed(placeBuffers(rewriter, function)))
      return signalPassFailure();
  }

  /// One linalg op as an scf.parallel over its parallel loops (one
  /// iteration when it has none) around scf.for loops over its reductions,
  /// in the op's loop order. Each output element is loaded once, carried
  /// through the reductions in registers (iter_args) and stored once: a
  /// convolution or a matmul touches its output once per element, not once
  /// per multiply-add.
  LogicalResult lowerToLoops(IRRewriter &rewriter, linalg::LinalgOp op) {
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    SmallVector<Range> ranges = op.createLoopRanges(rewriter, loc);
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    SmallVector<unsigned> parallel, reduction;
    for (unsigned d = 0; d < iterators.size(); ++d)
      (iterators[d] == utils::IteratorType::parallel ? parallel : reduction)
          .push_back(d);
    auto value = [&](OpFoldResult fold) {
      return getValueOrCreateConstantIndexOp(rewriter, loc, fold);
    };
    // With reductions, each thread computes a tile of `thread-tile` x
    // `thread-tile` outputs over the last two parallel loops whose static
    // sizes it divides: the operands' loads are shared across the tile (a
    // matmul loads 2T values per T*T multiply-adds instead of 2 per 1).
    SmallVector<int64_t> tile(iterators.size(), 1);
    if (!reduction.empty() && threadTile > 1) {
      int tiled = 0;
      for (unsigned d : llvm::reverse(parallel)) {
        std::optional<int64_t> size = getConstantIntValue(ranges[d].size);
        std::optional<int64_t> offset = getConstantIntValue(ranges[d].offset);
        std::optional<int64_t> stride = getConstantIntValue(ranges[d].stride);
        if (!size || !offset || !stride || *offset != 0 || *stride != 1 ||
            *size % threadTile != 0 || *size < 2 * threadTile)
          continue;
        tile[d] = threadTile;
        if (++tiled == 2)
          break;
      }
      // Only where enough threads remain to fill the GPU.
      int64_t threads = 1;
      for (unsigned d : parallel) {
        std::optional<int64_t> size = getConstantIntValue(ranges[d].size);
        threads = size ? threads * (*size / tile[d]) : INT64_MAX / 2;
      }
      if (threads < tileMinThreads)
        std::fill(tile.begin(), tile.end(), 1);
    }
    SmallVector<Value> lowers, uppers, steps;
    for (unsigned d : parallel) {
      lowers.push_back(value(ranges[d].offset));
      uppers.push_back(value(ranges[d].size));
      steps.push_back(
          tile[d] > 1 ? arith::ConstantIndexOp::create(rewriter, loc, tile[d])
                      : value(ranges[d].stride));
    }
    if (parallel.empty()) {
      lowers.push_back(arith::ConstantIndexOp::create(rewriter, loc, 0));
      uppers.push_back(arith::ConstantIndexOp::create(rewriter, loc, 1));
      steps.push_back(arith::ConstantIndexOp::create(rewriter, loc, 1));
    }
    auto loop = scf::ParallelOp::create(rewriter, loc, lowers, uppers, steps);
    rewriter.setInsertionPoint(loop.getBody()->getTerminator());
    SmallVector<Value> ivs(iterators.size());
    for (auto [d, iv] : llvm::zip(parallel, loop.getInductionVars()))
      ivs[d] = iv;
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    for (unsigned d : reduction)
      ivs[d] = zero; // Outputs do not depend on reduction loops.

    // The tile's points: the parallel ivs of each output this thread owns.
    SmallVector<SmallVector<Value>> points{ivs};
    for (unsigned d : parallel) {
      if (tile[d] == 1)
        continue;
      SmallVector<SmallVector<Value>> grown;
      for (const SmallVector<Value> &point : points)
        for (int64_t offset = 0; offset < tile[d]; ++offset) {
          SmallVector<Value> next = point;
          if (offset > 0)
            next[d] = arith::AddIOp::create(
                rewriter, loc, ivs[d],
                arith::ConstantIndexOp::create(rewriter, loc, offset));
          grown.push_back(std::move(next));
        }
      points = std::move(grown);
    }
    auto usePoint = [&](const SmallVector<Value> &point) {
      for (unsigned d : parallel)
        ivs[d] = point[d];
    };

    auto indices = [&](OpOperand &operand) {
      AffineMap map = op.getMatchingIndexingMap(&operand);
      SmallVector<Value> result;
      for (AffineExpr expr : map.getResults())
        result.push_back(affine::AffineApplyOp::create(
            rewriter, loc, AffineMap::get(map.getNumDims(), 0, expr), ivs));
      return result;
    };
    // Outputs' current values, point by point.
    unsigned numInits = op.getNumDpsInits();
    SmallVector<Value> accumulators;
    for (const SmallVector<Value> &point : points) {
      usePoint(point);
      for (OpOperand &init : op.getDpsInitsMutable())
        accumulators.push_back(
            memref::LoadOp::create(rewriter, loc, init.get(), indices(init)));
    }

    Block *body = op.getBlock();
    // The payload at the current ivs, given the accumulators.
    auto payload = [&](ValueRange current) -> SmallVector<Value> {
      IRMapping mapping;
      for (OpOperand *input : op.getDpsInputOperands()) {
        Value argument = body->getArgument(input->getOperandNumber());
        if (isa<MemRefType>(input->get().getType()))
          mapping.map(argument,
                      memref::LoadOp::create(rewriter, loc, input->get(),
                                             indices(*input)));
        else
          mapping.map(argument, input->get());
      }
      for (auto [index, init] : llvm::enumerate(op.getDpsInitsMutable()))
        mapping.map(body->getArgument(init.getOperandNumber()), current[index]);
      for (Operation &inner : body->without_terminator()) {
        if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
          mapping.map(index.getResult(), ivs[index.getDim()]);
          continue;
        }
        Operation *copy = rewriter.clone(inner, mapping);
        // Multiplies and adds may fuse into FMAs (without `contract`, NVPTX
        // emits mul.rn + add.rn, which ptxas must keep apart).
        if (auto fastMath = dyn_cast<arith::ArithFastMathInterface>(copy);
            fastMath && isa<arith::MulFOp, arith::AddFOp, arith::SubFOp>(copy))
          copy->setAttr(fastMath.getFastMathAttrName(),
                        arith::FastMathFlagsAttr::get(
                            copy->getContext(),
                            fastMath.getFastMathFlagsAttr().getValue() |
                                arith::FastMathFlags::contract));
      }
      SmallVector<Value> results;
      for (Value yielded : body->getTerminator()->getOperands())
        results.push_back(mapping.lookupOrDefault(yielded));
      return results;
    };
    // Every point's payload.
    auto payloads = [&](ValueRange current) -> SmallVector<Value> {
      SmallVector<Value> results;
      for (auto [index, point] : llvm::enumerate(points)) {
        usePoint(point);
        llvm::append_range(results,
                           payload(current.slice(index * numInits, numInits)));
      }
      return results;
    };

    SmallVector<Value> results;
    if (reduction.empty()) {
      results = payloads(accumulators);
    } else {
      // Nested scf.for over the reductions, carrying the accumulators.
      std::function<SmallVector<Value>(size_t, ValueRange)> nest =
          [&](size_t level, ValueRange current) -> SmallVector<Value> {
        if (level == reduction.size())
          return payloads(current);
        unsigned d = reduction[level];
        auto forOp = scf::ForOp::create(rewriter, loc, value(ranges[d].offset),
                                        value(ranges[d].size),
                                        value(ranges[d].stride), current);
        OpBuilder::InsertionGuard guard(rewriter);
        rewriter.setInsertionPointToStart(forOp.getBody());
        Value saved = ivs[d];
        ivs[d] = forOp.getInductionVar();
        SmallVector<Value> inner = nest(level + 1, forOp.getRegionIterArgs());
        ivs[d] = saved;
        scf::YieldOp::create(rewriter, loc, inner);
        return SmallVector<Value>(forOp.getResults());
      };
      results = nest(0, accumulators);
      for (unsigned d : reduction)
        ivs[d] = zero;
    }
    for (auto [index, point] : llvm::enumerate(points)) {
      usePoint(point);
      for (auto [i, init] : llvm::enumerate(op.getDpsInitsMutable()))
        memref::StoreOp::create(rewriter, loc, results[index * numInits + i],
                                init.get(), indices(init));
    }
    rewriter.eraseOp(op);
    return success();
  }

  LogicalResult launch(IRRewriter &rewriter, scf::ParallelOp loop,
                       unsigned index) {
    if (loop.getNumResults() != 0)
      return loop.emitError("loom-map-to-gpu: a parallel loop with reductions "
                            "is not supported");
    Location loc = loop.getLoc();
    rewriter.setInsertionPoint(loop);
    // Trip counts, their product, and the grid.
    // Static trip counts become constants (the kernel's index arithmetic
    // then divides by constants); dynamic ones are computed on the host.
    SmallVector<Value> counts;
    std::optional<int64_t> staticTotal = 1;
    Value total = arith::ConstantIndexOp::create(rewriter, loc, 1);
    for (auto [lower, upper, step] : llvm::zip(
             loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
      std::optional<int64_t> lo = getConstantIntValue(lower),
                             hi = getConstantIntValue(upper),
                             by = getConstantIntValue(step);
      Value count;
      if (lo && hi && by && *by > 0) {
        int64_t trips = *hi > *lo ? (*hi - *lo + *by - 1) / *by : 0;
        count = arith::ConstantIndexOp::create(rewriter, loc, trips);
        if (staticTotal)
          staticTotal = *staticTotal * trips;
      } else {
        Value span = arith::SubIOp::create(rewriter, loc, upper, lower);
        count = arith::CeilDivUIOp::create(rewriter, loc, span, step);
        staticTotal = std::nullopt;
      }
      counts.push_back(count);
      total = arith::MulIOp::create(rewriter, loc, total, count);
    }
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value threads, blocks;
    if (staticTotal) {
      int64_t threadCount =
          std::max<int64_t>(1, std::min<int64_t>(*staticTotal, blockSize));
      total = arith::ConstantIndexOp::create(rewriter, loc, *staticTotal);
      threads = arith::ConstantIndexOp::create(rewriter, loc, threadCount);
      blocks = arith::ConstantIndexOp::create(
          rewriter, loc,
          std::max<int64_t>(1, (*staticTotal + threadCount - 1) / threadCount));
    } else {
      Value block = arith::ConstantIndexOp::create(rewriter, loc, blockSize);
      threads = arith::MinUIOp::create(rewriter, loc, total, block);
      threads = arith::MaxUIOp::create(rewriter, loc, threads, one);
      blocks = arith::CeilDivUIOp::create(rewriter, loc, total, threads);
      blocks = arith::MaxUIOp::create(rewriter, loc, blocks, one);
    }

    std::string name = kernelName(index, findNodeName(loc));
    auto launchOp = gpu::LaunchOp::create(
        rewriter, loc, blocks, one, one, threads, one, one,
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        /*asyncDependencies=*/{}, /*workgroupAttributions=*/{},
        /*privateAttributions=*/{}, nullptr, nullptr, nullptr,
        FlatSymbolRefAttr::get(rewriter.getContext(), "loom_kernels"),
        FlatSymbolRefAttr::get(rewriter.getContext(), name));
    Block &body = launchOp.getBody().front();
    rewriter.setInsertionPointToStart(&body);
    gpu::KernelDim3 blockIds = launchOp.getBlockIds();
    gpu::KernelDim3 threadIds = launchOp.getThreadIds();
    gpu::KernelDim3 blockSizes = launchOp.getBlockSize();
    Value linear =
        arith::MulIOp::create(rewriter, loc, blockIds.x, blockSizes.x);
    linear = arith::AddIOp::create(rewriter, loc, linear, threadIds.x);
    Value inside = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::ult, linear, total);
    auto guard = scf::IfOp::create(rewriter, loc, inside, false);
    rewriter.setInsertionPointToStart(&guard.getThenRegion().front());
    // Delinearize, innermost dimension fastest (neighbouring threads walk
    // contiguous memory).
    IRMapping mapping;
    Value rest = linear;
    SmallVector<Value> ivs(counts.size());
    for (int64_t d = counts.size() - 1; d >= 0; --d) {
      Value position =
          d == 0 ? rest
                 : arith::RemUIOp::create(rewriter, loc, rest, counts[d]);
      if (d > 0)
        rest = arith::DivUIOp::create(rewriter, loc, rest, counts[d]);
      Value scaled =
          arith::MulIOp::create(rewriter, loc, position, loop.getStep()[d]);
      ivs[d] =
          arith::AddIOp::create(rewriter, loc, loop.getLowerBound()[d], scaled);
    }
    for (auto [iv, value] : llvm::zip(loop.getInductionVars(), ivs))
      mapping.map(iv, value);
    for (Operation &op : loop.getBody()->without_terminator())
      rewriter.clone(op, mapping);
    rewriter.setInsertionPointToEnd(&body);
    gpu::TerminatorOp::create(rewriter, loc);
    rewriter.eraseOp(loop);
    // Constants the body uses are copied in: known to the kernel's
    // compiler, not passed as arguments.
    return sinkOperationsIntoLaunchOp(
        launchOp, [](Operation *op) { return isa<arith::ConstantOp>(op); });
  }

  LogicalResult placeBuffers(IRRewriter &rewriter, func::FuncOp function) {
    // Buffers a kernel uses (through any view).
    DenseSet<Value> onDevice;
    function.walk([&](gpu::LaunchOp launchOp) {
      launchOp.getBody().walk([&](Operation *op) {
        for (Value operand : op->getOperands())
          if (isa<MemRefType>(operand.getType()) &&
              !launchOp.getBody().isAncestor(operand.getParentRegion()))
            onDevice.insert(rootBuffer(operand));
      });
    });
    // Nothing on the host may read or write them (a function argument is
    // device memory too: the runtime passes device pointers).
    WalkResult walk = function.walk([&](Operation *op) {
      if (op->getParentOfType<gpu::LaunchOp>())
        return WalkResult::skip();
      Value touched;
      if (auto load = dyn_cast<memref::LoadOp>(op))
        touched = load.getMemRef();
      else if (auto store = dyn_cast<memref::StoreOp>(op))
        touched = store.getMemRef();
      if (!touched)
        return WalkResult::advance();
      Value root = rootBuffer(touched);
      if (onDevice.contains(root) || isa<BlockArgument>(root)) {
        StringRef node = findNodeName(op->getLoc());
        op->emitError("loom-map-to-gpu: the host would read or write device "
                      "memory here")
            << (node.empty() ? std::string() : " (node '" + node.str() + "')");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();

    // Every buffer a kernel touches must become a device allocation, or be
    // an argument (device memory the runtime passes); anything else would be
    // host memory on the GPU.
    for (Value root : onDevice) {
      if (isa<BlockArgument>(root) &&
          root.getParentRegion() == &function.getBody())
        continue;
      Operation *def = root.getDefiningOp();
      if (def &&
          isa<memref::AllocOp, memref::AllocaOp, memref::GetGlobalOp>(def))
        continue;
      Operation *at = def ? def : function.getOperation();
      StringRef node = findNodeName(at->getLoc());
      return at->emitError("loom-map-to-gpu: a kernel would use a buffer "
                           "the host made here, in host memory")
             << (node.empty() ? std::string() : " (node '" + node.str() + "')");
    }

    // Constant tensors (memref.get_global of host data) a kernel reads are
    // copied to a device buffer when the function starts and freed when it
    // returns.
    SmallVector<memref::GetGlobalOp> globals;
    function.walk([&](memref::GetGlobalOp global) {
      if (onDevice.contains(global.getResult()))
        globals.push_back(global);
    });
    for (memref::GetGlobalOp global : globals) {
      if (!global.getType().hasStaticShape() ||
          !global.getType().getLayout().isIdentity())
        return global.emitError("loom-map-to-gpu: a constant read by a "
                                "kernel needs a static shape and an identity "
                                "layout");
      rewriter.setInsertionPointAfter(global);
      auto copy = gpu::AllocOp::create(
          rewriter, global.getLoc(), global.getType(), /*asyncToken=*/nullptr,
          /*asyncDependencies=*/{}, /*dynamicSizes=*/{},
          /*symbolOperands=*/{}, /*hostShared=*/false);
      rewriter.replaceAllUsesWith(global.getResult(), copy.getMemref());
      gpu::MemcpyOp::create(rewriter, global.getLoc(), /*asyncToken=*/Type(),
                            /*asyncDependencies=*/ValueRange{},
                            copy.getMemref(), global.getResult());
      function.walk([&](func::ReturnOp ret) {
        rewriter.setInsertionPoint(ret);
        gpu::DeallocOp::create(rewriter, ret.getLoc(), /*asyncToken=*/Type(),
                               /*asyncDependencies=*/ValueRange{},
                               copy.getMemref());
      });
    }

    SmallVector<memref::AllocOp> allocs;
    function.walk([&](memref::AllocOp alloc) {
      if (onDevice.contains(alloc.getResult()))
        allocs.push_back(alloc);
    });
    for (memref::AllocOp alloc : allocs) {
      if (!alloc.getType().getLayout().isIdentity())
        return alloc.emitError("loom-map-to-gpu: a device buffer needs an "
                               "identity layout");
      rewriter.setInsertionPoint(alloc);
      auto deviceAlloc = gpu::AllocOp::create(
          rewriter, alloc.getLoc(), alloc.getType(), /*asyncToken=*/nullptr,
          /*asyncDependencies=*/{}, alloc.getDynamicSizes(),
          alloc.getSymbolOperands(), /*hostShared=*/false);
      rewriter.replaceOp(alloc, deviceAlloc.getMemref());
    }
    // A stack buffer a kernel touches would be host memory: the device's,
    // freed when the function returns.
    SmallVector<memref::AllocaOp> allocas;
    function.walk([&](memref::AllocaOp alloca) {
      if (onDevice.contains(alloca.getResult()))
        allocas.push_back(alloca);
    });
    for (memref::AllocaOp alloca : allocas) {
      if (!alloca.getType().getLayout().isIdentity() ||
          alloca->getParentRegion() != &function.getBody())
        return alloca.emitError("loom-map-to-gpu: a stack buffer a kernel "
                                "uses must be at the function's top level "
                                "with an identity layout");
      rewriter.setInsertionPoint(alloca);
      auto deviceAlloc = gpu::AllocOp::create(
          rewriter, alloca.getLoc(), alloca.getType(), /*asyncToken=*/nullptr,
          /*asyncDependencies=*/{}, alloca.getDynamicSizes(),
          alloca.getSymbolOperands(), /*hostShared=*/false);
      rewriter.replaceOp(alloca, deviceAlloc.getMemref());
      function.walk([&](func::ReturnOp ret) {
        rewriter.setInsertionPoint(ret);
        gpu::DeallocOp::create(rewriter, ret.getLoc(), /*asyncToken=*/Type(),
                               /*asyncDependencies=*/ValueRange{},
                               deviceAlloc.getMemref());
      });
    }
    SmallVector<memref::DeallocOp> deallocs;
    function.walk([&](memref::DeallocOp dealloc) {
      Value root = rootBuffer(dealloc.getMemref());
      if (root.getDefiningOp<gpu::AllocOp>())
        deallocs.push_back(dealloc);
    });
    for (memref::DeallocOp dealloc : deallocs) {
      rewriter.setInsertionPoint(dealloc);
      gpu::DeallocOp::create(rewriter, dealloc.getLoc(), /*asyncToken=*/Type(),
                             /*asyncDependencies=*/ValueRange{},
                             dealloc.getMemref());
      rewriter.eraseOp(dealloc);
    }
    return success();
  }
};

} // namespace
