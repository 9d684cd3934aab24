// The timeline row: first / back / play-pause / forward / last, a scrub slider over every window
// position, and the playback speed. Playing advances here, once per frame.
#pragma once

#include "gui/app_state.h"

namespace stridescope {

// Draws into the current ImGui window or child (gui_main.cpp owns the layout). Returns true when
// it changed anything in state.
bool DrawTimelinePanel(AppState& state);

}  // namespace stridescope
