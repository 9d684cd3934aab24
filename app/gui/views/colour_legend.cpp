#include "gui/views/colour_legend.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <imgui.h>

#include "colour_map.h"
#include "gui/app_state.h"
#include "gui/theme.h"

namespace stridescope {

namespace {


constexpr const char* kMapNames[] = {"Grey", "Diverging"};
constexpr const char* kRangeNames[] = {"Min..max", "Symmetric ±max", "Manual"};
// The zero tick where it crosses the bar: dark, because the diverging neutral is near-white.
constexpr ImU32 kTickOnBar = IM_COL32(30, 30, 30, 255);

// Enough segments that the piecewise-linear ramp (8 intervals) shows no visible banding.
constexpr int kLegendSegments = 64;

void Tooltip(std::string_view text) {
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%.*s", static_cast<int>(text.size()), text.data());
}

ImU32 ToImColour(Rgb8 c) { return IM_COL32(c.r, c.g, c.b, 255); }

// A label for a value of a range `span` wide: as many decimals as tell the ends apart (three
// significant digits of the span), scientific only where fixed notation would be unreadable.
std::string FormatValue(float value, float span) {
  char text[32];
  const float magnitude = std::fabs(value);
  if (magnitude >= 1e5f || (magnitude > 0.0f && magnitude < 1e-4f && span < 1e-3f)) {
    std::snprintf(text, sizeof(text), "%.2e", static_cast<double>(value));
    return text;
  }
  // A span past float's range (ends near ±3e38) has no useful decimals.
  const bool usable = span > 0.0f && std::isfinite(span);
  const int decimals = usable ? std::clamp(2 - static_cast<int>(std::floor(std::log10(span))), 0, 4) : 0;
  // "-0.00" reads as a bug on a legend.
  const double shown = std::fabs(value) < 0.5 * std::pow(10.0, -decimals) ? 0.0 : static_cast<double>(value);
  std::snprintf(text, sizeof(text), "%.*f", decimals, shown);
  return text;
}

bool ColourMapCombo(MapDisplay& d) {
  int map = d.colour_map == ColourMap::Grey ? 0 : 1;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6.5f);
  if (!ImGui::Combo("##colour_map", &map, kMapNames, 2)) return false;
  const ColourMap chosen = map == 0 ? ColourMap::Grey : ColourMap::Diverging;
  if (chosen == d.colour_map) return false;
  d.colour_map = chosen;
  // Each map's natural range: a diverging map's ends equally far from zero, a grey map's at the
  // data's ends. A manual range is the user's and stays.
  if (chosen == ColourMap::Diverging && d.range_mode == RangeMode::MinMax) d.range_mode = RangeMode::Symmetric;
  if (chosen == ColourMap::Grey && d.range_mode == RangeMode::Symmetric) d.range_mode = RangeMode::MinMax;
  return true;
}

bool RangeCombo(MapDisplay& d) {
  int mode = static_cast<int>(d.range_mode);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10.0f);
  const bool changed = ImGui::Combo("##range_mode", &mode, kRangeNames, 3) && mode != static_cast<int>(d.range_mode);
  Tooltip("The values the colours span. Min..max: the map's finite values. Symmetric: -L..+L with "
          "L the largest |value|. Manual: typed bounds; values outside them clamp.");
  if (changed) d.range_mode = static_cast<RangeMode>(mode);
  return changed;
}

