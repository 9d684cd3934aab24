// The input image, drawn at the shared zoom (ViewState::zoom) with a caption, and on top of it
// what the current timeline step reads: the padding ring, the stride lattice and the kernel
// window's taps.
#pragma once

#include "geometry.h"

namespace stridescope {

// Room the input view keeps around the image for the padding ring and taps that read padding, in
// input pixels per side.
struct InputMargins {
  float top = 0.0f;
  float bottom = 0.0f;
  float left = 0.0f;
  float right = 0.0f;
};
InputMargins MarginsOf(const Geometry& geometry);

class AppState;

// Draws into the current window: caption, then the image at view.zoom screen pixels per pixel,
// offset by the leading padding so the ring around it stays visible, with the overlays of the
// current step (only for a map that is not stale: a stale one belongs to other parameters).
void DrawInputView(AppState& state);

}  // namespace stridescope
