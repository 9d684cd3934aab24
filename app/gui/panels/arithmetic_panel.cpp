// The arithmetic of the current step: the patch under the window, the weights, their products,
// and the sum plus bias that is the output cell. Worked by ExplainCell from the input, not read
// from the feature map: the GPU path keeps no map on the CPU, and one cell is cheap to redo.
#include "gui/panels/arithmetic_panel.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include <imgui.h>

#include "explain.h"
#include "geometry.h"
#include "gui/app_state.h"
#include "gui/timeline.h"

namespace stridescope {

namespace {

// Padding matches the input view's blue; an inserted zero (transposed conv) is not padding.
constexpr ImU32 kPaddingTint = IM_COL32(80, 150, 255, 90);
constexpr ImU32 kInsertedZeroTint = IM_COL32(150, 150, 150, 60);
constexpr ImU32 kWinnerTint = IM_COL32(80, 200, 110, 140);
const ImVec4 kPaddingText{0.55f, 0.75f, 1.00f, 1.00f};
// The one line that matters from the back of the room.
constexpr float kResultFontScale = 1.4f;

// Three significant digits: enough to follow the sum, narrow enough for three grids side by side.
std::string Short(float value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", static_cast<double>(value));
  return text;
}

std::string Fixed(float value) {
  char text[48];
  std::snprintf(text, sizeof text, "%.3f", static_cast<double>(value));
  return text;
}

// Channel names as the controls call them: an RGB image's channels are R, G, B.
std::string ChannelName(int channel, int image_channels) {
  if (image_channels == 3 && channel >= 0 && channel < 3) return std::string(1, "RGB"[channel]);
  return "channel " + std::to_string(channel);
}

// What one grid shows of a term.
enum class GridKind { Patch, Weights, Products };

std::string GridText(const CellArithmetic& cell, const CellTerm& term, GridKind kind) {
  switch (kind) {
    case GridKind::Patch:
      // Max pooling pads with -inf, so a padding tap there has no value worth showing.
      if (cell.op == Op::MaxPool && term.zero) return "pad";
      return Short(term.value);
    case GridKind::Weights: return Short(term.weight);
    case GridKind::Products: return Short(term.product);
  }
  return {};
}

// One KH x KW grid for input channel `channel` (counted from cell.first_channel), as a table.
void DrawGrid(const char* caption, const CellArithmetic& cell, int channel, GridKind kind) {
  float widest = ImGui::CalcTextSize("0.00").x;
  for (int ty = 0; ty < cell.taps_y; ++ty)
    for (int tx = 0; tx < cell.taps_x; ++tx)
      widest = std::max(widest, ImGui::CalcTextSize(GridText(cell, cell.Term(channel, ty, tx), kind).c_str()).x);
  ImGui::BeginGroup();
  ImGui::TextDisabled("%s", caption);
  const ImGuiTableFlags flags =
      ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_NoHostExtendX;
  // Sized to its columns, not to the space left: past the pane's edge ImGui squeezed the fixed
  // columns to a digit each (a 7x7 Gaussian's weights read "0"); the pane scrolls instead.
  const float cell_width = widest + 2.0f * ImGui::GetStyle().CellPadding.x + 1.0f;
  const ImVec2 size(cell_width * static_cast<float>(cell.taps_x) + 1.0f, 0.0f);
  if (ImGui::BeginTable(caption, cell.taps_x, flags, size)) {
    for (int tx = 0; tx < cell.taps_x; ++tx)
      ImGui::TableSetupColumn(nullptr, ImGuiTableColumnFlags_WidthFixed, widest);
    const int winner = cell.op == Op::MaxPool ? cell.max_term : -1;
    for (int ty = 0; ty < cell.taps_y; ++ty) {
      ImGui::TableNextRow();
      for (int tx = 0; tx < cell.taps_x; ++tx) {
        ImGui::TableSetColumnIndex(tx);
        const CellTerm& term = cell.Term(channel, ty, tx);
        const bool won = winner >= 0 && &term == &cell.terms[static_cast<std::size_t>(winner)];
        if (kind != GridKind::Weights) {
          if (won) ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, kWinnerTint);
          else if (term.padding) ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, kPaddingTint);
          else if (term.zero) ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, kInsertedZeroTint);
        }
        const std::string text = GridText(cell, term, kind);
        if (term.padding && kind != GridKind::Weights) ImGui::TextColored(kPaddingText, "%s", text.c_str());
        else ImGui::TextUnformatted(text.c_str());
      }
    }
    ImGui::EndTable();
  }
  ImGui::EndGroup();
}

