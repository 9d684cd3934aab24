// The desktop window: GLFW + Dear ImGui + a glad-loaded GL context.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "colour_map.h"
#include "params.h"
#include "gui/ui_benchmark.h"

namespace stridescope {

// The views' zoom range, in screen pixels per image pixel: the wheel, fitting and --zoom keep to it.
inline constexpr float kMinViewZoom = 1.0f / 64.0f;  // a 16K image still fits a small pane
inline constexpr float kMaxViewZoom = 256.0f;        // one pixel fills a pane

struct GuiOptions {
  std::string input_path;         // image or .npy to open; empty: use `sample`
  std::string sample = "scene";   // built-in sample name (core/samples.h)
  std::optional<Params> params;   // from the command-line parameter flags; nullopt: app defaults
  std::string screenshot_path;    // non-empty: render `frames` frames, save the window as PNG, exit
  int frames = 3;
  int step = 0;                   // timeline step to open at (clamped to the steps there are)
  // The compute engine: "cpu" starts on the CPU engine; "gpu" starts on the GPU engine when it
  // can be created (OpenGL 4.3 compute shaders), else on the CPU with a notice; "auto" does the
  // same but leaves software renderers (Mesa llvmpipe) to the faster CPU engine. Either can be
  // switched in the controls panel.
  std::string engine = "auto";
  // --overlay coverage: open with the input view's coverage heat map on (ViewState::show_coverage).
  bool show_coverage = false;
  float zoom = 0.0f;          // --zoom: screen pixels per image pixel; 0 fits both views
  bool align_output = false;  // --align: ViewState::align_output
  // --benchmark-ui: run the scripted session instead of waiting for the user, print the report.
  std::optional<UiBenchmarkOptions> benchmark;
  // When the process started (main()), for the benchmark's start-up time.
  std::chrono::steady_clock::time_point started_at = std::chrono::steady_clock::now();
  // --colour-map / --range: the feature map's colours; nullopt: the saved or default choice.
  std::optional<MapDisplay> map_display;
};

// Setup -> loop -> shutdown. Returns the process exit code: 0 on success, 1 when no window can be
// opened (no display, no OpenGL), with a message on stderr that says what to do instead, and 2
// when the --screenshot path cannot be written (user input, as everywhere else).
int RunGui(const GuiOptions& options);

}  // namespace stridescope
