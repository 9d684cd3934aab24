// The window's state, as DESIGN.md's three kinds: Params (user-edited), ViewResult (derived,
// recomputed on change only) and ViewState (how things are shown), held together by AppState.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <imgui.h>

#include "colour_map.h"  // FiniteRange, ToDisplayRgba, DisplayedChannelsNote: used with the state
#include "display_mapper.h"
#include "engine.h"
#include "explain.h"
#include "geometry.h"
#include "gl_texture.h"
#include "gpu_engine.h"
#include "params.h"
#include "tensor.h"
#include "gui/cpu_worker.h"
#include "gui/timeline.h"

namespace stridescope {

// The image the engine reads, where it came from, and its display texture.
struct InputImage {
  // C,H,W as loaded (images: RGB in [0,1]; .npy: any finite values). One copy, shared with the
  // CPU worker's jobs, so a large photo is not held twice while the worker reads it.
  std::shared_ptr<const Tensor3> shared = std::make_shared<const Tensor3>();
  const Tensor3& pixels() const { return *shared; }
  std::string name;   // sample name or file name, for captions and the sample picker
  bool is_sample = true;
  GlTexture texture;  // pixels for display; empty when GL refused the size
};

// Which kernel preset Params::kernel was made from, so the picker can show and resize it.
struct KernelChoice {
  std::string preset;  // empty: a custom kernel from the command line (rows or .npy)
  int size = 0;        // side of sizable presets; ignored for fixed ones
};

enum class EngineKind { Gpu, Cpu };

// The feature map of the last valid Params. Kept on screen (marked stale) while the current
// Params are invalid, so dragging through an invalid combination does not blank the view.
struct ViewResult {
  // The values on the CPU, C_out,OH,OW: meaningful only when computed_by is Cpu. The GPU path
  // leaves it empty, because reading the map back every change would cost what the GPU saved;
  // readouts that need values on the GPU path get an asynchronous readback in a later issue.
  // Sizes come from `geometry`, which both paths fill.
  Tensor3 feature_map;
  Geometry geometry;    // the geometry the map was computed with
  int channels = 0;     // C_out of the map, on either path
  GlTexture texture;    // the map for display; empty when GL refused the size
  EngineKind computed_by = EngineKind::Cpu;
  // Why the chosen GPU engine did not compute this map (GpuEngine::CanCompute: too large);
  // empty otherwise. Shown inline; the CPU computed the map instead.
  std::string engine_note;
  bool has_value = false;  // false until some Params were valid
  bool stale = false;      // the current Params are invalid; the map is from earlier ones
  bool computing = false;  // the CPU worker is computing the current Params; the map is older
  std::int64_t stride1_macs = 0;  // MACs of the same Params at stride 1 (0: not valid there)
  std::string error;       // why the current Params are invalid; empty when they are valid
  Setting error_setting = Setting::None;  // the control to show `error` next to
  // The values the texture's colours span (ResolveRange), for the legend; on the GPU path read
  // back from the display mapper. `display` is the choice the texture was drawn with.
  DisplayRange display_range;
  MapDisplay display;
};

// How the window starts its engines (GuiOptions::engine and the environment, in gui_main.cpp).
struct EngineStartup {
  // "auto"/"gpu": start on the GPU engine when it can be created. "cpu": start on the CPU
  // engine and only try the GPU when the user picks it in the controls panel.
  bool prefer_gpu = true;
  // "gpu" only: start on a software renderer's GPU engine too. "auto" leaves Mesa's llvmpipe to
  // the CPU engine, which is many times faster there; the panel can still switch to it.
  bool accept_software_gpu = false;
  // The interactive window computes on a worker thread (latest wins) so frames never wait for
  // the CPU engine; screenshots and tests compute in place so each frame shows current Params.
  bool background_cpu = false;
  GpuEngineOptions gpu_options;
};

// The engines the window can compute with, and what the controls panel says about them.
struct EngineStatus {
  EngineKind chosen = EngineKind::Cpu;  // the user's choice (radio buttons)
  bool gpu_tried = false;               // GpuEngine::Create has run (it runs at most once)
  bool gpu_ready = false;               // the GPU engine and its display mapper exist
  std::string gpu_unavailable;          // short reason when gpu_tried && !gpu_ready
  double last_gpu_ms = -1.0;            // last known GPU time of a Dispatch; negative: none yet
  bool gpu_untimed = false;             // software renderer: its timer query reads ~0 for compute
  double last_cpu_ms = -1.0;            // wall time of the last CpuEngine::Compute; negative: none
};

// How things are shown; nothing here changes a number.
struct ViewState {
  float zoom = 1.0f;         // screen pixels per image pixel, shared by input and feature map
  // True: zoom follows the panes' size (both images fit). The wheel and --zoom set a zoom of the
  // user's own; the Fit button (or key F) returns to fitting.
  bool zoom_fits = true;
  // Where each view's image starts, in screen pixels from its pane's top-left corner: the pan.
  // Kept apart so each view can be dragged on its own; zooming keeps the point under the cursor.
  ImVec2 input_pan{0.0f, 0.0f};
  ImVec2 map_pan{0.0f, 0.0f};
  // The feature map view draws each output cell over the input area it came from, on a faint
  // copy of the input, instead of as a compact grid.
  bool align_output = false;
  // The timeline step the panes last panned to show; a new step pans a zoomed-in view so the
  // window (and its output cell) stay in sight during playback.
  int followed_step = -1;
  // Colour map, range and shown channel of the feature map; saved in settings.json. After
  // changing it call AppState::MarkDisplayChanged (the map is redrawn, not recomputed).
  MapDisplay map_display;
  // Why the manual range just typed was refused (DrawMapDisplayControls); empty when it was not.
  std::string map_display_error;
  bool link_stride = true;   // dragging one stride axis moves the other
  int explain_channel = 0;   // output channel the arithmetic panel explains
  bool per_side_padding = false;  // padding controls per side (also shown when sides differ)
  std::array<char, 1024> open_path{};  // the Open... field's text
  // The input pixel (row, col) under the mouse, or none. Set by the input view every frame
  // (drawn first), read by the feature map view to outline the cells that read that pixel.
  std::optional<std::pair<int, int>> hovered_input;
  // Heat map of how many (output, tap) pairs read each input pixel; never-read pixels in red.
  bool show_coverage = false;
  // The arithmetic panel's explanation of one output cell, worked again only when the
  // parameters, the input, the step or the channel change (not every frame).
  struct ExplainCache {
    std::uint64_t params_generation = ~std::uint64_t{0};
    int step = -1;
    int channel = -1;
    std::optional<Geometry> geometry;  // nullopt: the current params are invalid
    CellArithmetic cell;
  } explain;
  // Geometry::CoverageCounts() and the per-axis never-read rows/columns, recomputed by the input
  // view only when the geometry's numbers (key) change.
  struct CoverageCache {
    std::vector<int> key;
    std::vector<int> counts;        // row-major H x W; empty above the per-cell drawing limit
    int max_count = 0;
    int unread = 0;                 // pixels no window reads directly (counts == 0)
    std::vector<bool> row_unread;   // AxisGeometry::Visits() != Read, rows
    std::vector<bool> col_unread;   // same, columns
  } coverage;
  // The input's display range (as the texture was made), recomputed only when the input changes.
  struct InputRangeCache {
    const float* data = nullptr;
    std::size_t size = 0;
    std::string name;
    float low = 0.0f;
    float high = 1.0f;
  } input_range;
};

class AppState {
 public:
  // Needs a current GL context (it owns textures and, when startup prefers it, creates the GPU
  // engine) and must be destroyed before it. A GPU engine that cannot start is reported once on
  // stderr with the driver's info log; the window then runs on the CPU engine.
  // A params.kernel without weights (the command line gave none) gets the default preset.
  explicit AppState(Params initial_params, const EngineStartup& startup = {});

