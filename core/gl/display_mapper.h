// Turns the GPU engine's feature map (R32F GL_TEXTURE_2D_ARRAY, one layer per channel) into the
// RGBA8 picture the window shows, on the GPU and without a readback (shaders/display_map.comp).
// Same rules and bytes as the CPU path's MapToRgba (core/colour_map.h), so both engines show the
// same picture for every MapDisplay: colour map, range mode and shown channel; and the same
// smaller levels as HalvedLevels (core/mip_levels.h), for drawing it shrunk.
#pragma once

#include <memory>
#include <optional>

#include "colour_map.h"

#include "expected.h"
#include "gl_objects.h"
#include "gl_texture.h"

namespace stridescope {

class DisplayMapper {
 public:
  // Needs a current GL 4.3 context. The Error carries the shader's info log when it failed.
  static Expected<std::unique_ptr<DisplayMapper>> Create();

  // source: the GL name of an R32F 2-D array texture, width x height, at least `channels` layers,
  // whose writes are complete or fenced by glMemoryBarrier (GpuEngine::Dispatch does that).
  // Writes width x height RGBA8 into *target, and its smaller levels, reallocating its storage
  // only when the size changes; row 0 of the map is row 0 (the top) of the picture. Returns the
  // range the picture spans (ResolveRange of the shown channels' finite min..max), for a legend;
  // nullopt when GL refused the size (larger than GL_MAX_TEXTURE_SIZE), and *target is then empty.
  std::optional<DisplayRange> Map(unsigned int source, int channels, int width, int height,
                                  const MapDisplay& display, GlTexture* target);

 private:
  DisplayMapper() = default;
  // Levels 1.. of picture from its level 0, which a compute shader has just written
  // (shaders/halve_level.comp, one dispatch per level).
  void MakeSmallerLevels(const GlTexture& picture);

  GlProgram range_program_;  // pass 1: finite min/max into range_
  GlProgram map_program_;    // pass 2: RGBA8 with imageStore
  GlProgram halve_program_;  // then each smaller level from the one above
  GlBuffer range_;           // two uints: order-preserving keys of min and max
};

}  // namespace stridescope
