#include "colour_map.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstddef>

namespace stridescope {

namespace {

// ColorBrewer RdBu, 9 classes, reversed so that negative is blue; the darkest ends of the 11-class
// ramp are left out because they vanish on the window's dark background. The neutral (247,247,247)
// sits at level 128, where 0 lands. Stops at levels 0,32,..,224,255 (the last interval is 31 wide).
// Mirrored in shaders/display_map.comp (kStops, kStopLevels).
constexpr std::array<Rgb8, 9> kDivergingStops{{
    {33, 102, 172}, {67, 147, 195}, {146, 197, 222}, {209, 229, 240}, {247, 247, 247},
    {253, 219, 199}, {244, 165, 130}, {214, 96, 77}, {178, 24, 43}}};
constexpr std::array<int, 9> kStopLevels{0, 32, 64, 96, 128, 160, 192, 224, 255};

bool IsFinite(float v) { return std::isfinite(v); }

// Rounded half up as the shader's floor(x + 0.5) does it, in float: std::lround rounds the exact
// sum instead and differs from the shader for x just below a half (0.49999997 + 0.5 rounds to 1).
int RoundLevel(float unit) {
  // A NaN unit (no range should give one) is the low end, never an out-of-range level.
  const float scaled = (unit > 0.0f ? std::min(unit, 1.0f) : 0.0f) * 255.0f;
  const float shifted = scaled + 0.5f;  // a separate statement: no fused multiply-add
  return static_cast<int>(std::floor(shifted));
}

}  // namespace

ShownChannels ShownChannelsOf(int channels, const MapDisplay& display) {
  if (display.shown_channel >= 0 && display.shown_channel < channels) return {display.shown_channel, 1};
  // All channels: RGB only means something for three channels in grey; a diverging map of three
  // channels shows the first, as every other count does.
  if (channels == 3 && display.colour_map == ColourMap::Grey) return {0, 3};
  return {0, 1};
}

std::optional<DisplayRange> FiniteMinMax(const Tensor3& tensor, ShownChannels shown) {
  const std::size_t plane = tensor.PlaneSize();
  const std::size_t begin = static_cast<std::size_t>(shown.first) * plane;
  const std::size_t end = std::min(tensor.data.size(), begin + static_cast<std::size_t>(shown.count) * plane);
  std::optional<DisplayRange> range;
  for (std::size_t i = begin; i < end; ++i) {
    const float value = tensor.data[i];
    if (!IsFinite(value)) continue;
    if (!range) {
      range = DisplayRange{value, value};
    } else {
      range->low = std::min(range->low, value);
      range->high = std::max(range->high, value);
    }
  }
  return range;
}

DisplayRange ResolveRange(const MapDisplay& display, std::optional<DisplayRange> finite) {
  // Mirrored by the map pass of shaders/display_map.comp (ResolveRange there).
  DisplayRange range = finite.value_or(DisplayRange{});
  if (display.range_mode == RangeMode::Manual) {
    range = {display.manual_low, display.manual_high};
  } else if (display.range_mode == RangeMode::Symmetric) {
    const float limit = std::max(std::fabs(range.low), std::fabs(range.high));
    range = {-limit, limit};
  }
  if (!(range.high > range.low)) range = {};  // flat (one value everywhere), or NaN typed in
  return range;
}

int ToLevel(float value, ColourMap map, DisplayRange range) {
  // Mirrored by ToLevel in shaders/display_map.comp: same operations in the same order.
  // Clamping the value (not only the unit) keeps a diverging map with a manual range inside the
  // colours of its own ends.
  const float v = std::min(std::max(value, range.low), range.high);
  // Halves first: the width of a range from -3e38 to 3e38 overflows to inf, and inf / inf is
  // NaN. Halving is exact, so every other range maps exactly as (v - low) / (high - low).
  if (map == ColourMap::Grey) {
    return RoundLevel((0.5f * v - 0.5f * range.low) / (0.5f * range.high - 0.5f * range.low));
  }
  const float limit = std::max(std::fabs(range.low), std::fabs(range.high));
  const float half = 0.5f * (v / limit);  // exact: a power-of-two scale
  return RoundLevel(0.5f + half);          // 0 -> 0.5 -> 128.0 exactly: the neutral level
}

Rgb8 LevelColour(ColourMap map, int level) {
  assert(level >= 0 && level <= 255 && "levels are bytes");
  if (map == ColourMap::Grey) {
    const auto grey = static_cast<std::uint8_t>(level);
    return {grey, grey, grey};
  }
  // Mirrored by LevelColour in shaders/display_map.comp: integers only, so the bytes agree.
  const std::size_t i = static_cast<std::size_t>(std::min(level / 32, 7));
  const int from = kStopLevels[i];
  const int to = kStopLevels[i + 1];
  const int span = to - from;
  const auto mix = [&](int a, int b) {
    return static_cast<std::uint8_t>((a * (to - level) + b * (level - from) + span / 2) / span);
  };
  const Rgb8 a = kDivergingStops[i];
  const Rgb8 b = kDivergingStops[i + 1];
  return {mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b)};
}

