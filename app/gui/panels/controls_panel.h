// The left column: the input picker, every parameter the user edits, the engine (GPU or CPU,
// with their last times), and what they resolve to (output size, MACs, the current error and
// engine notices inline).
#pragma once

namespace stridescope {

class AppState;

// Draws into the current window. Returns true when the input, any parameter or the engine
// changed; the state is then already marked for recompute.
bool DrawControlsPanel(AppState& state);

}  // namespace stridescope