// An operator between grids, level with their middle row.
void Between(const char* symbol) {
  ImGui::SameLine();
  ImGui::BeginGroup();
  ImGui::TextUnformatted("");
  ImGui::TextUnformatted(symbol);
  ImGui::EndGroup();
  ImGui::SameLine();
}

// How many taps of one channel fall in the padding, and how many on inserted zeros.
struct TapCounts {
  int padding = 0;
  int inserted_zeros = 0;
};
TapCounts CountTaps(const CellArithmetic& cell, int channel) {
  TapCounts counts;
  for (int ty = 0; ty < cell.taps_y; ++ty)
    for (int tx = 0; tx < cell.taps_x; ++tx) {
      const CellTerm& term = cell.Term(channel, ty, tx);
      if (term.padding) ++counts.padding;
      else if (term.zero) ++counts.inserted_zeros;
    }
  return counts;
}

void DrawLegend(const CellArithmetic& cell, int channel) {
  const TapCounts counts = CountTaps(cell, channel);
  const int taps = cell.taps_y * cell.taps_x;
  if (counts.padding > 0)
    ImGui::TextColored(kPaddingText, "%d of %d taps in the padding (blue)", counts.padding, taps);
  if (counts.inserted_zeros > 0)
    ImGui::TextDisabled("%d of %d taps on zeros inserted by the stride (grey)", counts.inserted_zeros, taps);
}

void DrawResultLine(const std::string& line) {
  ImGui::SetWindowFontScale(kResultFontScale);
  ImGui::TextUnformatted(line.c_str());
  ImGui::SetWindowFontScale(1.0f);
}

// Sum mode reads several input channels: their partial sums add up to the cell.
void DrawPartialSums(const CellArithmetic& cell, int image_channels) {
  if (cell.channels < 2) return;
  std::string line = "per channel:";
  for (int c = 0; c < cell.channels; ++c)
    line += (c == 0 ? " " : " + ") + ChannelName(cell.first_channel + c, image_channels) + " " +
            Short(cell.channel_sums[static_cast<std::size_t>(c)]);
  line += " = " + Fixed(cell.sum);
  ImGui::TextWrapped("%s", line.c_str());
}

std::string ResultLine(const Params& params, const CellArithmetic& cell) {
  switch (cell.op) {
    case Op::Conv:
    case Op::Transposed: {
      char bias[32];
      std::snprintf(bias, sizeof bias, "%g", static_cast<double>(cell.bias));
      return "sum " + Fixed(cell.sum) + " + bias " + bias + " = " + Fixed(cell.result);
    }
    case Op::MaxPool: {
      if (cell.max_term < 0) return "max = -inf (every tap is padding)";
      const CellTerm& winner = cell.terms[static_cast<std::size_t>(cell.max_term)];
      return "max = " + Fixed(cell.result) + " (input row " + std::to_string(winner.source_y) +
             ", column " + std::to_string(winner.source_x) + ")";
    }
    case Op::AvgPool:
      return "sum " + Fixed(cell.sum) + " / " + std::to_string(cell.divisor) + " = " +
             Fixed(cell.result) +
             (params.count_include_pad ? "  (padding counted)" : "  (padding not counted)");
  }
  return {};
}

}  // namespace

