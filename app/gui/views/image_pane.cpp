#include "gui/views/image_pane.h"

#include <algorithm>
#include <cmath>

namespace stridescope {

namespace {

// One wheel notch zooms by this factor: eight notches are about 4x.
constexpr float kWheelZoomStep = 1.2f;
// Pixels of the image that always stay inside the pane, so a fast drag cannot lose it.
constexpr float kKeepVisible = 32.0f;

float ClampPanAxis(float pan, float content, float pane) {
  const float keep = std::min(kKeepVisible, content);
  // A pane narrower than twice `keep` leaves no valid interval: the image's start wins.
  return std::max(keep - content, std::min(pan, pane - keep));
}

}  // namespace

ImagePane BeginImagePane(const char* id, ImVec2 size, ImVec2 content, PanButtons buttons, ImVec2* pan,
                         ZoomRequest* zoom) {
  ImGui::BeginChild(id, size, false,
                    ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse |
                        ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoBackground);
  ImagePane pane{ImGui::GetCursorScreenPos(), ImGui::GetContentRegionAvail()};
  // One button over the whole pane: drags that start on empty space pan too.
  const ImGuiButtonFlags mouse = buttons == PanButtons::AnyButton
                                     ? ImGuiButtonFlags_MouseButtonMask_
                                     : (ImGuiButtonFlags_MouseButtonRight | ImGuiButtonFlags_MouseButtonMiddle);
  ImGui::InvisibleButton("##pane", ImVec2(std::max(pane.size.x, 1.0f), std::max(pane.size.y, 1.0f)),
                         mouse | ImGuiButtonFlags_MouseButtonLeft);
  const ImGuiIO& io = ImGui::GetIO();
  const bool drag_button_down = (buttons == PanButtons::AnyButton && io.MouseDown[ImGuiMouseButton_Left]) ||
                                io.MouseDown[ImGuiMouseButton_Right] || io.MouseDown[ImGuiMouseButton_Middle];
  if (ImGui::IsItemActive() && drag_button_down) {
    pan->x += io.MouseDelta.x;
    pan->y += io.MouseDelta.y;
  }
  if (ImGui::IsItemHovered() && io.MouseWheel != 0.0f) {
    zoom->factor = std::pow(kWheelZoomStep, io.MouseWheel);
    zoom->anchor = ImVec2(io.MousePos.x - pane.top_left.x, io.MousePos.y - pane.top_left.y);
  }
  pan->x = ClampPanAxis(pan->x, content.x, pane.size.x);
  pan->y = ClampPanAxis(pan->y, content.y, pane.size.y);
  ImGui::SetCursorScreenPos(pane.top_left);  // callers may place items over the image
  return pane;
}

void EndImagePane() { ImGui::EndChild(); }

ImVec2 PanToShow(ImVec2 pan, ImVec2 pane_size, ImVec2 min, ImVec2 max) {
  const auto axis = [](float p, float pane, float lo, float hi) {
    if (lo + p >= 0.0f && hi + p <= pane) return p;
    return std::floor(pane * 0.5f - (lo + hi) * 0.5f);
  };
  return ImVec2(axis(pan.x, pane_size.x, min.x, max.x), axis(pan.y, pane_size.y, min.y, max.y));
}

ImVec2 PanAfterZoom(ImVec2 pan, ImVec2 anchor, float factor) {
  // The image point under the anchor, (anchor - pan) / zoom, must map back to the anchor.
  return ImVec2(anchor.x - (anchor.x - pan.x) * factor, anchor.y - (anchor.y - pan.y) * factor);
}

}  // namespace stridescope
