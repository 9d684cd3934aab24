#include "gui/headless_imgui.h"

#include <imgui.h>

#include "gui/theme.h"

namespace stridescope {

void CreateHeadlessImGuiContext() {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.LogFilename = nullptr;
  io.DisplaySize = ImVec2(static_cast<float>(kWindowWidth), static_cast<float>(kWindowHeight));
  ApplyTheme(1.0f);
}

}  // namespace stridescope
