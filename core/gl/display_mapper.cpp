#include "display_mapper.h"

#include <bit>
#include <cassert>
#include <cstdint>
#include <string>
#include <utility>

#include <glad/gl.h>

namespace stridescope {

namespace {

constexpr int kGroupSize = 16;  // local_size_x/y in shaders/display_map.comp
constexpr GLuint kMapUnit = 0;      // image unit of the R32F map (binding = 0 in the shader)
constexpr GLuint kDisplayUnit = 1;  // image unit of the RGBA8 picture (binding = 1)
constexpr GLuint kRangeBinding = 0;  // SSBO binding of the min/max keys
// shaders/halve_level.comp (same group size): the level read and the level written.
constexpr GLuint kAboveUnit = 0;
constexpr GLuint kBelowUnit = 1;

// The shader is one file for both passes, so the display rules live in one place; the pass is
// chosen by a #define, which GLSL only accepts after the #version line.
Expected<GlProgram> BuildPass(const std::string& source, bool range_pass) {
  std::string text = source;
  const std::size_t version_end = text.find('\n');
  if (version_end == std::string::npos || text.rfind("#version", 0) != 0) {
    return Error{"shader display_map.comp must start with a #version line"};
  }
  text.insert(version_end + 1, range_pass ? "#define RANGE_PASS 1\n" : "#define RANGE_PASS 0\n");
  return BuildComputeProgram(range_pass ? "display_map.comp (range pass)"
                                        : "display_map.comp (map pass)",
                             text);
}

// Mirror of FromKey in shaders/display_map.comp: the order-preserving key back to its float.
float FromKey(std::uint32_t key) {
  const std::uint32_t bits = (key & 0x80000000u) != 0u ? (key & 0x7fffffffu) : ~key;
  return std::bit_cast<float>(bits);
}

GLuint Groups(int cells) { return static_cast<GLuint>((cells + kGroupSize - 1) / kGroupSize); }

}  // namespace

Expected<std::unique_ptr<DisplayMapper>> DisplayMapper::Create() {
  if (!GLAD_GL_VERSION_4_3) {
    return Error{"OpenGL 4.3 compute shaders are not available on this driver"};
  }
  Expected<std::string> source = ShaderSource("display_map.comp");
  if (!source) return source.error();
  Expected<GlProgram> range_program = BuildPass(*source, true);
  if (!range_program) return range_program.error();
  Expected<GlProgram> map_program = BuildPass(*source, false);
  if (!map_program) return map_program.error();
  Expected<std::string> halve_source = ShaderSource("halve_level.comp");
  if (!halve_source) return halve_source.error();
  Expected<GlProgram> halve_program = BuildComputeProgram("halve_level.comp", *halve_source);
  if (!halve_program) return halve_program.error();

  std::unique_ptr<DisplayMapper> mapper(new DisplayMapper());
  mapper->range_program_ = std::move(*range_program);
  mapper->map_program_ = std::move(*map_program);
  mapper->halve_program_ = std::move(*halve_program);
  GLuint buffer = 0;
  glGenBuffers(1, &buffer);
  mapper->range_ = GlBuffer(buffer);
  glBindBuffer(GL_SHADER_STORAGE_BUFFER, buffer);
  glBufferData(GL_SHADER_STORAGE_BUFFER, 2 * sizeof(std::uint32_t), nullptr, GL_DYNAMIC_DRAW);
  glBindBuffer(GL_SHADER_STORAGE_BUFFER, 0);
  return mapper;
}

std::optional<DisplayRange> DisplayMapper::Map(unsigned int source, int channels, int width,
                                               int height, const MapDisplay& display,
                                               GlTexture* target) {
  assert(source != 0 && channels > 0 && width > 0 && height > 0 && target != nullptr &&
         "DisplayMapper::Map needs a non-empty map and a target");
  if (!target->Allocate(width, height)) return std::nullopt;
  // The layers MapToRgba shows: the same function decides for both engines.
  const ShownChannels shown = ShownChannelsOf(channels, display);
  const bool manual = display.range_mode == RangeMode::Manual;

  // Empty range: the pass-1 atomics can only lower minKey and raise maxKey.
  const std::uint32_t empty_range[2] = {0xffffffffu, 0u};
  glBindBuffer(GL_SHADER_STORAGE_BUFFER, range_.id());
  glBufferSubData(GL_SHADER_STORAGE_BUFFER, 0, sizeof(empty_range), empty_range);
  glBindBufferBase(GL_SHADER_STORAGE_BUFFER, kRangeBinding, range_.id());
  // layered = GL_TRUE: the shader addresses layers itself through image2DArray.
  glBindImageTexture(kMapUnit, source, 0, GL_TRUE, 0, GL_READ_ONLY, GL_R32F);
  glBindImageTexture(kDisplayUnit, target->id(), 0, GL_FALSE, 0, GL_WRITE_ONLY, GL_RGBA8);
  // The engine fences its own stores; this also covers any other writer of `source`.
  glMemoryBarrier(GL_SHADER_IMAGE_ACCESS_BARRIER_BIT);

  // pass 1  in: shown.count,H,W (R32F)  out: 2 keys. A manual range needs no min/max: the keys
  // stay empty and the map pass ignores them.
  if (!manual) {
    glUseProgram(range_program_.id());
    glUniform2i(glGetUniformLocation(range_program_.id(), "uSize"), width, height);
    glUniform1i(glGetUniformLocation(range_program_.id(), "uFirstLayer"), shown.first);
    glUniform1i(glGetUniformLocation(range_program_.id(), "uShownLayers"), shown.count);
    glDispatchCompute(Groups(width), Groups(height), static_cast<GLuint>(shown.count));
    glMemoryBarrier(GL_SHADER_STORAGE_BARRIER_BIT | GL_BUFFER_UPDATE_BARRIER_BIT);
  }

  // pass 2  in: shown.count,H,W (R32F) + 2 keys  out: H,W RGBA8
  const GLuint program = map_program_.id();
  glUseProgram(program);
  glUniform2i(glGetUniformLocation(program, "uSize"), width, height);
  glUniform1i(glGetUniformLocation(program, "uFirstLayer"), shown.first);
  glUniform1i(glGetUniformLocation(program, "uShownLayers"), shown.count);
  glUniform1i(glGetUniformLocation(program, "uColourMap"), display.colour_map == ColourMap::Grey ? 0 : 1);
  glUniform1i(glGetUniformLocation(program, "uRangeMode"), static_cast<GLint>(display.range_mode));
  glUniform2f(glGetUniformLocation(program, "uManual"), display.manual_low, display.manual_high);
  glDispatchCompute(Groups(width), Groups(height), 1);
  MakeSmallerLevels(*target);
  // ImGui samples the picture in this frame's draw calls; a later Upload into the same storage
  // (glTexSubImage2D) or a readback must not overtake the stores either.
  glMemoryBarrier(GL_TEXTURE_FETCH_BARRIER_BIT | GL_TEXTURE_UPDATE_BARRIER_BIT | GL_SHADER_IMAGE_ACCESS_BARRIER_BIT);

  // Leave no image unit pointing at a texture that may be deleted or reallocated later.
  glBindImageTexture(kMapUnit, 0, 0, GL_FALSE, 0, GL_READ_ONLY, GL_R32F);
  glBindImageTexture(kDisplayUnit, 0, 0, GL_FALSE, 0, GL_WRITE_ONLY, GL_RGBA8);
  glUseProgram(0);

  // The legend must print the range the shader used. Reading back the two 4-byte keys is cheap
  // next to the picture the design keeps on the GPU: 8 bytes, once per recompute or display
  // change, not per frame. It waits for the two passes, which the frame's draw waits for anyway.
  std::optional<DisplayRange> finite;
  if (!manual) {
    std::uint32_t keys[2] = {0xffffffffu, 0u};
    glGetBufferSubData(GL_SHADER_STORAGE_BUFFER, 0, sizeof(keys), keys);
    if (keys[0] <= keys[1]) finite = DisplayRange{FromKey(keys[0]), FromKey(keys[1])};
  }
  glBindBuffer(GL_SHADER_STORAGE_BUFFER, 0);
  return ResolveRange(display, finite);
}

void DisplayMapper::MakeSmallerLevels(const GlTexture& picture) {
  glUseProgram(halve_program_.id());
  int width = picture.width();
  int height = picture.height();
  for (GLint level = 1; width > 1 || height > 1; ++level) {
    // Each dispatch reads what the one before wrote.
    glMemoryBarrier(GL_SHADER_IMAGE_ACCESS_BARRIER_BIT);
    width = HalvedSide(width);
    height = HalvedSide(height);
    // As unsigned integers (same texel size as RGBA8, so compatible): the shader averages bytes
    // exactly, with no float round trip.
    glBindImageTexture(kAboveUnit, picture.id(), level - 1, GL_FALSE, 0, GL_READ_ONLY, GL_RGBA8UI);
    glBindImageTexture(kBelowUnit, picture.id(), level, GL_FALSE, 0, GL_WRITE_ONLY, GL_RGBA8UI);
    glDispatchCompute(Groups(width), Groups(height), 1);
  }
}

}  // namespace stridescope
