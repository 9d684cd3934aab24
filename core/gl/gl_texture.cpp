#include "gl_texture.h"

#include <glad/gl.h>

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <utility>

namespace stridescope {

namespace {

bool FitsTextureLimit(int width, int height) {
  GLint max_size = 0;
  glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max_size);
  return width <= max_size && height <= max_size;
}

// The binding to restore after deleting `deleted`: not the deleted name itself, which the core
// profile refuses to bind (and which may come back from glGenTextures as another texture).
GLint Unless(GLint previous_binding, GLuint deleted) {
  return previous_binding == static_cast<GLint>(deleted) ? 0 : previous_binding;
}

}  // namespace

GlTexture::~GlTexture() { Release(); }

GlTexture::GlTexture(GlTexture&& other) noexcept
    : id_(std::exchange(other.id_, 0u)),
      width_(std::exchange(other.width_, 0)),
      height_(std::exchange(other.height_, 0)),
      immutable_(std::exchange(other.immutable_, false)) {}

GlTexture& GlTexture::operator=(GlTexture&& other) noexcept {
  if (this != &other) {
    Release();
    id_ = std::exchange(other.id_, 0u);
    width_ = std::exchange(other.width_, 0);
    height_ = std::exchange(other.height_, 0);
    immutable_ = std::exchange(other.immutable_, false);
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
  immutable_ = false;
}

void GlTexture::Create() {
  glGenTextures(1, &id_);
  glBindTexture(GL_TEXTURE_2D, id_);
  // Magnified: nearest keeps each pixel a sharp square, which is the point of the picture.
  // Minified (large photos): linear, so a shrunk image does not show aliasing patterns that
  // are not in the data and could be mistaken for an effect of the stride.
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
}

bool GlTexture::Upload(int width, int height, const std::uint8_t* rgba) {
  assert(width > 0 && height > 0 && rgba != nullptr && "GlTexture::Upload needs pixels");
  if (!FitsTextureLimit(width, height)) {
    Release();
    return false;
  }

  // Leave the caller's bindings as they were: ImGui's renderer restores its own, nobody else's.
  GLint previous_binding = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous_binding);
  GLint previous_alignment = 0;
  glGetIntegerv(GL_UNPACK_ALIGNMENT, &previous_alignment);

  const bool reallocate = id_ == 0 || width != width_ || height != height_;
  // Storage from Allocate cannot be resized: glTexImage2D would fail on it.
  if (reallocate && immutable_) {
    previous_binding = Unless(previous_binding, id_);
    Release();
  }
  if (id_ == 0) {
    Create();
  } else {
    glBindTexture(GL_TEXTURE_2D, id_);
  }
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  while (glGetError() != GL_NO_ERROR) {
    // Drop errors raised by earlier, unrelated calls so the check below is about this upload.
  }
  if (reallocate) {
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
  } else {
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
  }
  const bool ok = glGetError() == GL_NO_ERROR;

  glPixelStorei(GL_UNPACK_ALIGNMENT, previous_alignment);
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous_binding));
  return Settle(ok, width, height);
}

bool GlTexture::Allocate(int width, int height) {
  assert(width > 0 && height > 0 && "GlTexture::Allocate needs a non-empty size");
  if (id_ != 0 && immutable_ && width == width_ && height == height_) return true;
  if (!FitsTextureLimit(width, height)) {
    Release();
    return false;
  }

  GLint previous_binding = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous_binding);
  // Immutable storage is fixed at creation, so a new size (or mutable storage from Upload)
  // needs a new name.
  previous_binding = Unless(previous_binding, id_);
  Release();
  Create();
  while (glGetError() != GL_NO_ERROR) {
    // As in Upload: only this allocation's errors count.
  }
  // One level: the picture is minified with GL_LINEAR, never mipmapped. Immutable storage is
  // what glBindImageTexture is specified for, and it is always complete.
  glTexStorage2D(GL_TEXTURE_2D, 1, GL_RGBA8, width, height);
  const bool ok = glGetError() == GL_NO_ERROR;
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous_binding));
  immutable_ = ok;
  return Settle(ok, width, height);
}

bool GlTexture::Settle(bool ok, int width, int height) {
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

void FinishGl() { glFinish(); }

}  // namespace stridescope
