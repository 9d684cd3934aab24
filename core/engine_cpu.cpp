// CPU engine: the reference path. Straightforward row loops over planar data; the geometry (padding
// per side, tap positions, channel plan) comes from geometry.h and is never recomputed here.
#include <algorithm>
#include <limits>

#include "engine.h"

namespace stridescope {

namespace {

// One input channel laid out on the direct-form lattice of geometry.h: padding filled by the pad
// mode and, for transposed conv, the inserted zeros in place. Rows and columns come from
// AxisGeometry::SourceTable, so the inner loops need no bounds checks and no padding rules.
struct LatticePlane {
  int height = 0;
  int width = 0;
  std::vector<float> data;
};

LatticePlane ToLattice(const float* plane, const Geometry& g, const std::vector<int>& rows,
                       const std::vector<int>& cols) {
  LatticePlane lattice;
  lattice.height = static_cast<int>(rows.size());
  lattice.width = static_cast<int>(cols.size());
  lattice.data.assign(rows.size() * cols.size(), 0.0f);
  for (int ly = 0; ly < lattice.height; ++ly) {
    const int iy = rows[static_cast<std::size_t>(ly)];
    if (iy < 0) continue;
    const float* src = plane + static_cast<std::size_t>(iy) * g.x.input;
    float* dst = lattice.data.data() + static_cast<std::size_t>(ly) * lattice.width;
    for (int lx = 0; lx < lattice.width; ++lx) {
      const int ix = cols[static_cast<std::size_t>(lx)];
      if (ix >= 0) dst[lx] = src[ix];
    }
  }
  return lattice;
}

// out += w (*) lattice, walked with the geometry's step and dilation; window tap (ty, tx) meets
// kernel weight (KernelIndex(ty), KernelIndex(tx)), which flips it for transposed conv.
// lattice: LH,LW  w: KH,KW  out: OH,OW
void CorrelateAccumulate(const LatticePlane& in, const float* w, const Geometry& g, float* out) {
  const AxisGeometry& ay = g.y;
  const AxisGeometry& ax = g.x;
  for (int oh = 0; oh < ay.output; ++oh) {
    float* out_row = out + static_cast<std::size_t>(oh) * ax.output;
    for (int ty = 0; ty < ay.taps; ++ty) {
      const float* in_row =
          in.data.data() + static_cast<std::size_t>(oh * ay.step + ty * ay.dilation) * in.width;
      const float* w_row = w + ay.KernelIndex(ty) * ax.taps;
      for (int tx = 0; tx < ax.taps; ++tx) {
        const float weight = w_row[ax.KernelIndex(tx)];
        const float* src = in_row + tx * ax.dilation;
        for (int ow = 0; ow < ax.output; ++ow) out_row[ow] += weight * src[ow * ax.step];
      }
    }
  }
}

// Conv and transposed conv alike. in: C,H,W  out: F,OH,OW
Tensor3 Convolve(const Params& p, const Geometry& g, const Tensor3& input) {
  Tensor3 out = Tensor3::Zeros(g.channels.out_channels, g.y.output, g.x.output);
  std::fill(out.data.begin(), out.data.end(), p.bias);
  const std::vector<int> rows = g.y.SourceTable(g.pad_mode);
  const std::vector<int> cols = g.x.SourceTable(g.pad_mode);
  std::vector<LatticePlane> lattices;
  lattices.reserve(static_cast<std::size_t>(input.channels));
  for (int ic = 0; ic < input.channels; ++ic) lattices.push_back(ToLattice(input.Plane(ic), g, rows, cols));
  for (int oc = 0; oc < out.channels; ++oc) {
    const int first = g.channels.FirstInputOf(oc);
    for (int ic = first; ic < first + g.channels.InputsPerGroup(); ++ic)
      CorrelateAccumulate(lattices[static_cast<std::size_t>(ic)], WeightPlane(p.kernel, p.op, oc, ic), g,
                          out.Plane(oc));
  }
  return out;
}

// Max and average pooling. in: C,H,W  out: C,OH,OW
Tensor3 Pool(const Params& p, const Geometry& g, const Tensor3& input) {
  Tensor3 out = Tensor3::Zeros(input.channels, g.y.output, g.x.output);
  const AxisGeometry& ay = g.y;
  const AxisGeometry& ax = g.x;
  const std::vector<int> rows = ay.SourceTable(g.pad_mode);  // -1: padding
  const std::vector<int> cols = ax.SourceTable(g.pad_mode);
  for (int c = 0; c < input.channels; ++c) {
    const float* in = input.Plane(c);
    float* dst = out.Plane(c);
    for (int oh = 0; oh < ay.output; ++oh) {
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
          const AxisGeometry::PoolSpan sy = ay.AvgPoolSpan(oh);
          const AxisGeometry::PoolSpan sx = ax.AvgPoolSpan(ow);
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
  switch (params.op) {
    case Op::Conv:
    case Op::Transposed: return Convolve(params, geometry, input);
    case Op::MaxPool:
    case Op::AvgPool: return Pool(params, geometry, input);
  }
  return {};
}

Expected<Tensor3> Run(Engine& engine, const Params& params, const Tensor3& input) {
  Expected<Geometry> geometry = ResolveGeometry(params, input.channels, input.height, input.width);
  if (!geometry) return geometry.error();
  if (Status fits = engine.CanCompute(*geometry, input); !fits) return fits.error();
  return engine.Compute(params, *geometry, input);
}

}  // namespace stridescope
