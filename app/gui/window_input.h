// What the window's own keys and GLFW callbacks ask for, decided without GLFW calls so the tests
// can drive them headless; gui_main.cpp does the GLFW part (the monitor, the callbacks).
#pragma once

#include <string>
#include <vector>

namespace stridescope {

class AppState;

// F11 went down this frame (held keys do not repeat it): the window should enter or leave
// fullscreen. Call after ImGui::NewFrame.
bool FullscreenToggleRequested();

// Files dropped on the window, as GLFW hands them over: opens the first that loads, in order.
// When none loads, the current input stays and AppState::input_error() says why the last one
// did not. Returns true when the input changed; no paths: nothing happens.
bool HandleDroppedPaths(AppState& state, const std::vector<std::string>& paths);

}  // namespace stridescope
