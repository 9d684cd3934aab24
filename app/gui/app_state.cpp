#include "gui/app_state.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <new>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <iostream>
#include <thread>
#include <utility>

#include "io.h"
#include "kernels.h"
#include "samples.h"

namespace stridescope {

namespace {

// Within core's size limits, but not within this machine's free memory: the last map stays.
constexpr std::string_view kOutOfMemory =
    "out of memory computing this feature map; use a smaller input, fewer filters or a larger stride";


// A blur: stride and padding effects read clearly on it, and it keeps the photo recognisable.
constexpr std::string_view kDefaultKernelPreset = "gaussian";

bool SameKernel(const Kernel& a, const Kernel& b) {
  return a.rank == b.rank && a.filters == b.filters && a.channels == b.channels &&
         a.height == b.height && a.width == b.width && a.weights == b.weights;
}

// The preset a kernel was made from, so a command-line "--kernel box:7" shows as box, size 7.
KernelChoice IdentifyKernel(const Kernel& kernel) {
  for (const KernelPreset& preset : KernelPresets()) {
    const int size = preset.sizable ? kernel.height : 0;
    Expected<Kernel> candidate = MakePresetKernel(preset.name, size);
    if (candidate && SameKernel(*candidate, kernel)) {
      return {std::string(preset.name), preset.sizable ? size : preset.default_size};
    }
  }
  return {};
}

int DefaultSize(std::string_view preset_name) {
  const auto& presets = KernelPresets();
  const auto found = std::find_if(presets.begin(), presets.end(),
                                  [&](const KernelPreset& p) { return p.name == preset_name; });
  return found == presets.end() ? 0 : found->default_size;
}

// The notice line in the controls panel: the first line of an error whose later lines are a
// driver's info log (printed in full on stderr), cut to what fits in a few wrapped lines.
std::string ShortReason(const std::string& message) {
  constexpr std::size_t kMaxLength = 90;
  std::string line = message.substr(0, message.find('\n'));
  while (!line.empty() && (line.back() == ':' || line.back() == ' ' || line.back() == '.')) {
    line.pop_back();
  }
  if (line.size() > kMaxLength) {
    const std::size_t space = line.rfind(' ', kMaxLength);
    line = line.substr(0, space == std::string::npos ? kMaxLength : space) + "...";
  }
  return line.empty() ? "unknown error" : line;
}

// Images already hold [0,1] and show as they are; .npy grids (e.g. 0..34) are stretched so
// that their values are visible at all.
DisplayRange InputDisplayRange(const Tensor3& pixels) {
  const DisplayRange finite = FiniteRange(pixels);
  if (finite.low >= 0.0f && finite.high <= 1.0f) return {};
  return finite;
}

}  // namespace

AppState::AppState(Params initial_params, const EngineStartup& startup)
    : params(std::move(initial_params)), gpu_options_(startup.gpu_options) {
  if (startup.background_cpu) worker_ = std::make_unique<CpuWorker>();
  if (params.kernel.weights.empty()) {
    kernel_choice = {std::string(kDefaultKernelPreset), DefaultSize(kDefaultKernelPreset)};
    ApplyKernelChoice();
  } else {
    kernel_choice = IdentifyKernel(params.kernel);
    if (kernel_choice.preset.empty()) custom_kernel = params.kernel;
  }
  view.link_stride = params.stride.y == params.stride.x;
  if (startup.prefer_gpu) {
    StartGpu();
    if (engines_.gpu_ready && (startup.accept_software_gpu || !gpu_->IsSoftwareRenderer()))
      engines_.chosen = EngineKind::Gpu;
  }
}

void AppState::StartGpu() {
  assert(!engines_.gpu_tried && "the GPU engine is created at most once");
  engines_.gpu_tried = true;
  Expected<std::unique_ptr<GpuEngine>> engine = GpuEngine::Create(gpu_options_);
  Expected<std::unique_ptr<DisplayMapper>> mapper =
      engine ? DisplayMapper::Create() : Expected<std::unique_ptr<DisplayMapper>>(engine.error());
  if (!mapper) {
    // Once, in full: the info log is for whoever reports the driver problem; the panel gets
    // the first line.
    std::cerr << "stridescope: GPU compute unavailable, using the CPU engine: "
              << mapper.error().message << "\n";
    engines_.gpu_unavailable = ShortReason(mapper.error().message);
    return;
  }
  gpu_ = std::move(*engine);
  mapper_ = std::move(*mapper);
  engines_.gpu_ready = true;
  engines_.gpu_untimed = gpu_->IsSoftwareRenderer();
  gpu_input_stale_ = true;
}

bool AppState::ChooseEngine(EngineKind kind) {
  if (kind == engines_.chosen) return false;
  if (kind == EngineKind::Gpu) {
    if (!engines_.gpu_tried) StartGpu();
    if (!engines_.gpu_ready) return false;
  }
  engines_.chosen = kind;
  dirty_ = true;
  return true;
}

void AppState::PollGpuTime() {
  // Keep showing the last known time while a new one is pending (negative).
  if (gpu_ != nullptr && gpu_output_.LastGpuMilliseconds() >= 0) engines_.last_gpu_ms = gpu_output_.LastGpuMilliseconds();
}

void AppState::SetInput(Tensor3 pixels, std::string name, bool is_sample) {
  input_.shared = std::make_shared<const Tensor3>(std::move(pixels));
  ++params_generation_;
  input_.name = std::move(name);
  input_.is_sample = is_sample;
  const std::vector<std::uint8_t> rgba =
      ToDisplayRgba(input_.pixels(), InputDisplayRange(input_.pixels()));
  if (!input_.texture.Upload(input_.pixels().width, input_.pixels().height, rgba.data())) {
    input_error_ = "The input is too large for this graphics driver to display; the numbers are "
                   "still computed.";
  }
  dirty_ = true;
  gpu_input_stale_ = true;
}

bool AppState::LoadSample(std::string_view name) {
  Expected<Tensor3> sample = MakeSample(name);
  if (!sample) {
    input_error_ = sample.error().message;
    return false;
  }
  input_error_.clear();
  SetInput(std::move(*sample), std::string(name), true);
  return true;
}

void AppState::LoadPixels(Tensor3 pixels, std::string name) {
  input_error_.clear();
  SetInput(std::move(pixels), std::move(name), false);
}

bool AppState::LoadFile(const std::string& path) {
  Expected<Tensor3> loaded = LoadInput(path);
  if (!loaded) {
    input_error_ = loaded.error().message;
    if (!input_.name.empty()) {
      const bool sentence_ended = input_error_.ends_with('.');
      input_error_ += (sentence_ended ? " Showing '" : ". Showing '") + input_.name + "' instead.";
    }
    return false;
  }
  input_error_.clear();
  SetInput(std::move(*loaded), std::filesystem::path(path).filename().string(), false);
  // Most recent first, each path once.
  std::erase(recent_files_, path);
  recent_files_.insert(recent_files_.begin(), path);
  if (recent_files_.size() > kMaxRecentFiles) recent_files_.resize(kMaxRecentFiles);
  return true;
}

bool AppState::ApplyKernelChoice() {
  MarkParamsChanged();
  kernel_error_.clear();
  if (kernel_choice.preset.empty()) return true;  // custom kernel: nothing to rebuild
  Expected<Kernel> kernel = MakePresetKernel(kernel_choice.preset, kernel_choice.size);
  if (!kernel) {
    kernel_error_ = kernel.error().message;
    return false;
  }
  params.kernel = std::move(*kernel);
  return true;
}

void AppState::Recompute() {
  if (dirty_) {
    dirty_ = false;
    RunEngine();
  }
  // A new map has been drawn with the current choice already; an old one (kept while the
  // Params are invalid or the worker computes) is redrawn, not recomputed.
  if (std::exchange(display_dirty_, false) && result_.has_value && !(result_.display == view.map_display)) {
    DrawMap();
  }
}

void AppState::RunEngine() {
  const Tensor3& in = input_.pixels();
  if (in.Empty()) return;

  // params.kernel still holds the previous kernel when the chosen one could not be made.
  if (!kernel_error_.empty()) {
    ShowInvalid(Error{kernel_error_, Setting::Kernel});
    return;
  }
  Expected<Geometry> geometry = ResolveGeometry(params, in.channels, in.height, in.width);
  if (!geometry) {
    ShowInvalid(geometry.error());
    return;
  }
  Params at_stride_one = params;
  at_stride_one.stride = {1, 1};
  const Expected<Geometry> stride_one = ResolveGeometry(at_stride_one, in.channels, in.height, in.width);
  result_.stride1_macs = stride_one ? stride_one->macs : 0;
  // The GPU has size limits the CPU lacks: past them, this image is computed on the CPU while
  // the choice stays on the GPU for the next one.
  bool on_gpu = engines_.chosen == EngineKind::Gpu && gpu_ != nullptr;
  result_.engine_note.clear();
  if (on_gpu) {
    if (const Status fits = gpu_->CanCompute(*geometry, in); !fits) {
      result_.engine_note = "GPU engine: " + fits.error().message + ". Computed on the CPU.";
      on_gpu = false;
    }
  }
  if (on_gpu) {
    ++last_job_;  // a CPU job still running for earlier Params must not replace this map
    result_.geometry = std::move(*geometry);
    ComputeOnGpu(result_.geometry);
    result_.has_value = true;
    result_.stale = false;
    result_.computing = false;
    result_.error.clear();
    result_.error_setting = Setting::None;
    return;
  }
  try {
    ComputeOnCpu(*geometry);
  } catch (const std::bad_alloc&) {
    ShowInvalid(Error{std::string(kOutOfMemory)});
  }
}

void AppState::ComputeOnCpu(const Geometry& geometry) {
  if (worker_ != nullptr) {
    worker_->Submit({params, geometry, input_.shared, ++last_job_, view.map_display});
    result_.computing = true;  // the map on screen stays until the new one arrives
    return;
  }
  // in: C,H,W  out: C_out,OH,OW
  const auto start = std::chrono::steady_clock::now();
  Tensor3 map = cpu_.Compute(params, geometry, input_.pixels());
  const std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
  ShowCpuResult(std::move(map), geometry, elapsed.count(), nullptr, nullptr);
}

void AppState::ShowCpuResult(Tensor3 feature_map, Geometry geometry, double milliseconds,
                             const ColouredMap* picture, const std::vector<RgbaLevel>* levels) {
  engines_.last_cpu_ms = milliseconds;
  result_.computed_by = EngineKind::Cpu;
  Tensor3 replaced = std::exchange(result_.feature_map, std::move(feature_map));
  if (worker_ != nullptr && !replaced.Empty()) worker_->Recycle(std::move(replaced));
  result_.channels = result_.feature_map.channels;
  result_.geometry = std::move(geometry);
  if (picture != nullptr && picture->display == view.map_display) {
    // Mapped on the worker thread: only the upload is left for this one.
    result_.display = picture->display;
    result_.display_range = picture->range;
    result_.texture.Upload(result_.feature_map.width, result_.feature_map.height, picture->rgba.data(), levels);
  } else {
    DrawMap();
  }
  result_.has_value = true;
  result_.stale = false;
  result_.computing = false;
  result_.error.clear();
  result_.error_setting = Setting::None;
}

void AppState::WaitForWorker() {
  while (Computing()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  PollWorker();
}

void AppState::PollWorker() {
  if (worker_ == nullptr) return;
  std::optional<CpuWorker::Finished> done = worker_->TakeFinished();
  if (!done) return;
  if (done->out_of_memory) {
    result_.computing = false;
    ShowInvalid(Error{std::string(kOutOfMemory)});
    return;
  }
  if (done->id != last_job_) return;  // the GPU has computed newer Params since
  ShowCpuResult(std::move(done->feature_map), std::move(done->geometry), done->milliseconds, &done->picture,
                &done->picture_levels);
}

void AppState::ComputeOnGpu(const Geometry& geometry) {
  // in: C,H,W  out: C_out,OH,OW as GPU layers, then OH,OW RGBA8: nothing comes back to the CPU.
  gpu_->Dispatch(params, geometry, input_.pixels(), gpu_input_stale_, gpu_output_);
  gpu_input_stale_ = false;
  result_.computed_by = EngineKind::Gpu;
  result_.feature_map = Tensor3{};  // CPU values describe CPU results only (see ViewResult)
  result_.channels = geometry.channels.out_channels;
  DrawMap();
}

void AppState::DrawMap() {
  const MapDisplay& display = view.map_display;
  result_.display = display;
  const int width = result_.geometry.OutputWidth();
  const int height = result_.geometry.OutputHeight();
  if (result_.computed_by == EngineKind::Gpu) {
    // The engine's output texture still holds this map: nothing has been dispatched since (a
    // newer map would have replaced result_). CanCompute has checked the size against
    // GL_MAX_TEXTURE_SIZE, so Map fails only when the driver runs out of memory; the view then
    // says the map cannot be displayed.
    const std::optional<DisplayRange> range =
        mapper_->Map(gpu_output_.texture(), result_.channels, width, height, display, &result_.texture);
    result_.display_range = range.value_or(DisplayRange{});
    return;
  }
  const ColouredMap picture = ColourTensor(result_.feature_map, display);
  result_.display_range = picture.range;
  result_.texture.Upload(result_.feature_map.width, result_.feature_map.height, picture.rgba.data());
}

void AppState::ShowInvalid(Error error) {
  result_.error = std::move(error.message);
  result_.error_setting = error.setting;
  result_.stale = result_.has_value;
  result_.computing = false;
  ++last_job_;  // a job for earlier, valid Params must not bring its map back
}

ImTextureID ToImTextureId(const GlTexture& texture) {
  // ImGui's OpenGL backend reads ImTextureID back as a GLuint.
  return reinterpret_cast<ImTextureID>(static_cast<std::uintptr_t>(texture.id()));
}

}  // namespace stridescope
