#include "gui/panels/timeline_panel.h"

#include <imgui.h>

namespace stridescope {

bool DrawTimelinePanel(AppState&) {
  ImGui::TextDisabled("Timeline (being built)");
  return false;
}

}  // namespace stridescope
