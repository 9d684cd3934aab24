// A GL 4.3 core context with no window and no display, through EGL: a hardware device's platform
// (NVIDIA, or a GPU Mesa drives) where there is one, else Mesa's surfaceless platform (llvmpipe).
// For the CLI, the benchmarks (--benchmark-ui --headless too) and the tests; the window makes its
// own context with GLFW.
#pragma once

#include <memory>
#include <string>

#include "expected.h"

namespace stridescope {

class HeadlessGlContext {
 public:
  // Creates the context, makes it current on this thread and loads the GL functions.
  // The Error says which step failed and what to install or try instead.
  static Expected<std::unique_ptr<HeadlessGlContext>> Create();
  ~HeadlessGlContext();
  HeadlessGlContext(const HeadlessGlContext&) = delete;
  HeadlessGlContext& operator=(const HeadlessGlContext&) = delete;

  const std::string& renderer() const { return renderer_; }  // GL_RENDERER, e.g. "llvmpipe (...)"

 private:
  HeadlessGlContext() = default;
  void* display_ = nullptr;  // EGLDisplay
  void* context_ = nullptr;  // EGLContext
  std::string renderer_;
};

}  // namespace stridescope
