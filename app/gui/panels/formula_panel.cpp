// The output-size formula of both axes with the current numbers in it, the padding each side
// really got, and which input rows and columns no window reads, and why. Every number comes from
// the result's AxisGeometry, so this panel explains what the engine did rather than redoing it.
#include "gui/panels/formula_panel.h"

#include <cctype>
#include <string>
#include <vector>

#include <imgui.h>

#include "geometry.h"
#include "gui/app_state.h"

namespace stridescope {

namespace {

std::string Str(int value) { return std::to_string(value); }

// "1 row", "2 rows".
std::string Count(int n, const char* noun) { return Str(n) + " " + noun + (n == 1 ? "" : "s"); }

// Floor and ceiling of a / b for b > 0, whatever the sign of a (the formula's numerator can be
// negative just before the window stops fitting).
int FloorDiv(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int CeilDiv(int a, int b) { return FloorDiv(a + b - 1, b); }

// "1*(3-1)": the dilated kernel's reach beyond its first tap, as the formula writes it.
std::string Reach(const AxisGeometry& a) { return Str(a.dilation) + "*(" + Str(a.taps) + "-1)"; }

// "H: floor((7 + 1 + 1 - 1*(3-1) - 1) / 2) + 1 = floor(6/2) + 1 = 4", or the ceil_mode and
// transposed variants.
std::string FormulaLine(const char* axis, const AxisGeometry& a, Op op, bool ceil_mode) {
  std::string line = std::string(axis) + ": ";
  if (a.transposed) {
    return line + "(" + Str(a.input) + " - 1)*" + Str(a.stride) + " - " + Str(a.pad_begin) + " - " +
           Str(a.pad_end) + " + " + Reach(a) + " + " + Str(a.output_padding) + " + 1 = " +
           Str(a.output);
  }
  const int numerator = a.input + a.pad_begin + a.pad_end - a.Extent();
  const std::string inner = "(" + Str(a.input) + " + " + Str(a.pad_begin) + " + " +
                            Str(a.pad_end) + " - " + Reach(a) + " - 1) / " + Str(a.stride);
  const std::string ratio = "(" + Str(numerator) + "/" + Str(a.stride) + ")";
  if (ceil_mode && IsPooling(op)) {
    const int by_ceil = CeilDiv(numerator, a.stride) + 1;
    line += "ceil(" + inner + ") + 1 = ceil" + ratio + " + 1 = " + Str(by_ceil);
    // PyTorch drops a last window that would start in the end padding.
    if (by_ceil != a.output)
      line += " - 1 (the last window would start in the padding) = " + Str(a.output);
    return line;
  }
  return line + "floor(" + inner + ") + 1 = floor" + ratio + " + 1 = " + Str(a.output);
}

// "0-2, 5, 9-11": sorted indices as ranges.
std::string CompactList(const std::vector<int>& indices) {
  std::string text;
  for (std::size_t i = 0; i < indices.size();) {
    std::size_t j = i;
    while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1) ++j;
    if (!text.empty()) text += ", ";
    text += Str(indices[i]);
    if (j > i) text += "-" + Str(indices[j]);
    i = j + 1;
  }
  return text;
}

// Why a row (or column) is unread, in the user's words; `noun` is "padded row" or "padded column",
// `one`: a single row or column is unread.
std::string Reason(Visit visit, const AxisGeometry& a, const char* noun, bool one) {
  switch (visit) {
    case Visit::StrideGap:
      return "between windows: the stride " + Str(a.stride) + " is larger than the window's reach of " +
             Str(a.Extent());
    case Visit::DilationHole:
      return "between the taps of a window dilated by " + Str(a.dilation);
    case Visit::FloorRemainder:
      return "after the last window: the floor drops " + Count(a.FloorRemainder(), noun);
    case Visit::Cropped:
      return one ? "every output it feeds is cropped away by the padding"
                 : "every output they feed is cropped away by the padding";
    case Visit::Read: break;
  }
  return {};
}

// One line per reason, e.g. "Row 6 is never read (after the last window: the floor drops 1 padded
// row)" or "Columns 1, 3-4 are never read (...)": the indices, which a bare "never read: 6" left
// to be taken for a count. A single line when every one is read.
void DrawUnread(const char* noun, const AxisGeometry& a) {
  const std::vector<Visit> visits = a.Visits();
  bool any = false;
  for (Visit reason : {Visit::StrideGap, Visit::DilationHole, Visit::FloorRemainder, Visit::Cropped}) {
    std::vector<int> unread;
    for (std::size_t i = 0; i < visits.size(); ++i)
      if (visits[i] == reason) unread.push_back(static_cast<int>(i));
    if (unread.empty()) continue;
    any = true;
    const bool one = unread.size() == 1;
    std::string title = noun;
    title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
    ImGui::TextWrapped("%s%s %s %s never read (%s)", title.c_str(), one ? "" : "s", CompactList(unread).c_str(),
                       one ? "is" : "are", Reason(reason, a, (std::string("padded ") + noun).c_str(), one).c_str());
  }
  if (!any) ImGui::TextDisabled("Every one of the %s is read.", Count(a.input, noun).c_str());
}

// "top 1, bottom 1": the padding as resolved per side.
std::string Sides(const char* begin, const char* end, const AxisGeometry& a) {
  return std::string(begin) + " " + Str(a.pad_begin) + ", " + end + " " + Str(a.pad_end);
}

}  // namespace

bool DrawFormulaPanel(AppState& state) {
  const ViewResult& result = state.result();
  if (!result.has_value) {
    ImGui::TextDisabled("No output size to explain yet: the parameters have never been valid.");
    return false;
  }
  if (result.stale)
    ImGui::TextColored(ImVec4(1.00f, 0.72f, 0.35f, 1.00f),
                       "The current parameters are invalid; these are the last valid ones.");
  const Geometry& g = result.geometry;
  const bool ceil_mode = state.params.ceil_mode && IsPooling(g.op);
  ImGui::Text("Output size (%s, padding %s, %s)", std::string(Name(g.op)).c_str(),
              std::string(Name(state.params.padding.preset)).c_str(),
              std::string(Name(g.pad_mode)).c_str());
  ImGui::TextUnformatted(FormulaLine("H", g.y, g.op, ceil_mode).c_str());
  ImGui::TextUnformatted(FormulaLine("W", g.x, g.op, ceil_mode).c_str());
  ImGui::Separator();
  ImGui::Text("padding %s; %s", Sides("top", "bottom", g.y).c_str(), Sides("left", "right", g.x).c_str());
  if (g.y.transposed)
    ImGui::TextDisabled("(transposed: padding crops the output; output_padding %d, %d adds to its end)",
                        g.y.output_padding, g.x.output_padding);
  if (!g.y.transposed) {
    ImGui::Text("remainder the floor drops: %s, %s", Count(g.y.FloorRemainder(), "padded row").c_str(),
                Count(g.x.FloorRemainder(), "padded column").c_str());
  }
  ImGui::Separator();
  DrawUnread("row", g.y);
  DrawUnread("column", g.x);
  return false;
}

}  // namespace stridescope
