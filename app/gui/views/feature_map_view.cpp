#include "gui/views/feature_map_view.h"

#include <string>

#include <imgui.h>

#include "gui/app_state.h"

namespace stridescope {

namespace {

const ImVec4 kStaleColour{1.00f, 0.72f, 0.35f, 1.00f};
// Dimmed, so an out-of-date map cannot be mistaken for the answer to the current controls.
const ImVec4 kStaleTint{0.45f, 0.45f, 0.45f, 1.00f};
const ImVec4 kNoTint{1.0f, 1.0f, 1.0f, 1.0f};

void StaleNote(const char* label, const std::string& reason) {
  ImGui::PushStyleColor(ImGuiCol_Text, kStaleColour);
  ImGui::TextWrapped("(%s: %s)", label, reason.c_str());
  ImGui::PopStyleColor();
}

}  // namespace

void DrawFeatureMapView(AppState& state) {
  const ViewResult& result = state.result();
  if (!result.has_value) {
    ImGui::TextUnformatted("Feature map");
    StaleNote("none", result.error);
    return;
  }
  // Sizes from the geometry: the GPU path keeps no CPU values (ViewResult::feature_map).
  const int height = result.geometry.OutputHeight();
  const int width = result.geometry.OutputWidth();
  ImGui::Text("Feature map %d × %d (H × W), %s, %s", height, width,
              DisplayedChannelsNote(result.channels).c_str(),
              result.computed_by == EngineKind::Gpu ? "GPU" : "CPU");
  if (result.texture.empty()) {
    ImGui::TextDisabled("(too large for this graphics driver to display)");
  } else {
    const float zoom = state.view.zoom;
    ImGui::Image(ToImTextureId(result.texture), ImVec2(width * zoom, height * zoom),
                 ImVec2(0, 0), ImVec2(1, 1), result.stale ? kStaleTint : kNoTint);
  }
  if (result.stale) {
    StaleNote("stale", result.error);
  }
}

}  // namespace stridescope
