// Built-in samples (samples.h), all generated here from formulas so they are deterministic and
// owe nothing to downloaded files.
//
// Sections:
//   1. Numeric grids and test patterns
//   2. The "scene": a landscape evaluated as a function of (x, y), layer by layer, supersampled
//   3. The sample table, Samples() and MakeSample()

#include "samples.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>

namespace stridescope {
namespace {

// ---------------------------------------------------------------------------------------------
// 1. Numeric grids and test patterns

// One channel holding 0, 1, 2 ... row-major: the numbers in the conv-arithmetic figures and the
// ONNX node tests, so results can be checked by hand.
Tensor3 CountingGrid(int height, int width) {
  Tensor3 grid = Tensor3::Zeros(1, height, width);
  for (std::size_t i = 0; i < grid.data.size(); ++i) grid.data[i] = static_cast<float>(i);
  return grid;
}

// A grey image stored as RGB, since image samples are always 3 channels.
template <class Shade>
Tensor3 GreyImage(int height, int width, Shade shade) {
  Tensor3 image = Tensor3::Zeros(3, height, width);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const float v = shade(x, y);
      for (int c = 0; c < 3; ++c) image.At(c, y, x) = v;
    }
  }
  return image;
}

// The top-left 4x4 square is white.
Tensor3 Checkerboard() {
  constexpr int kSquare = 4;
  return GreyImage(
      256, 256, [](int x, int y) { return ((x / kSquare + y / kSquare) % 2 == 0) ? 1.0f : 0.0f; });
}

// cos(k r^2) has local frequency k r / pi cycles per pixel; k = pi / 256 reaches the Nyquist
// limit (0.5) at the edge midpoints, so the image itself is clean and any stride > 1 aliases
// visibly as false rings.
Tensor3 ZonePlate() {
  constexpr int kSize = 256;
  constexpr double kK = std::numbers::pi / kSize;
  return GreyImage(kSize, kSize, [](int x, int y) {
    const double dx = x - kSize / 2;
    const double dy = y - kSize / 2;
    return static_cast<float>(0.5 + 0.5 * std::cos(kK * (dx * dx + dy * dy)));
  });
}

// Eight 32-column bands with these periods: vertical stripes in the top half, horizontal stripes
// in the bottom half, each band starting with a white stripe at its top-left corner. A stride
// equal to a band's period turns it flat.
Tensor3 Stripes() {
  constexpr int kSize = 256, kBand = kSize / 8;
  constexpr int kPeriods[8] = {2, 3, 4, 5, 6, 8, 12, 16};
  return GreyImage(kSize, kSize, [&](int x, int y) {
    const int period = kPeriods[x / kBand];
    const int along = y < kSize / 2 ? x % kBand : y - kSize / 2;
    return (along % period) * 2 < period ? 1.0f : 0.0f;
  });
}

// ---------------------------------------------------------------------------------------------
// 2. The scene: 640 x 400. Layers are tried front to back and the first that covers (x, y) gives
// its colour, so most samples stop early. Edges are anti-aliased by 2x2 supersampling, so the only
// aliasing the user sees is the one the stride causes (grass, fence, bricks and shingles have 2 to
// 10 pixel periods).

struct Rgb {
  float r, g, b;
};

Rgb Mix(Rgb a, Rgb b, float t) {
  return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}
Rgb Scale(Rgb c, float s) { return {c.r * s, c.g * s, c.b * s}; }
float Clamp01(float v) { return std::clamp(v, 0.0f, 1.0f); }

