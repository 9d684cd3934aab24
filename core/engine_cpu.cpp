// CPU engine: the reference path. Straightforward row loops over planar data; the geometry (padding
// per side, tap positions, channel plan) comes from geometry.h and is never recomputed here.
#include <algorithm>
#include <limits>

#include "engine.h"

namespace stridescope {

namespace {

// One input channel with its padding materialised by the pad mode, so the inner loops need no
// bounds checks. Rows and columns map through AxisGeometry::SourceIndex, the one rule for padding.
struct PaddedPlane {
  int height = 0;
  int width = 0;
  std::vector<float> data;
};

PaddedPlane Pad(const float* plane, const Geometry& g) {
  PaddedPlane padded;
  padded.height = g.y.input + g.y.pad_begin + g.y.pad_end;
  padded.width = g.x.input + g.x.pad_begin + g.x.pad_end;
  padded.data.assign(static_cast<std::size_t>(padded.height) * padded.width, 0.0f);
  std::vector<int> source_cols(static_cast<std::size_t>(padded.width));
  for (int px = 0; px < padded.width; ++px)
    source_cols[static_cast<std::size_t>(px)] = g.x.SourceIndex(px - g.x.pad_begin, g.pad_mode);
  for (int py = 0; py < padded.height; ++py) {
    const int iy = g.y.SourceIndex(py - g.y.pad_begin, g.pad_mode);
    if (iy < 0) continue;
    const float* src = plane + static_cast<std::size_t>(iy) * g.x.input;
    float* dst = padded.data.data() + static_cast<std::size_t>(py) * padded.width;
    for (int px = 0; px < padded.width; ++px) {
      const int ix = source_cols[static_cast<std::size_t>(px)];
      if (ix >= 0) dst[px] = src[ix];
    }
  }
  return padded;
}

// out += w (*) padded, stride/dilation from g.  in: PH,PW  w: KH,KW  out: OH,OW
void CorrelateAccumulate(const PaddedPlane& in, const float* w, const Geometry& g, float* out) {
  const AxisGeometry& ay = g.y;
  const AxisGeometry& ax = g.x;
  for (int oh = 0; oh < ay.output; ++oh) {
    float* out_row = out + static_cast<std::size_t>(oh) * ax.output;
    for (int ky = 0; ky < ay.taps; ++ky) {
      const float* in_row =
          in.data.data() + static_cast<std::size_t>(oh * ay.stride + ky * ay.dilation) * in.width;
      for (int kx = 0; kx < ax.taps; ++kx) {
        const float weight = w[ky * ax.taps + kx];
        const float* src = in_row + kx * ax.dilation;
        for (int ow = 0; ow < ax.output; ++ow) out_row[ow] += weight * src[ow * ax.stride];
      }
    }
  }
}

Tensor3 Convolve(const Params& p, const Geometry& g, const Tensor3& input) {
  // in: C,H,W  out: F,OH,OW
  Tensor3 out = Tensor3::Zeros(g.channels.out_channels, g.y.output, g.x.output);
  std::fill(out.data.begin(), out.data.end(), p.bias);
  std::vector<PaddedPlane> padded;
  padded.reserve(static_cast<std::size_t>(input.channels));
  for (int ic = 0; ic < input.channels; ++ic) padded.push_back(Pad(input.Plane(ic), g));
  for (int oc = 0; oc < out.channels; ++oc) {
    const int first = g.channels.FirstInputOf(oc);
    for (int ic = first; ic < first + g.channels.InputsPerGroup(); ++ic)
      CorrelateAccumulate(padded[static_cast<std::size_t>(ic)], WeightPlane(p.kernel, p.op, oc, ic), g,
                          out.Plane(oc));
  }
  return out;
}

// Transposed conv as a scatter: every input pixel adds x * w at o = i*S - pad_begin + k*D.
// in: H,W  w: KH,KW  out: OH,OW (cropped by the per-side padding)
void ScatterAccumulate(const float* in, const float* w, const Geometry& g, float* out) {
  const AxisGeometry& ay = g.y;
  const AxisGeometry& ax = g.x;
  for (int ih = 0; ih < ay.input; ++ih) {
    const float* in_row = in + static_cast<std::size_t>(ih) * ax.input;
    for (int ky = 0; ky < ay.taps; ++ky) {
      const int oh = ih * ay.stride - ay.pad_begin + ky * ay.dilation;
      if (oh < 0 || oh >= ay.output) continue;
      float* out_row = out + static_cast<std::size_t>(oh) * ax.output;
      for (int kx = 0; kx < ax.taps; ++kx) {
        const float weight = w[ky * ax.taps + kx];
        const int offset = kx * ax.dilation - ax.pad_begin;
        for (int iw = 0; iw < ax.input; ++iw) {
          const int ow = iw * ax.stride + offset;
          if (ow >= 0 && ow < ax.output) out_row[ow] += weight * in_row[iw];
        }
      }
    }
  }
}

Tensor3 ConvolveTransposed(const Params& p, const Geometry& g, const Tensor3& input) {
  // in: C,H,W  out: F,OH,OW
  Tensor3 out = Tensor3::Zeros(g.channels.out_channels, g.y.output, g.x.output);
  std::fill(out.data.begin(), out.data.end(), p.bias);
  for (int oc = 0; oc < out.channels; ++oc) {
    const int first = g.channels.FirstInputOf(oc);
    for (int ic = first; ic < first + g.channels.InputsPerGroup(); ++ic)
      ScatterAccumulate(input.Plane(ic), WeightPlane(p.kernel, p.op, oc, ic), g, out.Plane(oc));
  }
  return out;
}

Tensor3 Pool(const Params& p, const Geometry& g, const Tensor3& input) {
  // in: C,H,W  out: C,OH,OW
  Tensor3 out = Tensor3::Zeros(input.channels, g.y.output, g.x.output);
  const AxisGeometry& ay = g.y;
  const AxisGeometry& ax = g.x;
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
            const int iy = ay.InputIndex(ay.TapPosition(oh, ky));
            if (iy < 0) continue;
            for (int kx = 0; kx < ax.taps; ++kx) {
              const int ix = ax.InputIndex(ax.TapPosition(ow, kx));
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
    case Op::Conv: return Convolve(params, geometry, input);
    case Op::Transposed: return ConvolveTransposed(params, geometry, input);
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
