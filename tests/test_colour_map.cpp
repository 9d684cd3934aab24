// The feature map's colour maps: hand-computed cases of the CPU functions (core/colour_map.h),
// then the GPU twin (shaders/display_map.comp via DisplayMapper) against them byte for byte on
// random small maps with negative, zero, NaN and infinite values, on a headless EGL context.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <glad/gl.h>

#include "colour_map.h"
#include "display_mapper.h"
#include "gl_context.h"
#include "gl_texture.h"
#include "mip_levels.h"

using namespace stridescope;

namespace doctest {
template <>
struct StringMaker<Rgb8> {
  static String convert(const Rgb8& c) {
    return ("(" + std::to_string(c.r) + ", " + std::to_string(c.g) + ", " + std::to_string(c.b) + ")").c_str();
  }
};
}  // namespace doctest

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
const Rgb8 kNeutral{247, 247, 247};
const Rgb8 kBlueEnd{33, 102, 172};
const Rgb8 kRedEnd{178, 24, 43};
const Rgb8 kBlack{0, 0, 0};

Tensor3 Row(std::vector<float> values) {
  Tensor3 t = Tensor3::Zeros(1, 1, static_cast<int>(values.size()));
  t.data = std::move(values);
  return t;
}

Rgb8 PixelOf(const std::vector<std::uint8_t>& rgba, std::size_t i) {
  return {rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2]};
}

// The CPU path exactly as AppState draws a map.
std::vector<std::uint8_t> CpuPicture(const Tensor3& map, const MapDisplay& display, DisplayRange* range) {
  *range = ResolveRange(display, FiniteMinMax(map, ShownChannelsOf(map.channels, display)));
  return MapToRgba(map, display, *range);
}

}  // namespace

TEST_CASE("diverging, symmetric: -2, 0, +2 are the blue end, the neutral and the red end") {
  const Tensor3 map = Row({-2.0f, 0.0f, 2.0f});
  MapDisplay d;
  d.colour_map = ColourMap::Diverging;
  d.range_mode = RangeMode::Symmetric;
  DisplayRange range;
  const std::vector<std::uint8_t> rgba = CpuPicture(map, d, &range);
  CHECK(range.low == -2.0f);
  CHECK(range.high == 2.0f);
  CHECK(PixelOf(rgba, 0) == kBlueEnd);
  CHECK(PixelOf(rgba, 1) == kNeutral);
  CHECK(PixelOf(rgba, 2) == kRedEnd);
  CHECK(rgba[3] == 255);
}

TEST_CASE("diverging: zero is exactly the neutral colour for any range, symmetric or not") {
  const DisplayRange ranges[] = {{-1.0f, 5.0f}, {-1e-6f, 3e4f}, {-7.25f, 0.1f}, {0.0f, 1.0f},
                                 {-3.0f, 0.0f}, {-0.3f, 0.7f}, {-1e30f, 1.0f}};
  for (const DisplayRange r : ranges) {
    INFO("range " << r.low << ".." << r.high);
    CHECK(ToLevel(0.0f, ColourMap::Diverging, r) == kNeutralLevel);
    CHECK(ToLevel(-0.0f, ColourMap::Diverging, r) == kNeutralLevel);
    CHECK(ColourOfValue(0.0f, ColourMap::Diverging, r) == kNeutral);
  }
  // Min..max of an asymmetric map: the ends are not both saturated, zero still neutral.
  MapDisplay d;
  d.colour_map = ColourMap::Diverging;
  DisplayRange range;
  const std::vector<std::uint8_t> rgba = CpuPicture(Row({-1.0f, 0.0f, 4.0f}), d, &range);
  CHECK(range.low == -1.0f);
  CHECK(range.high == 4.0f);
  CHECK(PixelOf(rgba, 1) == kNeutral);
  CHECK(PixelOf(rgba, 2) == kRedEnd);
  // -1 of L = 4: t = 0.375, level floor(95.625 + 0.5) = 96, a stop: (209, 229, 240).
  CHECK(PixelOf(rgba, 0) == Rgb8{209, 229, 240});
}

