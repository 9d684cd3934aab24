// The left column: the input picker, every parameter the user edits, and what they resolve to
// (output size, MACs, the current error inline).
#pragma once

namespace stridescope {

class AppState;

// Draws into the current window. Returns true when the input or any parameter changed; the
// state is then already marked for recompute.
bool DrawControlsPanel(AppState& state);

}  // namespace stridescope
