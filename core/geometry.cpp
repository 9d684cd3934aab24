// Sections: padding and output length | AxisGeometry queries | validation (ResolveGeometry)
#include "geometry.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "kernels.h"

namespace stridescope {

// ---------------------------------------------------------------------------------------------
// Padding and output length

AxisPadding ResolvePadding(PadPreset preset, int explicit_begin, int explicit_end, int input,
                           int extent, int stride) {
  switch (preset) {
    case PadPreset::Explicit: return {explicit_begin, explicit_end};
    case PadPreset::Valid: return {0, 0};
    case PadPreset::Full: return {extent - 1, extent - 1};
    case PadPreset::Same: {
      // TensorFlow SAME / ONNX SAME_UPPER: the odd pixel goes to the end.
      const int out = (input + stride - 1) / stride;
      const int total = std::max(0, (out - 1) * stride + extent - input);
      return {total / 2, total - total / 2};
    }
  }
  return {0, 0};
}

namespace {
// Division rounding toward minus infinity, as PyTorch's div_rtn in pooling_output_shape.
int FloorDiv(int a, int b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }
}  // namespace

int OutputLength(Op op, int input, int extent, int stride, int pad_begin, int pad_end,
                 int output_padding, bool ceil_mode) {
  if (op == Op::Transposed) {
    return (input - 1) * stride - pad_begin - pad_end + extent + output_padding;
  }
  const bool pooled_ceil = ceil_mode && (op == Op::MaxPool || op == Op::AvgPool);
  const int span = input + pad_begin + pad_end - extent;
  if (!pooled_ceil) return span < 0 ? 0 : span / stride + 1;
  int out = FloorDiv(span + stride - 1, stride) + 1;
  // PyTorch drops a last window that would start in the end padding.
  if ((out - 1) * stride >= input + pad_begin) --out;
  return out;
}

// ---------------------------------------------------------------------------------------------
// AxisGeometry queries

int AxisGeometry::InputIndex(int position) const {
  if (position < 0 || position >= LatticeLength() || position % spread != 0) return -1;
  return position / spread;
}

int AxisGeometry::SourceIndex(int position, PadMode mode) const {
  if (transposed) return InputIndex(position);
  return ResolvePaddedIndex(position, input, mode);
}

std::vector<AxisGeometry::Reader> AxisGeometry::Readers(int i) const {
  std::vector<Reader> readers;
  const int position = i * spread;
  for (int t = 0; t < taps; ++t) {
    // TapPosition(o, t) == position  <=>  o * step == position + lattice_pad_begin - t * dilation
    const int scaled = position + lattice_pad_begin - t * dilation;
    if (scaled < 0 || scaled % step != 0) continue;
    const int o = scaled / step;
    if (o < output) readers.push_back({o, t});
  }
  return readers;
}

std::vector<int> AxisGeometry::ReadCounts() const {
  std::vector<int> counts(static_cast<std::size_t>(input));
  for (int i = 0; i < input; ++i) counts[static_cast<std::size_t>(i)] = static_cast<int>(Readers(i).size());
  return counts;
}

std::vector<Visit> AxisGeometry::Visits() const {
  std::vector<Visit> visits(static_cast<std::size_t>(input), Visit::Read);
  const int extent = Extent();
  for (int i = 0; i < input; ++i) {
    if (!Readers(i).empty()) continue;
    Visit& visit = visits[static_cast<std::size_t>(i)];
    const int position = i * spread;
    if (transposed) {
      visit = Visit::Cropped;
    } else if (output <= 0 || position > LastReadPosition()) {
      visit = Visit::FloorRemainder;
    } else {
      // The last window starting at or before this pixel decides: inside its span means a hole.
      const int o = std::min(output - 1, FloorDiv(position + lattice_pad_begin, step));
      const int start = TapPosition(o, 0);
      visit = (o >= 0 && position < start + extent) ? Visit::DilationHole : Visit::StrideGap;
    }
  }
  return visits;
}

std::vector<int> AxisGeometry::SourceTable(PadMode mode) const {
  if (output <= 0) return {};
  const int length = (output - 1) * step + (taps - 1) * dilation + 1;
  std::vector<int> table(static_cast<std::size_t>(length));
  for (int j = 0; j < length; ++j) table[static_cast<std::size_t>(j)] = SourceIndex(j - lattice_pad_begin, mode);
  return table;
}

AxisGeometry::PoolSpan AxisGeometry::AvgPoolSpan(int o) const {
  const int start = TapPosition(o, 0);
  const int end = std::min(start + taps, input + pad_end);
  return {end - start, std::max(start, 0), std::min(end, input)};
}

int AxisGeometry::FloorRemainder() const {
  if (output <= 0) return 0;
  const int lattice_last = LatticeLength() - 1 + lattice_pad_end;
  return std::max(0, lattice_last - LastReadPosition());
}

double AxisGeometry::WindowCentre(int o) const {
  // The taps span lattice cells [first, last + 1); a lattice cell is 1/spread of a pixel.
  const double first = TapPosition(o, 0);
  const double end = TapPosition(o, taps - 1) + 1;
  return (first + end) / (2.0 * spread);
}

int AxisGeometry::NearestOutput(double centre) const {
  if (output <= 0) return 0;
  // Centres are evenly spaced, step / spread pixels apart: invert WindowCentre and round.
  const double exact = (centre * spread + lattice_pad_begin - 0.5 * Extent()) / step;
  if (!std::isfinite(exact)) return 0;
  const double nearest = std::ceil(exact - 0.5);  // ties to the lower output
  return static_cast<int>(std::clamp(nearest, 0.0, static_cast<double>(output - 1)));
}

std::vector<int> Geometry::CoverageCounts() const {
  const std::vector<int> rows = y.ReadCounts();
  const std::vector<int> cols = x.ReadCounts();
  std::vector<int> coverage;
  coverage.reserve(rows.size() * cols.size());
  for (int r : rows)
    for (int c : cols) coverage.push_back(r * c);
  return coverage;
}

int ResolvePaddedIndex(int index, int n, PadMode mode) {
  if (index >= 0 && index < n) return index;
  switch (mode) {
    case PadMode::Zeros: return -1;
    case PadMode::Reflect: return index < 0 ? -index : 2 * (n - 1) - index;  // 2 1 | 0 1 2
    case PadMode::Replicate: return index < 0 ? 0 : n - 1;
    case PadMode::Circular: return ((index % n) + n) % n;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Validation: every user-reachable problem becomes an Error that says what to change.

namespace {

// The words one axis goes by in messages.
struct AxisWords {
  const char* letter;  // "Y"
  const char* size;    // "height"
  const char* begin;   // "top"
  const char* end;     // "bottom"
};
constexpr AxisWords kRows{"Y", "height", "top", "bottom"};
constexpr AxisWords kCols{"X", "width", "left", "right"};

std::string Str(int v) { return std::to_string(v); }
// `setting` is the control a user would change first, so the window can show the message there.
Error Fail(Setting setting, std::string message) { return Error{std::move(message), setting}; }

std::string OpTitle(Op op) {
  switch (op) {
    case Op::Conv: return "convolution";
    case Op::Transposed: return "transposed convolution";
    case Op::MaxPool: return "max pooling";
    case Op::AvgPool: return "average pooling";
  }
  return "?";
}

std::optional<Error> CheckRange(Setting setting, const char* what, const AxisWords& axis, int value,
                                int lo, int hi, const char* advice) {
  if (value >= lo && value <= hi) return std::nullopt;
  return Fail(setting, std::string(what) + " " + axis.letter + " is " + Str(value) + "; it must be from " +
              Str(lo) + " to " + Str(hi) + advice);
}

// The parameters of one axis, before resolution.
struct AxisRequest {
  const AxisWords& words;
  int input, taps, stride, dilation, pad_begin, pad_end, output_padding;
};

std::optional<Error> CheckAxisParams(const Params& p, const AxisRequest& r) {
  // The window first: pooling without --stride strides by its window, so a bad window would
  // otherwise be reported as a stride the user never typed.
  if (IsPooling(p.op) && (r.taps < 1 || r.taps > limits::kMaxKernel))
    return Fail(Setting::Window, "pooling window " + std::string(r.words.size) + " is " + Str(r.taps) +
                "; it must be from 1 to " + Str(limits::kMaxKernel));
  if (auto e = CheckRange(Setting::Stride, "stride", r.words, r.stride, 1, limits::kMaxStride, "")) return e;
  if (auto e = CheckRange(Setting::Dilation, "dilation", r.words, r.dilation, 1, limits::kMaxDilation, "")) return e;
  if (p.op == Op::AvgPool && r.dilation != 1)
    return Fail(Setting::Dilation, "average pooling has no dilation (PyTorch's avg_pool2d takes none); set dilation " +
                std::string(r.words.letter) + " to 1, or use max pooling");
  if (p.padding.preset == PadPreset::Explicit) {
    for (auto [side, pad] : {std::pair{r.words.begin, r.pad_begin}, std::pair{r.words.end, r.pad_end}}) {
      if (pad < 0 || pad > limits::kMaxPadding)
        return Fail(Setting::Padding, std::string(side) + " padding is " + Str(pad) + "; it must be from 0 to " +
                    Str(limits::kMaxPadding));
    }
  }
  if (p.op == Op::Transposed) {
    const int bound = std::max(r.stride, r.dilation);
    if (r.output_padding < 0 || r.output_padding >= bound)
      return Fail(Setting::OutputPadding, "output padding " + std::string(r.words.letter) + " is " + Str(r.output_padding) +
                  "; PyTorch requires it to be smaller than the stride (" + Str(r.stride) +
                  ") or the dilation (" + Str(r.dilation) + "), so at most " + Str(bound - 1));
  }
  return std::nullopt;
}

// Pad-mode limits of PyTorch's F.pad and pooling, checked on the resolved padding.
std::optional<Error> CheckResolvedPadding(const Params& p, const AxisRequest& r, AxisPadding pad) {
  for (auto [side, amount] : {std::pair{r.words.begin, pad.begin}, std::pair{r.words.end, pad.end}}) {
    const std::string where = std::string(side) + " padding " + Str(amount);
    if (IsPooling(p.op) && amount > r.taps / 2)
      return Fail(Setting::Padding, where + " is more than half the pooling window " + std::string(r.words.size) +
                  " (" + Str(r.taps) + "); PyTorch allows at most " + Str(r.taps / 2) +
                  ". Lower the padding or widen the window");
    if (p.pad_mode == PadMode::Reflect && amount >= r.input)
      return Fail(Setting::Padding, "reflect " + where + " needs an input " + r.words.size + " of at least " +
                  Str(amount + 1) + ", but it is " + Str(r.input) +
                  " (reflection cannot repeat the edge pixel). Lower the padding, or use replicate "
                  "or zeros");
    if (p.pad_mode == PadMode::Circular && amount > r.input)
      return Fail(Setting::Padding, "circular " + where + " would wrap around the input " + r.words.size + " (" +
                  Str(r.input) + ") more than once; lower it to at most " + Str(r.input));
  }
  return std::nullopt;
}

// Where an output too large to handle comes from: a transposed output grows with the stride; a
// convolution or pooling output can only outgrow its input through padding.
Setting OversizeOutputSetting(Op op) { return op == Op::Transposed ? Setting::Stride : Setting::Padding; }

std::optional<Error> CheckOutputLength(const Params& p, const AxisRequest& r, AxisPadding pad,
                                       int output) {
  if (output >= 1) {
    if (output > limits::kMaxSide)
      return Fail(OversizeOutputSetting(p.op), "the output " + std::string(r.words.size) + " would be " + Str(output) +
                  " pixels, more than the " + Str(limits::kMaxSide) +
                  " stridescope handles; lower the stride or padding, or use a smaller input");
    return std::nullopt;
  }
  const int extent = r.dilation * (r.taps - 1) + 1;
  if (p.op == Op::Transposed)
    return Fail(Setting::Padding, "the transposed output " + std::string(r.words.size) + " would be " + Str(output) +
                ": padding " + Str(pad.begin) + "+" + Str(pad.end) + " crops away everything of " +
                Str((r.input - 1) * r.stride + extent + r.output_padding) + " pixels; lower the padding");
  const std::string what = IsPooling(p.op) ? "window" : "kernel";
  // Padding or a lower dilation would fix it too, but the kernel (or window) is what the user
  // most likely just made too large for this input, so the message sits under it.
  return Fail(IsPooling(p.op) ? Setting::Window : Setting::Kernel, what + " extent " + Str(extent) + " (" + Str(r.taps) + " taps, dilation " +
              Str(r.dilation) + ") is larger than the padded input " + r.words.size + " " +
              Str(r.input + pad.begin + pad.end) + ", so there is no output. Add padding, lower " +
              "the dilation or pick a smaller " + what);
}

Expected<AxisGeometry> ResolveAxis(const Params& p, const AxisRequest& r) {
  if (auto e = CheckAxisParams(p, r)) return *e;
  const int extent = r.dilation * (r.taps - 1) + 1;
  const AxisPadding pad =
      ResolvePadding(p.padding.preset, r.pad_begin, r.pad_end, r.input, extent, r.stride);
  if (auto e = CheckResolvedPadding(p, r, pad)) return *e;
  const int output_padding = p.op == Op::Transposed ? r.output_padding : 0;
  const int output = OutputLength(p.op, r.input, extent, r.stride, pad.begin, pad.end,
                                  output_padding, p.ceil_mode);
  if (auto e = CheckOutputLength(p, r, pad, output)) return *e;

  AxisGeometry a;
  a.input = r.input;
  a.taps = r.taps;
  a.stride = r.stride;
  a.dilation = r.dilation;
  a.pad_begin = pad.begin;
  a.pad_end = pad.end;
  a.output_padding = output_padding;
  a.output = output;
  a.transposed = p.op == Op::Transposed;
  if (a.transposed) {
    // Zero insertion: stride-1 zeros between pixels, padded by E-1-P, walked with step 1.
    a.spread = r.stride;
    a.step = 1;
    a.lattice_pad_begin = extent - 1 - pad.begin;
    a.lattice_pad_end = extent - 1 - pad.end + output_padding;
  } else {
    a.spread = 1;
    a.step = r.stride;
    a.lattice_pad_begin = pad.begin;
    a.lattice_pad_end = pad.end;
  }
  return a;
}

std::optional<Error> CheckGlobalParams(const Params& p, int channels, int height, int width) {
  if (channels < 1 || channels > limits::kMaxChannels)
    return Fail(Setting::Input, "the input has " + Str(channels) + " channels; stridescope takes 1 to " +
                Str(limits::kMaxChannels));
  if (height < 1 || width < 1 || height > limits::kMaxSide || width > limits::kMaxSide ||
      static_cast<long long>(height) * width > limits::kMaxPixels)
    return Fail(Setting::Input, "the input is " + Str(width) + " x " + Str(height) + " pixels; stridescope takes 1 to " +
                Str(limits::kMaxSide) + " per side and at most " +
                Str(static_cast<int>(limits::kMaxPixels >> 20)) + " Mpixel");
  if (!IsPooling(p.op)) {
    if (Status s = ValidateKernel(p.kernel); !s) return s.error();
    if (!std::isfinite(p.bias)) return Fail(Setting::Bias, "the bias is not a finite number; enter a number such as 0");
  }
  if (p.op == Op::Transposed && p.pad_mode != PadMode::Zeros)
    return Fail(Setting::PadMode, "transposed convolution pads with zeros only (as PyTorch's conv_transpose2d); "
                "set the pad mode to zeros");
  if (IsPooling(p.op) && p.pad_mode != PadMode::Zeros)
    return Fail(Setting::PadMode, OpTitle(p.op) + " pads implicitly (max ignores the padding, average counts it as "
                "zeros), as PyTorch; set the pad mode to zeros");
  if (p.op == Op::Transposed &&
      (p.padding.preset == PadPreset::Same || p.padding.preset == PadPreset::Full))
    return Fail(Setting::Padding, "padding '" + std::string(Name(p.padding.preset)) +
                "' is for convolution and pooling; transposed convolution takes numeric padding "
                "(which crops its output) or valid");
  return std::nullopt;
}

Expected<ChannelPlan> PlanChannels(const Params& p, int channels) {
  if (IsPooling(p.op)) return ChannelPlan{channels, channels, channels};
  const Kernel& k = p.kernel;
  switch (k.rank) {
    case 2:
      if (p.channel_mode == ChannelMode::Depthwise) return ChannelPlan{channels, channels, channels};
      return ChannelPlan{channels, 1, 1};
    case 3:
    case 4: {
      // Conv weights are (out, in, ...); PyTorch's transposed weights are (in, out, ...).
      const bool transposed = p.op == Op::Transposed && k.rank == 4;
      const int kernel_in = transposed ? k.filters : k.channels;
      const int kernel_out = transposed ? k.channels : k.filters;
      if (kernel_in != channels) {
        const std::string shape = k.rank == 3 ? "(" + Str(channels) + ",KH,KW)"
                                  : transposed ? "(" + Str(channels) + ",C_out,KH,KW)"
                                               : "(F," + Str(channels) + ",KH,KW)";
        // A (C,KH,KW) or (F,C,KH,KW) kernel ignores the channel mode: the kernel is what to change.
        return Fail(Setting::Kernel, "the kernel is made for " + Str(kernel_in) + " input channels but the image has " +
                    Str(channels) + "; use a " + shape + " kernel, or a 2-D kernel");
      }
      return ChannelPlan{channels, kernel_out, 1};
    }
    default: return Fail(Setting::Kernel, "the kernel has rank " + Str(k.rank) + "; use (KH,KW), (C,KH,KW) or (F,C,KH,KW)");
  }
}

// Whole tensors, not just one channel's plane: a filter bank multiplies the feature map, and the
// engine materialises every input channel on its padded (or zero-inserted) lattice.
std::optional<Error> CheckMemory(const AxisGeometry& ay, const AxisGeometry& ax, const ChannelPlan& plan) {
  const auto lattice = [](const AxisGeometry& a) {
    return static_cast<long long>(a.LatticeLength()) + a.lattice_pad_begin + a.lattice_pad_end;
  };
  const long long output_values = static_cast<long long>(plan.out_channels) * ay.output * ax.output;
  const long long lattice_values = plan.in_channels * lattice(ay) * lattice(ax);
  const long long values = std::max(output_values, lattice_values);
  if (values <= limits::kMaxTensorValues) return std::nullopt;
  const bool output_is_larger = output_values >= lattice_values;
  const std::string what =
      output_is_larger ? "the feature map (" + Str(plan.out_channels) + " channels of " + Str(ax.output) + " x " +
                             Str(ay.output) + ")"
                       : "the padded input (" + Str(plan.in_channels) + " channels of " + std::to_string(lattice(ax)) +
                             " x " + std::to_string(lattice(ay)) + ")";
  // Filters, stride, padding and the input together decide the size, as the advice says: no
  // single control to point at.
  return Fail(Setting::None, what + " would need " + std::to_string(values * 4 >> 20) + " MiB, more than the " +
              std::to_string(limits::kMaxTensorValues * 4 >> 20) + " MiB stridescope allows; use " +
              (output_is_larger ? "fewer filters, a larger stride or a smaller input" : "less padding or a smaller input"));
}

std::int64_t CountMacs(Op op, const AxisGeometry& ay, const AxisGeometry& ax, const ChannelPlan& c) {
  const std::int64_t taps = static_cast<std::int64_t>(ay.taps) * ax.taps;
  const std::int64_t out_cells = static_cast<std::int64_t>(ay.output) * ax.output;
  switch (op) {
    case Op::Conv: return out_cells * c.out_channels * (c.in_channels / c.groups) * taps;
    case Op::Transposed: {
      const std::int64_t in_cells = static_cast<std::int64_t>(ay.input) * ax.input;
      return in_cells * c.in_channels * (c.out_channels / c.groups) * taps;
    }
    case Op::MaxPool:
    case Op::AvgPool: return out_cells * c.out_channels * taps;
  }
  return 0;
}

}  // namespace

Expected<Geometry> ResolveGeometry(const Params& p, int in_channels, int in_height, int in_width) {
  if (auto e = CheckGlobalParams(p, in_channels, in_height, in_width)) return *e;
  const bool pool = IsPooling(p.op);
  const int taps_y = pool ? p.window.y : p.kernel.height;
  const int taps_x = pool ? p.window.x : p.kernel.width;
  Expected<AxisGeometry> ay = ResolveAxis(
      p, {kRows, in_height, taps_y, p.stride.y, p.dilation.y, p.padding.top, p.padding.bottom,
          p.output_padding.y});
  if (!ay) return ay.error();
  Expected<AxisGeometry> ax = ResolveAxis(
      p, {kCols, in_width, taps_x, p.stride.x, p.dilation.x, p.padding.left, p.padding.right,
          p.output_padding.x});
  if (!ax) return ax.error();
  if (static_cast<long long>(ay->output) * ax->output > limits::kMaxPixels)
    return Fail(OversizeOutputSetting(p.op), "the output would be " + Str(ax->output) + " x " + Str(ay->output) +
                " pixels, more than the " + Str(static_cast<int>(limits::kMaxPixels >> 20)) +
                " Mpixel stridescope handles; lower the stride or padding, or use a smaller input");
  Expected<ChannelPlan> plan = PlanChannels(p, in_channels);
  if (!plan) return plan.error();
  if (auto e = CheckMemory(*ay, *ax, *plan)) return *e;

  Geometry g;
  g.op = p.op;
  g.pad_mode = p.pad_mode;
  g.y = *ay;
  g.x = *ax;
  g.channels = *plan;
  g.macs = CountMacs(p.op, g.y, g.x, g.channels);
  return g;
}

}  // namespace stridescope
