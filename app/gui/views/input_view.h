// The input image, drawn at the shared zoom (ViewState::zoom) with a caption.
#pragma once

namespace stridescope {

class AppState;

// Draws into the current window: caption, then the image at view.zoom screen pixels per pixel.
void DrawInputView(AppState& state);

}  // namespace stridescope
