// The window: setup -> loop -> shutdown, as in Dear ImGui's GLFW + OpenGL 3 example.
// Sections: messages and environment | window and ImGui set-up (RAII) | layout | loop | RunGui.
#include "gui/gui_main.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#define GLFW_INCLUDE_NONE  // GL comes through core/gl only
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include "cli/exit_codes.h"
#include "gl_texture.h"
#include "gui/app_state.h"
#include "gui/shortcuts.h"
#include "gui/main_window.h"
#include "gui/settings.h"
#include "gui/theme.h"
#include "gui/ui_session.h"
#include "gui/window_input.h"
#include "io.h"
#include "samples.h"

namespace stridescope {

namespace {



// Asleep, the window still wakes now and then for ImGui's own timers: often while a text field
// shows a blinking caret, rarely otherwise (the ini autosave). A frame on a software renderer
// costs tens of milliseconds, so idle wake-ups are kept few.
constexpr double kCaretWaitSeconds = 0.5;
constexpr double kIdleWaitSeconds = 5.0;
// ImGui settles some layouts (popups, auto-sized items) a frame or two after the event.
constexpr int kFramesAfterInput = 3;

// ---- messages and environment -------------------------------------------------------------

void PrintNoDisplay(const std::string& reason) {
  std::cerr << "stridescope: no display found (" << reason
            << "). Run it from a desktop session, under xvfb-run, or use `stridescope conv ...` "
               "for headless work.\n";
}

void PrintNoOpenGl(const std::string& reason) {
  std::cerr << "stridescope: could not open an OpenGL 3.3 window (" << reason
            << "). Update the graphics driver, or use `stridescope conv ...` for headless work.\n";
}

std::string LastGlfwError() {
  const char* description = nullptr;
  glfwGetError(&description);
  return description != nullptr ? description : "no reason given";
}

bool EnvironmentSet(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0';
}

// imgui.ini beside the settings; empty (ImGui's ini off) when there is no config folder.
std::string ImGuiIniPath() {
  const std::string folder = ConfigFolder();
  return folder.empty() ? std::string() : (std::filesystem::path(folder) / "imgui.ini").string();
}

// ---- window and ImGui set-up (RAII) -------------------------------------------------------

struct GlfwTerminator {
  GlfwTerminator() = default;
  GlfwTerminator(const GlfwTerminator&) = delete;
  GlfwTerminator& operator=(const GlfwTerminator&) = delete;
  ~GlfwTerminator() { glfwTerminate(); }
};

struct WindowDeleter {
  void operator()(GLFWwindow* window) const { glfwDestroyWindow(window); }
};
using WindowPtr = std::unique_ptr<GLFWwindow, WindowDeleter>;

WindowPtr CreateWindowWithContext(int major, int minor) {
  glfwDefaultWindowHints();
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, major);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, minor);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  return WindowPtr(glfwCreateWindow(kWindowWidth, kWindowHeight, "stridescope", nullptr, nullptr));
}

// OpenGL 4.3 core for the compute shaders; 3.3 core still shows everything.
WindowPtr CreateMainWindow() {
  if (WindowPtr window = CreateWindowWithContext(4, 3)) return window;
  const std::string why = LastGlfwError();
  WindowPtr window = CreateWindowWithContext(3, 3);
  if (window) {
    std::cerr << "stridescope: OpenGL 4.3 is not available (" << why
              << "); using OpenGL 3.3: the display works, GPU compute shaders will be "
                 "unavailable.\n";
  }
  return window;
}

float ContentScale(GLFWwindow* window) {
  float x_scale = 1.0f;
  float y_scale = 1.0f;
  glfwGetWindowContentScale(window, &x_scale, &y_scale);
  // STRIDESCOPE_UI_SCALE overrides what the desktop reports: for a desktop that reports 1 on a
  // HiDPI screen, and to look at a HiDPI layout (fonts, padding, panel widths) on any screen.
  if (const char* forced = std::getenv("STRIDESCOPE_UI_SCALE"); forced != nullptr && *forced != '\0') {
    const float scale = std::strtof(forced, nullptr);
    if (scale > 0.0f) x_scale = y_scale = scale;
  }
  // Guards against drivers that report nonsense; the range covers real monitors.
  return std::clamp(std::max(x_scale, y_scale), 0.5f, 4.0f);
}

