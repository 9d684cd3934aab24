#include "gl_context.h"

#include <cstdio>

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <glad/gl.h>

#include "gl_texture.h"

namespace stridescope {

namespace {

// Read right after the failing call: any later EGL call resets the error.
std::string EglErrorText() {
  const EGLint error = eglGetError();
  if (error == EGL_SUCCESS) return "no EGL device was found";
  char code[16];
  std::snprintf(code, sizeof code, "0x%04X", static_cast<unsigned>(error));
  return std::string("EGL error ") + code;
}

// Surfaceless first: Mesa (llvmpipe or a GPU driver) needs no device for it. NVIDIA's driver has
// no surfaceless platform, so then the first device that initialises.
EGLDisplay OpenDisplay() {
  const auto get_platform_display =
      reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(eglGetProcAddress("eglGetPlatformDisplayEXT"));
  if (get_platform_display == nullptr) return EGL_NO_DISPLAY;
  EGLint major = 0, minor = 0;
  EGLDisplay display = get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
  if (display != EGL_NO_DISPLAY && eglInitialize(display, &major, &minor)) return display;

  const auto query_devices =
      reinterpret_cast<PFNEGLQUERYDEVICESEXTPROC>(eglGetProcAddress("eglQueryDevicesEXT"));
  if (query_devices == nullptr) return EGL_NO_DISPLAY;
  EGLDeviceEXT devices[8];
  EGLint count = 0;
  if (!query_devices(8, devices, &count)) return EGL_NO_DISPLAY;
  for (EGLint i = 0; i < count; ++i) {
    display = get_platform_display(EGL_PLATFORM_DEVICE_EXT, devices[i], nullptr);
    if (display != EGL_NO_DISPLAY && eglInitialize(display, &major, &minor)) return display;
  }
  return EGL_NO_DISPLAY;
}

GLADapiproc LoadEglProc(const char* name) { return reinterpret_cast<GLADapiproc>(eglGetProcAddress(name)); }

}  // namespace

Expected<std::unique_ptr<HeadlessGlContext>> HeadlessGlContext::Create() {
  std::unique_ptr<HeadlessGlContext> context(new HeadlessGlContext());
  EGLDisplay display = OpenDisplay();
  if (display == EGL_NO_DISPLAY)
    return Error{"no EGL display without a window (" + EglErrorText() +
                 "); install Mesa's EGL (libegl-mesa0) or a GPU driver, or use --engine cpu"};
  context->display_ = display;
  if (!eglBindAPI(EGL_OPENGL_API)) return Error{"EGL cannot bind desktop OpenGL (" + EglErrorText() + "); use --engine cpu"};
  const EGLint attributes[] = {EGL_CONTEXT_MAJOR_VERSION, 4, EGL_CONTEXT_MINOR_VERSION, 3,
                               EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT, EGL_NONE};
  // No config and no surface: the context only runs compute shaders into textures.
  EGLContext gl = eglCreateContext(display, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT, attributes);
  if (gl == EGL_NO_CONTEXT)
    return Error{"no OpenGL 4.3 core context through EGL (" + EglErrorText() + "); use --engine cpu"};
  context->context_ = gl;
  if (!eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, gl))
    return Error{"the EGL context cannot be made current (" + EglErrorText() + "); use --engine cpu"};
  if (gladLoadGL(LoadEglProc) == 0) return Error{"the OpenGL functions could not be loaded; use --engine cpu"};
  context->renderer_ = CurrentGlRenderer();
  if (context->renderer_.empty()) context->renderer_ = "unknown renderer";
  return context;
}

HeadlessGlContext::~HeadlessGlContext() {
  if (display_ == nullptr) return;
  eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
  if (context_ != nullptr) eglDestroyContext(display_, context_);
  eglTerminate(display_);
}

}  // namespace stridescope
