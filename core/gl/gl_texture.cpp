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

// Whether `smaller` holds the levels below a width x height picture as HalvedLevels sizes them.
bool IsHalvingChain(const std::vector<RgbaLevel>& smaller, int width, int height) {
  if (static_cast<int>(smaller.size()) + 1 != MipLevelCount(width, height)) return false;
  for (const RgbaLevel& level : smaller) {
    width = HalvedSide(width);
    height = HalvedSide(height);
    if (level.width != width || level.height != height ||
        level.rgba.size() != static_cast<std::size_t>(width) * height * 4)
      return false;
  }
  return true;
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
  // Minified (large photos): from the mipmap level nearest the zoom, filtered, so a shrunk image
  // does not show aliasing patterns that are not in the data and could be mistaken for an effect
  // of the stride. Plain GL_LINEAR, without levels, did: a 2400x2400 zone plate at 1/7.6 showed a
  // lattice of false rings. Sampling a level near the screen's size is also cheaper on a software
  // renderer than sampling the whole picture: in 4 interleaved pairs of --benchmark-ui runs at 4K
  // on llvmpipe, frame p50 0.80-0.94x and p99 0.77-0.86x of GL_LINEAR's. Trilinear
  // (GL_LINEAR_MIPMAP_LINEAR) measured no faster than GL_LINEAR and looked the same at fit zoom.
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR_MIPMAP_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
}

bool GlTexture::Upload(int width, int height, const std::uint8_t* rgba,
                       const std::vector<RgbaLevel>* smaller) {
  assert(width > 0 && height > 0 && rgba != nullptr && "GlTexture::Upload needs pixels");
  if (!FitsTextureLimit(width, height)) {
    Release();
    return false;
  }
  std::vector<RgbaLevel> computed;
  if (smaller == nullptr) {
    computed = HalvedLevels(rgba, width, height);
    smaller = &computed;
  }
  // Another chain would leave the texture incomplete, which samples as black.
  if (!IsHalvingChain(*smaller, width, height)) {
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
  for (std::size_t level = 0; level <= smaller->size(); ++level) {
    const RgbaLevel* below = level > 0 ? &(*smaller)[level - 1] : nullptr;
    const int w = below ? below->width : width, h = below ? below->height : height;
    const std::uint8_t* pixels = below ? below->rgba.data() : rgba;
    const GLint gl_level = static_cast<GLint>(level);
    if (reallocate) {
      glTexImage2D(GL_TEXTURE_2D, gl_level, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
    } else {
      glTexSubImage2D(GL_TEXTURE_2D, gl_level, 0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
    }
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
  // Immutable storage is what glBindImageTexture is specified for, and it is always complete.
  glTexStorage2D(GL_TEXTURE_2D, MipLevelCount(width, height), GL_RGBA8, width, height);
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

OffscreenFramebuffer::OffscreenFramebuffer(int width, int height) : width_(width), height_(height) {
  glGenRenderbuffers(1, &colour_);
  glBindRenderbuffer(GL_RENDERBUFFER, colour_);
  glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, width, height);
  glGenFramebuffers(1, &framebuffer_);
  glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
  glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, colour_);
  complete_ = glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE;
}

OffscreenFramebuffer::~OffscreenFramebuffer() {
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glDeleteFramebuffers(1, &framebuffer_);
  glDeleteRenderbuffers(1, &colour_);
}

std::string CurrentGlRenderer() {
  const auto* renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
  return renderer != nullptr ? renderer : "";
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
