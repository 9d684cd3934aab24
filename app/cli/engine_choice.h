// Which engine a headless command runs on: --engine cpu|gpu|auto turned into a live engine (and,
// for the GPU, the EGL context it needs). Shared by `stridescope conv` and `stridescope bench`.
#pragma once

#include <memory>
#include <string>

#include "engine.h"
#include "expected.h"
#include "gl_context.h"
#include "gpu_engine.h"

namespace stridescope {

// A headless GL context with a GPU engine on it. Members are destroyed in reverse order, so the
// engine's GL objects go while their context is still current.
struct HeadlessGpu {
  std::unique_ptr<HeadlessGlContext> context;
  std::unique_ptr<GpuEngine> engine;
};

// Creates the context (current on this thread) and the engine. The Error is one line that says
// which step failed and why, and ends by pointing to --engine cpu.
Expected<HeadlessGpu> CreateHeadlessGpu();

struct EngineChoice {
  std::unique_ptr<HeadlessGlContext> context;  // null for the CPU; outlives `engine` (declared first)
  std::unique_ptr<Engine> engine;
  // Non-empty when `auto` wanted the GPU and fell back to the CPU: why, for --json and messages.
  std::string fallback_note;
};

// name: "cpu", "gpu" or "auto". gpu: an Error when the GPU cannot start. auto: the GPU when it
// starts on a hardware renderer, else the CPU with the reason in fallback_note (nothing is
// printed): Mesa's llvmpipe counts as no GPU, since the CPU engine is faster than it.
Expected<EngineChoice> ChooseEngine(const std::string& name);

// For `auto`: swaps a GPU choice that refuses this geometry (too large for its textures) for the
// CPU, keeping the refusal in fallback_note. `gpu` instead returns the refusal as the Error, and
// the CPU never refuses. Call after ChooseEngine with the same name.
Status FitEngine(const std::string& name, const Geometry& geometry, const Tensor3& input,
                 EngineChoice& choice);

}  // namespace stridescope
