#include "gui/views/feature_map_view.h"

#include <algorithm>
#include <string>
#include <vector>

#include <imgui.h>

#include "gui/app_state.h"
#include "gui/timeline.h"

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

void StaleNote(const char* label, const std::string& reason) {
  ImGui::PushStyleColor(ImGuiCol_Text, kStaleColour);
  ImGui::TextWrapped("(%s: %s)", label, reason.c_str());
  ImGui::PopStyleColor();
}

// The current cell outlined and, before the last step, the cells not yet reached dimmed: the
// rest of the current row and every row below it, one rect each rather than one per cell.
void DrawSweepOverlay(ImDrawList* draw, ImVec2 origin, float zoom, const Geometry& g, int step) {
  const int height = g.OutputHeight();
  const int width = g.OutputWidth();
  const OutputCell cell = CellOfStep(step, g);
  const auto corner = [&](int row, int col) {
    return ImVec2(origin.x + static_cast<float>(col) * zoom, origin.y + static_cast<float>(row) * zoom);
  };
  if (step < StepCount(g) - 1) {
    if (cell.ow + 1 < width) {
      draw->AddRectFilled(corner(cell.oh, cell.ow + 1), corner(cell.oh + 1, width), kNotReachedTint);
    }
    if (cell.oh + 1 < height) {
      draw->AddRectFilled(corner(cell.oh + 1, 0), corner(height, width), kNotReachedTint);
    }
  }
  // At least a few pixels across, or a tiny cell's outline would vanish at small zooms.
  const ImVec2 min = corner(cell.oh, cell.ow);
  const float side = std::max(zoom, 4.0f);
  const ImVec2 centre(min.x + zoom * 0.5f, min.y + zoom * 0.5f);
  draw->AddRect(ImVec2(centre.x - side * 0.5f, centre.y - side * 0.5f),
                ImVec2(centre.x + side * 0.5f, centre.y + side * 0.5f), kCurrentCellOutline, 0.0f, 0,
                zoom >= 8.0f ? 2.0f : 1.0f);
}

// The output cell under the mouse, clamped into the map (a drag may leave it).
OutputCell CellUnderMouse(ImVec2 origin, float zoom, const Geometry& g) {
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const int col = static_cast<int>((mouse.x - origin.x) / zoom);
  const int row = static_cast<int>((mouse.y - origin.y) / zoom);
  return {std::clamp(row, 0, g.OutputHeight() - 1), std::clamp(col, 0, g.OutputWidth() - 1)};
}

// Every output cell that reads input pixel (row, col) directly: the readers of the row times the
// readers of the column (AxisGeometry::Readers), each outlined.
void DrawReaders(ImDrawList* draw, ImVec2 origin, float zoom, const Geometry& g, int row, int col) {
  std::vector<int> rows;
  std::vector<int> cols;
  for (const AxisGeometry::Reader& r : g.y.Readers(row)) rows.push_back(r.output);
  for (const AxisGeometry::Reader& r : g.x.Readers(col)) cols.push_back(r.output);
  if (rows.empty() || cols.empty()) return;
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  std::sort(cols.begin(), cols.end());
  cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
  const auto corner = [&](int r, int c) {
    return ImVec2(origin.x + static_cast<float>(c) * zoom, origin.y + static_cast<float>(r) * zoom);
  };
  const float thickness = zoom >= 8.0f ? 2.0f : 1.0f;
  if (static_cast<long long>(rows.size()) * static_cast<long long>(cols.size()) > kMaxReaderOutlines) {
    draw->AddRect(corner(rows.front(), cols.front()), corner(rows.back() + 1, cols.back() + 1), kReaderOutline,
                  0.0f, 0, thickness);
    return;
  }
  const float side = std::max(zoom, 4.0f);
  for (int r : rows) {
    for (int c : cols) {
      const ImVec2 min = corner(r, c);
      const ImVec2 centre(min.x + zoom * 0.5f, min.y + zoom * 0.5f);
      const float half = side * 0.5f - (zoom >= 8.0f ? 1.5f : 0.0f);
      draw->AddRect(ImVec2(centre.x - half, centre.y - half), ImVec2(centre.x + half, centre.y + half),
                    kReaderOutline, 0.0f, 0, thickness);
    }
  }
}

}  // namespace

void DrawFeatureMapView(AppState& state) {
  const ViewResult& result = state.result();
  if (!result.has_value) {
    ImGui::TextUnformatted("Feature map");
    StaleNote("none", result.error);
    return;
  }
  // Sizes from the geometry: the GPU path keeps no CPU values (ViewResult::feature_map).
  const int height = result.geometry.OutputHeight();
  const int width = result.geometry.OutputWidth();
  ImGui::Text("Feature map %d × %d (H × W), %s, %s", height, width,
              DisplayedChannelsNote(result.channels).c_str(),
              result.computed_by == EngineKind::Gpu ? "GPU" : "CPU");
  if (result.texture.empty()) {
    ImGui::TextDisabled("(too large for this graphics driver to display)");
  } else {
    const float zoom = state.view.zoom;
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImGui::Image(ToImTextureId(result.texture), ImVec2(width * zoom, height * zoom),
                 ImVec2(0, 0), ImVec2(1, 1), result.stale ? kStaleTint : kNoTint);
    // A stale map is of other parameters: no timeline on it.
    if (!result.stale && StepCount(result.geometry) > 0) {
      // Clicking (or dragging over) a cell moves the timeline there. The image is not an
      // interactive item, so an invisible button over it takes the mouse.
      ImGui::SetCursorScreenPos(origin);
      ImGui::InvisibleButton("##map_cells", ImVec2(width * zoom, height * zoom));
      if (ImGui::IsItemActive()) {
        GoToStep(state.timeline, StepOfCell(CellUnderMouse(origin, zoom, result.geometry), result.geometry),
                 result.geometry);
      }
      DrawSweepOverlay(ImGui::GetWindowDrawList(), origin, zoom, result.geometry,
                       ClampedStep(state.timeline.step, result.geometry));
      // Set by the input view, drawn earlier this frame, only for this geometry's input.
      if (state.view.hovered_input) {
        const auto [row, col] = *state.view.hovered_input;
        if (row >= 0 && col >= 0 && row < result.geometry.y.input && col < result.geometry.x.input) {
          DrawReaders(ImGui::GetWindowDrawList(), origin, zoom, result.geometry, row, col);
        }
      }
    }
  }
  if (result.stale) {
    StaleNote("stale", result.error);
  }
}

}  // namespace stridescope
