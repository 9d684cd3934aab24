#include "gui/views/input_view.h"

#include <algorithm>

#include <imgui.h>

#include "gui/app_state.h"
#include "gui/timeline.h"

namespace stridescope {

namespace {

// The window's taps: bright and opaque outlines, lightly filled so the pixels show through.
constexpr ImU32 kTapOutline = IM_COL32(255, 206, 64, 255);
constexpr ImU32 kTapFill = IM_COL32(255, 206, 64, 56);
// Padding: a cool tint unlike anything in the samples, translucent so reflect/replicate
// padding still reads as "outside the image".
constexpr ImU32 kPaddingTint = IM_COL32(80, 150, 255, 70);
// Faint: the lattice is context, the current window is the subject.
constexpr ImU32 kLatticeDot = IM_COL32(255, 255, 255, 120);
// Past this many windows the dots merge into a haze that hides the image.
constexpr int kMaxLatticeDots = 4000;

// Screen placement of the direct-form lattice (geometry.h). Input pixel i sits at lattice
// position i * spread, so one lattice cell is zoom / spread screen pixels: 1 for conv and
// pooling, finer for transposed conv, whose inserted zeros fall between the pixels.
struct LatticeToScreen {
  ImVec2 image_origin;  // screen position of input pixel (0, 0)'s top-left corner
  float cell_x = 1.0f;
  float cell_y = 1.0f;