TEST_CASE("grey, min..max: the ends are 0 and 255, the middle rounds half up") {
  DisplayRange range;
  const std::vector<std::uint8_t> rgba = CpuPicture(Row({-3.0f, 1.0f, 0.0f, -1.0f}), MapDisplay{}, &range);
  CHECK(range.low == -3.0f);
  CHECK(range.high == 1.0f);
  CHECK(PixelOf(rgba, 0) == kBlack);
  CHECK(PixelOf(rgba, 1) == Rgb8{255, 255, 255});
  // (0 + 3) / 4 * 255 = 191.25 -> 191; (-1 + 3) / 4 * 255 = 127.5 -> 128.
  CHECK(PixelOf(rgba, 2) == Rgb8{191, 191, 191});
  CHECK(PixelOf(rgba, 3) == Rgb8{128, 128, 128});
}

TEST_CASE("grey: a range as wide as float allows still maps its ends and middle") {
  // high - low overflows to inf here; the halves do not.
  DisplayRange range;
  const std::vector<std::uint8_t> rgba = CpuPicture(Row({-3e38f, 3e38f, 0.0f}), MapDisplay{}, &range);
  CHECK(PixelOf(rgba, 0) == kBlack);
  CHECK(PixelOf(rgba, 1) == Rgb8{255, 255, 255});
  CHECK(PixelOf(rgba, 2) == Rgb8{128, 128, 128});  // 0.5 * 255 + 0.5 = 128
}

TEST_CASE("grey, symmetric: -L..+L, so zero is mid-grey") {
  MapDisplay d;
  d.range_mode = RangeMode::Symmetric;
  DisplayRange range;
  const std::vector<std::uint8_t> rgba = CpuPicture(Row({0.0f, 1.0f, -0.5f}), d, &range);
  CHECK(range.low == -1.0f);
  CHECK(range.high == 1.0f);
  CHECK(PixelOf(rgba, 0) == Rgb8{128, 128, 128});
  CHECK(PixelOf(rgba, 1) == Rgb8{255, 255, 255});
}

TEST_CASE("manual range: values outside clamp to the ends' colours") {
  MapDisplay d;
  d.range_mode = RangeMode::Manual;
  d.manual_low = 1.0f;
  d.manual_high = 3.0f;
  DisplayRange range;
  std::vector<std::uint8_t> rgba = CpuPicture(Row({-10.0f, 1.0f, 2.0f, 3.0f, 1e9f}), d, &range);
  CHECK(range.low == 1.0f);
  CHECK(range.high == 3.0f);
  CHECK(PixelOf(rgba, 0) == kBlack);
  CHECK(PixelOf(rgba, 1) == kBlack);
  CHECK(PixelOf(rgba, 2) == Rgb8{128, 128, 128});
  CHECK(PixelOf(rgba, 4) == Rgb8{255, 255, 255});
  // Diverging over 1..3: L = 3, so -10 clamps to 1 (t = 2/3, level 170), not to the blue end.
  d.colour_map = ColourMap::Diverging;
  rgba = CpuPicture(Row({-10.0f, 1.0f, 3.0f}), d, &range);
  CHECK(PixelOf(rgba, 0) == PixelOf(rgba, 1));
  CHECK(ToLevel(-10.0f, ColourMap::Diverging, range) == 170);
  CHECK(PixelOf(rgba, 2) == kRedEnd);
}

TEST_CASE("NaN and infinities are black in every map, and stay out of min..max") {
  for (const ColourMap map : {ColourMap::Grey, ColourMap::Diverging}) {
    MapDisplay d;
    d.colour_map = map;
    DisplayRange range;
    const std::vector<std::uint8_t> rgba = CpuPicture(Row({kNaN, -kInf, kInf, -1.0f, 2.0f}), d, &range);
    CHECK(range.low == -1.0f);
    CHECK(range.high == 2.0f);
    for (std::size_t i = 0; i < 3; ++i) CHECK(PixelOf(rgba, i) == kBlack);
  }
  // Nothing finite: {0, 1}.
  CHECK_FALSE(FiniteMinMax(Row({kNaN, kInf}), {0, 1}).has_value());
  const DisplayRange none = ResolveRange(MapDisplay{}, std::nullopt);
  CHECK(none.low == 0.0f);
  CHECK(none.high == 1.0f);
}

