// The GPU engine: the CPU engine's exact semantics in an OpenGL 4.3 compute shader
// (shaders/conv.comp). Geometry comes from core as lookup tables (which input pixel each window
// tap reads, per axis), so padding rules are never re-derived in GLSL.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine.h"
#include "gl_objects.h"

namespace stridescope {

struct GpuEngineOptions {
  // Testing aid: compile a broken shader so the fallback path can be exercised.
  bool force_compile_failure = false;
};

// A feature map on the GPU and the timer of the dispatch that wrote it: an R32F
// GL_TEXTURE_2D_ARRAY, one layer per output channel, OW x OH. Each pane of the window owns one,
// so one engine computes every pane from the one uploaded input. Empty until the first Dispatch
// into it; non-copyable, movable; destroy it while its context is current.
class GpuOutput {
 public:
  unsigned int texture() const { return texture_.id(); }  // 0 before the first Dispatch
  int channels() const { return channels_; }
  int height() const { return height_; }
  int width() const { return width_; }
  // GPU time of the last Dispatch into this output in ms, from a GL_TIME_ELAPSED query; negative
  // until known. Polls without stalling: the value appears a frame or so after the dispatch.
  double LastGpuMilliseconds();
  // True while the last Dispatch's time is not yet known (keep redrawing to show it).
  bool TimePending() const { return timer_pending_; }

 private:
  friend class GpuEngine;
  GlArrayTexture texture_;
  GlQuery timer_;
  bool timer_pending_ = false;
  double last_gpu_ms_ = -1.0;
  int channels_ = 0, height_ = 0, width_ = 0;
};

class GpuEngine final : public Engine {
 public:
  // Needs a current GL context with compute shaders (4.3). Errors: no compute support, or the
  // shader failed to compile (the message holds the info log).
  static Expected<std::unique_ptr<GpuEngine>> Create(const GpuEngineOptions& options = {});

  std::string_view Name() const override { return "gpu"; }
  Status CanCompute(const Geometry& geometry, const Tensor3& input) const override;
  // Computes and reads the result back (CLI, tests, export).
  Tensor3 Compute(const Params& params, const Geometry& geometry, const Tensor3& input) override;

  // Display path: computes into `output` (its storage kept when the size matches) and returns
  // without reading back. The input is uploaded only when `input_changed` (or on first use, or
  // when its shape changed), so the panes of one image share one upload.
  void Dispatch(const Params& params, const Geometry& geometry, const Tensor3& input, bool input_changed,
                GpuOutput& output);
  // The same into the engine's own output (the benchmark's timed dispatches).
  void Dispatch(const Params& params, const Geometry& geometry, const Tensor3& input, bool input_changed) {
    Dispatch(params, geometry, input, input_changed, own_output_);
  }
  // GPU time of the last Dispatch into the engine's own output; see GpuOutput.
  double LastGpuMilliseconds() { return own_output_.LastGpuMilliseconds(); }
  // The values of a computed output, C,OH,OW: a synchronous readback, for views that need the
  // numbers of a GPU map (a difference), not for every frame. Empty before its first Dispatch.
  Tensor3 ReadBack(const GpuOutput& output) const;
  // True on renderers that run shaders on the CPU (Mesa's llvmpipe and softpipe): there the
  // shader is many times slower than the CPU engine, so `auto` should not choose it. Measured
  // here: a 15x15 kernel on 1920x1080x3 takes over 10 s on llvmpipe, well under 1 s on the CPU.
  bool IsSoftwareRenderer() const { return software_renderer_; }

 private:
  GpuEngine() = default;
  void UploadInput(const Tensor3& input);

  GlProgram program_;
  GlArrayTexture input_;
  GpuOutput own_output_;
  GlBuffer tables_;   // row and column source tables, then the avg-pool spans
  GlBuffer weights_;  // canonical [oc][ic in group][tap y][tap x], flipped for transposed conv
  int input_c_ = 0, input_h_ = 0, input_w_ = 0;
  bool software_renderer_ = false;
  int max_texture_size_ = 0;
  int max_layers_ = 0;
};

}  // namespace stridescope
