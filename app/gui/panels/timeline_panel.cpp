#include "gui/panels/timeline_panel.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include <imgui.h>

#include "gui/app_state.h"
#include "gui/number_text.h"
#include "gui/timeline.h"

namespace stridescope {

namespace {

// Small fixed-width buttons so the row does not jump when Play turns into Pause.
bool TransportButton(const char* label, const char* tooltip, float width) {
  const bool pressed = ImGui::Button(label, ImVec2(width, 0.0f));
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tooltip);
  return pressed;
}

// The transport buttons; true when the step or playing changed.
bool TransportRow(Timeline& timeline, const Geometry& geometry) {
  const float width = ImGui::GetFrameHeight() * 1.4f;
  bool changed = false;
  if (TransportButton("|<", "First step (Home)", width)) changed |= GoToStep(timeline, 0, geometry);
  ImGui::SameLine();
  // Repeating: holding the button walks the window along, like holding the arrow key.
  ImGui::PushButtonRepeat(true);
  if (TransportButton("<", "Back one step (Left)", width)) changed |= StepBy(timeline, -1, geometry);
  ImGui::PopButtonRepeat();
  ImGui::SameLine();
  if (TransportButton(timeline.playing ? "Pause" : "Play", "Play / pause (Space)", width * 2.2f)) {
    TogglePlaying(timeline, geometry);
    changed = true;
  }
  ImGui::SameLine();
  ImGui::PushButtonRepeat(true);
  if (TransportButton(">", "Forward one step (Right)", width)) changed |= StepBy(timeline, +1, geometry);
  ImGui::PopButtonRepeat();
  ImGui::SameLine();
  if (TransportButton(">|", "Last step (End)", width)) {
    changed |= GoToStep(timeline, StepCount(geometry) - 1, geometry);
  }
  return changed;
}

// Scrub slider over every window position; true when it moved the step.
bool ScrubSlider(Timeline& timeline, const Geometry& geometry, float width) {
  const int count = StepCount(geometry);
  const OutputCell cell = CellOfStep(timeline.step, geometry);
  // The row and column are of the step before this frame's drag: one frame behind at most.
  char format[96];
  // Steps count from 0 like --step and the rows and columns, so say the range, not "of N".
  std::snprintf(format, sizeof format, "step %%d of 0-%d: row %d, col %d", std::max(0, count - 1), cell.oh, cell.ow);
  int step = timeline.step;
  ImGui::SetNextItemWidth(width);
  if (!ImGui::SliderInt("##step", &step, 0, std::max(0, count - 1), format,
                        ImGuiSliderFlags_AlwaysClamp)) {
    return false;
  }
  return GoToStep(timeline, step, geometry);
}

// Logarithmic speed slider from 1 step/s to a full output row per frame.
bool SpeedSlider(Timeline& timeline, const Geometry& geometry, float width) {
  const float top = MaxStepsPerSecond(geometry);
  const bool at_top = timeline.steps_per_second >= top;
  ImGui::SetNextItemWidth(width);
  const bool moved = ImGui::SliderFloat("##speed", &timeline.steps_per_second, kMinStepsPerSecond,
                                        top, at_top ? "a full row per frame" : "%.0f steps/s",
                                        ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Playback speed (steps per second)");
  return moved;
}

// What this map costs, under the transport row where it is always in view: the output size, the
// multiply-accumulates, their ratio to stride 1 (the cost follows the output) and the engine time.
void CostLine(const AppState& state) {
  const ViewResult& result = state.result();
  const Geometry& g = result.geometry;
  std::string line = "Output " + std::to_string(g.OutputHeight()) + " × " + std::to_string(g.OutputWidth()) +
                     " × " + std::to_string(result.channels) + "   " + WithThousands(g.macs) + " MACs";
  if (result.stride1_macs > 0 && !(g.y.stride == 1 && g.x.stride == 1)) {
    char ratio[48];
    std::snprintf(ratio, sizeof ratio, " (%.3gx of stride 1)",
                  static_cast<double>(g.macs) / static_cast<double>(result.stride1_macs));
    line += ratio;
  }
  const EngineStatus& engines = state.engines();
  if (result.computed_by == EngineKind::Gpu) {
    line += engines.gpu_untimed ? "   GPU (untimed)" : "   GPU " + Milliseconds(engines.last_gpu_ms);
  } else {
    line += "   CPU " + Milliseconds(engines.last_cpu_ms);
  }
  if (result.computing) line += "   (computing the next map...)";
  ImGui::TextUnformatted(line.c_str());
}

}  // namespace

bool DrawTimelinePanel(AppState& state) {
  const ViewResult& result = state.result();
  // The timeline walks the map on screen; a stale map belongs to other parameters.
  const bool usable = result.has_value && !result.stale && StepCount(result.geometry) > 0;
  const Geometry& geometry = result.geometry;
  Timeline& timeline = state.timeline;
  bool changed = false;
  if (usable) {
    // The geometry may have changed in this frame's recompute (HandleShortcuts clamps too, but
    // before it).
    changed |= ClampTimeline(timeline, geometry);
    changed |= AdvanceTimeline(timeline, ImGui::GetIO().DeltaTime, geometry);
  } else if (timeline.playing) {
    timeline.playing = false;
    changed = true;
  }

  ImGui::BeginDisabled(!usable);
  if (usable) {
    changed |= TransportRow(timeline, geometry);
    ImGui::SameLine();
    const float speed_width = ImGui::GetFontSize() * 11.0f;
    const float scrub_width = std::max(ImGui::GetFontSize() * 8.0f,
                                       ImGui::GetContentRegionAvail().x - speed_width -
                                           ImGui::GetStyle().ItemSpacing.x);
    changed |= ScrubSlider(timeline, geometry, scrub_width);
    ImGui::SameLine();
    changed |= SpeedSlider(timeline, geometry, speed_width);
  } else {
    // Same row, inert, so the layout does not jump when the parameters become valid again.
    Timeline inert;
    Geometry none;
    TransportRow(inert, none);
  }
  ImGui::EndDisabled();
  if (!usable) {
    ImGui::SameLine();
    ImGui::TextDisabled("(the timeline needs a valid feature map: fix the parameters)");
  }
  if (result.has_value && !result.stale) CostLine(state);
  return changed;
}

}  // namespace stridescope
