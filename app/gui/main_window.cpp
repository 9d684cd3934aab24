// The window's layout: one full-window host holding every panel and view (ImGui 1.86 has no
// docking). In the GUI library, so the headless frames test draws exactly what the window draws.
#include "gui/main_window.h"

#include <algorithm>
#include <cmath>

#include <imgui.h>

#include "gui/gui_main.h"
#include "gui/panels/arithmetic_panel.h"
#include "gui/panels/controls_panel.h"
#include "gui/panels/formula_panel.h"
#include "gui/panels/timeline_panel.h"
#include "gui/views/feature_map_view.h"
#include "gui/views/image_pane.h"
#include "gui/timeline.h"
#include "gui/views/input_view.h"

namespace stridescope {

namespace {

constexpr float kControlsWidth = 340.0f;  // logical pixels, times the content scale

// The largest zoom at which both the input and the feature map fit in area. Large zooms (small
// grids) snap down to whole numbers so every cell is drawn the same size; below that, snapping
// would waste up to half the area, and a pixel more or less per cell is not visible.
float FitZoom(const AppState& state, ImVec2 area) {
  constexpr float kWholeZoomFrom = 8.0f;
  const Tensor3& input = state.input().pixels();
  if (input.Empty()) return 1.0f;
  const ViewResult& result = state.result();
  // The padding ring is part of the input view: fit it too, or its far side scrolls away.
  const InputMargins margins = result.has_value && !result.stale ? MarginsOf(result.geometry) : InputMargins{};
  float zoom = std::min(area.x / (static_cast<float>(input.width) + margins.left + margins.right),
                        area.y / (static_cast<float>(input.height) + margins.top + margins.bottom));
  if (result.has_value && !MapDrawnAligned(state)) {
    // From the geometry: on the GPU path there are no CPU values to take the size from.
    // (Aligned, the map lies over the input's area, which is fitted already.)
    const Geometry& map = result.geometry;
    zoom = std::min({zoom, area.x / static_cast<float>(map.OutputWidth()),
                     area.y / static_cast<float>(map.OutputHeight())});
  }
  if (zoom >= kWholeZoomFrom) zoom = std::floor(zoom);
  return std::max(zoom, kMinViewZoom);  // a tiny window still shows something
}

// Applies a wheel turn over one pane to the shared zoom. The pane under the cursor keeps the
// point under it; the other keeps its centre (both panes are the same size). Aligned, the map
// pans with the input, so only that pan moves.
void ApplyZoom(ViewState& view, const ZoomRequest& request, bool over_input, bool aligned, ImVec2 pane_size) {
  const float zoom = std::clamp(view.zoom * request.factor, kMinViewZoom, kMaxViewZoom);
  const float factor = zoom / view.zoom;
  if (factor == 1.0f) return;
  view.zoom = zoom;
  view.zoom_fits = false;
  const ImVec2 centre(pane_size.x * 0.5f, pane_size.y * 0.5f);
  if (aligned) {
    // Both panes draw with the input's pan and place the image alike: one anchor serves both.
    view.input_pan = PanAfterZoom(view.input_pan, request.anchor, factor);
    return;
  }
  ImVec2& hovered = over_input ? view.input_pan : view.map_pan;
  ImVec2& other = over_input ? view.map_pan : view.input_pan;
  hovered = PanAfterZoom(hovered, request.anchor, factor);
  other = PanAfterZoom(other, centre, factor);
}

// Input and feature map side by side, in equal panes, at one shared zoom.
void DrawImageViews(AppState& state) {
  const ImGuiStyle& style = ImGui::GetStyle();
  const ImVec2 area = ImGui::GetContentRegionAvail();
  const float pane_width = std::floor((area.x - style.ItemSpacing.x) * 0.5f);
  // A caption line above each image; below the feature map its legend (a bar and a line of
  // values), the colour controls and a line of notes.
  const float text_height = ImGui::GetTextLineHeightWithSpacing() * 4.0f + ImGui::GetFrameHeightWithSpacing() +
                            style.ItemSpacing.y;
  const ImVec2 image_area(pane_width - 2.0f * style.WindowPadding.x,
                          std::max(1.0f, area.y - 2.0f * style.WindowPadding.y - text_height));
  if (state.view.zoom_fits) {
    state.view.zoom = FitZoom(state, image_area);
    state.view.input_pan = state.view.map_pan = ImVec2(0.0f, 0.0f);
  }
  ZoomRequest input_zoom;
  ZoomRequest map_zoom;
  ImGui::BeginChild("input_view", ImVec2(pane_width, 0.0f), true, ImGuiWindowFlags_NoScrollbar);
  DrawInputView(state, image_area, &input_zoom);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("feature_map_view", ImVec2(0.0f, 0.0f), true, ImGuiWindowFlags_NoScrollbar);
  DrawFeatureMapView(state, image_area, &map_zoom);
  ImGui::EndChild();
  // Both views have panned to this step's window and cell, if they needed to.
  if (state.result().has_value) state.view.followed_step = ClampedStep(state.timeline.step, state.result().geometry);
  const bool aligned = MapDrawnAligned(state);
  if (input_zoom.factor != 1.0f) ApplyZoom(state.view, input_zoom, true, aligned, image_area);
  if (map_zoom.factor != 1.0f) ApplyZoom(state.view, map_zoom, false, aligned, image_area);
}

}  // namespace

// One full-window host (1.86 has no docking): the controls column, then the two views.
bool DrawMainWindow(AppState& state, float content_scale) {
  bool changed = false;
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  ImGui::Begin("stridescope", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoBringToFrontOnFocus |
                   ImGuiWindowFlags_NoBackground);  // the frame is cleared to the same colour
  state.Recompute();  // the first frame, and inputs given before it
  state.PollWorker();  // a CPU result computed off this thread
  state.PollGpuTime();  // a dispatch's GPU time arrives a frame or so after it
  ImGui::BeginChild("controls", ImVec2(kControlsWidth * content_scale, 0.0f), true);
  changed |= DrawControlsPanel(state);
  ImGui::EndChild();
  // What the controls just changed reaches the views in this same frame: the GPU engine computes
  // now, and the CPU worker starts a frame earlier.
  state.Recompute();
  ImGui::SameLine();
  // Right of the controls: the views on top, the timeline under them, then the arithmetic of the
  // current step beside the output-size formula.
  ImGui::BeginGroup();
  const float line = ImGui::GetFrameHeightWithSpacing();
  const float timeline_height = 2.0f * line + 2.0f * ImGui::GetStyle().WindowPadding.y;
  const float explain_height = std::floor(ImGui::GetContentRegionAvail().y * 0.36f);
  const float views_height = ImGui::GetContentRegionAvail().y - timeline_height - explain_height -
                             2.0f * ImGui::GetStyle().ItemSpacing.y;
  // No background where a parent or child paints the same area: on a software renderer (llvmpipe)
  // every full-size layer costs milliseconds a frame.
  ImGui::BeginChild("views", ImVec2(0.0f, views_height), false, ImGuiWindowFlags_NoBackground);
  DrawImageViews(state);
  ImGui::EndChild();
  ImGui::BeginChild("timeline", ImVec2(0.0f, timeline_height), true);
  changed |= DrawTimelinePanel(state);
  ImGui::EndChild();
  const float half = std::floor((ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) * 0.5f);
  ImGui::BeginChild("arithmetic", ImVec2(half, explain_height), true);
  changed |= DrawArithmeticPanel(state);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("formula", ImVec2(0.0f, explain_height), true);
  changed |= DrawFormulaPanel(state);
  ImGui::EndChild();
  ImGui::EndGroup();
  ImGui::End();
  return changed;
}

}  // namespace stridescope
