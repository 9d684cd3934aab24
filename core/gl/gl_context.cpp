#include "gl_context.h"

#include <cstdio>
#include <cstring>

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

// Whether an EGL device is Mesa's software one (llvmpipe), by its extension string.
bool SoftwareDevice(EGLDeviceEXT device) {
  const auto query_string =
      reinterpret_cast<PFNEGLQUERYDEVICESTRINGEXTPROC>(eglGetProcAddress("eglQueryDeviceStringEXT"));
  const char* extensions = query_string != nullptr ? query_string(device, EGL_EXTENSIONS) : nullptr;
  return extensions != nullptr && std::strstr(extensions, "EGL_MESA_device_software") != nullptr;
}

// A hardware device first: where Mesa is installed beside a GPU's own driver (NVIDIA's has no
// surfaceless platform), Mesa's surfaceless display would otherwise win and the GPU engine would
// run on llvmpipe. Then Mesa's surfaceless platform (llvmpipe, or a GPU Mesa drives), then any
// device that initialises (Mesa's software device).
EGLDisplay OpenDisplay() {
  const auto get_platform_display =
      reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(eglGetProcAddress("eglGetPlatformDisplayEXT"));
  if (get_platform_display == nullptr) return EGL_NO_DISPLAY;
  EGLint major = 0, minor = 0;
  const auto open = [&](EGLenum platform, void* native) {
    EGLDisplay display = get_platform_display(platform, native, nullptr);
    return display != EGL_NO_DISPLAY && eglInitialize(display, &major, &minor) ? display : EGL_NO_DISPLAY;
  };
  const auto query_devices =
      reinterpret_cast<PFNEGLQUERYDEVICESEXTPROC>(eglGetProcAddress("eglQueryDevicesEXT"));
  EGLDeviceEXT devices[8];
  EGLint count = 0;
  if (query_devices == nullptr || !query_devices(8, devices, &count)) count = 0;
  for (EGLint i = 0; i < count; ++i)
    if (!SoftwareDevice(devices[i]))
      if (EGLDisplay display = open(EGL_PLATFORM_DEVICE_EXT, devices[i]); display != EGL_NO_DISPLAY) return display;
  if (EGLDisplay display = open(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY); display != EGL_NO_DISPLAY)
    return display;
  for (EGLint i = 0; i < count; ++i)
    if (EGLDisplay display = open(EGL_PLATFORM_DEVICE_EXT, devices[i]); display != EGL_NO_DISPLAY) return display;
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