TEST_CASE("a flat range clamps from [0, 1], as before") {
  DisplayRange range;
  std::vector<std::uint8_t> rgba = CpuPicture(Row({0.25f, 0.25f}), MapDisplay{}, &range);
  CHECK(range.low == 0.0f);
  CHECK(range.high == 1.0f);
  CHECK(PixelOf(rgba, 0) == Rgb8{64, 64, 64});
  // All zeros under Symmetric: L = 0 is flat too; zero stays neutral in the diverging map.
  MapDisplay d;
  d.colour_map = ColourMap::Diverging;
  d.range_mode = RangeMode::Symmetric;
  rgba = CpuPicture(Row({0.0f, 0.0f}), d, &range);
  CHECK(PixelOf(rgba, 0) == kNeutral);
}

TEST_CASE("shown channels: RGB only for three channels in grey, else the chosen or first one") {
  MapDisplay d;
  CHECK(ShownChannelsOf(3, d).Rgb());
  CHECK(ShownChannelsOf(4, d).first == 0);
  CHECK(ShownChannelsOf(4, d).count == 1);
  d.colour_map = ColourMap::Diverging;
  CHECK_FALSE(ShownChannelsOf(3, d).Rgb());
  d.shown_channel = 2;
  CHECK(ShownChannelsOf(3, d).first == 2);
  CHECK(ShownChannelsOf(2, d).first == 0);  // a channel the map lacks: all channels
  // The range is the shown channel's alone.
  Tensor3 map = Tensor3::Zeros(2, 1, 2);
  map.data = {-5.0f, 5.0f, 1.0f, 2.0f};
  d = MapDisplay{};
  d.shown_channel = 1;
  DisplayRange range;
  CpuPicture(map, d, &range);
  CHECK(range.low == 1.0f);
  CHECK(range.high == 2.0f);
  CHECK(DisplayedChannelsNote(2, d) == "channel 1 of 2, grey");
  CHECK(DisplayedChannelsNote(3) == "RGB");
  CHECK(DisplayedChannelsNote(8) == "8 channels, the first shown, grey");
}

TEST_CASE("the diverging ramp brightens from blue to the neutral, then darkens to red") {
  for (int level = 1; level <= 255; ++level) {
    const Rgb8 a = LevelColour(ColourMap::Diverging, level - 1);
    const Rgb8 b = LevelColour(ColourMap::Diverging, level);
    INFO("level " << level);
    if (level <= kNeutralLevel) {
      CHECK((b.r >= a.r && b.g >= a.g && b.b >= a.b));
    } else {
      CHECK((b.g <= a.g && b.b <= a.b));
    }
  }
  CHECK(LevelColour(ColourMap::Diverging, 0) == kBlueEnd);
  CHECK(LevelColour(ColourMap::Diverging, 255) == kRedEnd);
}

TEST_CASE("--range and --colour-map values parse, and bad ones are refused") {
  MapDisplay d;
  CHECK(ParseRangeFlag("symmetric", &d).ok());
  CHECK(d.range_mode == RangeMode::Symmetric);
  REQUIRE(ParseRangeFlag("-1.5,2", &d).ok());
  CHECK(d.range_mode == RangeMode::Manual);
  CHECK(d.manual_low == -1.5f);
  CHECK(d.manual_high == 2.0f);
  for (const char* bad : {"2,1", "1,1", "nan,1", "1,inf", "a,b", "1", "", "1,2,3", "max"}) {
    INFO(bad);
    MapDisplay unchanged;
    CHECK_FALSE(ParseRangeFlag(bad, &unchanged).ok());
    CHECK(unchanged == MapDisplay{});
  }
  CHECK(ParseColourMap("diverging") == ColourMap::Diverging);
  CHECK_FALSE(ParseColourMap("viridis").has_value());
}

