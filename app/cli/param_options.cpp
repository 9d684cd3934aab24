#include "cli/param_options.h"

#include <charconv>
#include <cmath>
#include <tuple>
#include <vector>

#include "kernels.h"

namespace stridescope {

namespace {

Error FlagError(const std::string& flag, const std::string& value, const std::string& expected) {
  return Error{flag + " '" + value + "': " + expected};
}

// Comma-separated whole numbers; nullopt when any part is not one.
std::optional<std::vector<int>> ParseInts(const std::string& text) {
  std::vector<int> values;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    int value = 0;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size()) return std::nullopt;
    values.push_back(value);
    if (comma == std::string::npos) return values;
    start = comma + 1;
  }
}

// "N" or "Y,X" -> Size2.
Expected<Size2> ParsePair(const std::string& flag, const std::string& text) {
  const auto values = ParseInts(text);
  if (!values || values->size() > 2)
    return FlagError(flag, text, "expected a whole number, or two separated by a comma (Y,X)");
  return Size2{values->front(), values->back()};
}

Expected<Padding> ParsePadding(const std::string& text) {
  Padding padding;
  if (text == "valid" || text == "same" || text == "full") {
    padding.preset = text == "valid" ? PadPreset::Valid : text == "same" ? PadPreset::Same : PadPreset::Full;
    return padding;
  }
  const auto v = ParseInts(text);
  if (!v || v->size() == 3 || v->size() > 4)
    return FlagError("--padding", text, "expected P, PY,PX, T,B,L,R, valid, same or full");
  const std::vector<int>& p = *v;
  if (p.size() == 1) padding = {PadPreset::Explicit, p[0], p[0], p[0], p[0]};
  if (p.size() == 2) padding = {PadPreset::Explicit, p[0], p[0], p[1], p[1]};
  if (p.size() == 4) padding = {PadPreset::Explicit, p[0], p[1], p[2], p[3]};
  return padding;
}

template <class Enum, std::size_t N>
Expected<Enum> ParseName(const std::string& flag, const std::string& text, const Enum (&choices)[N]) {
  std::string names;
  for (Enum e : choices) {
    if (Name(e) == text) return e;
    names += (names.empty() ? "" : "|") + std::string(Name(e));
  }
  return FlagError(flag, text, "expected " + names);
}

constexpr Op kOps[] = {Op::Conv, Op::Transposed, Op::MaxPool, Op::AvgPool};
constexpr PadMode kPadModes[] = {PadMode::Zeros, PadMode::Reflect, PadMode::Replicate, PadMode::Circular};
constexpr ChannelMode kChannelModes[] = {ChannelMode::Depthwise, ChannelMode::Sum};


// Flags that only mean something for some ops: giving one for another op is a mistake to report.
std::optional<Error> CheckFlagsFitOp(const ParamFlags& f, Op op) {
  const std::string op_name(Name(op));
  if (IsPooling(op) && f.kernel) return Error{"--kernel does not apply to " + op_name + "; pooling uses --window"};
  if (!IsPooling(op) && f.window) return Error{"--window applies to pooling (--op maxpool or avgpool); " + op_name + " uses --kernel"};
  if (op != Op::Transposed && f.output_padding)
    return Error{"--output-padding applies only to --op transposed"};
  if (!IsPooling(op) && f.ceil_mode) return Error{"--ceil-mode applies only to pooling (--op maxpool or avgpool)"};
  if (op != Op::AvgPool && f.count_include_pad != 0)
    return Error{"--count-include-pad applies only to --op avgpool"};
  if (IsPooling(op) && (f.bias || f.channels))
    return Error{std::string(f.bias ? "--bias" : "--channels") + " does not apply to pooling"};
  return std::nullopt;
}

}  // namespace

bool ParamFlags::AnyGiven() const {
  return kernel || op || window || stride || dilation || padding || pad_mode || bias || channels ||
         output_padding || ceil_mode || count_include_pad != 0;
}

