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

class GpuEngine final : public Engine {
 public:
  // Needs a current GL context with compute shaders (4.3). Errors: no compute support, or the
  // shader failed to compile (the message holds the info log).
  static Expected<std::unique_ptr<GpuEngine>> Create(const GpuEngineOptions& options = {});

  std::string_view Name() const override { return "gpu"; }
  Status CanCompute(const Geometry& geometry, const Tensor3& input) const override;
  // Computes and reads the result back (CLI, tests, export).
  Tensor3 Compute(const Params& params, const Geometry& geometry, const Tensor3& input) override;

  // Display path: computes into output_texture() and returns without reading back. The input is
  // uploaded only when `input_changed` (or on first use).
  void Dispatch(const Params& params, const Geometry& geometry, const Tensor3& input, bool input_changed);
  // R32F GL_TEXTURE_2D_ARRAY, one layer per output channel, OW x OH; 0 before the first Dispatch.
  unsigned int output_texture() const { return output_.id(); }
  // GPU time of the last Dispatch in ms, from a GL_TIME_ELAPSED query; negative until known.
  // Polls without stalling: the value of a dispatch appears a frame or so later.
  double LastGpuMilliseconds();
  // True while the last Dispatch's time is not yet known (keep redrawing to show it).
  bool GpuTimePending() const { return timer_pending_; }
  // True on renderers that run shaders on the CPU (Mesa's llvmpipe and softpipe): there the
  // shader is many times slower than the CPU engine, so `auto` should not choose it. Measured
  // here: a 15x15 kernel on 1920x1080x3 takes over 10 s on llvmpipe, well under 1 s on the CPU.
  bool IsSoftwareRenderer() const { return software_renderer_; }

 private:
  GpuEngine() = default;
  void UploadInput(const Tensor3& input);
  void EnsureOutput(const Geometry& geometry);

  GlProgram program_;
  GlArrayTexture input_;
  GlArrayTexture output_;
  GlBuffer tables_;   // row and column source tables, then the avg-pool spans
  GlBuffer weights_;  // canonical [oc][ic in group][tap y][tap x], flipped for transposed conv
  GlQuery timer_;
  bool timer_pending_ = false;
  double last_gpu_ms_ = -1.0;
  int input_c_ = 0, input_h_ = 0, input_w_ = 0;
  int output_c_ = 0, output_h_ = 0, output_w_ = 0;
  bool software_renderer_ = false;
  int max_texture_size_ = 0;
  int max_layers_ = 0;
};

}  // namespace stridescope
