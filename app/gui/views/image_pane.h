// The region of a view where its image is drawn: clipped, panned by dragging, zoomed by the wheel
// around the cursor. Shared by the input view and the feature map view, which show their images
// at one zoom (ViewState::zoom) so that their sizes on screen compare.
#pragma once

#include <imgui.h>

namespace stridescope {

// From this many screen pixels per image pixel (or output cell) up, both views print each
// pixel's or cell's value inside it.
inline constexpr float kValuesFromCellSide = 28.0f;

// A wheel turn over a pane: the layout applies it to the shared zoom (ApplyZoom), because the
// other pane's pan has to follow too.
struct ZoomRequest {
  float factor = 1.0f;  // new zoom / old zoom; 1: none
  ImVec2 anchor;        // pane-local point (pixels from the pane's top-left) that stays put
};

// Which mouse buttons pan a pane by dragging. The feature map keeps the left button for picking
// a cell, so it pans with the right or middle button only.
enum class PanButtons { AnyButton, RightOrMiddle };

struct ImagePane {
  ImVec2 top_left;  // screen position of the pane's top-left corner
  ImVec2 size;      // screen pixels
  ImVec2 Origin(ImVec2 pan) const { return ImVec2(top_left.x + pan.x, top_left.y + pan.y); }
};

// Opens a child window `id` of `size` that clips what is drawn into it (ImGui::GetWindowDrawList()
// between Begin and EndImagePane) and takes the mouse for the whole area: dragging with
// `buttons` moves *pan (screen pixels of the image's top-left from the pane's top-left), a wheel
// turn over it fills *zoom. *pan is kept so at least a corner of `content` (screen pixels) stays
// in view. The last item is the pane's invisible button, for IsItemActive / IsItemHovered.
ImagePane BeginImagePane(const char* id, ImVec2 size, ImVec2 content, PanButtons buttons, ImVec2* pan,
                         ZoomRequest* zoom);
void EndImagePane();

// The pan that brings [min, max) (pixels from the content's top-left) into a pane of pane_size:
// unchanged when it is already inside, else centred on it.
ImVec2 PanToShow(ImVec2 pan, ImVec2 pane_size, ImVec2 min, ImVec2 max);

// Keeps pane-local `anchor` on the same image point while the zoom changes by `factor`.
ImVec2 PanAfterZoom(ImVec2 pan, ImVec2 anchor, float factor);

}  // namespace stridescope