bool InRect(float x, float y, float x0, float y0, float x1, float y1) {
  return x >= x0 && x < x1 && y >= y0 && y < y1;
}
bool InCircle(float x, float y, float cx, float cy, float r) {
  return (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r;
}

// Deterministic per-brick / per-pebble variation in [0, 1).
float Hash01(int a, int b) {
  std::uint32_t h =
      static_cast<std::uint32_t>(a) * 73856093u ^ static_cast<std::uint32_t>(b) * 19349663u;
  h ^= h >> 13;
  h *= 0x5bd1e995u;
  h ^= h >> 15;
  return static_cast<float>(h & 0xffffu) / 65536.0f;
}

// Grass blades: a ~2.6-pixel horizontal period, wobbling with y.
float GrassTexture(float x, float y) {
  return 0.86f + 0.14f * std::sin(x * 2.4f + 4.0f * std::sin(y * 0.35f));
}

// A gravel path from the door (x 200..230) down to the bottom edge, widening towards the viewer.
constexpr float kDoorLeft = 200, kDoorRight = 230, kDoorTop = 280;
constexpr float kWallLeft = 130, kWallRight = 300, kWallTop = 232, kWallBottom = 332;

bool OnPath(float x, float y) {
  if (y < kWallBottom) return false;
  const float t = (y - kWallBottom) / (400.0f - kWallBottom);
  return std::abs(x - (kDoorLeft + kDoorRight) / 2) < 15.0f + 45.0f * t;
}

// White pickets every 10 pixels with pointed tops and two rails; a gap where the path runs.
bool Fence(float x, float y, Rgb* c) {
  constexpr float kTop = 300, kBottom = 352, kPeriod = 10, kPicket = 5;
  if (y < kTop || y >= kBottom || OnPath(x, kBottom)) return false;
  const float u = std::fmod(x, kPeriod);
  if (u < kPicket && y >= kTop + 2.0f * std::abs(u - kPicket / 2)) {
    *c = u > kPicket - 1.5f ? Rgb{0.74f, 0.73f, 0.70f} : Rgb{0.95f, 0.94f, 0.90f};
    return true;
  }
  if ((y >= 312 && y < 316) || (y >= 336 && y < 340)) {
    *c = {0.86f, 0.85f, 0.81f};
    return true;
  }
  return false;
}

bool ForegroundGrass(float x, float y, Rgb* c) {
  if (y < 352 || OnPath(x, y)) return false;
  const float shade = 0.85f - 0.15f * Clamp01((y - 352) / 48.0f);
  *c = Scale({0.30f, 0.56f, 0.20f}, shade * GrassTexture(x * 1.3f, y));
  return true;
}

bool Tree(float x, float y, Rgb* c) {
  constexpr float kCx = 459, kCy = 205;
  constexpr float kCrowns[4][3] = {{0, -5, 44}, {-31, 17, 32}, {31, 17, 32}, {0, -37, 30}};
  for (const auto& crown : kCrowns) {
    if (!InCircle(x, y, kCx + crown[0], kCy + crown[1], crown[2])) continue;
    // Lit from the sun, upper right; leaves give a fine irregular texture.
    const float light = 1.0f + 0.25f * ((x - kCx) - (y - kCy)) / 60.0f;
    const float leaves =
        0.85f + 0.15f * std::sin(x * 1.3f + std::sin(y * 0.9f) * 3.0f) * std::sin(y * 1.1f);
    *c = Scale({0.20f, 0.48f, 0.17f}, light * leaves);
    return true;
  }
  if (!InRect(x, y, 452, 230, 466, 330)) return false;
  const bool bark = std::fmod(x + 3.0f * std::sin(y * 0.2f), 4.0f) < 1.0f;
  *c = Scale({0.40f, 0.27f, 0.15f}, bark ? 0.75f : 1.0f);
  return true;
}

// House: brick walls 130..300 x 232..332, roof apex at (215, 160), two windows and a door.
Rgb Bricks(float x, float y) {
  constexpr float kBrickW = 20, kBrickH = 8, kMortar = 1.5f;
  const int row = static_cast<int>((y - kWallTop) / kBrickH);
  const float shifted = x - kWallLeft + static_cast<float>(row % 2) * kBrickW / 2;
  const int column = static_cast<int>(shifted / kBrickW);
  if (std::fmod(y - kWallTop, kBrickH) < kMortar || std::fmod(shifted, kBrickW) < kMortar) {
    return {0.82f, 0.78f, 0.72f};
  }
  return Scale({0.72f, 0.36f, 0.26f}, 0.88f + 0.2f * Hash01(row, column));
}

bool Window(float x, float y, float left, Rgb* c) {
  constexpr float kTop = 250, kSize = 40, kFrame = 3;
  if (!InRect(x, y, left, kTop, left + kSize, kTop + kSize)) return false;
  const float u = x - left, v = y - kTop;
  const bool frame = u < kFrame || v < kFrame || u >= kSize - kFrame || v >= kSize - kFrame ||
                     std::abs(u - kSize / 2) < 1.5f || std::abs(v - kSize / 2) < 1.5f;
  const bool glint = std::abs((u + v) - 22.0f) < 3.0f;
  *c = frame   ? Rgb{0.95f, 0.95f, 0.92f}
       : glint ? Rgb{0.80f, 0.90f, 0.98f}
               : Rgb{0.45f, 0.66f, 0.84f};
  return true;
}

bool Door(float x, float y, Rgb* c) {
  if (!InRect(x, y, kDoorLeft, kDoorTop, kDoorRight, kWallBottom)) return false;
  if (InCircle(x, y, kDoorRight - 6, 308, 2.2f)) {
    *c = {0.92f, 0.76f, 0.30f};
  } else {
    const bool seam = std::fmod(x - kDoorLeft, 7.5f) < 1.0f;
    *c = Scale({0.42f, 0.25f, 0.12f}, seam ? 0.7f : 1.0f);
  }
  return true;
}

// The roof with its shingle rows, and the chimney behind it.
bool Roof(float x, float y, Rgb* c) {
  constexpr float kApexX = 215, kApexY = 160, kEaves = 236, kHalfBase = 97;
  if (y >= kApexY && y < kEaves &&
      std::abs(x - kApexX) <= (y - kApexY) / (kEaves - kApexY) * kHalfBase) {
    const bool shingle_edge = std::fmod(y - kApexY, 6.0f) < 1.0f;
    *c = shingle_edge ? Rgb{0.30f, 0.12f, 0.10f} : Rgb{0.50f, 0.20f, 0.16f};
    return true;
  }
  if (!InRect(x, y, 260, 168, 278, 212)) return false;
  *c = {0.55f, 0.30f, 0.25f};
  return true;
}

bool House(float x, float y, Rgb* c) {
  if (!InRect(x, y, kWallLeft, kWallTop, kWallRight, kWallBottom)) return Roof(x, y, c);
  if (Window(x, y, 148, c) || Window(x, y, 242, c) || Door(x, y, c) || Roof(x, y, c)) return true;
  *c = Bricks(x, y);
  return true;
}

bool Path(float x, float y, Rgb* c) {
  if (!OnPath(x, y)) return false;
  const float pebble = Hash01(static_cast<int>(x / 3), static_cast<int>(y / 3));
  *c = Scale({0.80f, 0.70f, 0.52f}, 0.9f + 0.15f * pebble);
  return true;
}

bool NearHill(float x, float y, Rgb* c) {
  if (y < 238) return false;  // above the highest point of the ridge (268 - 22 - 8)
  const float ridge =
      268.0f - 22.0f * std::sin(x * 0.007f + 2.2f) - 8.0f * std::sin(x * 0.021f + 0.4f);
  if (y < ridge) return false;
  const float depth = 1.0f - 0.25f * Clamp01((y - ridge) / 130.0f);
  *c = Scale({0.36f, 0.64f, 0.25f}, depth * GrassTexture(x, y));
  return true;
}

bool FarHills(float x, float y, Rgb* c) {
  if (y < 188) return false;  // above the highest point of the ridge (228 - 28 - 12)
  const float ridge =
      228.0f - 28.0f * std::sin(x * 0.011f + 0.6f) - 12.0f * std::sin(x * 0.029f + 2.1f);
  if (y < ridge) return false;
  *c = Scale({0.42f, 0.58f, 0.62f}, 1.0f - 0.15f * Clamp01((y - ridge) / 60.0f));
  return true;
}

// A cloud is a few overlapping circles around (cx, cy), shaded darker underneath.
bool Cloud(float x, float y, float cx, float cy, float size, Rgb* c) {
  constexpr float kPuffs[5][3] = {
      {0, 0, 22}, {24, -10, 25}, {50, -2, 21}, {74, 4, 15}, {-22, 5, 14}};
  for (const auto& puff : kPuffs) {
    if (InCircle(x, y, cx + puff[0] * size, cy + puff[1] * size, puff[2] * size)) {
      const float underside = Clamp01((y - cy + 10 * size) / (40 * size));
      *c = Mix({0.98f, 0.98f, 1.0f}, {0.80f, 0.83f, 0.90f}, underside);
      return true;
    }
  }
  return false;
}

Rgb Sky(float x, float y) {
  constexpr float kSunX = 520, kSunY = 78, kSunRadius = 30;
  const Rgb gradient = Mix({0.16f, 0.38f, 0.78f}, {0.72f, 0.86f, 0.96f}, Clamp01(y / 260.0f));
  const float d = std::hypot(x - kSunX, y - kSunY);
  if (d < kSunRadius) return {1.0f, 0.96f, 0.80f};
  const float glow = 0.45f * std::exp(-(d - kSunRadius) / 45.0f);
  return Mix(gradient, {1.0f, 0.90f, 0.62f}, glow);
}

Rgb SceneAt(float x, float y) {
  Rgb c{0, 0, 0};
  if (Fence(x, y, &c) || ForegroundGrass(x, y, &c) || Tree(x, y, &c) || House(x, y, &c) ||
      Path(x, y, &c) || NearHill(x, y, &c) || FarHills(x, y, &c) ||
      Cloud(x, y, 120, 70, 1.0f, &c) || Cloud(x, y, 330, 115, 0.7f, &c)) {
    return c;
  }
  return Sky(x, y);
}

// The landscape drawn at any size: the design's 640 x 400 coordinates stretched over the image.
// Small images average 2 x 2 samples per pixel (antialiasing); large ones have pixels small
// enough without it, and would take seconds longer.
Tensor3 SceneOfSize(int width, int height) {
  constexpr float kDesignWidth = 640.0f, kDesignHeight = 400.0f;
  const int sub = static_cast<long long>(width) * height > 1'000'000 ? 1 : 2;
  const float weight = 1.0f / static_cast<float>(sub * sub);
  const float to_x = kDesignWidth / static_cast<float>(width);
  const float to_y = kDesignHeight / static_cast<float>(height);
  Tensor3 image = Tensor3::Zeros(3, height, width);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      Rgb sum{0, 0, 0};
      for (int sy = 0; sy < sub; ++sy) {
        for (int sx = 0; sx < sub; ++sx) {
          const Rgb s = SceneAt((static_cast<float>(x) + (static_cast<float>(sx) + 0.5f) / static_cast<float>(sub)) * to_x,
                                (static_cast<float>(y) + (static_cast<float>(sy) + 0.5f) / static_cast<float>(sub)) * to_y);
          sum = {sum.r + s.r, sum.g + s.g, sum.b + s.b};
        }
      }
      image.At(0, y, x) = Clamp01(sum.r * weight);
      image.At(1, y, x) = Clamp01(sum.g * weight);
      image.At(2, y, x) = Clamp01(sum.b * weight);
    }
  }
  return image;
}

