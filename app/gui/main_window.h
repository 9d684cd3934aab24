// The window's contents, drawn each frame inside the current ImGui frame.
#pragma once

#include "gui/app_state.h"

namespace stridescope {

// Recomputes if needed, takes finished results, then draws the controls, the input and feature
// map views, the timeline, and the arithmetic and formula panels over the whole viewport.
// content_scale: the monitor's UI scale (1 on a standard display). Returns true when a panel
// changed the state.
bool DrawMainWindow(AppState& state, float content_scale);

}  // namespace stridescope