// ---- GPU twin -------------------------------------------------------------------------------

namespace {

HeadlessGlContext& Context() {
  static Expected<std::unique_ptr<HeadlessGlContext>> context = HeadlessGlContext::Create();
  REQUIRE_MESSAGE(context.ok(), (context.ok() ? "" : context.error().message));
  return **context;
}

// An R32F 2-D array texture holding `map`, one layer per channel, as GpuEngine writes its output.
class ArrayTexture {
 public:
  explicit ArrayTexture(const Tensor3& map) {
    glGenTextures(1, &id_);
    glBindTexture(GL_TEXTURE_2D_ARRAY, id_);
    glTexStorage3D(GL_TEXTURE_2D_ARRAY, 1, GL_R32F, map.width, map.height, map.channels);
    glTexSubImage3D(GL_TEXTURE_2D_ARRAY, 0, 0, 0, 0, map.width, map.height, map.channels, GL_RED, GL_FLOAT,
                    map.data.data());
    glBindTexture(GL_TEXTURE_2D_ARRAY, 0);
  }
  ~ArrayTexture() { glDeleteTextures(1, &id_); }
  ArrayTexture(const ArrayTexture&) = delete;
  ArrayTexture& operator=(const ArrayTexture&) = delete;
  unsigned int id() const { return id_; }

