#include "params_json.h"

#include <cmath>
#include <optional>

#include <nlohmann/json.hpp>

#include "kernels.h"

namespace stridescope {

namespace {

using Json = nlohmann::json;

Json Pair(Size2 size) { return Json::array({size.y, size.x}); }

template <class Enum, std::size_t N>
std::optional<Enum> EnumByName(const std::string& name, const Enum (&choices)[N]) {
  for (Enum e : choices)
    if (Name(e) == name) return e;
  return std::nullopt;
}

constexpr Op kOps[] = {Op::Conv, Op::Transposed, Op::MaxPool, Op::AvgPool};
constexpr PadMode kPadModes[] = {PadMode::Zeros, PadMode::Reflect, PadMode::Replicate, PadMode::Circular};
constexpr PadPreset kPresets[] = {PadPreset::Explicit, PadPreset::Valid, PadPreset::Same, PadPreset::Full};
constexpr ChannelMode kChannelModes[] = {ChannelMode::Depthwise, ChannelMode::Sum};

// Reads the fields of one JSON object into Params, failing with the field's name. nlohmann throws
// on type mismatches; the caller turns that into an Error too.
class Reader {
 public:
  explicit Reader(const Json& root) : root_(root) {}

  template <class Enum, std::size_t N>
  std::optional<Error> ReadEnum(const char* key, Enum* out, const Enum (&choices)[N]) {
    if (!root_.contains(key)) return std::nullopt;
    const auto value = EnumByName(root_.at(key).get<std::string>(), choices);
    if (!value) return Error{std::string("\"") + key + "\" is not one of the known names"};
    *out = *value;
    return std::nullopt;
  }

  std::optional<Error> ReadPair(const char* key, Size2* out, int lo, int hi) {
    if (!root_.contains(key)) return std::nullopt;
    const Json& pair = root_.at(key);
    if (!pair.is_array() || pair.size() != 2) return Error{std::string("\"") + key + "\" must be [y, x]"};
    const Size2 value{pair[0].get<int>(), pair[1].get<int>()};
    if (value.y < lo || value.y > hi || value.x < lo || value.x > hi)
      return Error{std::string("\"") + key + "\" must be from " + std::to_string(lo) + " to " + std::to_string(hi)};
    *out = value;
    return std::nullopt;
  }

  std::optional<Error> ReadBool(const char* key, bool* out) {
    if (root_.contains(key)) *out = root_.at(key).get<bool>();
    return std::nullopt;
  }

