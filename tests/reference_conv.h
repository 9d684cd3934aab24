// An independent reference for the engine tests: plain direct loops written from PyTorch's
// documented semantics (torch.nn.functional conv2d, conv_transpose2d, max_pool2d, avg_pool2d,
// F.pad), accumulating in double. It deliberately includes nothing from geometry.h: it works
// out its own padding, output sizes and validity, so a test that compares it with the engine
// checks the geometry as well as the loops. Slow and obvious on purpose.
//
// Sections: small helpers | padding presets and output sizes | F.pad | the four ops |
//           channel semantics and validity (the engine's contract) | test helpers
#pragma once

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "params.h"
#include "tensor.h"

namespace stridescope::reference {

// ---------------------------------------------------------------------------------------------
// Small helpers

// Python's // : C++ '/' truncates, which would round a negative numerator the wrong way.
inline int FloorDiv(int a, int b) {
  int q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
inline int CeilDiv(int a, int b) { return -FloorDiv(-a, b); }

// A planar C,H,W tensor of doubles; the reference never rounds to float until it compares.
struct RefTensor {
  int channels = 0;
  int height = 0;
  int width = 0;
  std::vector<double> data;

  static RefTensor Zeros(int c, int h, int w) {
    RefTensor t;
    t.channels = c;
    t.height = h;
    t.width = w;
    t.data.assign(static_cast<std::size_t>(c) * h * w, 0.0);
    return t;
  }
  static RefTensor FromTensor(const Tensor3& in) {
    RefTensor t = Zeros(in.channels, in.height, in.width);
    for (std::size_t i = 0; i < in.data.size(); ++i) t.data[i] = in.data[i];
    return t;
  }
  double& At(int c, int y, int x) {
    return data[(static_cast<std::size_t>(c) * height + y) * width + x];
  }
  double At(int c, int y, int x) const {
    return data[(static_cast<std::size_t>(c) * height + y) * width + x];
  }
};

// A one-channel input from rows of numbers, as a test writes a grid by hand.
inline Tensor3 TensorFromRows(const std::vector<std::vector<float>>& rows) {
  Tensor3 t = Tensor3::Zeros(1, static_cast<int>(rows.size()), static_cast<int>(rows[0].size()));
  for (int y = 0; y < t.height; ++y)
    for (int x = 0; x < t.width; ++x) t.At(0, y, x) = rows[y][x];
  return t;
}

// A rank-2 (KH, KW) kernel from rows.
inline Kernel KernelFromRows(const std::vector<std::vector<float>>& rows) {
  Kernel k;
  k.rank = 2;
  k.height = static_cast<int>(rows.size());
  k.width = static_cast<int>(rows[0].size());
  for (const auto& row : rows) k.weights.insert(k.weights.end(), row.begin(), row.end());
  return k;
}

inline Kernel OnesKernel(int kh, int kw) {
  return KernelFromRows(std::vector<std::vector<float>>(kh, std::vector<float>(kw, 1.0f)));
}

// The ONNX Conv node-test input: 0..34 as 7 rows x 5 columns.
inline Tensor3 OnnxInput7x5() {
  Tensor3 t = Tensor3::Zeros(1, 7, 5);
  for (int i = 0; i < 35; ++i) t.data[i] = static_cast<float>(i);
  return t;
}

// ---------------------------------------------------------------------------------------------
// Padding presets and output sizes (per axis)

struct RefAxis {
  int pad_begin = 0;
  int pad_end = 0;
  int output = 0;
};

inline int ExtentOf(int taps, int dilation) { return dilation * (taps - 1) + 1; }

// valid = 0; full = E-1 both sides; same = TensorFlow SAME: out = ceil(I/S), the total padding
// that makes that many windows fit, the odd pixel at the end (ONNX SAME_UPPER).
inline void PresetPadding(PadPreset preset, int input, int extent, int stride, int* begin,
                          int* end) {
  switch (preset) {
    case PadPreset::Explicit:
      return;  // keep what the caller put there
    case PadPreset::Valid:
      *begin = *end = 0;
      return;
    case PadPreset::Full:
      *begin = *end = extent - 1;
      return;
    case PadPreset::Same: {
      const int out = CeilDiv(input, stride);
      const int total = std::max(0, (out - 1) * stride + extent - input);
      *begin = total / 2;
      *end = total - *begin;
      return;
    }
  }
}

// Conv: floor((I + pb + pe - E) / S) + 1 (torch's conv output formula with per-side padding).
inline int ConvOutput(int input, int extent, int stride, int pb, int pe) {
  return FloorDiv(input + pb + pe - extent, stride) + 1;
}

// torch pooling_output_shape_pad_lr: ceil_mode rounds up, then drops a last window that would
// start in the end padding.
inline int PoolOutput(int input, int extent, int stride, int pb, int pe, bool ceil_mode) {
  int out = FloorDiv(input + pb + pe - extent + (ceil_mode ? stride - 1 : 0), stride) + 1;
  if (ceil_mode && (out - 1) * stride >= input + pb) --out;
  return out;
}

// conv_transpose2d: (I-1)*S - pb - pe + D*(K-1) + output_padding + 1.
inline int TransposedOutput(int input, int extent, int stride, int pb, int pe, int output_padding) {
  return (input - 1) * stride - pb - pe + extent + output_padding;
}

// ---------------------------------------------------------------------------------------------
// F.pad: where a padded coordinate reads from. Written from the definitions, not the engine's
// ResolvePaddedIndex: reflect mirrors about the edge pixel without repeating it (x = 0 1 2 ->
// 2 1 | 0 1 2 | 1 0), replicate repeats the edge, circular wraps once. -1 means zero.

inline int PadSource(int i, int n, PadMode mode) {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case PadMode::Zeros:
      return -1;
    case PadMode::Reflect:
      return i < 0 ? -i : 2 * (n - 1) - i;
    case PadMode::Replicate:
      return i < 0 ? 0 : n - 1;
    case PadMode::Circular:
      return i < 0 ? i + n : i - n;
  }
  return -1;
}

// in: C,H,W  out: C, H+top+bottom, W+left+right
inline RefTensor PadInput(const RefTensor& in, int top, int bottom, int left, int right,
                          PadMode mode) {
  RefTensor out = RefTensor::Zeros(in.channels, in.height + top + bottom, in.width + left + right);
  for (int c = 0; c < out.channels; ++c)
    for (int py = 0; py < out.height; ++py)
      for (int px = 0; px < out.width; ++px) {
        const int sy = PadSource(py - top, in.height, mode);
        const int sx = PadSource(px - left, in.width, mode);
        out.At(c, py, px) = (sy < 0 || sx < 0) ? 0.0 : in.At(c, sy, sx);
      }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The four ops, each in torch's own layout.

// A torch weight tensor with explicit dims: conv (C_out, C_in/groups, KH, KW), transposed
// (C_in, C_out/groups, KH, KW).
struct TorchWeight {
  int d0 = 0, d1 = 0, kh = 0, kw = 0;
  std::vector<double> w;
  double At(int a, int b, int y, int x) const {
    return w[((static_cast<std::size_t>(a) * d1 + b) * kh + y) * kw + x];
  }
};

// conv2d on an already padded input (padding_mode is applied by PadInput first, as nn.Conv2d
// does with F.pad).  in: C_in,Hp,Wp  weight: C_out,C_in/g,KH,KW  out: C_out,OH,OW
inline RefTensor Conv2d(const RefTensor& padded, const TorchWeight& weight, int groups,
                        Size2 stride, Size2 dilation, double bias) {
  const int oh_n = ConvOutput(padded.height, ExtentOf(weight.kh, dilation.y), stride.y, 0, 0);
  const int ow_n = ConvOutput(padded.width, ExtentOf(weight.kw, dilation.x), stride.x, 0, 0);
  const int c_out = weight.d0;
  const int cin_per_group = weight.d1;
  const int cout_per_group = c_out / groups;
  RefTensor out = RefTensor::Zeros(c_out, oh_n, ow_n);
  for (int oc = 0; oc < c_out; ++oc) {
    const int g = oc / cout_per_group;
    for (int oh = 0; oh < oh_n; ++oh)
      for (int ow = 0; ow < ow_n; ++ow) {
        double acc = bias;
        for (int icg = 0; icg < cin_per_group; ++icg) {
          const int ic = g * cin_per_group + icg;
          for (int kh = 0; kh < weight.kh; ++kh)
            for (int kw = 0; kw < weight.kw; ++kw)
              acc += padded.At(ic, oh * stride.y + kh * dilation.y, ow * stride.x + kw * dilation.x) *
                     weight.At(oc, icg, kh, kw);
        }
        out.At(oc, oh, ow) = acc;
      }
  }
  return out;
}

// conv_transpose2d as a scatter: every input pixel adds x * w to out[i*S - pad_begin + k*D].
// Cropping pad_begin at the start and pad_end at the end generalises torch's symmetric padding;
// output_padding adds cells at the end.
// in: C_in,H,W  weight: C_in,C_out/g,KH,KW  out: C_out,OH,OW
inline RefTensor ConvTranspose2d(const RefTensor& in, const TorchWeight& weight, int groups,
                                 Size2 stride, Size2 dilation, const RefAxis& ay,
                                 const RefAxis& ax, double bias) {
  const int cin_per_group = in.channels / groups;
  const int cout_per_group = weight.d1;
  RefTensor out = RefTensor::Zeros(cout_per_group * groups, ay.output, ax.output);
  for (double& v : out.data) v = bias;
  for (int ic = 0; ic < in.channels; ++ic) {
    const int g = ic / cin_per_group;
    for (int ih = 0; ih < in.height; ++ih)
      for (int iw = 0; iw < in.width; ++iw)
        for (int ocg = 0; ocg < cout_per_group; ++ocg)
          for (int kh = 0; kh < weight.kh; ++kh)
            for (int kw = 0; kw < weight.kw; ++kw) {
              const int oy = ih * stride.y - ay.pad_begin + kh * dilation.y;
              const int ox = iw * stride.x - ax.pad_begin + kw * dilation.x;
              if (oy < 0 || oy >= ay.output || ox < 0 || ox >= ax.output) continue;
              out.At(g * cout_per_group + ocg, oy, ox) += in.At(ic, ih, iw) * weight.At(ic, ocg, kh, kw);
            }
  }
  return out;
}

// max_pool2d as torch's CPU kernel: padding is -inf (never wins), so a window that only
// covers padding gives -inf.  in: C,H,W  out: C,OH,OW
inline RefTensor MaxPool2d(const RefTensor& in, Size2 window, Size2 stride, Size2 dilation,
                           const RefAxis& ay, const RefAxis& ax) {
  RefTensor out = RefTensor::Zeros(in.channels, ay.output, ax.output);
  for (int c = 0; c < in.channels; ++c)
    for (int oh = 0; oh < ay.output; ++oh)
      for (int ow = 0; ow < ax.output; ++ow) {
        double best = -std::numeric_limits<double>::infinity();
        for (int kh = 0; kh < window.y; ++kh)
          for (int kw = 0; kw < window.x; ++kw) {
            const int y = oh * stride.y - ay.pad_begin + kh * dilation.y;
            const int x = ow * stride.x - ax.pad_begin + kw * dilation.x;
            if (y < 0 || y >= in.height || x < 0 || x >= in.width) continue;
            best = std::max(best, in.At(c, y, x));
          }
        out.At(c, oh, ow) = best;
      }
  return out;
}

// avg_pool2d as torch's CPU kernel: the window is clipped to the padded input (ceil_mode can
// push it past the end padding), and that clipped size is the divisor when count_include_pad;
// otherwise the divisor is the number of real pixels.  in: C,H,W  out: C,OH,OW
inline RefTensor AvgPool2d(const RefTensor& in, Size2 window, Size2 stride, const RefAxis& ay,
                           const RefAxis& ax, bool count_include_pad) {
  RefTensor out = RefTensor::Zeros(in.channels, ay.output, ax.output);
  for (int c = 0; c < in.channels; ++c)
    for (int oh = 0; oh < ay.output; ++oh)
      for (int ow = 0; ow < ax.output; ++ow) {
        int y0 = oh * stride.y - ay.pad_begin;
        int x0 = ow * stride.x - ax.pad_begin;
        int y1 = std::min(y0 + window.y, in.height + ay.pad_end);
        int x1 = std::min(x0 + window.x, in.width + ax.pad_end);
        const int pool_size = (y1 - y0) * (x1 - x0);
        y0 = std::max(y0, 0);
        x0 = std::max(x0, 0);
        y1 = std::min(y1, in.height);
        x1 = std::min(x1, in.width);
        if (y0 >= y1 || x0 >= x1) continue;  // torch writes 0
        double sum = 0.0;
        for (int y = y0; y < y1; ++y)
          for (int x = x0; x < x1; ++x) sum += in.At(c, y, x);
        const int divisor = count_include_pad ? pool_size : (y1 - y0) * (x1 - x0);
        out.At(c, oh, ow) = sum / divisor;
      }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The engine's contract on top of torch: how Params map to the ops above, and what is invalid.

struct RefPlan {
  std::string invalid;  // empty when valid; otherwise the rule that failed, in a few words
  RefAxis y, x;
  int out_channels = 0;
};

inline bool IsPool(Op op) { return op == Op::MaxPool || op == Op::AvgPool; }

// Validity from torch's own checks plus the project's ranges (params.h limits, restated here
// as numbers on purpose: a test should notice if a limit drifts).
inline RefPlan ReferenceValidity(const Params& p, int channels, int height, int width) {
  RefPlan plan;
  auto fail = [&](std::string why) {
    plan.invalid = std::move(why);
    return plan;
  };
  const bool pool = IsPool(p.op);
  if (channels < 1 || channels > 64) return fail("image channels outside 1..64");
  if (height < 1 || width < 1 || height > 16384 || width > 16384) return fail("input side outside 1..16384");
  if (p.stride.y < 1 || p.stride.x < 1 || p.stride.y > 64 || p.stride.x > 64)
    return fail("stride outside 1..64");
  if (p.dilation.y < 1 || p.dilation.x < 1 || p.dilation.y > 16 || p.dilation.x > 16)
    return fail("dilation outside 1..16");

  int taps_y = 0, taps_x = 0;
  if (pool) {
    // Pooling ignores the kernel entirely, whatever its shape or values.
    taps_y = p.window.y;
    taps_x = p.window.x;
    if (taps_y < 1 || taps_x < 1 || taps_y > 31 || taps_x > 31) return fail("window outside 1..31");
    if (p.pad_mode != PadMode::Zeros) return fail("pooling pads with zeros only");
    if (p.op == Op::AvgPool && (p.dilation.y != 1 || p.dilation.x != 1))
      return fail("avg pooling has no dilation");
  } else {
    const Kernel& k = p.kernel;
    taps_y = k.height;
    taps_x = k.width;
    if (taps_y < 1 || taps_x < 1 || taps_y > 31 || taps_x > 31) return fail("kernel outside 1..31");
    for (float w : k.weights)
      if (!std::isfinite(w)) return fail("kernel weight not finite");
    if (k.rank == 3 && k.channels != channels) return fail("rank-3 kernel channels != image");
    if (k.rank == 4) {
      const int in_dim = p.op == Op::Transposed ? k.filters : k.channels;
      if (in_dim != channels) return fail("rank-4 kernel input channels != image");
      if (k.filters > 64 || k.channels > 64) return fail("kernel channels over 64");
    }
    if (!std::isfinite(p.bias)) return fail("bias not finite");
    if (p.op == Op::Transposed && p.pad_mode != PadMode::Zeros)
      return fail("transposed pads with zeros only");
    // torch's ConvTranspose2d takes numeric padding only (no 'same'/'valid' strings); valid is
    // plain 0, but same/full have no transposed meaning that torch would agree with.
    if (p.op == Op::Transposed &&
        (p.padding.preset == PadPreset::Same || p.padding.preset == PadPreset::Full))
      return fail("transposed takes numeric padding or valid");
  }

  const int ey = ExtentOf(taps_y, p.dilation.y);
  const int ex = ExtentOf(taps_x, p.dilation.x);
  plan.y.pad_begin = p.padding.top;
  plan.y.pad_end = p.padding.bottom;
  plan.x.pad_begin = p.padding.left;
  plan.x.pad_end = p.padding.right;
  PresetPadding(p.padding.preset, height, ey, p.stride.y, &plan.y.pad_begin, &plan.y.pad_end);
  PresetPadding(p.padding.preset, width, ex, p.stride.x, &plan.x.pad_begin, &plan.x.pad_end);
  for (int pad : {plan.y.pad_begin, plan.y.pad_end, plan.x.pad_begin, plan.x.pad_end})
    if (pad < 0 || pad > 1024) return fail("padding outside 0..1024");

  if (p.pad_mode == PadMode::Reflect &&
      (plan.y.pad_begin >= height || plan.y.pad_end >= height || plan.x.pad_begin >= width ||
       plan.x.pad_end >= width))
    return fail("reflect padding must be smaller than the input");
  if (p.pad_mode == PadMode::Circular &&
      (plan.y.pad_begin > height || plan.y.pad_end > height || plan.x.pad_begin > width ||
       plan.x.pad_end > width))
    return fail("circular padding must be at most the input");
  if (pool && (std::max(plan.y.pad_begin, plan.y.pad_end) > taps_y / 2 ||
               std::max(plan.x.pad_begin, plan.x.pad_end) > taps_x / 2))
    return fail("pool padding over half the window");

  switch (p.op) {
    case Op::Conv:
      plan.y.output = ConvOutput(height, ey, p.stride.y, plan.y.pad_begin, plan.y.pad_end);
      plan.x.output = ConvOutput(width, ex, p.stride.x, plan.x.pad_begin, plan.x.pad_end);
      break;
    case Op::Transposed:
      if (p.output_padding.y < 0 || p.output_padding.x < 0 ||
          p.output_padding.y >= std::max(p.stride.y, p.dilation.y) ||
          p.output_padding.x >= std::max(p.stride.x, p.dilation.x))
        return fail("output_padding must be below max(stride, dilation)");
      plan.y.output = TransposedOutput(height, ey, p.stride.y, plan.y.pad_begin, plan.y.pad_end,
                                       p.output_padding.y);
      plan.x.output = TransposedOutput(width, ex, p.stride.x, plan.x.pad_begin, plan.x.pad_end,
                                       p.output_padding.x);
      break;
    case Op::MaxPool:
    case Op::AvgPool:
      plan.y.output = PoolOutput(height, ey, p.stride.y, plan.y.pad_begin, plan.y.pad_end, p.ceil_mode);
      plan.x.output = PoolOutput(width, ex, p.stride.x, plan.x.pad_begin, plan.x.pad_end, p.ceil_mode);
      break;
  }
  if (plan.y.output < 1 || plan.x.output < 1) return fail("no output");
  if (plan.y.output > 16384 || plan.x.output > 16384) return fail("output side over 16384");

  const Kernel& k = p.kernel;
  if (pool)
    plan.out_channels = channels;
  else if (k.rank == 2)
    plan.out_channels = p.channel_mode == ChannelMode::Depthwise ? channels : 1;
  else if (k.rank == 3)
    plan.out_channels = 1;
  else
    plan.out_channels = p.op == Op::Transposed ? k.channels : k.filters;
  return plan;
}

// Builds the torch weight (and groups) that the engine's channel contract stands for:
//   rank 2 Depthwise: groups = C, every channel gets the same 2-D kernel;
//   rank 2 Sum:       one output over all C channels with the same kernel on each;
//   rank 3 (C,KH,KW): conv weight (1,C,KH,KW); transposed (C_in=C, C_out=1);
//   rank 4:           the weight as given (conv (F,C,..), transposed (C_in,C_out,..)).
inline TorchWeight TorchWeightFor(const Params& p, int channels, int* groups) {
  const Kernel& k = p.kernel;
  TorchWeight w;
  w.kh = k.height;
  w.kw = k.width;
  const bool transposed = p.op == Op::Transposed;
  *groups = 1;
  if (k.rank == 2) {
    const bool depthwise = p.channel_mode == ChannelMode::Depthwise;
    if (depthwise) *groups = channels;
    // conv: (C_out, C_in/g); transposed: (C_in, C_out/g). Either way C x 1 except conv Sum.
    w.d0 = (!transposed && !depthwise) ? 1 : channels;
    w.d1 = (!transposed && !depthwise) ? channels : 1;
    for (int a = 0; a < w.d0 * w.d1; ++a)
      for (float v : k.weights) w.w.push_back(v);
  } else if (k.rank == 3) {
    w.d0 = transposed ? k.channels : 1;
    w.d1 = transposed ? 1 : k.channels;
    for (float v : k.weights) w.w.push_back(v);
  } else {
    w.d0 = k.filters;
    w.d1 = k.channels;
    for (float v : k.weights) w.w.push_back(v);
  }
  return w;
}

// What torch would compute for these Params on this input. Requires ReferenceValidity to pass.
inline RefTensor ReferenceRun(const Params& p, const Tensor3& input) {
  const RefPlan plan = ReferenceValidity(p, input.channels, input.height, input.width);
  const RefTensor in = RefTensor::FromTensor(input);
  switch (p.op) {
    case Op::Conv: {
      int groups = 1;
      const TorchWeight w = TorchWeightFor(p, input.channels, &groups);
      const RefTensor padded = PadInput(in, plan.y.pad_begin, plan.y.pad_end, plan.x.pad_begin,
                                        plan.x.pad_end, p.pad_mode);
      return Conv2d(padded, w, groups, p.stride, p.dilation, p.bias);
    }
    case Op::Transposed: {
      int groups = 1;
      const TorchWeight w = TorchWeightFor(p, input.channels, &groups);
      return ConvTranspose2d(in, w, groups, p.stride, p.dilation, plan.y, plan.x, p.bias);
    }
    case Op::MaxPool:
      return MaxPool2d(in, p.window, p.stride, p.dilation, plan.y, plan.x);
    case Op::AvgPool:
      return AvgPool2d(in, p.window, p.stride, plan.y, plan.x, p.count_include_pad);
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Test helpers

// Empty when got matches want in shape and within 1e-5 relative to the larger of 1 and the
// largest |want| (float accumulation over up to 31x31x3 taps stays far inside that); otherwise
// a description of the first difference. Infinities (max pooling over padding only) must match
// exactly.
inline std::string CompareWithReference(const Tensor3& got, const RefTensor& want) {
  std::ostringstream why;
  if (got.channels != want.channels || got.height != want.height || got.width != want.width) {
    why << "shape " << got.channels << "x" << got.height << "x" << got.width << ", reference "
        << want.channels << "x" << want.height << "x" << want.width;
    return why.str();
  }
  if (got.data.size() != want.data.size()) return "data size does not match the shape";
  double scale = 1.0;
  for (double v : want.data)
    if (std::isfinite(v)) scale = std::max(scale, std::abs(v));
  const double tolerance = 1e-5 * scale;
  for (int c = 0; c < want.channels; ++c)
    for (int y = 0; y < want.height; ++y)
      for (int x = 0; x < want.width; ++x) {
        const double g = got.At(c, y, x);
        const double w = want.At(c, y, x);
        const bool ok = std::isfinite(w) ? std::abs(g - w) <= tolerance : g == w;
        if (!ok) {
          why << "at (c=" << c << ", y=" << y << ", x=" << x << ") got " << g << ", reference "
              << w << " (tolerance " << tolerance << ")";
          return why.str();
        }
      }
  return {};
}

// An expected result written by hand: one entry per channel, each a list of rows.
inline RefTensor ExpectedTensor(const std::vector<std::vector<std::vector<double>>>& planes) {
  RefTensor t = RefTensor::Zeros(static_cast<int>(planes.size()), static_cast<int>(planes[0].size()),
                                 static_cast<int>(planes[0][0].size()));
  for (int c = 0; c < t.channels; ++c)
    for (int y = 0; y < t.height; ++y)
      for (int x = 0; x < t.width; ++x) t.At(c, y, x) = planes[c][y][x];
  return t;
}

// Compares the reference itself with a hand-computed result (same rule as for the engine).
inline std::string CompareWithReference(const RefTensor& got, const RefTensor& want) {
  Tensor3 as_float = Tensor3::Zeros(got.channels, got.height, got.width);
  for (std::size_t i = 0; i < got.data.size(); ++i) as_float.data[i] = static_cast<float>(got.data[i]);
  return CompareWithReference(as_float, want);
}

inline Padding ExplicitPadding(int top, int bottom, int left, int right) {
  Padding p;
  p.top = top;
  p.bottom = bottom;
  p.left = left;
  p.right = right;
  return p;
}

// Case-insensitive "message mentions word": error texts are for people, so tests check that the
// relevant numbers and words are there without pinning the sentence.
inline bool Mentions(const std::string& message, const std::string& word) {
  auto lower = [](std::string s) {
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  };
  return lower(message).find(lower(word)) != std::string::npos;
}

// One line naming every Params field a randomised case sets, so a failure can be replayed.
inline std::string Describe(const Params& p, const Tensor3& input) {
  std::ostringstream s;
  s << "op=" << Name(p.op) << " input=" << input.channels << "x" << input.height << "x"
    << input.width << " kernel(rank=" << p.kernel.rank << " f=" << p.kernel.filters
    << " c=" << p.kernel.channels << " " << p.kernel.height << "x" << p.kernel.width << ")"
    << " window=" << p.window.y << "x" << p.window.x << " stride=" << p.stride.y << ","
    << p.stride.x << " dilation=" << p.dilation.y << "," << p.dilation.x
    << " preset=" << Name(p.padding.preset) << " pad(t,b,l,r)=" << p.padding.top << ","
    << p.padding.bottom << "," << p.padding.left << "," << p.padding.right
    << " pad_mode=" << Name(p.pad_mode) << " bias=" << p.bias
    << " channel_mode=" << Name(p.channel_mode) << " output_padding="
    << p.output_padding.y << "," << p.output_padding.x << " ceil=" << p.ceil_mode
    << " count_include_pad=" << p.count_include_pad;
  return s.str();
}

}  // namespace stridescope::reference