 private:
  GLuint id_ = 0;
};

// Level `level` of a display texture as RGBA8 (its size from GL).
RgbaLevel ReadLevel(const GlTexture& texture, int level) {
  RgbaLevel read;
  glBindTexture(GL_TEXTURE_2D, texture.id());
  glGetTexLevelParameteriv(GL_TEXTURE_2D, level, GL_TEXTURE_WIDTH, &read.width);
  glGetTexLevelParameteriv(GL_TEXTURE_2D, level, GL_TEXTURE_HEIGHT, &read.height);
  read.rgba.resize(static_cast<std::size_t>(read.width) * read.height * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glGetTexImage(GL_TEXTURE_2D, level, GL_RGBA, GL_UNSIGNED_BYTE, read.rgba.data());
  glBindTexture(GL_TEXTURE_2D, 0);
  return read;
}

std::vector<std::uint8_t> ReadRgba(const GlTexture& texture) { return ReadLevel(texture, 0).rgba; }

// Small maps of every kind the display must survive: signed, all-positive, flat, with zeros,
// NaN and infinities, all non-finite; sizes around the shader's 16 x 16 groups.
Tensor3 RandomMap(std::mt19937& rng, int kind) {
  std::uniform_int_distribution<int> size(1, 37);
  std::uniform_int_distribution<int> channels(1, 4);
  Tensor3 map = Tensor3::Zeros(channels(rng), size(rng), size(rng));
  std::uniform_real_distribution<float> value(-4.0f, 3.0f);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  const float flat = value(rng);
  for (float& v : map.data) {
    const float p = unit(rng);
    switch (kind % 6) {
      case 0: v = value(rng); break;                                        // signed
      case 5: v = value(rng) * 1e38f; break;                                // width overflows
      case 1: v = std::fabs(value(rng)) * 100.0f; break;                    // positive, wide
      case 2: v = flat; break;                                              // flat
      case 3: v = p < 0.5f ? kNaN : (p < 0.75f ? kInf : -kInf); break;      // nothing finite
      default: v = p < 0.7f ? value(rng) * 1e-3f : 0.0f; break;             // small, many zeros
    }
    if (kind % 6 != 3 && p > 0.97f) v = p > 0.99f ? kNaN : (p > 0.98f ? kInf : -kInf);
    if (kind % 6 == 0 && p < 0.05f) v = 0.0f;
  }
  return map;
}

}  // namespace

TEST_CASE("GPU display map matches the CPU byte for byte: every map, range mode and channel") {
  Context();
  Expected<std::unique_ptr<DisplayMapper>> mapper = DisplayMapper::Create();
  REQUIRE_MESSAGE(mapper.ok(), (mapper.ok() ? "" : mapper.error().message));
  std::mt19937 rng(90210u);
  std::uniform_real_distribution<float> bound(-3.0f, 3.0f);
  GlTexture picture;
  int compared = 0, mismatched_maps = 0, nonfinite_pixels = 0, neutral_pixels = 0;
  for (int kind = 0; kind < 60; ++kind) {
    const Tensor3 map = RandomMap(rng, kind);
    const ArrayTexture source(map);
    for (const ColourMap colour_map : {ColourMap::Grey, ColourMap::Diverging}) {
      for (const RangeMode mode : {RangeMode::MinMax, RangeMode::Symmetric, RangeMode::Manual}) {
        // -1 (all), each channel, and one the map lacks.
        for (int channel = -1; channel <= map.channels; ++channel) {
          MapDisplay d;
          d.colour_map = colour_map;
          d.range_mode = mode;
          d.shown_channel = channel;
          d.manual_low = bound(rng);
          d.manual_high = d.manual_low + 0.01f + std::fabs(bound(rng));
          DisplayRange cpu_range;
          const std::vector<std::uint8_t> want = CpuPicture(map, d, &cpu_range);
          const std::optional<DisplayRange> gpu_range =
              (*mapper)->Map(source.id(), map.channels, map.width, map.height, d, &picture);
          REQUIRE(gpu_range.has_value());
          const std::vector<std::uint8_t> got = ReadRgba(picture);
          ++compared;
          INFO("map " << kind << " (" << map.channels << "x" << map.height << "x" << map.width << "), "
                      << Name(colour_map) << ", " << Name(mode) << ", channel " << channel);
          CHECK(gpu_range->low == cpu_range.low);
          CHECK(gpu_range->high == cpu_range.high);
          if (got != want) {
            ++mismatched_maps;
            std::size_t first = 0;
            while (first < want.size() && got[first] == want[first]) ++first;
            const ShownChannels shown = ShownChannelsOf(map.channels, d);
            const int channel_of_byte = shown.Rgb() ? static_cast<int>(first % 4) : shown.first;
            if (mismatched_maps <= 5)
              FAIL_CHECK("first differing byte " << first << ": GPU " << int(got[first]) << ", CPU "
                                                 << int(want[first]) << ", value "
                                                 << map.Plane(channel_of_byte)[first / 4]);
          }
          const ShownChannels shown = ShownChannelsOf(map.channels, d);
          if (!shown.Rgb()) {
            for (std::size_t i = 0; i < map.PlaneSize(); ++i) {
              const float v = map.Plane(shown.first)[i];
              if (!std::isfinite(v)) ++nonfinite_pixels;
              // Zero is neutral wherever the range reaches it; a manual range past it clamps zero.
              if (colour_map == ColourMap::Diverging && v == 0.0f && cpu_range.low <= 0.0f &&
                  cpu_range.high >= 0.0f) {
                ++neutral_pixels;
                CHECK(PixelOf(got, i) == kNeutral);
              }
            }
          }
        }
      }
    }
  }
  MESSAGE(compared << " pictures compared on " << Context().renderer() << ", " << mismatched_maps
                   << " differ; " << nonfinite_pixels << " non-finite and " << neutral_pixels
                   << " zero (diverging) pixels among them");
  CHECK(mismatched_maps == 0);
  // The grid must really contain what it claims to test.
  CHECK(compared > 500);
  CHECK(nonfinite_pixels > 1000);
  CHECK(neutral_pixels > 100);
}

TEST_CASE("display textures hold their smaller levels, from the CPU and from the GPU mapper") {
  Context();
  std::mt19937 rng(777u);
  std::uniform_int_distribution<int> side(1, 70);
  std::uniform_int_distribution<int> byte(0, 255);
  GlTexture picture;
  int levels_compared = 0;
  SUBCASE("Upload: every level is HalvedLevels' bytes, for given and for computed levels") {
    for (int trial = 0; trial < 12; ++trial) {
      const int width = side(rng), height = side(rng);
      std::vector<std::uint8_t> rgba(static_cast<std::size_t>(width) * height * 4);
      for (std::uint8_t& b : rgba) b = static_cast<std::uint8_t>(byte(rng));
      const std::vector<RgbaLevel> want = HalvedLevels(rgba.data(), width, height);
      INFO(width << "x" << height << ", trial " << trial);
      REQUIRE(picture.Upload(width, height, rgba.data(), trial % 2 == 0 ? &want : nullptr));
      CHECK(ReadRgba(picture) == rgba);
      for (std::size_t level = 0; level < want.size(); ++level) {
        const RgbaLevel got = ReadLevel(picture, static_cast<int>(level) + 1);
        CHECK(got.width == want[level].width);
        CHECK(got.height == want[level].height);
        CHECK(got.rgba == want[level].rgba);
        ++levels_compared;
      }
    }
    CHECK(levels_compared > 30);
  }
  SUBCASE("Upload again at the same size (into the same storage, also the GPU mapper's), and a wrong chain") {
    const int width = 45, height = 30;
    std::vector<std::uint8_t> first(static_cast<std::size_t>(width) * height * 4), second(first.size());
    for (std::uint8_t& b : first) b = static_cast<std::uint8_t>(byte(rng));
    for (std::uint8_t& b : second) b = static_cast<std::uint8_t>(byte(rng));
    const auto check_levels = [&](const std::vector<std::uint8_t>& rgba) {
      CHECK(ReadRgba(picture) == rgba);
      const std::vector<RgbaLevel> want = HalvedLevels(rgba.data(), width, height);
      for (std::size_t level = 0; level < want.size(); ++level) {
        INFO("level " << level + 1);
        CHECK(ReadLevel(picture, static_cast<int>(level) + 1).rgba == want[level].rgba);
        ++levels_compared;
      }
    };
    REQUIRE(picture.Upload(width, height, first.data()));
    REQUIRE(picture.Upload(width, height, second.data()));  // glTexSubImage2D on every level
    check_levels(second);
    REQUIRE(picture.Allocate(width, height));  // immutable storage with the chain, as Map makes
    REQUIRE(picture.Upload(width, height, first.data()));
    check_levels(first);
    CHECK(levels_compared == 10);  // 5 levels below 45x30, twice
    // Levels of another picture's size would leave the texture incomplete: refused.
    const std::vector<RgbaLevel> other = HalvedLevels(first.data(), width - 2, height);
    CHECK_FALSE(picture.Upload(width, height, first.data(), &other));
    CHECK(picture.empty());
  }
  SUBCASE("DisplayMapper: the levels are made from the picture it wrote") {
    Expected<std::unique_ptr<DisplayMapper>> mapper = DisplayMapper::Create();
    REQUIRE_MESSAGE(mapper.ok(), (mapper.ok() ? "" : mapper.error().message));
    // Odd and even sides, down to 1x1: the shader mirrors HalvedLevels byte for byte.
    for (const auto& [width, height] : {std::pair{64, 32}, std::pair{37, 23}, std::pair{1, 19}, std::pair{75, 2}}) {
      Tensor3 map = Tensor3::Zeros(1, height, width);
      std::uniform_real_distribution<float> value(-1.0f, 1.0f);
      for (float& v : map.data) v = value(rng);
      const ArrayTexture source(map);
      REQUIRE((*mapper)->Map(source.id(), 1, width, height, MapDisplay{}, &picture).has_value());
      RgbaLevel above = ReadLevel(picture, 0);
      for (int level = 1; above.width > 1 || above.height > 1; ++level) {
        const RgbaLevel want = HalvedLevels(above.rgba.data(), above.width, above.height).front();
        const RgbaLevel got = ReadLevel(picture, level);
        INFO(width << "x" << height << ", level " << level);
        REQUIRE(got.width == want.width);
        REQUIRE(got.height == want.height);
        CHECK(got.rgba == want.rgba);
        ++levels_compared;
        above = got;
      }
    }
    CHECK(levels_compared == 21);  // 6 + 5 + 4 + 6 levels below the four sizes
  }
}