  // Replace the input. On failure the current input stays and input_error() says why.
  // Returns true when the input changed.
  bool LoadSample(std::string_view name);
  bool LoadFile(const std::string& path);
  // An image made by the program itself (the UI benchmark's large scene); never fails.
  void LoadPixels(Tensor3 pixels, std::string name);

  // Call after editing params or kernel_choice: the next Recompute will run the engine.
  void MarkParamsChanged() {
    dirty_ = true;
    ++params_generation_;
  }
  // Counts changes of the params (MarkParamsChanged, ApplyKernelChoice) and of the input: caches
  // of what they imply (the arithmetic panel's explanation) compare it instead of the values.
  std::uint64_t params_generation() const { return params_generation_; }
  // Call after editing view.map_display: the next Recompute redraws the kept map in the new
  // colours (CPU values or the GPU engine's output texture) without running the engine.
  void MarkDisplayChanged() { display_dirty_ = true; }
  // Rebuilds params.kernel from kernel_choice; false (and the error shown) when that fails.
  bool ApplyKernelChoice();
  // Runs ResolveGeometry and the engine if params, the input or the engine changed since the
  // last call.
  void Recompute();
  // Takes the CPU worker's newest result, if it is done; call once a frame.
  void PollWorker();
  // Blocks until the worker has finished what it was given and shows the result: for start-up
  // options (--step) that need the first map's size. Returns at once without a worker.
  void WaitForWorker();
  // The worker has a job queued or running: keep drawing frames to show its result.
  bool Computing() const { return worker_ != nullptr && worker_->Busy(); }

