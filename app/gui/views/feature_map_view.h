// The feature map, drawn at the input's zoom so that its size on screen shows what the stride
// did (a stride-2 map looks half as big as the input), with a caption and the stale marker. In
// aligned mode each output cell is drawn over the input area it came from instead.
#pragma once

#include <imgui.h>

namespace stridescope {

class AppState;
struct AxisGeometry;

// Aligned placement of one axis, in input pixels from the image's first pixel: each output sits
// centred on its window's span, one window step wide, so consecutive cells tile the input the
// way the stride advances the window (a stride-2 cell is 2 pixels; a transposed conv cell, whose
// direct form steps over a zero-inserted lattice, is 1/stride of a pixel). Output o covers
// [first + o * cell, first + (o + 1) * cell).
struct AxisPlacement {
  float first = 0.0f;
  float cell = 1.0f;
};
AxisPlacement AlignedAxis(const AxisGeometry& axis);

// Whether the feature map is drawn aligned to the input now: asked for (ViewState::align_output)
// and possible (a current map of the image on screen). The layout zooms and fits by it too.
bool MapDrawnAligned(const AppState& state);
struct ZoomRequest;

// Draws into the current window: caption (size, channels shown, the engine that computed it,
// the alignment toggle), then a pane of pane_size with the map at view.zoom screen pixels per
// pixel, dimmed and explained when the current parameters are invalid. Left click or drag picks
// the timeline's cell; right or middle drag pans; a wheel turn fills *zoom_request.
void DrawFeatureMapView(AppState& state, ImVec2 pane_size, ZoomRequest* zoom_request);

}  // namespace stridescope
