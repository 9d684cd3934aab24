// An ImGui context for the window's UI without a window: the headless UI benchmark draws it
// through ImGui's OpenGL 3 renderer, the UI tests without any renderer.
#pragma once

namespace stridescope {

// The window's size in logical pixels: the display size of a headless context too.
inline constexpr int kWindowWidth = 1600;
inline constexpr int kWindowHeight = 900;

// Creates the current ImGui context with the window's display size, the window's theme at scale
// 1, and no ini or log file (a headless run leaves nothing behind). The caller destroys it.
void CreateHeadlessImGuiContext();

}  // namespace stridescope
