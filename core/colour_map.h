// How a map of values becomes a picture: the colour map, the value range it spans and which
// channels are shown. The CPU half of a twin: shaders/display_map.comp (driven by
// core/gl/display_mapper.cpp) computes the same bytes on the GPU; change both together.
// In core rather than app/ because DisplayMapper (core/gl) takes these options and the command
// line parses them; no GL and no ImGui here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "expected.h"
#include "tensor.h"

namespace stridescope {

enum class ColourMap {
  Grey,       // low black .. high white
  Diverging,  // RdBu: negative blue, zero the neutral near-white, positive red
};

enum class RangeMode {
  MinMax,     // the shown channels' finite min..max
  Symmetric,  // -L..+L, L = the larger of |min| and |max|: zero in the middle
  Manual,     // MapDisplay::manual_low..manual_high as the user typed them
};

// The display choice for one map: a plain value type (saved in settings, set by flags).
struct MapDisplay {
  ColourMap colour_map = ColourMap::Grey;
  RangeMode range_mode = RangeMode::MinMax;
  float manual_low = -1.0f;  // used in Manual mode only; finite, manual_low < manual_high
  float manual_high = 1.0f;
  // -1: all channels, i.e. RGB for a 3-channel map under Grey, the first channel otherwise;
  // 0..C-1: that channel alone. Out-of-range values act as -1 (a map may have fewer channels
  // than the one that was chosen on).
  int shown_channel = -1;

  bool operator==(const MapDisplay&) const = default;
};

// A value range; ToLevel maps it onto the colour map's 256 levels.
struct DisplayRange {
  float low = 0.0f;
  float high = 1.0f;
};

// The channels a map shows under `display`: count 3 (RGB) or 1 (one channel through the map).
struct ShownChannels {
  int first = 0;
  int count = 1;
  bool Rgb() const { return count == 3; }
};
ShownChannels ShownChannelsOf(int channels, const MapDisplay& display);

// Finite min..max over the shown channels; nullopt when none of their values is finite.
std::optional<DisplayRange> FiniteMinMax(const Tensor3& tensor, ShownChannels shown);

// The range a map is drawn over (and the legend labels): by range_mode from `finite` ({0, 1}
// when nullopt), then a flat or inverted range becomes {0, 1}. The shader's map pass mirrors it.
DisplayRange ResolveRange(const MapDisplay& display, std::optional<DisplayRange> finite);

// The level 0..255 a value gets: Grey (v - low) / (high - low); Diverging 0.5 + 0.5 v / L with
// L = max(|low|, |high|), so 0 is always level 128, the neutral colour. Clamped, then rounded
// half up. Callers handle non-finite values (ColourOfValue).
int ToLevel(float value, ColourMap map, DisplayRange range);

struct Rgb8 {
  std::uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb8&) const = default;
};
// The colour of a level; integer arithmetic only, so the shader computes identical bytes.
Rgb8 LevelColour(ColourMap map, int level);
// What a value is shown as: LevelColour(ToLevel(..)), or black when it is NaN or infinite (black
// is not on the diverging ramp; under Grey it is the low end's colour, as it always was).
Rgb8 ColourOfValue(float value, ColourMap map, DisplayRange range);
constexpr int kNeutralLevel = 128;  // the diverging map's level of 0

// RGBA8, row 0 at the top, alpha 255: the shown channels through the colour map over `range`
// (the caller's ResolveRange). Values outside the range clamp.
std::vector<std::uint8_t> MapToRgba(const Tensor3& tensor, const MapDisplay& display, DisplayRange range);

// A tensor coloured for display (the CPU path's picture), with what it was coloured with.
struct ColouredMap {
  MapDisplay display;
  DisplayRange range;
  std::vector<std::uint8_t> rgba;
};
// ResolveRange over the shown channels' finite values, then MapToRgba.
ColouredMap ColourTensor(const Tensor3& tensor, const MapDisplay& display);

// The input image's rule, the default MapDisplay: 1 channel grey, 3 RGB, other counts the first
// channel in grey; a flat range (low >= high) clamps from [0, 1] instead.
DisplayRange FiniteRange(const Tensor3& tensor);  // {0, 1} when no shown value is finite
std::vector<std::uint8_t> ToDisplayRgba(const Tensor3& tensor, DisplayRange range);

// What is shown of a map's channels, for captions: "grey", "RGB", "8 channels, the first
// shown", "channel 2 of 8".
std::string DisplayedChannelsNote(int channels, const MapDisplay& display = {});
inline std::string DisplayedChannelsNote(const Tensor3& tensor) {
  return DisplayedChannelsNote(tensor.channels);
}

// Names for the command line and settings.json: "grey"/"diverging", "minmax"/"symmetric"/"manual".
std::string_view Name(ColourMap map);
std::string_view Name(RangeMode mode);
std::optional<ColourMap> ParseColourMap(std::string_view name);
// --range: "minmax", "symmetric" or "LOW,HIGH" (Manual); both finite and LOW < HIGH.
Status ParseRangeFlag(std::string_view text, MapDisplay* display);
// Manual bounds the UI and settings accept: finite and low < high.
bool ValidManualRange(float low, float high);

}  // namespace stridescope
