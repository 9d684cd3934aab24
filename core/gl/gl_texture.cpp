#include "gl_texture.h"

#include <glad/gl.h>

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <utility>

namespace stridescope {

GlTexture::~GlTexture() { Release(); }

GlTexture::GlTexture(GlTexture&& other) noexcept
    : id_(std::exchange(other.id_, 0u)),
      width_(std::exchange(other.width_, 0)),
      height_(std::exchange(other.height_, 0)) {}

GlTexture& GlTexture::operator=(GlTexture&& other) noexcept {
  if (this != &other) {
    Release();
    id_ = std::exchange(other.id_, 0u);
    width_ = std::exchange(other.width_, 0);
    height_ = std::exchange(other.height_, 0);
  }
  return *this;
}

void GlTexture::Release() {
  if (id_ != 0) {
    glDeleteTextures(1, &id_);
  }
  id_ = 0;
  width_ = 0;
  height_ = 0;
}

bool GlTexture::Upload(int width, int height, const std::uint8_t* rgba) {
  assert(width > 0 && height > 0 && rgba != nullptr && "GlTexture::Upload needs pixels");
  GLint max_size = 0;
  glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max_size);
  if (width > max_size || height > max_size) {
    Release();
    return false;
  }

  // Leave the caller's bindings as they were: ImGui's renderer restores its own, nobody else's.
  GLint previous_binding = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous_binding);
  GLint previous_alignment = 0;
  glGetIntegerv(GL_UNPACK_ALIGNMENT, &previous_alignment);

  const bool reallocate = id_ == 0 || width != width_ || height != height_;
  if (id_ == 0) {
    glGenTextures(1, &id_);
  }
  glBindTexture(GL_TEXTURE_2D, id_);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  while (glGetError() != GL_NO_ERROR) {
    // Drop errors raised by earlier, unrelated calls so the check below is about this upload.
  }
  if (reallocate) {
    // Magnified: nearest keeps each pixel a sharp square, which is the point of the picture.
    // Minified (large photos): linear, so a shrunk image does not show aliasing patterns that
    // are not in the data and could be mistaken for an effect of the stride.
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
  } else {
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
  }
  const bool ok = glGetError() == GL_NO_ERROR;

  glPixelStorei(GL_UNPACK_ALIGNMENT, previous_alignment);
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous_binding));
  if (!ok) {
    Release();
    return false;
  }
  width_ = width;
  height_ = height;
  return true;
}

int LoadGlFunctions(GlProcLoader loader) {
  const int version = gladLoadGL(loader);
  return GLAD_VERSION_MAJOR(version) * 10 + GLAD_VERSION_MINOR(version);
}

void ClearFramebuffer(int width, int height, float red, float green, float blue) {
  glViewport(0, 0, width, height);
  glClearColor(red, green, blue, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
}

std::vector<std::uint8_t> ReadFramebufferRgba(int width, int height) {
  assert(width > 0 && height > 0 && "ReadFramebufferRgba needs a non-empty framebuffer");
  const std::size_t row_bytes = static_cast<std::size_t>(width) * 4;
  std::vector<std::uint8_t> pixels(row_bytes * static_cast<std::size_t>(height));
  GLint previous_alignment = 0;
  glGetIntegerv(GL_PACK_ALIGNMENT, &previous_alignment);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  glPixelStorei(GL_PACK_ALIGNMENT, previous_alignment);

  // GL's row 0 is the bottom; image files start at the top.
  for (int top = 0, bottom = height - 1; top < bottom; ++top, --bottom) {
    std::swap_ranges(pixels.begin() + static_cast<std::ptrdiff_t>(top * row_bytes),
                     pixels.begin() + static_cast<std::ptrdiff_t>((top + 1) * row_bytes),
                     pixels.begin() + static_cast<std::ptrdiff_t>(bottom * row_bytes));
  }
  // Blending leaves partial alpha in the framebuffer; a screenshot is what the user saw: opaque.
  for (std::size_t i = 3; i < pixels.size(); i += 4) {
    pixels[i] = 255;
  }
  return pixels;
}

}  // namespace stridescope
