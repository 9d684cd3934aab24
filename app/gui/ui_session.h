// What the window (gui_main.cpp) and the headless UI benchmark (RunHeadlessUiBenchmark, below) set
// up and draw alike, so both run the same session on the same engines and views.
#pragma once

#include "gui/app_state.h"
#include "gui/gui_main.h"
#include "gui/headless_imgui.h"  // kWindowWidth, kWindowHeight
#include "gui/ui_benchmark.h"

namespace stridescope {

// Which engines to start, from --engine; `screenshot` computes in place (every frame current).
EngineStartup EngineStartupFor(const GuiOptions& options, bool screenshot);

// The view flags: --overlay, --align, --zoom, and --colour-map/--range (else `saved`, the
// colours the last session left, or the default).
void ApplyViewOptions(AppState& state, const GuiOptions& options, const MapDisplay& saved);

// Loads the benchmark's scene into state and starts its clocks. driver_ms: how long the GL
// context (and window) took to come up.
void StartUiBenchmark(UiBenchmark& benchmark, AppState& state, const GuiOptions& options, double driver_ms);

// After DrawMainWindow: ImGui::Render, then the bound framebuffer (width x height pixels)
// cleared to the panels' colour and the frame drawn into it by ImGui's OpenGL 3 backend.
void RenderUiFrame(int width, int height);

// --benchmark-ui --headless: the scripted session through EGL into an offscreen framebuffer, no
// window and no display needed. Returns the exit code (1 when no GL context can be made).
int RunHeadlessUiBenchmark(const GuiOptions& options);

}  // namespace stridescope
