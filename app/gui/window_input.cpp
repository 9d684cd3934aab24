#include "gui/window_input.h"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>  // key codes only: the GLFW backend fills io.KeysDown at GLFW indices
#include <imgui.h>

#include "gui/app_state.h"

namespace stridescope {

bool FullscreenToggleRequested() { return ImGui::IsKeyPressed(GLFW_KEY_F11, false); }

bool HandleDroppedPaths(AppState& state, const std::vector<std::string>& paths) {
  // A drop of several files usually has one image among other things (a folder, a text file):
  // the first one that loads wins, rather than failing on whichever the file manager put first.
  for (const std::string& path : paths) {
    if (state.LoadFile(path)) return true;
  }
  return false;
}

}  // namespace stridescope
