// `stridescope --benchmark-ui`: a scripted session in the real window (slider drags, playback,
// zoom, then idle) on a large photo-like scene, timed frame by frame. It reports frame-time
// percentiles, the longest stall, how long a parameter change takes to reach the screen, peak
// memory, start-up time and CPU use at idle. Figures, not pass/fail: the machines are shared.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "geometry.h"
#include "tensor.h"

namespace stridescope {

class AppState;

struct UiBenchmarkOptions {
  int width = 3840;  // the scene's size
  int height = 2160;
  bool json = false;
  // --headless: no window; the frames are drawn into an offscreen framebuffer of the window's
  // size through EGL, so a machine with a GPU and no display can measure the GPU path.
  bool headless = false;
};

class UiBenchmark {
 public:
  using Clock = std::chrono::steady_clock;

  explicit UiBenchmark(UiBenchmarkOptions options) : options_(options) {}

  // The input the session runs on: the "scene" sample drawn at the chosen size.
  Tensor3 MakeInput() const;
  // Call after the window, GL and ImGui are up: `process_start` is when main() began, `driver_ms`
  // how long GLFW, the GL context and the loader took, `input_ms` how long MakeInput took. Both
  // are reported apart from start-up: the driver is not ours, and a user opens a file instead.
  // `renderer`: the GL renderer the frames are drawn with (CurrentGlRenderer).
  void Started(Clock::time_point process_start, double driver_ms, double input_ms, std::string renderer);

  // Before each frame: applies the script's action for this frame. False once the script is done.
  bool BeforeFrame(AppState& state);
  // True in the idle phase: the loop must wait for events as it normally does, not draw.
  bool Idle() const;
  // After each frame is on screen (the caller has waited for the GPU to finish it).
  void AfterFrame(const AppState& state);

  // The report, as a table or as JSON (options.json).
  void Report(std::ostream& out) const;

 private:
  struct Frame {
    int phase = 0;
    double ms = 0.0;
  };
  struct PendingChange {
    Clock::time_point when;
    Geometry expected;  // what the map on screen must be resolved from
  };

  void ChangeParams(AppState& state);

  UiBenchmarkOptions options_;
  int phase_ = 0;             // index into the script's phases
  int frame_in_phase_ = 0;
  Clock::time_point frame_start_;
  Clock::time_point idle_start_;
  double idle_cpu_start_s_ = 0.0;
  double idle_cpu_s_ = 0.0;    // process CPU seconds used during the idle phase
  double idle_wall_s_ = 0.0;
  int idle_frames_ = 0;        // frames the loop drew while idle (should be none)
  double startup_ms_ = 0.0;    // main() to the first frame on screen, without driver and input
  double driver_ms_ = 0.0;
  double input_ms_ = 0.0;
  Clock::time_point process_start_;
  bool first_frame_done_ = false;
  std::vector<Frame> frames_;
  std::vector<PendingChange> pending_;
  std::vector<double> latencies_ms_;
  int changes_ = 0;
  std::string engine_;  // the engine that computed the maps
  std::string renderer_;
};

}  // namespace stridescope
