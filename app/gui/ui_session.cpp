#include "gui/ui_session.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include "cli/exit_codes.h"
#include "gl_context.h"
#include "gl_texture.h"
#include "gui/main_window.h"
#include "gui/headless_imgui.h"

namespace stridescope {

namespace {

constexpr float kBackground[3] = {0.14f, 0.14f, 0.15f};  // the panels' colour (theme.cpp)
// Idle, the headless loop looks this often for a result to draw; a window sleeps on its events.
constexpr auto kHeadlessIdlePoll = std::chrono::milliseconds(50);

// STRIDESCOPE_FORCE_SHADER_FAILURE=1 is a testing aid: the GPU engine then compiles a broken
// shader (GpuEngineOptions::force_compile_failure), so the tests can watch the window report
// it and fall back to the CPU engine on a machine whose driver would otherwise succeed.
bool ForceShaderFailure() {
  const char* value = std::getenv("STRIDESCOPE_FORCE_SHADER_FAILURE");
  return value != nullptr && std::string(value) == "1";
}

// ImGui with only its OpenGL 3 renderer: the headless loop sets the display size and time step
// itself, as a platform backend would.
class HeadlessImGui {
 public:
  HeadlessImGui() {
    CreateHeadlessImGuiContext();
    ready_ = ImGui_ImplOpenGL3_Init(nullptr);
  }
  HeadlessImGui(const HeadlessImGui&) = delete;
  HeadlessImGui& operator=(const HeadlessImGui&) = delete;
  ~HeadlessImGui() {
    if (ready_) ImGui_ImplOpenGL3_Shutdown();
    ImGui::DestroyContext();
  }
  bool ready() const { return ready_; }

 private:
  bool ready_ = false;
};

}  // namespace

EngineStartup EngineStartupFor(const GuiOptions& options, bool screenshot) {
  EngineStartup startup;
  startup.prefer_gpu = options.engine != "cpu";
  startup.accept_software_gpu = options.engine == "gpu";
  startup.background_cpu = !screenshot;
  startup.gpu_options.force_compile_failure = ForceShaderFailure();
  return startup;
}

void ApplyViewOptions(AppState& state, const GuiOptions& options, const MapDisplay& saved) {
  state.view.show_coverage = options.show_coverage;
  state.view.align_output = options.align_output;
  if (options.zoom > 0.0f) {
    state.view.zoom = options.zoom;
    state.view.zoom_fits = false;
  }
  state.view.map_display = options.map_display.value_or(saved);
}

void StartUiBenchmark(UiBenchmark& benchmark, AppState& state, const GuiOptions& options, double driver_ms) {
  const auto input_start = std::chrono::steady_clock::now();
  state.LoadPixels(benchmark.MakeInput(), "scene " + std::to_string(options.benchmark->width) + "x" +
                                              std::to_string(options.benchmark->height));
  const double input_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - input_start).count();
  benchmark.Started(options.started_at, driver_ms, input_ms, CurrentGlRenderer());
}

void RenderUiFrame(int width, int height) {
  ImGui::Render();
  ClearFramebuffer(width, height, kBackground[0], kBackground[1], kBackground[2]);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

int RunHeadlessUiBenchmark(const GuiOptions& options) {
  const auto driver_start = std::chrono::steady_clock::now();
  Expected<std::unique_ptr<HeadlessGlContext>> context = HeadlessGlContext::Create();
  if (!context) {
    std::cerr << "stridescope: --headless needs an OpenGL 4.3 context through EGL: " << context.error().message
              << "\n";
    return kExitNoWindow;
  }
  const OffscreenFramebuffer target(kWindowWidth, kWindowHeight);
  const HeadlessImGui imgui;
  if (!target.ok() || !imgui.ready()) {
    std::cerr << "stridescope: --headless: the driver refused the offscreen framebuffer or ImGui's renderer\n";
    return kExitNoWindow;
  }
  const double driver_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - driver_start).count();
  // Declared after the GL objects and ImGui, so its textures and GPU engine go first.
  AppState state(options.params.value_or(Params{}), EngineStartupFor(options, false));
  ApplyViewOptions(state, options, MapDisplay{});
  UiBenchmark benchmark(*options.benchmark);
  StartUiBenchmark(benchmark, state, options, driver_ms);
  auto last_frame = std::chrono::steady_clock::now();
  while (benchmark.BeforeFrame(state)) {
    // Idle as the window is: no frame unless a result arrives or the timeline plays.
    if (benchmark.Idle() && !state.Computing() && !state.timeline.playing) {
      std::this_thread::sleep_for(kHeadlessIdlePoll);
      continue;
    }
    const auto now = std::chrono::steady_clock::now();
    ImGui::GetIO().DeltaTime = std::max(1e-4f, std::chrono::duration<float>(now - last_frame).count());
    last_frame = now;
    ImGui_ImplOpenGL3_NewFrame();
    ImGui::NewFrame();
    DrawMainWindow(state, 1.0f);
    RenderUiFrame(target.width(), target.height());
    FinishGl();  // the frame's time includes the GPU's work on it
    benchmark.AfterFrame(state);
  }
  benchmark.Report(std::cout);
  return 0;
}

}  // namespace stridescope
