// The window's look: a dark, high-contrast theme and a font sized for the monitor.
#pragma once

#include <imgui.h>

namespace stridescope {

// Text that says something is wrong (inline errors, refused input), everywhere in the window.
inline const ImVec4 kErrorText{1.00f, 0.47f, 0.42f, 1.00f};

// Applies the dark theme to the current ImGui context and loads DejaVu Sans at 18 px times
// content_scale (the monitor's content scale, 1 on an ordinary screen, 2 on a HiDPI one), or
// ImGui's built-in font when DejaVu is not installed. Call once, before the first frame.
void ApplyTheme(float content_scale);

}  // namespace stridescope