 private:
  const Json& root_;
};

std::optional<Error> ReadPadding(const Json& root, Padding* padding) {
  if (!root.contains("padding")) return std::nullopt;
  const Json& p = root.at("padding");
  if (const auto preset = EnumByName(p.value("preset", std::string("explicit")), kPresets)) {
    padding->preset = *preset;
  } else {
    return Error{"\"padding.preset\" is not one of explicit, valid, same, full"};
  }
  const Json sides = p.value("sides", Json::array({0, 0, 0, 0}));
  if (!sides.is_array() || sides.size() != 4) return Error{"\"padding.sides\" must be [top, bottom, left, right]"};
  int* targets[] = {&padding->top, &padding->bottom, &padding->left, &padding->right};
  for (std::size_t i = 0; i < 4; ++i) {
    const int value = sides[i].get<int>();
    if (value < 0 || value > limits::kMaxPadding)
      return Error{"\"padding.sides\" must be from 0 to " + std::to_string(limits::kMaxPadding)};
    *targets[i] = value;
  }
  return std::nullopt;
}

std::optional<Error> ReadKernel(const Json& root, Kernel* kernel) {
  if (!root.contains("kernel")) return std::nullopt;
  const Json& k = root.at("kernel");
  const std::vector<int> shape = k.at("shape").get<std::vector<int>>();
  if (shape.size() < 2 || shape.size() > 4) return Error{"\"kernel.shape\" must have 2 to 4 dimensions"};
  Kernel parsed;
  parsed.rank = static_cast<int>(shape.size());
  parsed.height = shape[shape.size() - 2];
  parsed.width = shape[shape.size() - 1];
  parsed.channels = parsed.rank >= 3 ? shape[shape.size() - 3] : 1;
  parsed.filters = parsed.rank == 4 ? shape[0] : 1;
  const Json& weights = k.at("weights");
  if (!weights.is_array()) return Error{"\"kernel.weights\" must be a list of numbers"};
  for (const Json& w : weights) {
    // JSON has no NaN or infinity; a null stands for them in hand-edited files.
    if (!w.is_number()) return Error{"\"kernel.weights\" holds something that is not a finite number"};
    parsed.weights.push_back(w.get<float>());
    if (parsed.weights.size() > static_cast<std::size_t>(limits::kMaxChannels) * limits::kMaxChannels *
                                    limits::kMaxKernel * limits::kMaxKernel)
      return Error{"\"kernel.weights\" is longer than any kernel stridescope takes"};
  }
  if (Status valid = ValidateKernel(parsed); !valid) return Error{"\"kernel\": " + valid.error().message};
  *kernel = std::move(parsed);
  return std::nullopt;
}

}  // namespace

std::string ParamsToJson(const Params& p) {
  std::vector<int> shape;
  if (p.kernel.rank == 4) shape.push_back(p.kernel.filters);
  if (p.kernel.rank >= 3) shape.push_back(p.kernel.channels);
  shape.push_back(p.kernel.height);
  shape.push_back(p.kernel.width);
  nlohmann::ordered_json json = {
      {"version", kParamsJsonVersion},
      {"op", Name(p.op)},
      {"window", Pair(p.window)},
      {"stride", Pair(p.stride)},
      {"dilation", Pair(p.dilation)},
      {"padding",
       {{"preset", Name(p.padding.preset)},
        {"sides", {p.padding.top, p.padding.bottom, p.padding.left, p.padding.right}}}},
      {"pad_mode", Name(p.pad_mode)},
      {"bias", p.bias},
      {"channel_mode", Name(p.channel_mode)},
      {"output_padding", Pair(p.output_padding)},
      {"ceil_mode", p.ceil_mode},
      {"count_include_pad", p.count_include_pad},
  };
  // Params without weights (pooling from the command line) have no kernel to keep.
  if (!p.kernel.weights.empty()) json["kernel"] = {{"shape", shape}, {"weights", p.kernel.weights}};
  return json.dump();
}

Expected<Params> ParamsFromJson(const std::string& text) {
  const Json root = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) return Error{"the settings are not a JSON object"};
  if (root.value("version", 0) != kParamsJsonVersion)
    return Error{"the settings have version " + std::to_string(root.value("version", 0)) + "; this stridescope reads version " +
                 std::to_string(kParamsJsonVersion)};
  Params p;
  try {
    Reader read(root);
    std::optional<Error> problem;
    if (!problem) problem = read.ReadEnum("op", &p.op, kOps);
    if (!problem) problem = read.ReadEnum("pad_mode", &p.pad_mode, kPadModes);
    if (!problem) problem = read.ReadEnum("channel_mode", &p.channel_mode, kChannelModes);
    if (!problem) problem = read.ReadPair("window", &p.window, 1, limits::kMaxKernel);
    if (!problem) problem = read.ReadPair("stride", &p.stride, 1, limits::kMaxStride);
    if (!problem) problem = read.ReadPair("dilation", &p.dilation, 1, limits::kMaxDilation);
    if (!problem) problem = read.ReadPair("output_padding", &p.output_padding, 0, limits::kMaxStride - 1);
    if (!problem) problem = read.ReadBool("ceil_mode", &p.ceil_mode);
    if (!problem) problem = read.ReadBool("count_include_pad", &p.count_include_pad);
    if (!problem) problem = ReadPadding(root, &p.padding);
    if (!problem) problem = ReadKernel(root, &p.kernel);
    if (problem) return *problem;
    if (root.contains("bias")) {
      p.bias = root.at("bias").get<float>();
      if (!std::isfinite(p.bias)) return Error{"\"bias\" is not a finite number"};
    }
  } catch (const Json::exception& e) {
    return Error{std::string("the settings have a field of the wrong type (") + e.what() + ")"};
  }
  return p;
}

}  // namespace stridescope
