// An ImGui context and a GL context for driving the window's panels headless, without a window or
// a platform backend; shared by the UI test suites.
#pragma once

#include <memory>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>  // key codes only: the shortcuts read io.KeysDown at GLFW indices
#include <doctest/doctest.h>
#include <imgui.h>

#include "gl_context.h"
#include "gui/headless_imgui.h"

namespace stridescope::testing {

constexpr float kDisplayWidth = static_cast<float>(kWindowWidth);
constexpr float kDisplayHeight = static_cast<float>(kWindowHeight);

inline HeadlessGlContext& Context() {
  static Expected<std::unique_ptr<HeadlessGlContext>> context = HeadlessGlContext::Create();
  REQUIRE_MESSAGE(context.ok(), (context.ok() ? "" : context.error().message));
  return **context;
}

// An ImGui context with no backend: a display size, a time step and a built font atlas are all
// NewFrame needs. Keys are mapped as the GLFW backend maps them, so the shortcuts can be pressed.
class HeadlessImGui {
 public:
  HeadlessImGui() {
    CreateHeadlessImGuiContext();
    ImGuiIO& io = ImGui::GetIO();
    io.DeltaTime = 1.0f / 60.0f;
    // As imgui_impl_opengl3 declares on GL 3.2+: draw lists past 64K vertices split by VtxOffset
    // (16-bit indices), which the views need on large inputs.
    io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;
    io.KeyMap[ImGuiKey_Space] = GLFW_KEY_SPACE;
    io.KeyMap[ImGuiKey_LeftArrow] = GLFW_KEY_LEFT;
    io.KeyMap[ImGuiKey_RightArrow] = GLFW_KEY_RIGHT;
    io.KeyMap[ImGuiKey_Home] = GLFW_KEY_HOME;
    io.KeyMap[ImGuiKey_End] = GLFW_KEY_END;
    unsigned char* pixels = nullptr;
    int width = 0;
    int height = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);
  }
  ~HeadlessImGui() { ImGui::DestroyContext(); }
  HeadlessImGui(const HeadlessImGui&) = delete;
  HeadlessImGui& operator=(const HeadlessImGui&) = delete;
};

}  // namespace stridescope::testing