Tensor3 Scene() { return SceneOfSize(640, 400); }

// ---------------------------------------------------------------------------------------------
// 3. The table

struct SampleDef {
  SampleInfo info;
  Tensor3 (*make)();
};

const SampleDef kSampleDefs[] = {
    {{"scene", "640 x 400 RGB landscape; its grass, fence and bricks alias under stride"}, Scene},
    {{"checkerboard", "256 x 256 RGB black and white checkerboard of 4-pixel squares"},
     Checkerboard},
    {{"zoneplate", "256 x 256 grey zone plate cos(k r^2); aliasing shows as false rings"},
     ZonePlate},
    {{"stripes", "256 x 256 grey stripes of period 2 to 16, vertical on top, horizontal below"},
     Stripes},
    {{"grid5", "5 x 5 one-channel grid of 0..24, row-major, as in the conv-arithmetic figures"},
     [] { return CountingGrid(5, 5); }},
    {{"grid7", "7 x 7 one-channel grid of 0..48, row-major"}, [] { return CountingGrid(7, 7); }},
    {{"onnx7x5", "7 rows x 5 columns one-channel grid of 0..34, as in the ONNX conv node tests"},
     [] { return CountingGrid(7, 5); }},
};

// The table above is the single list of samples; this is its public view.
const std::vector<SampleInfo> kSampleInfos = [] {
  std::vector<SampleInfo> list;
  for (const SampleDef& def : kSampleDefs) list.push_back(def.info);
  return list;
}();

}  // namespace

const std::vector<SampleInfo>& Samples() { return kSampleInfos; }

Tensor3 MakeScene(int width, int height) { return SceneOfSize(width, height); }

Expected<Tensor3> MakeSample(std::string_view name) {
  for (const SampleDef& def : kSampleDefs) {
    if (def.info.name == name) return def.make();
  }
  std::string names;
  for (const SampleDef& def : kSampleDefs) {
    names += (names.empty() ? "" : ", ") + std::string(def.info.name);
  }
  return Error{"there is no sample called '" + std::string(name) + "'; the samples are " + names};
}

}  // namespace stridescope
