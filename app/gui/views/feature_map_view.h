// The feature map, drawn at the input's zoom so that its size on screen shows what the stride
// did (a stride-2 map looks half as big as the input), with a caption and the stale marker.
#pragma once

namespace stridescope {

class AppState;

// Draws into the current window: caption (size, channels shown, the engine that computed it),
// then the map at view.zoom screen pixels per pixel, dimmed and explained when the current
// parameters are invalid.
void DrawFeatureMapView(AppState& state);

}  // namespace stridescope
