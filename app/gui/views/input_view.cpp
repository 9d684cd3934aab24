#include "gui/views/input_view.h"

#include <imgui.h>

#include "gui/app_state.h"

namespace stridescope {

void DrawInputView(AppState& state) {
  const InputImage& input = state.input();
  const Tensor3& pixels = input.pixels;
  ImGui::Text("Input %s: %d × %d (H × W), %s", input.name.c_str(), pixels.height, pixels.width,
              DisplayedChannelsNote(pixels).c_str());
  if (input.texture.empty()) {
    ImGui::TextDisabled("(too large for this graphics driver to display)");
    return;
  }
  const float zoom = state.view.zoom;
  ImGui::Image(ToImTextureId(input.texture), ImVec2(pixels.width * zoom, pixels.height * zoom));
}

}  // namespace stridescope
