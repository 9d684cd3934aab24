// HalvedLevels: the chain a display texture samples when drawn shrunk.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "mip_levels.h"

using namespace stridescope;

namespace {

std::vector<std::uint8_t> RandomPicture(std::mt19937& rng, int width, int height) {
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<std::uint8_t> rgba(static_cast<std::size_t>(width) * height * 4);
  for (std::uint8_t& b : rgba) b = static_cast<std::uint8_t>(byte(rng));
  return rgba;
}

// Texel (x, y), channel c of a width-wide RGBA8 picture.
int At(const std::vector<std::uint8_t>& rgba, int width, int x, int y, int c) {
  return rgba[(static_cast<std::size_t>(y) * width + x) * 4 + c];
}

}  // namespace

TEST_CASE("mip levels: sizes halve (floor, at least 1) down to 1x1, as OpenGL sizes a chain") {
  struct Case {
    int width, height;
    std::vector<std::pair<int, int>> sizes;
  };
  const Case cases[] = {
      {1, 1, {}},
      {2, 2, {{1, 1}}},
      {5, 3, {{2, 1}, {1, 1}}},
      {1, 4, {{1, 2}, {1, 1}}},
      {7, 1, {{3, 1}, {1, 1}}},
      {1199, 674, {{599, 337}, {299, 168}, {149, 84}, {74, 42}, {37, 21}, {18, 10}, {9, 5}, {4, 2}, {2, 1}, {1, 1}}},
  };
  for (const Case& c : cases) {
    INFO(c.width << "x" << c.height);
    const std::vector<std::uint8_t> rgba(static_cast<std::size_t>(c.width) * c.height * 4, 7);
    const std::vector<RgbaLevel> levels = HalvedLevels(rgba.data(), c.width, c.height);
    REQUIRE(levels.size() == c.sizes.size());
    CHECK(MipLevelCount(c.width, c.height) == static_cast<int>(levels.size()) + 1);
    for (std::size_t i = 0; i < levels.size(); ++i) {
      CHECK(levels[i].width == c.sizes[i].first);
      CHECK(levels[i].height == c.sizes[i].second);
      CHECK(levels[i].rgba.size() == static_cast<std::size_t>(levels[i].width) * levels[i].height * 4);
    }
  }
}

TEST_CASE("mip levels: a 2x2 halves to its rounded mean, half up") {
  // R: 0,1,1,1 -> 0.75 -> 1;  G: 0,0,1,1 -> 0.5 -> 1;  B: 0,0,0,1 -> 0.25 -> 0;  A: 255 x 4.
  const std::vector<std::uint8_t> rgba = {0, 0, 0, 255, 1, 0, 0, 255, 1, 1, 0, 255, 1, 1, 1, 255};
  const std::vector<RgbaLevel> levels = HalvedLevels(rgba.data(), 2, 2);
  REQUIRE(levels.size() == 1);
  CHECK(levels[0].rgba == std::vector<std::uint8_t>{1, 1, 0, 255});
}

TEST_CASE("mip levels: a pattern finer than the level shows as its mean, not as a false pattern") {
  // One-pixel black and white checks: every texel of every level is mid-grey, where sampling
  // the full picture shrunk shows stripes or checks that are not in the data.
  const int side = 64;
  std::vector<std::uint8_t> rgba(static_cast<std::size_t>(side) * side * 4, 255);
  for (int y = 0; y < side; ++y)
    for (int x = 0; x < side; ++x)
      for (int c = 0; c < 3; ++c)
        rgba[(static_cast<std::size_t>(y) * side + x) * 4 + c] = (x + y) % 2 == 0 ? 0 : 255;
  for (const RgbaLevel& level : HalvedLevels(rgba.data(), side, side))
    for (std::size_t i = 0; i < level.rgba.size(); ++i) CHECK(int(level.rgba[i]) == (i % 4 == 3 ? 255 : 128));
}

TEST_CASE("mip levels: every texel is the mean of its 2x2 above, on random pictures of odd and even sides") {
  std::mt19937 rng(4242u);
  std::uniform_int_distribution<int> side(1, 41);
  int texels = 0;
  for (int trial = 0; trial < 60; ++trial) {
    int width = side(rng), height = side(rng);
    std::vector<std::uint8_t> above = RandomPicture(rng, width, height);
    INFO(width << "x" << height);
    for (const RgbaLevel& level : HalvedLevels(above.data(), width, height)) {
      for (int y = 0; y < level.height; ++y)
        for (int x = 0; x < level.width; ++x)
          for (int c = 0; c < 4; ++c) {
            // The 2x2 above; where a side of 1 stays 1 its line counts twice.
            const int x1 = width > 1 ? 2 * x + 1 : 0, y1 = height > 1 ? 2 * y + 1 : 0;
            const double mean = (At(above, width, 2 * x, 2 * y, c) + At(above, width, x1, 2 * y, c) +
                                 At(above, width, 2 * x, y1, c) + At(above, width, x1, y1, c)) /
                                4.0;
            CHECK(At(level.rgba, level.width, x, y, c) == static_cast<int>(std::floor(mean + 0.5)));
            ++texels;
          }
      above = level.rgba;
      width = level.width;
      height = level.height;
    }
  }
  CHECK(texels > 10000);
}
