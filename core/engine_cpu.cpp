// CPU engine: the reference path. Dispatch, weight layout and pooling live here; conv and
// transposed conv (polyphase, separable, threads) in engine_cpu_conv.cpp. The geometry (padding
// per side, tap positions, channel plan) comes from geometry.h and is never recomputed here.
#include <algorithm>
#include <limits>

#include "engine.h"
#include "engine_cpu_conv.h"

namespace stridescope {

namespace {

// Max and average pooling. in: C,H,W  out: C,OH,OW
// Simple per-cell loops, threaded over output rows: pooling windows are small in practice.
Tensor3 Pool(const Params& p, const Geometry& g, const Tensor3& input, const CpuEngineOptions& options) {
  Tensor3 out = Tensor3::Zeros(input.channels, g.y.output, g.x.output);
  const AxisGeometry& ay = g.y;
  const AxisGeometry& ax = g.x;
  const std::vector<int> rows = ay.SourceTable(g.pad_mode);  // -1: padding
  const std::vector<int> cols = ax.SourceTable(g.pad_mode);
  // Column spans are the same on every row and row spans along a row: computed once, not per cell.
  std::vector<AxisGeometry::PoolSpan> col_spans;
  if (p.op == Op::AvgPool)
    for (int ow = 0; ow < ax.output; ++ow) col_spans.push_back(ax.AvgPoolSpan(ow));
  // A pooled tap (table lookups, a branch) costs several multiply-adds' time.
  const long long work = 8LL * static_cast<long long>(out.data.size()) * ay.taps * ax.taps;
#pragma omp parallel for collapse(2) schedule(static) num_threads(cpu::ThreadCount(options)) \
    if (cpu::UseThreads(options, work))
  for (int c = 0; c < input.channels; ++c) {
    for (int oh = 0; oh < ay.output; ++oh) {
      const float* in = input.Plane(c);
      float* dst = out.Plane(c);
      const AxisGeometry::PoolSpan sy = p.op == Op::AvgPool ? ay.AvgPoolSpan(oh) : AxisGeometry::PoolSpan{};
      for (int ow = 0; ow < ax.output; ++ow) {
        float value;
        if (p.op == Op::MaxPool) {
          // Padding never wins a max (PyTorch pads max pooling with -inf).
          value = -std::numeric_limits<float>::infinity();
          for (int ky = 0; ky < ay.taps; ++ky) {
            const int iy = rows[static_cast<std::size_t>(oh * ay.step + ky * ay.dilation)];
            if (iy < 0) continue;
            for (int kx = 0; kx < ax.taps; ++kx) {
              const int ix = cols[static_cast<std::size_t>(ow * ax.step + kx * ax.dilation)];
              if (ix >= 0) value = std::max(value, in[static_cast<std::size_t>(iy) * ax.input + ix]);
            }
          }
        } else {
          const AxisGeometry::PoolSpan& sx = col_spans[static_cast<std::size_t>(ow)];
          float sum = 0.0f;
          for (int iy = sy.first; iy < sy.last; ++iy)
            for (int ix = sx.first; ix < sx.last; ++ix) sum += in[static_cast<std::size_t>(iy) * ax.input + ix];
          const int divisor = p.count_include_pad ? sy.padded_length * sx.padded_length
                                                  : (sy.last - sy.first) * (sx.last - sx.first);
          value = divisor > 0 ? sum / static_cast<float>(divisor) : 0.0f;
        }
        dst[static_cast<std::size_t>(oh) * ax.output + ow] = value;
      }
    }
  }
  return out;
}

}  // namespace

const float* WeightPlane(const Kernel& k, Op op, int oc, int ic) {
  const std::size_t plane = static_cast<std::size_t>(k.height) * k.width;
  switch (k.rank) {
    case 3: return k.weights.data() + static_cast<std::size_t>(ic) * plane;
    case 4: {
      const std::size_t index = op == Op::Transposed ? static_cast<std::size_t>(ic) * k.channels + oc
                                                     : static_cast<std::size_t>(oc) * k.channels + ic;
      return k.weights.data() + index * plane;
    }
    default: return k.weights.data();
  }
}

Tensor3 CpuEngine::Compute(const Params& params, const Geometry& geometry, const Tensor3& input) {
  Tensor3 out;
  ComputeInto(params, geometry, input, out);
  return out;
}

void CpuEngine::ComputeInto(const Params& params, const Geometry& geometry, const Tensor3& input, Tensor3& out) {
  switch (params.op) {
    case Op::Conv:
    case Op::Transposed: cpu::Convolve(params, geometry, input, options_, out); return;
    case Op::MaxPool:
    case Op::AvgPool:
      out = Tensor3{};  // freed first: never the old and the new map at once
      out = Pool(params, geometry, input, options_);
      return;
  }
}

CpuPaths CpuEngine::Paths(const Params& params, const Geometry& geometry) const {
  return IsPooling(params.op) ? CpuPaths{} : cpu::ConvPaths(params, geometry, options_);
}

Expected<Tensor3> Run(Engine& engine, const Params& params, const Tensor3& input) {
  Expected<Geometry> geometry = ResolveGeometry(params, input.channels, input.height, input.width);
  if (!geometry) return geometry.error();
  if (Status fits = engine.CanCompute(*geometry, input); !fits) return fits.error();
  return engine.Compute(params, *geometry, input);
}

}  // namespace stridescope
