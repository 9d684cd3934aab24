#include "gui/panels/arithmetic_panel.h"

#include <imgui.h>

namespace stridescope {

bool DrawArithmeticPanel(AppState&) {
  ImGui::TextDisabled("Arithmetic (being built)");
  return false;
}

}  // namespace stridescope
