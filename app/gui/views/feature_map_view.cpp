#include "gui/views/feature_map_view.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <imgui.h>

#include "gui/app_state.h"
#include "gui/timeline.h"
#include "gui/views/colour_legend.h"
#include "gui/views/image_pane.h"
#include "gui/views/input_view.h"

namespace stridescope {

namespace {

const ImVec4 kStaleColour{1.00f, 0.72f, 0.35f, 1.00f};
// Dimmed, so an out-of-date map cannot be mistaken for the answer to the current controls.
const ImVec4 kStaleTint{0.45f, 0.45f, 0.45f, 1.00f};
const ImVec4 kNoTint{1.0f, 1.0f, 1.0f, 1.0f};
// The current cell in the input view's window colour, so the two read as one thing.
constexpr ImU32 kCurrentCellOutline = IM_COL32(255, 206, 64, 255);
// Cells the sweep has not reached yet: darkened, still legible.
constexpr ImU32 kNotReachedTint = IM_COL32(0, 0, 0, 150);
// Cells that read the input pixel under the mouse, in the input view's hover colour.
constexpr ImU32 kReaderOutline = IM_COL32(90, 220, 255, 255);
// Past this many reader cells one frame around them all says the same, cheaper.
constexpr long long kMaxReaderOutlines = 4096;

// Aligned mode: the input under the map, faint, so the map reads as the subject.
constexpr ImU32 kFaintInput = IM_COL32(255, 255, 255, 90);
constexpr ImU32 kCellGrid = IM_COL32(0, 0, 0, 90);
// The window the current cell read, in the input view's window colour but fainter.
constexpr ImU32 kWindowSpan = IM_COL32(255, 206, 64, 160);

void StaleNote(const char* label, const std::string& reason) {
  ImGui::PushStyleColor(ImGuiCol_Text, kStaleColour);
  ImGui::TextWrapped("(%s: %s)", label, reason.c_str());
  ImGui::PopStyleColor();
}

// Where output cells land on screen: cell (oh, ow) covers [Corner(oh, ow), Corner(oh+1, ow+1)).
// Compact: one cell per zoom-sized square. Aligned: over the input area the cell came from.
struct CellLayout {
  ImVec2 origin;
  float cell_w = 1.0f;
  float cell_h = 1.0f;
  ImVec2 Corner(int row, int col) const {
    return ImVec2(origin.x + static_cast<float>(col) * cell_w, origin.y + static_cast<float>(row) * cell_h);
  }
  float Smaller() const { return std::min(cell_w, cell_h); }
};

// At least a few pixels across, or a tiny cell's outline would vanish at small zooms.
void OutlineCell(ImDrawList* draw, const CellLayout& layout, int row, int col, ImU32 colour, float inset) {
  const ImVec2 min = layout.Corner(row, col);
  const ImVec2 max = layout.Corner(row + 1, col + 1);
  const ImVec2 centre((min.x + max.x) * 0.5f, (min.y + max.y) * 0.5f);
  const bool large = layout.Smaller() >= 8.0f;
  const float half_w = std::max(layout.cell_w, 4.0f) * 0.5f - (large ? inset : 0.0f);
  const float half_h = std::max(layout.cell_h, 4.0f) * 0.5f - (large ? inset : 0.0f);
  draw->AddRect(ImVec2(centre.x - half_w, centre.y - half_h), ImVec2(centre.x + half_w, centre.y + half_h), colour,
                0.0f, 0, large ? 2.0f : 1.0f);
}

// The current cell outlined and, before the last step, the cells not yet reached dimmed: the
// rest of the current row and every row below it, one rect each rather than one per cell.
void DrawSweepOverlay(ImDrawList* draw, const CellLayout& layout, const Geometry& g, int step) {
  const int height = g.OutputHeight();
  const int width = g.OutputWidth();
  const OutputCell cell = CellOfStep(step, g);
  if (step < StepCount(g) - 1) {
    if (cell.ow + 1 < width) {
      draw->AddRectFilled(layout.Corner(cell.oh, cell.ow + 1), layout.Corner(cell.oh + 1, width), kNotReachedTint);
    }
    if (cell.oh + 1 < height) {
      draw->AddRectFilled(layout.Corner(cell.oh + 1, 0), layout.Corner(height, width), kNotReachedTint);
    }
  }
  OutlineCell(draw, layout, cell.oh, cell.ow, kCurrentCellOutline, 0.0f);
}

// The output cell under the mouse, clamped into the map (a drag may leave it).
OutputCell CellUnderMouse(const CellLayout& layout, const Geometry& g) {
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const int col = static_cast<int>(std::floor((mouse.x - layout.origin.x) / layout.cell_w));
  const int row = static_cast<int>(std::floor((mouse.y - layout.origin.y) / layout.cell_h));
  return {std::clamp(row, 0, g.OutputHeight() - 1), std::clamp(col, 0, g.OutputWidth() - 1)};
}

// Every output cell that reads input pixel (row, col) directly: the readers of the row times the
// readers of the column (AxisGeometry::Readers), each outlined.
void DrawReaders(ImDrawList* draw, const CellLayout& layout, const Geometry& g, int row, int col) {
  std::vector<int> rows;
  std::vector<int> cols;
  for (const AxisGeometry::Reader& r : g.y.Readers(row)) rows.push_back(r.output);
  for (const AxisGeometry::Reader& r : g.x.Readers(col)) cols.push_back(r.output);
  if (rows.empty() || cols.empty()) return;
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  std::sort(cols.begin(), cols.end());
  cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
  if (static_cast<long long>(rows.size()) * static_cast<long long>(cols.size()) > kMaxReaderOutlines) {
    draw->AddRect(layout.Corner(rows.front(), cols.front()), layout.Corner(rows.back() + 1, cols.back() + 1),
                  kReaderOutline, 0.0f, 0, layout.Smaller() >= 8.0f ? 2.0f : 1.0f);
    return;
  }
  // Inset, so a reader that is also the current cell shows both outlines.
  for (int r : rows)
    for (int c : cols) OutlineCell(draw, layout, r, c, kReaderOutline, 1.5f);
}

// Thin lines between cells once they are big enough to tell apart: the stride's tiling.
void DrawCellGrid(ImDrawList* draw, const CellLayout& layout, int height, int width) {
  constexpr float kGridFromCell = 8.0f;
  if (layout.Smaller() < kGridFromCell) return;
  const ImVec2 clip_min = draw->GetClipRectMin();
  const ImVec2 clip_max = draw->GetClipRectMax();
  const ImVec2 top_left = layout.Corner(0, 0);
  const ImVec2 bottom_right = layout.Corner(height, width);
  const int col_first = std::max(0, static_cast<int>((clip_min.x - layout.origin.x) / layout.cell_w));
  const int col_last = std::min(width, static_cast<int>((clip_max.x - layout.origin.x) / layout.cell_w) + 1);
  const int row_first = std::max(0, static_cast<int>((clip_min.y - layout.origin.y) / layout.cell_h));
  const int row_last = std::min(height, static_cast<int>((clip_max.y - layout.origin.y) / layout.cell_h) + 1);
  for (int c = col_first; c <= col_last; ++c) {
    const float x = layout.Corner(0, c).x;
    draw->AddLine(ImVec2(x, top_left.y), ImVec2(x, bottom_right.y), kCellGrid);
  }
  for (int r = row_first; r <= row_last; ++r) {
    const float y = layout.Corner(r, 0).y;
    draw->AddLine(ImVec2(top_left.x, y), ImVec2(bottom_right.x, y), kCellGrid);
  }
}

// Large cells print their value, as the input view prints its pixels, so the arithmetic panel's
// sum can be found in the map. Only the CPU path has values here (the GPU map is not read back).
void DrawCellValues(ImDrawList* draw, const CellLayout& layout, const Tensor3& map, int channel) {
  if (layout.Smaller() < kValuesFromCellSide || map.Empty()) return;
  const ImVec2 clip_min = draw->GetClipRectMin();
  const ImVec2 clip_max = draw->GetClipRectMax();
  const int col_first = std::max(0, static_cast<int>(std::floor((clip_min.x - layout.origin.x) / layout.cell_w)));
  const int col_last = std::min(map.width, static_cast<int>((clip_max.x - layout.origin.x) / layout.cell_w) + 1);
  const int row_first = std::max(0, static_cast<int>(std::floor((clip_min.y - layout.origin.y) / layout.cell_h)));
  const int row_last = std::min(map.height, static_cast<int>((clip_max.y - layout.origin.y) / layout.cell_h) + 1);
  ImFont* font = ImGui::GetFont();
  const float base = ImGui::GetFontSize();
  char text[24];
  for (int r = row_first; r < row_last; ++r) {
    for (int c = col_first; c < col_last; ++c) {
      std::snprintf(text, sizeof text, "%.3g", static_cast<double>(map.At(channel, r, c)));
      const float width = font->CalcTextSizeA(base, FLT_MAX, 0.0f, text).x;
      const float size = std::min(base, base * (layout.Smaller() - 6.0f) / std::max(width, 1.0f));
      if (size < 7.0f) continue;
      const ImVec2 extent = font->CalcTextSizeA(size, FLT_MAX, 0.0f, text);
      const ImVec2 min = layout.Corner(r, c);
      const ImVec2 at(min.x + (layout.cell_w - extent.x) * 0.5f, min.y + (layout.cell_h - extent.y) * 0.5f);
      // A dark shadow under light text reads on every colour a map can take.
      draw->AddText(font, size, ImVec2(at.x + 1.0f, at.y + 1.0f), IM_COL32(0, 0, 0, 230), text);
      draw->AddText(font, size, at, IM_COL32(255, 255, 255, 255), text);
    }
  }
}

// Aligned mode: the input the current cell read, outlined on the faint input underneath.
void DrawCurrentWindowSpan(ImDrawList* draw, ImVec2 image_origin, float zoom, const Geometry& g, int step) {
  const OutputCell cell = CellOfStep(step, g);
  const auto screen = [&](const AxisGeometry& a, int position, float origin) {
    return origin + static_cast<float>(position) * zoom / static_cast<float>(std::max(1, a.spread));
  };
  const ImVec2 min(screen(g.x, g.x.TapPosition(cell.ow, 0), image_origin.x),
                   screen(g.y, g.y.TapPosition(cell.oh, 0), image_origin.y));
  const ImVec2 max(screen(g.x, g.x.TapPosition(cell.ow, g.x.taps - 1) + 1, image_origin.x),
                   screen(g.y, g.y.TapPosition(cell.oh, g.y.taps - 1) + 1, image_origin.y));
  draw->AddRect(min, max, kWindowSpan, 0.0f, 0, 2.0f);
}

// Aligned drawing needs the input on screen as the input view places it.
bool CanAlign(const AppState& state) { return InputOverlaysShown(state) && !state.input().texture.empty(); }

}  // namespace

bool MapDrawnAligned(const AppState& state) { return state.view.align_output && CanAlign(state); }

AxisPlacement AlignedAxis(const AxisGeometry& a) {
  const float spread = static_cast<float>(std::max(1, a.spread));
  const float centre = static_cast<float>(a.TapPosition(0, 0)) + static_cast<float>(a.Extent()) * 0.5f;
  return {(centre - static_cast<float>(a.step) * 0.5f) / spread, static_cast<float>(a.step) / spread};
}

void DrawFeatureMapView(AppState& state, ImVec2 pane_size, ZoomRequest* zoom_request) {
  const ViewResult& result = state.result();
  if (!result.has_value) {
    ImGui::TextUnformatted("Feature map");
    StaleNote("none", result.error);
    return;
  }
  // Sizes from the geometry: the GPU path keeps no CPU values (ViewResult::feature_map).
  const Geometry& g = result.geometry;
  const int height = g.OutputHeight();
  const int width = g.OutputWidth();
  ImGui::Text("Feature map %d × %d (H × W), %s, %s", height, width,
              DisplayedChannelsNote(result.channels, result.display).c_str(),
              result.computed_by == EngineKind::Gpu ? "GPU" : "CPU");
  if (CanAlign(state)) {
    ImGui::SameLine();
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(ImGui::GetStyle().FramePadding.x, 0.0f));
    ImGui::Checkbox("align to input", &state.view.align_output);
    ImGui::PopStyleVar();
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("Draw each output cell over the input area its window read (key A)");
    }
  }
  if (result.texture.empty()) {
    ImGui::TextDisabled("(too large for this graphics driver to display)");
    if (result.stale) StaleNote("stale", result.error);
    return;
  }
  const float zoom = state.view.zoom;
  const bool aligned = MapDrawnAligned(state);
  // Aligned, the pane shows the input view's area and pans with it, so the two line up.
  const InputPlacement input = PlaceInput(state);
  const ImVec2 content = aligned ? input.area : ImVec2(static_cast<float>(width) * zoom, static_cast<float>(height) * zoom);
  ImVec2* pan = aligned ? &state.view.input_pan : &state.view.map_pan;
  if (!aligned && !result.stale && StepCount(g) > 0 && FollowsStep(state.view, ClampedStep(state.timeline.step, g))) {
    const OutputCell cell = CellOfStep(ClampedStep(state.timeline.step, g), g);
    const ImVec2 min(static_cast<float>(cell.ow) * zoom, static_cast<float>(cell.oh) * zoom);
    *pan = PanToShow(*pan, pane_size, min, ImVec2(min.x + zoom, min.y + zoom));
  }
  const ImagePane pane = BeginImagePane("##map_pane", pane_size, content, PanButtons::RightOrMiddle, pan, zoom_request);
  const bool picking = ImGui::IsItemActive() && ImGui::GetIO().MouseDown[ImGuiMouseButton_Left];
  ImDrawList* draw = ImGui::GetWindowDrawList();
  CellLayout layout{pane.Origin(*pan), zoom, zoom};
  const ImVec4 tint = result.stale ? kStaleTint : kNoTint;
  // Where input pixel (0, 0) is drawn in this pane (aligned mode only).
  const ImVec2 image_origin(pane.Origin(*pan).x + input.image_offset.x, pane.Origin(*pan).y + input.image_offset.y);
  if (aligned) {
    const Tensor3& pixels = state.input().pixels();
    draw->AddImage(ToImTextureId(state.input().texture), image_origin,
                   ImVec2(image_origin.x + static_cast<float>(pixels.width) * zoom,
                          image_origin.y + static_cast<float>(pixels.height) * zoom),
                   ImVec2(0, 0), ImVec2(1, 1), kFaintInput);
    const AxisPlacement ax = AlignedAxis(g.x);
    const AxisPlacement ay = AlignedAxis(g.y);
    layout = {ImVec2(image_origin.x + ax.first * zoom, image_origin.y + ay.first * zoom), ax.cell * zoom,
              ay.cell * zoom};
  }
  draw->AddImage(ToImTextureId(result.texture), layout.Corner(0, 0), layout.Corner(height, width), ImVec2(0, 0),
                 ImVec2(1, 1), ImGui::GetColorU32(tint));
  // A stale map is of other parameters: no timeline on it.
  if (!result.stale && StepCount(g) > 0) {
    // Clicking (or dragging over) a cell moves the timeline there.
    if (picking) GoToStep(state.timeline, StepOfCell(CellUnderMouse(layout, g), g), g);
    DrawCellGrid(draw, layout, height, width);
    // The values of the channel the colours show; an RGB picture prints its first (red) channel.
    if (result.computed_by == EngineKind::Cpu) {
      DrawCellValues(draw, layout, result.feature_map, ShownChannelsOf(result.channels, result.display).first);
    }
    const int step = ClampedStep(state.timeline.step, g);
    DrawSweepOverlay(draw, layout, g, step);
    if (aligned) DrawCurrentWindowSpan(draw, image_origin, zoom, g, step);
    // Set by the input view, drawn earlier this frame, only for this geometry's input.
    if (state.view.hovered_input) {
      const auto [row, col] = *state.view.hovered_input;
      if (row >= 0 && col >= 0 && row < g.y.input && col < g.x.input) DrawReaders(draw, layout, g, row, col);
    }
  }
  EndImagePane();
  DrawColourLegend(state, std::min(pane_size.x, 420.0f));
  DrawMapDisplayControls(state);
  if (result.stale) StaleNote("stale", result.error);
}

}  // namespace stridescope