Rgb8 ColourOfValue(float value, ColourMap map, DisplayRange range) {
  if (!IsFinite(value)) return {};
  return LevelColour(map, ToLevel(value, map, range));
}

std::vector<std::uint8_t> MapToRgba(const Tensor3& tensor, const MapDisplay& display, DisplayRange range) {
  if (!(range.high > range.low)) range = {};
  const std::size_t pixels = tensor.PlaneSize();
  std::vector<std::uint8_t> rgba(pixels * 4, 255);
  if (tensor.channels < 1) return rgba;
  const ShownChannels shown = ShownChannelsOf(tensor.channels, display);
  // in: C,H,W planar  out: H,W,RGBA interleaved
  if (shown.Rgb()) {
    for (int rgb = 0; rgb < 3; ++rgb) {
      const float* plane = tensor.Plane(shown.first + rgb);
      for (std::size_t i = 0; i < pixels; ++i) {
        const float v = plane[i];
        rgba[i * 4 + static_cast<std::size_t>(rgb)] =
            IsFinite(v) ? static_cast<std::uint8_t>(ToLevel(v, ColourMap::Grey, range)) : 0;
      }
    }
    return rgba;
  }
  const float* plane = tensor.Plane(shown.first);
  for (std::size_t i = 0; i < pixels; ++i) {
    const Rgb8 colour = ColourOfValue(plane[i], display.colour_map, range);
    rgba[i * 4 + 0] = colour.r;
    rgba[i * 4 + 1] = colour.g;
    rgba[i * 4 + 2] = colour.b;
  }
  return rgba;
}

DisplayRange FiniteRange(const Tensor3& tensor) {
  return FiniteMinMax(tensor, ShownChannelsOf(tensor.channels, MapDisplay{})).value_or(DisplayRange{});
}

std::vector<std::uint8_t> ToDisplayRgba(const Tensor3& tensor, DisplayRange range) {
  return MapToRgba(tensor, MapDisplay{}, range);
}

std::string DisplayedChannelsNote(int channels, const MapDisplay& display) {
  const ShownChannels shown = ShownChannelsOf(channels, display);
  if (shown.Rgb()) return "RGB";
  const std::string map(Name(display.colour_map));
  if (channels == 1) return map;
  if (display.shown_channel == shown.first)
    return "channel " + std::to_string(shown.first) + " of " + std::to_string(channels) + ", " + map;
  return std::to_string(channels) + " channels, the first shown, " + map;
}

std::string_view Name(ColourMap map) { return map == ColourMap::Grey ? "grey" : "diverging"; }

std::string_view Name(RangeMode mode) {
  switch (mode) {
    case RangeMode::MinMax: return "minmax";
    case RangeMode::Symmetric: return "symmetric";
    case RangeMode::Manual: return "manual";
  }
  return "minmax";
}

std::optional<ColourMap> ParseColourMap(std::string_view name) {
  if (name == "grey" || name == "gray") return ColourMap::Grey;
  if (name == "diverging") return ColourMap::Diverging;
  return std::nullopt;
}

bool ValidManualRange(float low, float high) {
  return std::isfinite(low) && std::isfinite(high) && low < high;
}

Status ParseRangeFlag(std::string_view text, MapDisplay* display) {
  if (text == "minmax") {
    display->range_mode = RangeMode::MinMax;
    return Done{};
  }
  if (text == "symmetric") {
    display->range_mode = RangeMode::Symmetric;
    return Done{};
  }
  const std::string usage = "--range '" + std::string(text) +
                            "' is not minmax, symmetric or LOW,HIGH with finite LOW < HIGH (e.g. -1,1)";
  const std::size_t comma = text.find(',');
  if (comma == std::string_view::npos) return Error{usage};
  const auto parse = [](std::string_view part, float* out) {
    const char* end = part.data() + part.size();
    const auto [ptr, ec] = std::from_chars(part.data(), end, *out);
    return ec == std::errc() && ptr == end;
  };
  float low = 0.0f;
  float high = 0.0f;
  if (!parse(text.substr(0, comma), &low) || !parse(text.substr(comma + 1), &high) ||
      !ValidManualRange(low, high)) {
    return Error{usage};
  }
  display->range_mode = RangeMode::Manual;
  display->manual_low = low;
  display->manual_high = high;
  return Done{};
}

ColouredMap ColourTensor(const Tensor3& tensor, const MapDisplay& display) {
  ColouredMap coloured;
  coloured.display = display;
  coloured.range = ResolveRange(display, FiniteMinMax(tensor, ShownChannelsOf(tensor.channels, display)));
  coloured.rgba = MapToRgba(tensor, display, coloured.range);
  return coloured;
}

}  // namespace stridescope