// X11 sizes windows in device pixels: on a HiDPI screen (scale 2) a 1600 x 900 window would be
// as cramped as 800 x 450 on a normal one. Grow it by the scale, within the monitor's work area.
void FitWindowToScale(GLFWwindow* window, float scale) {
  if (scale <= 1.0f) return;
  int width = static_cast<int>(static_cast<float>(kWindowWidth) * scale);
  int height = static_cast<int>(static_cast<float>(kWindowHeight) * scale);
  if (GLFWmonitor* monitor = glfwGetPrimaryMonitor()) {
    int x = 0, y = 0, area_width = 0, area_height = 0;
    glfwGetMonitorWorkarea(monitor, &x, &y, &area_width, &area_height);
    if (area_width > 0 && area_height > 0) {
      width = std::min(width, area_width);
      height = std::min(height, area_height);
    }
  }
  glfwSetWindowSize(window, width, height);
}

// Whether anything happened that needs a redraw; the window's user pointer points at it.
struct Activity {
  int frames_to_draw = kFramesAfterInput;
  std::vector<std::string> dropped_files;  // from drag-and-drop, opened by the loop
};

void NoteActivity(GLFWwindow* window) {
  if (auto* activity = static_cast<Activity*>(glfwGetWindowUserPointer(window))) {
    activity->frames_to_draw = kFramesAfterInput;
  }
}

// Installed before ImGui's backend, which calls them after its own (it chains user callbacks).
void InstallActivityCallbacks(GLFWwindow* window, Activity* activity) {
  glfwSetWindowUserPointer(window, activity);
  glfwSetCursorPosCallback(window, [](GLFWwindow* w, double, double) { NoteActivity(w); });
  glfwSetCursorEnterCallback(window, [](GLFWwindow* w, int) { NoteActivity(w); });
  glfwSetMouseButtonCallback(window, [](GLFWwindow* w, int, int, int) { NoteActivity(w); });
  glfwSetScrollCallback(window, [](GLFWwindow* w, double, double) { NoteActivity(w); });
  glfwSetKeyCallback(window, [](GLFWwindow* w, int, int, int, int) { NoteActivity(w); });
  glfwSetCharCallback(window, [](GLFWwindow* w, unsigned int) { NoteActivity(w); });
  glfwSetWindowFocusCallback(window, [](GLFWwindow* w, int) { NoteActivity(w); });
  glfwSetWindowSizeCallback(window, [](GLFWwindow* w, int, int) { NoteActivity(w); });
  glfwSetWindowRefreshCallback(window, [](GLFWwindow* w) { NoteActivity(w); });
  glfwSetDropCallback(window, [](GLFWwindow* w, int count, const char** paths) {
    NoteActivity(w);
    if (auto* target = static_cast<Activity*>(glfwGetWindowUserPointer(w)))
      target->dropped_files.assign(paths, paths + count);
  });
}

// Where the window was before F11 made it fullscreen, to go back there.
struct WindowedPlacement {
  int x = 0, y = 0, width = kWindowWidth, height = kWindowHeight;
};

void ToggleFullscreen(GLFWwindow* window, WindowedPlacement& placement) {
  if (glfwGetWindowMonitor(window) != nullptr) {
    glfwSetWindowMonitor(window, nullptr, placement.x, placement.y, placement.width, placement.height, 0);
    return;
  }
  GLFWmonitor* monitor = glfwGetPrimaryMonitor();
  const GLFWvidmode* mode = monitor != nullptr ? glfwGetVideoMode(monitor) : nullptr;
  if (mode == nullptr) return;  // no monitor to fill (e.g. some virtual displays): stay windowed
  glfwGetWindowPos(window, &placement.x, &placement.y);
  glfwGetWindowSize(window, &placement.width, &placement.height);
  glfwSetWindowMonitor(window, monitor, 0, 0, mode->width, mode->height, mode->refreshRate);
}

