// The smaller copies of a display picture that a mipmapped texture samples when it is drawn
// shrunk. Computed on the CPU so the CPU worker can make them off the UI thread: on a software
// renderer (llvmpipe) glGenerateMipmap took 9-24 ms per 1920x1080 map on the UI thread.
#pragma once

#include <cstdint>
#include <vector>

namespace stridescope {

// One level of a picture's chain: RGBA8, row 0 at the top.
struct RgbaLevel {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgba;
};

// The side of the level below one of `side` texels, as OpenGL sizes a mipmap chain:
// max(1, floor(side / 2)). The one rule for HalvedLevels, GlTexture and the GPU mapper.
constexpr int HalvedSide(int side) { return side / 2 > 1 ? side / 2 : 1; }

// Levels in the whole chain of a width x height picture, itself included, down to 1x1.
constexpr int MipLevelCount(int width, int height) {
  int levels = 1;
  for (; width > 1 || height > 1; ++levels) {
    width = HalvedSide(width);
    height = HalvedSide(height);
  }
  return levels;
}

// Levels 1, 2, ... below a width x height RGBA8 picture, down to 1x1, sized as OpenGL sizes a
// mipmap chain: each HalvedSide of the one above. Texel (x, y) is the rounded
// mean of texels 2x..2x+1, 2y..2y+1 above (the last row or column repeated where a side of 1
// stays 1; an odd side's last line is left out, as the halved size drops it). Empty for 1x1.
std::vector<RgbaLevel> HalvedLevels(const std::uint8_t* rgba, int width, int height);

}  // namespace stridescope
