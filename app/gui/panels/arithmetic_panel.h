#pragma once

#include "gui/app_state.h"

namespace stridescope {

// Draws into the current ImGui window or child (gui_main.cpp owns the layout). Returns true when
// it changed anything in state.
bool DrawArithmeticPanel(AppState& state);

}  // namespace stridescope
