// The feature map's colour choice and its legend, for the feature map view: a compact row of
// controls (colour map, value range, shown channel) and a gradient bar labelled with the values
// its ends and zero stand for.
#pragma once

namespace stridescope {

class AppState;

// One row in the current window: colour map (Grey / Diverging), range (Min..max / Symmetric /
// Manual, with low and high fields), and the channel shown when the map has more than one.
// Edits state.view.map_display and calls state.MarkDisplayChanged() itself (the map is redrawn,
// not recomputed). A manual range that is not finite low < high is refused inline and the
// previous bounds stay. Returns true when the choice changed.
bool DrawMapDisplayControls(AppState& state);

// A horizontal gradient `width` screen pixels wide (<= 0: the available width) in the colours
// the map on screen was drawn with, labelled with its low and high values and, when inside the
// range, zero (for the diverging map: the neutral colour). RGB maps get a one-line note instead.
// Draws nothing before the first map.
void DrawColourLegend(const AppState& state, float width);

}  // namespace stridescope
