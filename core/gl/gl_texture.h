// RAII GL texture for display, plus the few frame-level GL calls the window needs. Raw GL stays
// in core/gl (DESIGN.md), so the app never includes a GL header.
// Every function here needs a current GL context whose functions were loaded by LoadGlFunctions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mip_levels.h"

namespace stridescope {

// An RGBA8 2-D texture, sampled nearest when magnified so every input pixel stays a crisp square,
// and from a mipmap chain when shrunk (see Create). Filled from the CPU (Upload) or by a compute
// shader (Allocate, then imageStore into every level: DisplayMapper).
// Owns one GL texture name; non-copyable, movable. Destroy it while its context is current.
class GlTexture {
 public:
  GlTexture() = default;
  ~GlTexture();
  GlTexture(const GlTexture&) = delete;
  GlTexture& operator=(const GlTexture&) = delete;
  GlTexture(GlTexture&& other) noexcept;
  GlTexture& operator=(GlTexture&& other) noexcept;

  // rgba: width * height * 4 bytes, row 0 at the top. smaller: HalvedLevels of it, computed here
  // when null (pass them to keep that work off this thread). Storage is reallocated only when
  // the size changes. Returns false when GL refused (e.g. larger than GL_MAX_TEXTURE_SIZE); the
  // texture is then empty.
  bool Upload(int width, int height, const std::uint8_t* rgba,
              const std::vector<RgbaLevel>* smaller = nullptr);

  // Immutable RGBA8 storage of width x height and its whole mipmap chain, with undefined
  // contents, for a compute shader to fill through glBindImageTexture (GL 4.2+;
  // core/gl/display_mapper.cpp). Storage is kept when the size and kind already match. Returns
  // false when GL refused (e.g. larger than GL_MAX_TEXTURE_SIZE); the texture is then empty.
  // Upload may follow on the same object.
  bool Allocate(int width, int height);

  unsigned int id() const { return id_; }  // GL name, 0 when empty; ImGui::Image takes it as ImTextureID
  int width() const { return width_; }
  int height() const { return height_; }
  bool empty() const { return id_ == 0; }

 private:
  void Release();
  // After an upload or allocation: keep the new size when GL accepted it, else empty the texture.
  bool Settle(bool ok, int width, int height);
  // Generates a fresh name bound to GL_TEXTURE_2D with the display sampling parameters.
  void Create();

  unsigned int id_ = 0;
  int width_ = 0;
  int height_ = 0;
  // Storage made by Allocate (glTexStorage2D): its size can never change, so a resize needs a
  // new texture name rather than glTexImage2D.
  bool immutable_ = false;
};

// A width x height RGBA8 framebuffer object with no window behind it, drawn into instead of the
// default framebuffer: the UI benchmark's frames without a display (--headless). Owns its GL
// names; non-copyable. Destroy it while its context is current.
class OffscreenFramebuffer {
 public:
  // Creates and binds it for drawing and reading. Empty (ok() false) when GL refused the size.
  OffscreenFramebuffer(int width, int height);
  ~OffscreenFramebuffer();
  OffscreenFramebuffer(const OffscreenFramebuffer&) = delete;
  OffscreenFramebuffer& operator=(const OffscreenFramebuffer&) = delete;

  bool ok() const { return complete_; }
  int width() const { return width_; }
  int height() const { return height_; }

 private:
  unsigned int framebuffer_ = 0;
  unsigned int colour_ = 0;  // the renderbuffer it draws into
  int width_ = 0;
  int height_ = 0;
  bool complete_ = false;
};

// The signature of glfwGetProcAddress (and of glad's loader callback).
using GlProc = void (*)();
using GlProcLoader = GlProc (*)(const char* name);

// Loads the GL entry points for the current context. Returns the context version as
// major * 10 + minor (43 for 4.3), or 0 when loading failed.
int LoadGlFunctions(GlProcLoader loader);

// Clears the bound framebuffer (width x height pixels) to an opaque colour.
void ClearFramebuffer(int width, int height, float red, float green, float blue);

// The current context's GL_RENDERER, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"; empty if GL has none.
std::string CurrentGlRenderer();

// Waits until the GPU has finished every command issued so far (glFinish): for timing frames.
void FinishGl();

// The current read buffer (the back buffer before swap) as RGBA8, row 0 at the top, alpha 255:
// width * height * 4 bytes, ready for SaveRgbaPng.
std::vector<std::uint8_t> ReadFramebufferRgba(int width, int height);

}  // namespace stridescope