// Low and high as typed, applied once the pair is valid. A pair typed in the "wrong" order
// (raising -1..1 to 5..10 by typing low first) waits, with a note, for the other field instead of
// being thrown away: the typed values live in ImGui's storage until they make a valid pair.
bool ManualFields(MapDisplay& d, std::string& error) {
  // Copies in and out, not GetFloatRef: a second insertion may move the storage's vector.
  ImGuiStorage* storage = ImGui::GetStateStorage();
  const ImGuiID low_id = ImGui::GetID("typed_low");
  const ImGuiID high_id = ImGui::GetID("typed_high");
  float low = storage->GetFloat(low_id, d.manual_low);
  float high = storage->GetFloat(high_id, d.manual_high);
  const auto keep_typed = [&] {
    storage->SetFloat(low_id, low);
    storage->SetFloat(high_id, high);
  };
  const float field = ImGui::GetFontSize() * 4.5f;
  ImGui::SetNextItemWidth(field);
  bool edited = ImGui::InputFloat("##low", &low, 0.0f, 0.0f, "%g");
  bool active = ImGui::IsItemActive();
  Tooltip("Low end of the range");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(field);
  edited |= ImGui::InputFloat("##high", &high, 0.0f, 0.0f, "%g");
  active |= ImGui::IsItemActive();
  Tooltip("High end of the range");
  if (!edited) {
    // Settings loaded or a flag given meanwhile: the fields follow the choice in use.
    if (!active && error.empty()) {
      low = d.manual_low;
      high = d.manual_high;
    }
    keep_typed();
    return false;
  }
  keep_typed();
  if (!std::isfinite(low) || !std::isfinite(high)) {
    error = "The range needs finite numbers.";
    return false;
  }
  if (!(low < high)) {
    error = "Low must be below high: set the other end too. The map keeps " +
            FormatValue(d.manual_low, d.manual_high - d.manual_low) + ".." +
            FormatValue(d.manual_high, d.manual_high - d.manual_low) + " until then.";
    return false;
  }
  error.clear();
  if (low == d.manual_low && high == d.manual_high) return false;
  d.manual_low = low;
  d.manual_high = high;
  return true;
}

std::string ChannelLabel(int channel, int channels, const MapDisplay& d) {
  if (channel >= 0) return "Channel " + std::to_string(channel);
  MapDisplay all = d;
  all.shown_channel = -1;
  return ShownChannelsOf(channels, all).Rgb() ? std::string("All (RGB)") : std::string("All (first)");
}

bool ChannelCombo(MapDisplay& d, int channels) {
  const int current = d.shown_channel >= 0 && d.shown_channel < channels ? d.shown_channel : -1;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7.0f);
  bool changed = false;
  if (ImGui::BeginCombo("##shown_channel", ChannelLabel(current, channels, d).c_str())) {
    for (int c = -1; c < channels; ++c) {
      if (ImGui::Selectable(ChannelLabel(c, channels, d).c_str(), c == current) && c != current) {
        d.shown_channel = c;
        changed = true;
      }
    }
    ImGui::EndCombo();
  }
  Tooltip("Which output channel the map shows");
  return changed;
}

}  // namespace

bool DrawMapDisplayControls(AppState& state) {
  MapDisplay& d = state.view.map_display;
  ImGui::PushID("map_display");
  bool changed = ColourMapCombo(d);
  ImGui::SameLine();
  changed |= RangeCombo(d);
  if (d.range_mode == RangeMode::Manual) {
    ImGui::SameLine();
    changed |= ManualFields(d, state.view.map_display_error);
  } else {
    state.view.map_display_error.clear();
  }
  const int channels = state.result().has_value ? state.result().channels : 0;
  if (channels > 1) {
    ImGui::SameLine();
    changed |= ChannelCombo(d, channels);
  }
  if (!state.view.map_display_error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, kErrorText);
    ImGui::TextWrapped("%s", state.view.map_display_error.c_str());
    ImGui::PopStyleColor();
  }
  ImGui::PopID();
  if (changed) state.MarkDisplayChanged();
  return changed;
}

