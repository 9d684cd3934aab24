// Keyboard shortcuts for the timeline and the stride, so a sweep can be watched and re-run
// without reaching for the mouse.
#pragma once

namespace stridescope {

class AppState;

// Call once per frame, after ImGui::NewFrame and before the window is drawn. Space plays or
// pauses, Left/Right step back/forward, Home/End jump to the first/last step, '[' and ']'
// decrease/increase the stride on both axes (1..64), Ctrl +/- scale the UI (Ctrl 0 resets), F
// fits both images in their panes again, A toggles the aligned feature map.
// F11 (fullscreen, gui/window_input.h) and Ctrl+O (the Open field, in the controls panel) are
// handled elsewhere. Does nothing while a text field has the keyboard. Also keeps the timeline
// inside the current geometry. Returns true when it changed anything in state.
bool HandleShortcuts(AppState& state);

}  // namespace stridescope
