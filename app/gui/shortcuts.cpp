#include "gui/shortcuts.h"

#include <algorithm>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>

#include "gui/app_state.h"
#include "gui/timeline.h"

namespace stridescope {

namespace {

constexpr float kMinUiScale = 0.6f;
constexpr float kMaxUiScale = 3.0f;

// ImGui 1.86 has named keys for the arrows, Home, End and Space (mapped by the GLFW backend via
// io.KeyMap), but none for the brackets: the backend stores every key in io.KeysDown at its
// GLFW_KEY_* index, so those are asked for by GLFW code (the US-layout key positions).
bool Pressed(ImGuiKey key, bool repeat) { return ImGui::IsKeyPressed(ImGui::GetKeyIndex(key), repeat); }

// Moves both stride axes by delta within 1..kMaxStride; true when either moved.
bool NudgeStride(Params& params, int delta) {
  const Size2 before = params.stride;
  params.stride.y = std::clamp(params.stride.y + delta, 1, limits::kMaxStride);
  params.stride.x = std::clamp(params.stride.x + delta, 1, limits::kMaxStride);
  return !(before == params.stride);
}

}  // namespace

bool HandleShortcuts(AppState& state) {
  const ViewResult& result = state.result();
  const Geometry& geometry = result.geometry;
  bool changed = false;
  // The geometry may have changed in last frame's recompute.
  if (result.has_value) changed |= ClampTimeline(state.timeline, geometry);

  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return changed;  // the keys are typing into a field

  // Ctrl + and Ctrl - scale the whole UI, for a projector at the back of a room.
  if (io.KeyCtrl) {
    ImGuiIO& writable = ImGui::GetIO();
    if (ImGui::IsKeyPressed(GLFW_KEY_EQUAL, true) || ImGui::IsKeyPressed(GLFW_KEY_KP_ADD, true))
      writable.FontGlobalScale = std::min(writable.FontGlobalScale * 1.1f, kMaxUiScale);
    if (ImGui::IsKeyPressed(GLFW_KEY_MINUS, true) || ImGui::IsKeyPressed(GLFW_KEY_KP_SUBTRACT, true))
      writable.FontGlobalScale = std::max(writable.FontGlobalScale / 1.1f, kMinUiScale);
    if (ImGui::IsKeyPressed(GLFW_KEY_0, false)) writable.FontGlobalScale = 1.0f;
    return changed;  // Ctrl+O and friends belong to other handlers
  }
  // The views: F fits both images again after zooming, A toggles the aligned feature map.
  if (ImGui::IsKeyPressed(GLFW_KEY_F, false) && !state.view.zoom_fits) {
    state.view.zoom_fits = true;
    changed = true;
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_A, false)) {
    state.view.align_output = !state.view.align_output;
    changed = true;
  }
  // Stride first: it needs no valid result (it may be what makes the parameters valid again).
  int stride_delta = 0;
  if (ImGui::IsKeyPressed(GLFW_KEY_LEFT_BRACKET, true)) --stride_delta;
  if (ImGui::IsKeyPressed(GLFW_KEY_RIGHT_BRACKET, true)) ++stride_delta;
  if (stride_delta != 0 && NudgeStride(state.params, stride_delta)) {
    state.MarkParamsChanged();  // as the controls panel does: the next Recompute runs the engine
    changed = true;
  }

  // The timeline keys act on the map on screen; a stale one belongs to other parameters.
  if (!result.has_value || result.stale) return changed;
  Timeline& timeline = state.timeline;
  if (Pressed(ImGuiKey_Space, false)) {
    TogglePlaying(timeline, geometry);
    changed = true;
  }
  if (Pressed(ImGuiKey_LeftArrow, true)) changed |= StepBy(timeline, -1, geometry);
  if (Pressed(ImGuiKey_RightArrow, true)) changed |= StepBy(timeline, +1, geometry);
  if (Pressed(ImGuiKey_Home, false)) changed |= GoToStep(timeline, 0, geometry);
  if (Pressed(ImGuiKey_End, false)) changed |= GoToStep(timeline, StepCount(geometry) - 1, geometry);
  return changed;
}

}  // namespace stridescope
