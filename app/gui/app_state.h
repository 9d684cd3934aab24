// The window's state, as DESIGN.md's three kinds: Params (user-edited), ViewResult (derived,
// recomputed on change only) and ViewState (how things are shown), held together by AppState.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <imgui.h>

#include "engine.h"
#include "geometry.h"
#include "gl_texture.h"
#include "params.h"
#include "tensor.h"

namespace stridescope {

// The image the engine reads, where it came from, and its display texture.
struct InputImage {
  Tensor3 pixels;     // C,H,W as loaded (images: RGB in [0,1]; .npy: any finite values)
  std::string name;   // sample name or file name, for captions and the sample picker
  bool is_sample = true;
  GlTexture texture;  // pixels for display; empty when GL refused the size
};

// Which kernel preset Params::kernel was made from, so the picker can show and resize it.
struct KernelChoice {
  std::string preset;  // empty: a custom kernel from the command line (rows or .npy)
  int size = 0;        // side of sizable presets; ignored for fixed ones
};

// The feature map of the last valid Params. Kept on screen (marked stale) while the current
// Params are invalid, so dragging through an invalid combination does not blank the view.
struct ViewResult {
  Tensor3 feature_map;  // C_out,OH,OW
  Geometry geometry;    // the geometry feature_map was computed with
  GlTexture texture;    // feature_map for display; empty when GL refused the size
  bool has_value = false;  // false until some Params were valid
  bool stale = false;      // the current Params are invalid; feature_map is from earlier ones
  std::string error;       // why the current Params are invalid; empty when they are valid
};

// How things are shown; nothing here changes a number.
struct ViewState {
  float zoom = 1.0f;         // screen pixels per image pixel, shared by input and feature map
  bool link_stride = true;   // dragging one stride axis moves the other
};

class AppState {
 public:
  // Needs a current GL context (it owns textures) and must be destroyed before it.
  // A params.kernel without weights (the command line gave none) gets the default preset.
  explicit AppState(Params initial_params);

  // Replace the input. On failure the current input stays and input_error() says why.
  // Returns true when the input changed.
  bool LoadSample(std::string_view name);
  bool LoadFile(const std::string& path);

  // Call after editing params or kernel_choice: the next Recompute will run the engine.
  void MarkParamsChanged() { dirty_ = true; }
  // Rebuilds params.kernel from kernel_choice; false (and the error shown) when that fails.
  bool ApplyKernelChoice();
  // Runs ResolveGeometry and the engine if params or the input changed since the last call.
  void Recompute();

  const InputImage& input() const { return input_; }
  const ViewResult& result() const { return result_; }
  const std::string& input_error() const { return input_error_; }

  Params params;
  KernelChoice kernel_choice;
  ViewState view;

 private:
  void SetInput(Tensor3 pixels, std::string name, bool is_sample);
  void ShowInvalid(std::string message);

  InputImage input_;
  ViewResult result_;
  std::string input_error_;
  std::string kernel_error_;  // kernel_choice could not be made into a kernel
  CpuEngine engine_;
  bool dirty_ = true;
};

// A value range mapped linearly onto 0..255 for display.
struct DisplayRange {
  float low = 0.0f;
  float high = 1.0f;
};

// Finite min..max over the channels ToDisplayRgba shows; {0, 1} when there is no finite value.
DisplayRange FiniteRange(const Tensor3& tensor);

// RGBA8, row 0 at the top: 1 channel -> grey, 3 -> RGB, any other count -> the first channel in
// grey. Values outside range clamp; non-finite values are black; a flat range (low == high)
// clamps from [0, 1] instead.
std::vector<std::uint8_t> ToDisplayRgba(const Tensor3& tensor, DisplayRange range);

// What ToDisplayRgba shows of a tensor's channels, for captions: "grey", "RGB",
// "8 channels, the first shown".
std::string DisplayedChannelsNote(const Tensor3& tensor);

// The texture as ImGui::Image wants it.
ImTextureID ToImTextureId(const GlTexture& texture);

}  // namespace stridescope