// The ImGui context and its GLFW and OpenGL 3 backends, shut down in reverse order.
class ImGuiSession {
 public:
  // ini_filename must outlive the session (ImGui writes it at shutdown); nullptr: no ini.
  ImGuiSession(GLFWwindow* window, const char* ini_filename, float content_scale) {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = ini_filename;
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    ApplyTheme(content_scale);
    platform_ready_ = ImGui_ImplGlfw_InitForOpenGL(window, true);
    // nullptr: the backend's default GLSL (#version 150), valid on every 3.3+ core context.
    renderer_ready_ = platform_ready_ && ImGui_ImplOpenGL3_Init(nullptr);
  }
  ImGuiSession(const ImGuiSession&) = delete;
  ImGuiSession& operator=(const ImGuiSession&) = delete;
  ~ImGuiSession() {
    if (renderer_ready_) ImGui_ImplOpenGL3_Shutdown();
    if (platform_ready_) ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
  }

  bool ready() const { return renderer_ready_; }

 private:
  bool platform_ready_ = false;
  bool renderer_ready_ = false;
};

// ---- loop ---------------------------------------------------------------------------------

// Sleeps until an event (or the idle timeout) unless recent input still needs frames drawn or
// something is animating (the timeline playing), which needs every frame.
void WaitForWork(Activity& activity, bool animating) {
  if (animating) {
    glfwPollEvents();
  } else if (activity.frames_to_draw > 0) {
    --activity.frames_to_draw;
    glfwPollEvents();
  } else {
    glfwWaitEventsTimeout(ImGui::GetIO().WantTextInput ? kCaretWaitSeconds : kIdleWaitSeconds);
  }
}

int SaveScreenshot(const std::string& path, int width, int height) {
  if (width <= 0 || height <= 0) {
    std::cerr << "stridescope: --screenshot: the window has no area to capture.\n";
    return kExitInvalid;
  }
  const std::vector<std::uint8_t> pixels = ReadFramebufferRgba(width, height);
  const Status saved = SaveRgbaPng(path, width, height, pixels.data());
  if (!saved) {
    std::cerr << "stridescope: --screenshot: " << saved.error().message << "\n";
    return kExitInvalid;
  }
  return 0;
}

// `benchmark`: null, or the scripted session that drives this loop (--benchmark-ui).
int RunLoop(GLFWwindow* window, AppState& state, Activity& activity, const GuiOptions& options,
            float content_scale, UiBenchmark* benchmark) {
  const bool screenshot = !options.screenshot_path.empty();
  WindowedPlacement placement;
  for (int frame = 1; !glfwWindowShouldClose(window); ++frame) {
    if (benchmark != nullptr) {
      if (!benchmark->BeforeFrame(state)) return 0;
      // Idle: wait as a user's idle window does, so the CPU it uses there is measured.
      if (benchmark->Idle()) {
        WaitForWork(activity, state.timeline.playing || state.Computing());
        if (activity.frames_to_draw == 0 && !state.Computing()) continue;
      } else {
        glfwPollEvents();
      }
    } else if (screenshot) {
      glfwPollEvents();  // never sleep: the frames are wanted as fast as they can be drawn
    } else {
      WaitForWork(activity, state.timeline.playing || state.Computing());
      if (glfwGetWindowAttrib(window, GLFW_ICONIFIED) != 0) continue;
    }

    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    HandleShortcuts(state);
    if (FullscreenToggleRequested()) ToggleFullscreen(window, placement);
    if (ImGui::GetIO().KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_Q, false)) glfwSetWindowShouldClose(window, GLFW_TRUE);
    HandleDroppedPaths(state, activity.dropped_files);
    activity.dropped_files.clear();
    DrawMainWindow(state, content_scale);
    int width = 0;
    int height = 0;
    glfwGetFramebufferSize(window, &width, &height);
    RenderUiFrame(width, height);
    // Read the back buffer before the swap: after it, its contents are undefined.
    if (screenshot && frame >= options.frames) {
      return SaveScreenshot(options.screenshot_path, width, height);
    }
    glfwSwapBuffers(window);
    if (benchmark != nullptr) {
      FinishGl();  // the frame's time includes the GPU's work on it
      benchmark->AfterFrame(state);
    }
  }
  return 0;
}

}  // namespace

// ---- RunGui -------------------------------------------------------------------------------