bool DrawArithmeticPanel(AppState& state) {
  const ViewResult& result = state.result();
  if (!result.has_value || result.stale) {
    ImGui::TextDisabled("No arithmetic to show: the current parameters have no valid output.");
    return false;
  }
  // Resolved from the current params rather than taken from the result: a control drawn earlier
  // this frame may have changed params (say the kernel size) before the next Recompute, and the
  // explanation must index this kernel with this geometry. Cached until params change.
  const Tensor3& input = state.input().pixels();
  ViewState::ExplainCache& cache = state.view.explain;
  if (cache.params_generation != state.params_generation()) {
    Expected<Geometry> resolved = ResolveGeometry(state.params, input.channels, input.height, input.width);
    cache.geometry = resolved ? std::optional<Geometry>(std::move(*resolved)) : std::nullopt;
    cache.params_generation = state.params_generation();
    cache.step = -1;  // the cell below must be worked again
  }
  if (!cache.geometry || StepCount(*cache.geometry) <= 0) {
    ImGui::TextDisabled("No arithmetic to show until the parameters are valid again.");
    return false;
  }
  const Geometry& g = *cache.geometry;
  bool changed = false;

  const int out_channels = g.channels.out_channels;
  int& explained = state.view.explain_channel;
  explained = std::clamp(explained, 0, out_channels - 1);
  if (out_channels > 1) {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8.0f);
    changed |= ImGui::SliderInt("output channel", &explained, 0, out_channels - 1);
  }
  const int step = std::clamp(state.timeline.step, 0, StepCount(g) - 1);
  const OutputCell at = CellOfStep(step, g);
  if (cache.step != step || cache.channel != explained) {
    cache.cell = ExplainCell(state.params, g, input, explained, at.oh, at.ow);
    cache.step = step;
    cache.channel = explained;
  }
  const CellArithmetic& cell = cache.cell;

  // Which of the input channels feeding this cell the grids show: a UI detail, kept in ImGui's
  // own per-window storage rather than in AppState.
  int& shown = *ImGui::GetStateStorage()->GetIntRef(ImGui::GetID("shown_input_channel"), 0);
  shown = std::clamp(shown, 0, cell.channels - 1);
  if (cell.channels > 1) {
    if (out_channels > 1) ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8.0f);
    ImGui::SliderInt("input channel shown", &shown, 0, cell.channels - 1);
  }
  if (IsPooling(cell.op)) {
    ImGui::Text("Output (%d, %d) of %s: the window", at.oh, at.ow,
                ChannelName(cell.first_channel, input.channels).c_str());
  } else if (input.channels > 1) {
    ImGui::Text("Output (%d, %d) of channel %d, from %s", at.oh, at.ow, cell.oc,
                ChannelName(cell.first_channel + shown, input.channels).c_str());
  } else {
    ImGui::Text("Output (%d, %d) of channel %d", at.oh, at.ow, cell.oc);
  }

  // The grids take the height they need, up to what leaves room below for the legend and the
  // result line; beyond that (large kernels) they scroll.
  const ImGuiStyle& style = ImGui::GetStyle();
  const float below = ImGui::GetTextLineHeightWithSpacing() * (cell.channels > 1 ? 3.0f : 2.0f) +
                      ImGui::GetFontSize() * kResultFontScale + style.ItemSpacing.y;
  const float row = ImGui::GetTextLineHeight() + 2.0f * style.CellPadding.y + 1.0f;
  const float needed = ImGui::GetTextLineHeightWithSpacing() + static_cast<float>(cell.taps_y) * row +
                       style.ScrollbarSize + style.ItemSpacing.y;
  const float room = std::max(ImGui::GetContentRegionAvail().y - below, ImGui::GetFontSize() * 4.0f);
  ImGui::BeginChild("grids", ImVec2(0.0f, std::min(needed, room)), false,
                    ImGuiWindowFlags_HorizontalScrollbar);
  if (IsPooling(cell.op)) {
    DrawGrid("window", cell, 0, GridKind::Patch);
  } else {
    DrawGrid("patch", cell, shown, GridKind::Patch);
    Between("x");
    DrawGrid(cell.op == Op::Transposed ? "weights (flipped)" : "weights", cell, shown, GridKind::Weights);
    Between("=");
    DrawGrid("products", cell, shown, GridKind::Products);
  }
  ImGui::EndChild();

  DrawLegend(cell, IsPooling(cell.op) ? 0 : shown);
  DrawPartialSums(cell, input.channels);
  DrawResultLine(ResultLine(state.params, cell));
  return changed;
}

}  // namespace stridescope