  ImVec2 Corner(int row, int col) const {
    return {image_origin.x + static_cast<float>(col) * cell_x,
            image_origin.y + static_cast<float>(row) * cell_y};
  }
};

void DrawPaddingRing(ImDrawList* draw, const Geometry& g, const LatticeToScreen& map, float zoom,
                     ImVec2 image_size) {
  const ImVec2 o = map.image_origin;
  const ImVec2 end(o.x + image_size.x, o.y + image_size.y);
  const ImVec2 outer_min(o.x - static_cast<float>(g.x.pad_begin) * zoom,
                         o.y - static_cast<float>(g.y.pad_begin) * zoom);
  const ImVec2 outer_max(end.x + static_cast<float>(g.x.pad_end) * zoom,
                         end.y + static_cast<float>(g.y.pad_end) * zoom);
  // Four bands, not one big rect under the image: the tint must not wash over the pixels.
  if (g.y.pad_begin > 0) draw->AddRectFilled(outer_min, ImVec2(outer_max.x, o.y), kPaddingTint);
  if (g.y.pad_end > 0) draw->AddRectFilled(ImVec2(outer_min.x, end.y), outer_max, kPaddingTint);
  if (g.x.pad_begin > 0) draw->AddRectFilled(ImVec2(outer_min.x, o.y), ImVec2(o.x, end.y), kPaddingTint);
  if (g.x.pad_end > 0) draw->AddRectFilled(ImVec2(end.x, o.y), ImVec2(outer_max.x, end.y), kPaddingTint);
}

// A dot at the first tap of every window: where the stride puts the windows.
void DrawStrideLattice(ImDrawList* draw, const Geometry& g, const LatticeToScreen& map) {
  if (static_cast<long long>(g.y.output) * g.x.output > kMaxLatticeDots) return;
  const float half = std::clamp(std::min(map.cell_x, map.cell_y) * 0.12f, 0.75f, 2.5f);
  for (int oh = 0; oh < g.y.output; ++oh) {
    for (int ow = 0; ow < g.x.output; ++ow) {
      const ImVec2 corner = map.Corner(g.y.TapPosition(oh, 0), g.x.TapPosition(ow, 0));
      const ImVec2 centre(corner.x + map.cell_x * 0.5f, corner.y + map.cell_y * 0.5f);
      draw->AddRectFilled(ImVec2(centre.x - half, centre.y - half),
                          ImVec2(centre.x + half, centre.y + half), kLatticeDot);
    }
  }
}

// Every tap of the current window as its own cell, so with dilation the skipped pixels between
// taps stay visible; taps in the padding land in the ring outside the image.
void DrawKernelWindow(ImDrawList* draw, const Geometry& g, const LatticeToScreen& map, int step) {
  const OutputCell cell = CellOfStep(step, g);
  // Outlines on cells only a few pixels wide would cover them: fill only, and stronger.
  const bool outline = std::min(map.cell_x, map.cell_y) >= 4.0f;
  for (int ty = 0; ty < g.y.taps; ++ty) {
    const int row = g.y.TapPosition(cell.oh, ty);
    for (int tx = 0; tx < g.x.taps; ++tx) {
      const ImVec2 min = map.Corner(row, g.x.TapPosition(cell.ow, tx));
      const ImVec2 max(min.x + map.cell_x, min.y + map.cell_y);
      if (outline) {
        draw->AddRectFilled(min, max, kTapFill);
        // Inset by half the line so neighbouring taps' outlines do not overlap into one.
        draw->AddRect(ImVec2(min.x + 0.5f, min.y + 0.5f), ImVec2(max.x - 0.5f, max.y - 0.5f),
                      kTapOutline, 0.0f, 0, 1.0f);
      } else {
        draw->AddRectFilled(min, max, kTapOutline);
      }
    }
  }
  if (!outline) {
    // At small zooms the taps are a speck: a frame of at least a few pixels around the window's
    // span shows where it is.
    constexpr float kMinFrame = 10.0f;
    const ImVec2 first = map.Corner(g.y.TapPosition(cell.oh, 0), g.x.TapPosition(cell.ow, 0));
    const ImVec2 last = map.Corner(g.y.TapPosition(cell.oh, g.y.taps - 1) + 1,
                                   g.x.TapPosition(cell.ow, g.x.taps - 1) + 1);
    const ImVec2 centre((first.x + last.x) * 0.5f, (first.y + last.y) * 0.5f);
    const float half_w = std::max(last.x - first.x, kMinFrame) * 0.5f + 1.0f;
    const float half_h = std::max(last.y - first.y, kMinFrame) * 0.5f + 1.0f;
    draw->AddRect(ImVec2(centre.x - half_w, centre.y - half_h),
                  ImVec2(centre.x + half_w, centre.y + half_h), kTapOutline, 0.0f, 0, 1.0f);
  }
}

}  // namespace

InputMargins MarginsOf(const Geometry& g) {
  // Lattice cells are 1/spread of a pixel (transposed conv's zero insertion).
  const auto pixels = [](int lattice_cells, int spread) {
    return static_cast<float>(std::max(0, lattice_cells)) / static_cast<float>(std::max(1, spread));
  };
  return {pixels(g.y.lattice_pad_begin, g.y.spread), pixels(g.y.lattice_pad_end, g.y.spread),
          pixels(g.x.lattice_pad_begin, g.x.spread), pixels(g.x.lattice_pad_end, g.x.spread)};
}

void DrawInputView(AppState& state) {
  const InputImage& input = state.input();
  const Tensor3& pixels = input.pixels;
  ImGui::Text("Input %s: %d × %d (H × W), %s", input.name.c_str(), pixels.height, pixels.width,
              DisplayedChannelsNote(pixels).c_str());
  if (input.texture.empty()) {
    ImGui::TextDisabled("(too large for this graphics driver to display)");
    return;
  }
  const float zoom = state.view.zoom;
  const ImVec2 image_size(static_cast<float>(pixels.width) * zoom,
                          static_cast<float>(pixels.height) * zoom);

  const ViewResult& result = state.result();
  const Geometry& g = result.geometry;
  // Overlays only for a current map of this very image (a stale one is of other parameters).
  const bool overlays = result.has_value && !result.stale && g.y.input == pixels.height &&
                        g.x.input == pixels.width && StepCount(g) > 0;
  // Transposed conv pads the output, not the input: no ring around the image, but its direct
  // form still reads zeros around it, so the same margin is kept free for the window's taps.
  const bool ring = overlays && !g.y.transposed && !g.x.transposed;
  const LatticeToScreen map{ImVec2(0.0f, 0.0f), zoom / static_cast<float>(std::max(1, g.x.spread)),
                            zoom / static_cast<float>(std::max(1, g.y.spread))};
  const InputMargins margins = overlays ? MarginsOf(g) : InputMargins{};
  const ImVec2 lead(margins.left * zoom, margins.top * zoom);
  const ImVec2 trail(margins.right * zoom, margins.bottom * zoom);

  // The whole padded area is one item, so the child scrolls to it; the image sits inside.
  const ImVec2 top_left = ImGui::GetCursorScreenPos();
  const ImVec2 area(lead.x + image_size.x + trail.x, lead.y + image_size.y + trail.y);
  ImGui::Dummy(area);
  const ImVec2 origin(top_left.x + lead.x, top_left.y + lead.y);
  ImDrawList* draw = ImGui::GetWindowDrawList();  // clipped to this child
  draw->AddImage(ToImTextureId(input.texture), origin,
                 ImVec2(origin.x + image_size.x, origin.y + image_size.y));
  if (!overlays) return;

  // Also clipped to the padded area: a ceil_mode window hanging past the padding must not
  // draw over the caption or whatever follows.
  draw->PushClipRect(top_left, ImVec2(top_left.x + area.x, top_left.y + area.y), true);
  const LatticeToScreen placed{origin, map.cell_x, map.cell_y};
  if (ring) DrawPaddingRing(draw, g, placed, zoom, image_size);
  DrawStrideLattice(draw, g, placed);
  DrawKernelWindow(draw, g, placed, ClampedStep(state.timeline.step, g));
  draw->PopClipRect();
}

}  // namespace stridescope