int RunGui(const GuiOptions& options) {
  if (options.benchmark && options.benchmark->headless) return RunHeadlessUiBenchmark(options);
  if (!EnvironmentSet("DISPLAY") && !EnvironmentSet("WAYLAND_DISPLAY")) {
    PrintNoDisplay(options.benchmark ? "DISPLAY is not set; --benchmark-ui --headless needs none"
                                     : "DISPLAY is not set");
    return kExitNoWindow;
  }
  const auto driver_start = std::chrono::steady_clock::now();
  if (glfwInit() == GLFW_FALSE) {
    PrintNoDisplay(LastGlfwError());
    return kExitNoWindow;
  }
  const GlfwTerminator terminate_glfw;

  const WindowPtr window = CreateMainWindow();
  if (!window) {
    PrintNoOpenGl(LastGlfwError());
    return kExitNoWindow;
  }
  glfwMakeContextCurrent(window.get());
  if (LoadGlFunctions(glfwGetProcAddress) == 0) {
    PrintNoOpenGl("the OpenGL functions could not be loaded");
    return kExitNoWindow;
  }
  const bool screenshot = !options.screenshot_path.empty();
  // Scripted runs (screenshots, the UI benchmark) leave no trace in, and take none from, the
  // saved settings and layout; the benchmark times frames without waiting for vsync.
  const bool scripted = screenshot || options.benchmark.has_value();
  glfwSwapInterval(scripted ? 0 : 1);

  Activity activity;
  InstallActivityCallbacks(window.get(), &activity);

  // Screenshots must not depend on (or change) what an earlier session left in imgui.ini.
  const std::string ini_path = scripted ? std::string() : ImGuiIniPath();
  const float content_scale = ContentScale(window.get());
  FitWindowToScale(window.get(), content_scale);
  const ImGuiSession imgui(window.get(), ini_path.empty() ? nullptr : ini_path.c_str(),
                           content_scale);
  if (!imgui.ready()) {
    PrintNoOpenGl("Dear ImGui's OpenGL backend could not start");
    return kExitNoWindow;
  }
  const double driver_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - driver_start).count();

  // Declared after the ImGui session and the window, so its textures and GPU engine go first.
  const EngineStartup startup = EngineStartupFor(options, screenshot);
  // The last session's parameters and image, unless the command line says what to show, and
  // never for screenshots (they must not depend on what an earlier session left behind).
  const std::string config = scripted ? std::string() : ConfigFolder();
  SavedSettings restored;
  if (!config.empty() && !options.params && options.input_path.empty() && options.sample == GuiOptions{}.sample) {
    Expected<SavedSettings> loaded = LoadSettings(config);
    if (loaded) {
      restored = std::move(*loaded);
    } else {
      std::cerr << "stridescope: " << loaded.error().message << "\n";
    }
  }
  AppState state(options.params ? *options.params : restored.params.value_or(Params{}), startup);
  const std::string sample = restored.sample.empty() ? options.sample : restored.sample;
  if (!state.LoadSample(sample)) {
    assert(!Samples().empty() && "there is always a built-in sample");
    state.LoadSample(Samples().front().name);
  }
  ApplyViewOptions(state, options, restored.map_display.value_or(MapDisplay{}));
  // A file that cannot be read leaves the sample on screen, with the reason shown inline.
  const std::string file = options.input_path.empty() ? restored.image_path : options.input_path;
  if (!file.empty()) state.LoadFile(file);
  // --step: needs the step count, so the first recompute runs here rather than in the first frame
  // (which then finds nothing to do).
  if (options.step > 0) {
    state.Recompute();
    state.WaitForWorker();  // the interactive window computes on the worker
    if (state.result().has_value) state.timeline.step = ClampedStep(options.step, state.result().geometry);
  }

  std::optional<UiBenchmark> benchmark;
  if (options.benchmark) {
    benchmark.emplace(*options.benchmark);
    StartUiBenchmark(*benchmark, state, options, driver_ms);
  }
  const int exit_code =
      RunLoop(window.get(), state, activity, options, content_scale, benchmark ? &*benchmark : nullptr);
  if (benchmark) benchmark->Report(std::cout);
  if (!config.empty()) {
    const InputImage& input = state.input();
    SavedSettings settings;
    settings.params = state.params;
    settings.map_display = state.view.map_display;
    settings.sample = input.is_sample ? input.name : std::string();
    settings.image_path = input.is_sample || state.recent_files().empty() ? std::string() : state.recent_files().front();
    if (Status saved = SaveSettings(config, settings); !saved)
      std::cerr << "stridescope: the settings were not saved: " << saved.error().message << "\n";
  }
  return exit_code;
}

}  // namespace stridescope