void DrawColourLegend(const AppState& state, float width) {
  const ViewResult& result = state.result();
  if (!result.has_value) return;
  const DisplayRange range = result.display_range;
  const float span = range.high - range.low;
  const ShownChannels shown = ShownChannelsOf(result.channels, result.display);
  if (shown.Rgb()) {
    ImGui::TextWrapped("RGB: each channel in grey, %s (black) to %s (white)",
                       FormatValue(range.low, span).c_str(), FormatValue(range.high, span).c_str());
    return;
  }
  if (width <= 0.0f) width = ImGui::GetContentRegionAvail().x;
  width = std::max(width, ImGui::GetFontSize() * 8.0f);
  // Tall enough to read from the back of a classroom.
  const float bar_height = std::max(14.0f, ImGui::GetFontSize() * 1.1f);
  const ColourMap map = result.display.colour_map;
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImDrawList* draw = ImGui::GetWindowDrawList();

  // Fractions along the bar where a colour is computed; zero gets one of its own, so the
  // neutral colour is exactly where the zero label points.
  std::vector<float> stops;
  for (int i = 0; i <= kLegendSegments; ++i) stops.push_back(static_cast<float>(i) / kLegendSegments);
  const bool zero_inside = range.low < 0.0f && range.high > 0.0f;
  const float zero_at =
      zero_inside ? static_cast<float>(-static_cast<double>(range.low) / (static_cast<double>(range.high) - range.low)) : 0.0f;
  if (zero_inside) stops.push_back(zero_at);
  std::sort(stops.begin(), stops.end());
  // Blended rather than low + span * f: span overflows for ends near ±3e38. Zero's own stop
  // gets exactly 0, so the bar shows the neutral colour there, not a rounding neighbour.
  const auto value_at = [&](float f) {
    if (zero_inside && f == zero_at) return 0.0f;
    return f >= 1.0f ? range.high : range.low * (1.0f - f) + range.high * f;
  };
  for (std::size_t i = 0; i + 1 < stops.size(); ++i) {
    if (stops[i + 1] <= stops[i]) continue;
    const float x0 = origin.x + width * stops[i];
    const float x1 = origin.x + width * stops[i + 1];
    const ImU32 left = ToImColour(ColourOfValue(value_at(stops[i]), map, range));
    const ImU32 right = ToImColour(ColourOfValue(value_at(stops[i + 1]), map, range));
    draw->AddRectFilledMultiColor(ImVec2(x0, origin.y), ImVec2(x1, origin.y + bar_height), left, right,
                                  right, left);
  }
  const ImU32 text_colour = ImGui::GetColorU32(ImGuiCol_Text);
  draw->AddRect(origin, ImVec2(origin.x + width, origin.y + bar_height), ImGui::GetColorU32(ImGuiCol_Border));
  ImGui::Dummy(ImVec2(width, bar_height));
  Tooltip(map == ColourMap::Diverging
              ? "Diverging: blue below zero, red above, zero exactly the neutral near-white. "
                "NaN and infinite values are black; values outside the range clamp."
              : "Grey: low black, high white. NaN and infinite values are black; values outside "
                "the range clamp.");

  // Labels under the bar: low at the left edge, high at the right, zero centred on its tick
  // unless it would overlap one of them.
  const float label_y = origin.y + bar_height + 2.0f;
  const std::string low = FormatValue(range.low, span);
  const std::string high = FormatValue(range.high, span);
  const float low_width = ImGui::CalcTextSize(low.c_str()).x;
  const float high_width = ImGui::CalcTextSize(high.c_str()).x;
  draw->AddText(ImVec2(origin.x, label_y), text_colour, low.c_str());
  draw->AddText(ImVec2(origin.x + width - high_width, label_y), text_colour, high.c_str());
  if (zero_inside) {
    const float x = std::round(origin.x + width * zero_at);
    draw->AddLine(ImVec2(x, origin.y + bar_height * 0.5f), ImVec2(x, origin.y + bar_height), kTickOnBar, 2.0f);
    const float zero_width = ImGui::CalcTextSize("0").x;
    const float gap = ImGui::GetFontSize() * 0.5f;
    const float left = x - zero_width * 0.5f;
    if (left > origin.x + low_width + gap && left + zero_width < origin.x + width - high_width - gap) {
      draw->AddText(ImVec2(left, label_y), text_colour, "0");
    }
  }
  ImGui::Dummy(ImVec2(width, ImGui::GetTextLineHeight() + 2.0f));
}

}  // namespace stridescope
