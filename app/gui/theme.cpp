#include "gui/theme.h"

#include <filesystem>
#include <fstream>

#include <imgui.h>

namespace stridescope {

namespace {

constexpr const char* kFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr float kFontPixels = 18.0f;

// ImGui asserts when a font file cannot be read, so check first and fall back quietly.
bool FontReadable(const char* path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return false;
  return std::ifstream(path, std::ios::binary).good();
}

void LoadFont(float content_scale) {
  ImGuiIO& io = ImGui::GetIO();
  if (FontReadable(kFontPath)) {
    io.Fonts->AddFontFromFileTTF(kFontPath, kFontPixels * content_scale);
  } else {
    ImFontConfig config;
    config.SizePixels = 13.0f * content_scale;  // the built-in font is drawn for 13 px
    io.Fonts->AddFontDefault(&config);
  }
}

void ApplyColours(ImGuiStyle& style) {
  ImGui::StyleColorsDark(&style);
  ImVec4* colours = style.Colors;
  // Neutral greys rather than ImGui's blue-tinted defaults: the images are the colourful part,
  // and a projector washes out low-contrast blues.
  colours[ImGuiCol_Text] = ImVec4(0.93f, 0.93f, 0.93f, 1.00f);
  colours[ImGuiCol_TextDisabled] = ImVec4(0.55f, 0.55f, 0.55f, 1.00f);
  colours[ImGuiCol_WindowBg] = ImVec4(0.11f, 0.11f, 0.12f, 1.00f);
  // Panels are told apart by their borders on the cleared background (kBackground in
  // gui_main.cpp), not by a fill of their own: on a software renderer (llvmpipe) every
  // window-sized fill costs milliseconds a frame, and the panels cover the whole window.
  colours[ImGuiCol_ChildBg] = ImVec4(0.0f, 0.0f, 0.0f, 0.0f);
  colours[ImGuiCol_PopupBg] = ImVec4(0.13f, 0.13f, 0.14f, 0.98f);
  colours[ImGuiCol_Border] = ImVec4(0.30f, 0.30f, 0.33f, 1.00f);
  colours[ImGuiCol_FrameBg] = ImVec4(0.22f, 0.22f, 0.24f, 1.00f);
  colours[ImGuiCol_FrameBgHovered] = ImVec4(0.30f, 0.30f, 0.33f, 1.00f);
  colours[ImGuiCol_FrameBgActive] = ImVec4(0.36f, 0.36f, 0.40f, 1.00f);
  colours[ImGuiCol_Header] = ImVec4(0.26f, 0.40f, 0.58f, 0.70f);
  colours[ImGuiCol_HeaderHovered] = ImVec4(0.30f, 0.47f, 0.68f, 0.85f);
  colours[ImGuiCol_HeaderActive] = ImVec4(0.33f, 0.52f, 0.75f, 1.00f);
  colours[ImGuiCol_Button] = ImVec4(0.26f, 0.40f, 0.58f, 0.80f);
  colours[ImGuiCol_ButtonHovered] = ImVec4(0.30f, 0.47f, 0.68f, 1.00f);
  colours[ImGuiCol_ButtonActive] = ImVec4(0.33f, 0.52f, 0.75f, 1.00f);
  colours[ImGuiCol_SliderGrab] = ImVec4(0.45f, 0.65f, 0.92f, 1.00f);
  colours[ImGuiCol_SliderGrabActive] = ImVec4(0.58f, 0.75f, 1.00f, 1.00f);
  colours[ImGuiCol_CheckMark] = ImVec4(0.58f, 0.75f, 1.00f, 1.00f);
  colours[ImGuiCol_Separator] = ImVec4(0.30f, 0.30f, 0.33f, 1.00f);
}

void ApplySizes(ImGuiStyle& style, float content_scale) {
  style.WindowRounding = 0.0f;  // the main window fills the screen; rounded corners would show
  style.ChildRounding = 4.0f;
  style.FrameRounding = 3.0f;
  style.GrabRounding = 3.0f;
  style.PopupRounding = 3.0f;
  style.WindowBorderSize = 0.0f;
  style.ChildBorderSize = 1.0f;
  style.FramePadding = ImVec2(8.0f, 4.0f);
  style.ItemSpacing = ImVec2(8.0f, 6.0f);
  style.WindowPadding = ImVec2(10.0f, 10.0f);
  style.GrabMinSize = 12.0f;
  style.ScaleAllSizes(content_scale);
}

}  // namespace

void ApplyTheme(float content_scale) {
  ImGuiStyle& style = ImGui::GetStyle();
  ApplyColours(style);
  ApplySizes(style, content_scale);
  LoadFont(content_scale);
}

}  // namespace stridescope
