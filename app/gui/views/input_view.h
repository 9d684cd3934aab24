// The input image, drawn at the shared zoom (ViewState::zoom) with a caption, and on top of it
// what the current timeline step reads: the padding ring, the stride lattice and the kernel
// window's taps.
#pragma once

#include <imgui.h>

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
struct ZoomRequest;

// Whether the overlays of the current step are drawn: a current (not stale) result of this
// very image. A stale one belongs to other parameters.
bool InputOverlaysShown(const AppState& state);

// Whether the views should pan to show `step`'s window and cell: the user has zoomed in, and the
// step is new since the last frame (ViewState::followed_step). Panning by hand still works
// between steps.
struct ViewState;
bool FollowsStep(const ViewState& view, int step);

// Where the image sits in the input view's drawn area at view.zoom, in screen pixels: the area
// includes the margins for the padding ring, and the image starts image_offset into it.
struct InputPlacement {
  ImVec2 area;
  ImVec2 image_offset;
};
InputPlacement PlaceInput(const AppState& state);

// Draws into the current window: caption, then a pane of pane_size where the image is drawn at
// view.zoom, offset by view.input_pan, with the overlays of the current step. Dragging pans; a
// wheel turn over the pane fills *zoom_request for the layout to apply.
void DrawInputView(AppState& state, ImVec2 pane_size, ZoomRequest* zoom_request);
}  // namespace stridescope