  // Switches engines (creating the GPU engine on first use); the next Recompute runs the new
  // one. Returns true when the choice changed; false for the GPU when it cannot start.
  bool ChooseEngine(EngineKind kind);
  // Picks up the GPU time of the last Dispatch, which becomes known a frame or so after it.
  // Call once per frame; cheap, never waits for the GPU.
  void PollGpuTime();

  const InputImage& input() const { return input_; }
  const ViewResult& result() const { return result_; }
  const std::string& input_error() const { return input_error_; }
  // Files opened successfully this session, most recent first.
  const std::vector<std::string>& recent_files() const { return recent_files_; }
  static constexpr std::size_t kMaxRecentFiles = 6;
  const EngineStatus& engines() const { return engines_; }

  Params params;
  KernelChoice kernel_choice;
  ViewState view;
  Timeline timeline;
  Kernel custom_kernel;  // the last custom kernel (edited weights or --kernel rows/.npy); kept

 private:
  void SetInput(Tensor3 pixels, std::string name, bool is_sample);
  void ShowInvalid(Error error);
  void RunEngine();  // Recompute's engine half: ResolveGeometry, then the chosen engine
  void StartGpu();
  void ComputeOnCpu(const Geometry& geometry);
  // picture: the map already coloured (by the worker) with some MapDisplay, or null; levels: its
  // HalvedLevels.
  void ShowCpuResult(Tensor3 feature_map, Geometry geometry, double milliseconds, const ColouredMap* picture,
                     const std::vector<RgbaLevel>* levels);
  void ComputeOnGpu(const Geometry& geometry);
  // Draws result_'s map into result_.texture with view.map_display; sets display_range.
  void DrawMap();

  InputImage input_;
  ViewResult result_;
  std::string input_error_;
  std::vector<std::string> recent_files_;
  std::string kernel_error_;  // kernel_choice could not be made into a kernel (Setting::Kernel)
  CpuEngine cpu_;
  GpuEngineOptions gpu_options_;
  std::unique_ptr<GpuEngine> gpu_;          // null until started, or when it could not start
  std::unique_ptr<DisplayMapper> mapper_;   // the GPU map's picture; null exactly when gpu_ is
  GpuOutput gpu_output_;                    // the GPU engine's map
  EngineStatus engines_;
  bool dirty_ = true;
  std::uint64_t params_generation_ = 0;
  bool display_dirty_ = false;
  bool gpu_input_stale_ = true;  // the GPU engine has not been given the current input yet
  std::uint64_t last_job_ = 0;
  std::unique_ptr<CpuWorker> worker_;  // null: compute in place (last: stops before the rest)
};

// The texture as ImGui::Image wants it.
ImTextureID ToImTextureId(const GlTexture& texture);

}  // namespace stridescope
