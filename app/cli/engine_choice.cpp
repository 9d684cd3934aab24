#include "cli/engine_choice.h"

#include <cassert>

namespace stridescope {

namespace {

// The CLI prints errors as one line, but a shader compile failure carries the driver's multi-line
// info log: keep every line of it, joined.
std::string OneLine(const std::string& text) {
  std::string line;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string part = text.substr(start, end - start);
    while (!part.empty() && (part.back() == '\r' || part.back() == ' ')) part.pop_back();
    if (!part.empty()) line += (line.empty() ? "" : (line.back() == ':' ? " " : "; ")) + part;
    start = end + 1;
  }
  return line;
}

Error GpuError(const std::string& why) {
  std::string message = "the GPU engine cannot start: " + OneLine(why);
  // The context's messages already end with this advice; say it once.
  if (message.find("--engine cpu") == std::string::npos) message += "; use --engine cpu";
  return Error{message};
}

}  // namespace

Expected<HeadlessGpu> CreateHeadlessGpu() {
  HeadlessGpu gpu;
  Expected<std::unique_ptr<HeadlessGlContext>> context = HeadlessGlContext::Create();
  if (!context) return GpuError(context.error().message);
  gpu.context = std::move(*context);
  Expected<std::unique_ptr<GpuEngine>> engine = GpuEngine::Create();
  if (!engine) return GpuError(engine.error().message);
  gpu.engine = std::move(*engine);
  return gpu;
}

Expected<EngineChoice> ChooseEngine(const std::string& name) {
  assert((name == "cpu" || name == "gpu" || name == "auto") && "--engine is checked by CLI11");
  EngineChoice choice;
  if (name != "cpu") {
    Expected<HeadlessGpu> gpu = CreateHeadlessGpu();
    // A software renderer runs the shader on the CPU, many times slower than the CPU engine.
    if (gpu && name == "auto" && gpu->engine->IsSoftwareRenderer()) {
      choice.fallback_note = "the only OpenGL renderer is " + gpu->context->renderer() +
                             ", which runs shaders on the CPU; the CPU engine is faster here";
    } else if (gpu) {
      choice.context = std::move(gpu->context);
      choice.engine = std::move(gpu->engine);
      return choice;
    }
    else if (name == "gpu") {
      return Error{"--engine gpu: " + gpu.error().message};
    } else {
      choice.fallback_note = gpu.error().message;
    }
  }
  choice.engine = std::make_unique<CpuEngine>();
  return choice;
}

Status FitEngine(const std::string& name, const Geometry& geometry, const Tensor3& input,
                 EngineChoice& choice) {
  Status fits = choice.engine->CanCompute(geometry, input);
  if (fits) return fits;
  if (name != "auto") return Error{"--engine " + name + ": " + OneLine(fits.error().message)};
  // The GPU's GL objects must go while its context is current, so the engine before the context.
  choice.engine = std::make_unique<CpuEngine>();
  choice.context.reset();
  choice.fallback_note = "the GPU engine cannot run this: " + OneLine(fits.error().message);
  return Done{};
}

}  // namespace stridescope
