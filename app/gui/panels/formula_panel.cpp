#include "gui/panels/formula_panel.h"

#include <imgui.h>

namespace stridescope {

bool DrawFormulaPanel(AppState&) {
  ImGui::TextDisabled("Formula (being built)");
  return false;
}

}  // namespace stridescope