void AddParamOptions(CLI::App& app, ParamFlags& f) {
  const std::string group = "Parameters";
  app.add_option("--kernel", f.kernel,
                 "Preset NAME or NAME:SIZE (identity, box, gaussian, sharpen, sobel-x, sobel-y, laplacian, "
                 "emboss, outline; size 1-31 for identity, box, gaussian), inline rows "
                 "\"1,0,-1;2,0,-2;1,0,-1\", or a .npy file shaped (KH,KW), (C,KH,KW) or (F,C,KH,KW)")
      ->group(group);
  app.add_option("--op", f.op, "conv|transposed|maxpool|avgpool (default conv)")->group(group);
  app.add_option("--window", f.window, "Pooling window KH[,KW] (default 2)")->group(group);
  app.add_option("--stride", f.stride, "S or SY,SX, 1-64 (default 1; pooling: the window)")->group(group);
  app.add_option("--dilation", f.dilation, "D or DY,DX, 1-16 (default 1)")->group(group);
  app.add_option("--padding", f.padding,
                 "P, PY,PX, T,B,L,R (0-1024), or valid|same|full; same is TensorFlow's SAME "
                 "(out = ceil(in/stride), extra pixel at the bottom/right) (default 0)")
      ->group(group);
  app.add_option("--pad-mode", f.pad_mode, "zeros|reflect|replicate|circular, as PyTorch (default zeros)")->group(group);
  app.add_option("--bias", f.bias, "Added to every output value (default 0)")->group(group);
  app.add_option("--channels", f.channels,
                 "depthwise|sum: a 2-D kernel on a multi-channel input runs per channel (C outputs) or "
                 "summed over channels (1 output) (default depthwise)")
      ->group(group);
  app.add_option("--output-padding", f.output_padding, "Transposed only: O or OY,OX, below max(stride, dilation)")->group(group);
  app.add_flag("--ceil-mode", f.ceil_mode, "Pooling: ceil instead of floor in the output size")->group(group);
  app.add_flag("--count-include-pad,!--no-count-include-pad", f.count_include_pad,
               "Average pooling: count padding in the divisor (default: include, as PyTorch)")
      ->group(group);
  app.add_option("--engine", f.engine, "cpu|gpu|auto (default auto: GPU when available, else CPU)")
      ->check(CLI::IsMember({"cpu", "gpu", "auto"}))
      ->group(group);
}

Expected<Params> BuildParams(const ParamFlags& f, const Params& defaults) {
  Params p = defaults;
  if (f.op) {
    Expected<Op> op = ParseName("--op", *f.op, kOps);
    if (!op) return op.error();
    p.op = *op;
  }
  if (auto e = CheckFlagsFitOp(f, p.op)) return *e;
  if (f.kernel) {
    Expected<Kernel> k = ParseKernelArgument(*f.kernel);
    if (!k) return Error{"--kernel: " + k.error().message};
    p.kernel = std::move(*k);
  }
  if (f.channels && p.kernel.rank != 2)
    return Error{"--channels applies to a 2-D kernel; a (C,KH,KW) or (F,C,KH,KW) kernel already says how it "
                 "uses the channels, so drop --channels"};
  // The (Y,X) flags; pooling without --stride strides by its window, as PyTorch.
  for (auto [flag, text, target] : {std::tuple{"--window", &f.window, &p.window},
                                    std::tuple{"--stride", &f.stride, &p.stride},
                                    std::tuple{"--dilation", &f.dilation, &p.dilation},
                                    std::tuple{"--output-padding", &f.output_padding, &p.output_padding}}) {
    if (!*text) continue;
    Expected<Size2> pair = ParsePair(flag, **text);
    if (!pair) return pair.error();
    *target = *pair;
  }
  if (!f.stride && IsPooling(p.op)) p.stride = p.window;
  if (f.padding) {
    Expected<Padding> pad = ParsePadding(*f.padding);
    if (!pad) return pad.error();
    p.padding = *pad;
  }
  if (f.pad_mode) {
    Expected<PadMode> mode = ParseName("--pad-mode", *f.pad_mode, kPadModes);
    if (!mode) return mode.error();
    p.pad_mode = *mode;
  }
  if (f.channels) {
    Expected<ChannelMode> mode = ParseName("--channels", *f.channels, kChannelModes);
    if (!mode) return mode.error();
    p.channel_mode = *mode;
  }
  if (f.bias) {
    const std::string& text = *f.bias;
    float bias = 0.0f;
    // from_chars takes no leading '+'; users (and kernel rows) write "+1".
    const char* first = text.data() + (!text.empty() && text[0] == '+' ? 1 : 0);
    const auto [ptr, ec] = std::from_chars(first, text.data() + text.size(), bias);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(bias))
      return FlagError("--bias", text, "expected a finite number such as 0.5");
    p.bias = bias;
  }
  if (f.ceil_mode) p.ceil_mode = true;
  if (f.count_include_pad != 0) p.count_include_pad = f.count_include_pad > 0;
  return p;
}

}  // namespace stridescope
