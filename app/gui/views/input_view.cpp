// Sections: colours and limits | the lattice, padding ring and kernel window | pixel values |
// coverage | the step arrow | caption controls and overlays | public functions.
#include "gui/views/input_view.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <vector>

#include <imgui.h>

#include "gui/app_state.h"
#include "gui/timeline.h"
#include "gui/views/image_pane.h"

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
      // Large cells print their value in the middle: the dot moves to the top-left corner.
      const float at = std::min(map.cell_x, map.cell_y) >= kValuesFromCellSide ? 0.15f : 0.5f;
      const ImVec2 centre(corner.x + map.cell_x * at, corner.y + map.cell_y * at);
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


constexpr ImU32 kPixelGrid = IM_COL32(128, 128, 128, 150);
// The ring drawn cell by cell (real padded values) up to this many cells, else the flat tint.
constexpr long long kMaxRingCells = 20000;
// Over real copied colours the ring keeps a lighter tint and a frame around the image.
constexpr ImU32 kRingCellTint = IM_COL32(80, 150, 255, 60);
constexpr ImU32 kImageFrame = IM_COL32(80, 150, 255, 230);
// Coverage overlay: per-cell up to this many pixels, else bands of never-read rows/columns.
constexpr long long kMaxCoverageCells = 40000;
constexpr ImU32 kNeverRead = IM_COL32(255, 40, 40, 120);
constexpr ImU32 kNeverReadHatch = IM_COL32(255, 40, 40, 230);
// Hovered input pixel, in the colour the feature map view outlines its readers with.
constexpr ImU32 kHoverOutline = IM_COL32(90, 220, 255, 255);
constexpr ImU32 kStepArrow = IM_COL32(255, 255, 255, 235);
constexpr ImU32 kStepArrowShadow = IM_COL32(0, 0, 0, 200);

// The display range the input texture was made with (app_state.cpp): images in [0,1] as they
// are, other values stretched over their finite range. Cached: the scan is O(pixels).
DisplayRange InputRange(ViewState& view, const InputImage& input) {
  ViewState::InputRangeCache& cache = view.input_range;
  const Tensor3& pixels = input.pixels();
  if (cache.data != pixels.data.data() || cache.size != pixels.data.size() || cache.name != input.name) {
    DisplayRange range = FiniteRange(pixels);
    if (range.low >= 0.0f && range.high <= 1.0f) range = {};
    cache.data = pixels.data.data();
    cache.size = pixels.data.size();
    cache.name = input.name;
    cache.low = range.low;
    cache.high = range.high;
  }
  return {cache.low, cache.high};
}

// One value as ToDisplayRgba shows it, 0..1.
float DisplayLevel(float value, DisplayRange range) {
  if (!std::isfinite(value)) return 0.0f;
  if (range.high <= range.low) range = {};
  return std::clamp((value - range.low) / (range.high - range.low), 0.0f, 1.0f);
}

struct PixelColour {
  float r, g, b;
  ImU32 Packed(int alpha = 255) const {
    return IM_COL32(static_cast<int>(r * 255.0f + 0.5f), static_cast<int>(g * 255.0f + 0.5f),
                    static_cast<int>(b * 255.0f + 0.5f), alpha);
  }
  float Luminance() const { return 0.299f * r + 0.587f * g + 0.114f * b; }
};

PixelColour ColourOf(const Tensor3& pixels, int row, int col, DisplayRange range) {
  if (pixels.channels == 3) {
    return {DisplayLevel(pixels.At(0, row, col), range), DisplayLevel(pixels.At(1, row, col), range),
            DisplayLevel(pixels.At(2, row, col), range)};
  }
  const float grey = DisplayLevel(pixels.At(0, row, col), range);
  return {grey, grey, grey};
}

// The lines of text a cell shows: the value (grey, or the first channel), or r g b stacked when
// three lines fit. `pixels`: nullptr for a padding cell that reads no pixel, shown as
// `padding_label`.
struct CellText {
  char lines[3][16];
  int count = 0;
};

CellText TextOf(const Tensor3* pixels, int row, int col, bool rgb_lines, const char* padding_label = "0") {
  CellText text;
  if (pixels == nullptr) {
    std::snprintf(text.lines[0], sizeof text.lines[0], "%s", padding_label);
    text.count = 1;
    return text;
  }
  const int n = rgb_lines ? 3 : 1;
  for (int c = 0; c < n; ++c) {
    std::snprintf(text.lines[c], sizeof text.lines[c], "%.3g", static_cast<double>(pixels->At(c, row, col)));
  }
  text.count = n;
  return text;
}

// Font size that fits every line of text inside a cell of side `cell`, or 0 when too small.
float FittingFontSize(const CellText& text, float cell) {
  ImFont* font = ImGui::GetFont();
  const float base = ImGui::GetFontSize();
  float size = std::min(base, (cell - 4.0f) / static_cast<float>(text.count));
  for (int i = 0; i < text.count; ++i) {
    const float width = font->CalcTextSizeA(base, FLT_MAX, 0.0f, text.lines[i]).x;
    if (width > 0.0f) size = std::min(size, base * (cell - 5.0f) / width);
  }
  return size >= 7.0f ? size : 0.0f;
}

void DrawCellText(ImDrawList* draw, const CellText& text, float size, ImVec2 min, float cell, ImU32 colour) {
  ImFont* font = ImGui::GetFont();
  const float line_height = size;
  const float top = min.y + (cell - line_height * static_cast<float>(text.count)) * 0.5f;
  for (int i = 0; i < text.count; ++i) {
    const ImVec2 extent = font->CalcTextSizeA(size, FLT_MAX, 0.0f, text.lines[i]);
    draw->AddText(font, size, ImVec2(min.x + (cell - extent.x) * 0.5f, top + line_height * static_cast<float>(i)),
                  colour, text.lines[i]);
  }
}

// Text colour legible on a background of this luminance; `ring` tints it blue so the padding's
// values stay distinct from the image's.
ImU32 TextColourOn(float luminance, bool ring) {
  if (luminance > 0.55f) return ring ? IM_COL32(10, 40, 140, 255) : IM_COL32(0, 0, 0, 255);
  return ring ? IM_COL32(150, 200, 255, 255) : IM_COL32(255, 255, 255, 255);
}

// Cells of [first, last) whose screen span [origin + i*cell, +cell) meets [lo, hi).
std::pair<int, int> VisibleRange(float origin, float cell, float lo, float hi, int first, int last) {
  const int a = static_cast<int>(std::floor((lo - origin) / cell));
  const int b = static_cast<int>(std::ceil((hi - origin) / cell));
  return {std::max(first, a), std::min(last, b)};
}

// What a padding cell that copies no pixel holds for this op: PyTorch pads max pooling with -inf
// (padding never wins), and average pooling without count_include_pad leaves it out of the mean.
const char* PaddingLabel(Op op, bool count_include_pad) {
  if (op == Op::MaxPool) return "-inf";
  if (op == Op::AvgPool && !count_include_pad) return "skip";
  return "0";
}

// The padding ring cell by cell with the colour of the pixel each cell copies (reflect,
// replicate, circular), and at high zoom every cell's value (PaddingLabel for zero padding).
void DrawPaddingValues(ImDrawList* draw, const Geometry& g, const Tensor3& pixels, DisplayRange range,
                       ImVec2 origin, float zoom, const char* padding_label) {
  const int h = pixels.height;
  const int w = pixels.width;
  const long long ring_cells =
      static_cast<long long>(h + g.y.pad_begin + g.y.pad_end) * (w + g.x.pad_begin + g.x.pad_end) -
      static_cast<long long>(h) * w;
  if (ring_cells <= 0) return;
  const bool values = zoom >= kValuesFromCellSide;
  const bool copies = g.pad_mode != PadMode::Zeros && ring_cells <= kMaxRingCells;
  if (!values && !copies) return;
  const ImVec2 clip_min = draw->GetClipRectMin();
  const ImVec2 clip_max = draw->GetClipRectMax();
  const auto [row_first, row_last] =
      VisibleRange(origin.y, zoom, clip_min.y, clip_max.y, -g.y.pad_begin, h + g.y.pad_end);
  const auto [col_first, col_last] =
      VisibleRange(origin.x, zoom, clip_min.x, clip_max.x, -g.x.pad_begin, w + g.x.pad_end);
  const bool rgb_lines = pixels.channels == 3 && zoom >= 3.0f * 9.0f + 6.0f;
  for (int r = row_first; r < row_last; ++r) {
    const bool inner_row = r >= 0 && r < h;
    for (int c = col_first; c < col_last; ++c) {
      if (inner_row && c >= 0 && c < w) {
        c = w - 1;  // jump over the image
        continue;
      }
      const int src_r = g.y.SourceIndex(r, g.pad_mode);
      const int src_c = g.x.SourceIndex(c, g.pad_mode);
      const bool real = src_r >= 0 && src_c >= 0;
      const ImVec2 min(origin.x + static_cast<float>(c) * zoom, origin.y + static_cast<float>(r) * zoom);
      const ImVec2 max(min.x + zoom, min.y + zoom);
      // What the tint over the cell looks like, for the text colour.
      float luminance = 0.35f;
      if (real && copies) {
        const PixelColour colour = ColourOf(pixels, src_r, src_c, range);
        draw->AddRectFilled(min, max, colour.Packed());
        draw->AddRectFilled(min, max, kRingCellTint);
        luminance = colour.Luminance() * 0.8f + 0.1f;
      }
      if (values) {
        const CellText text = TextOf(real ? &pixels : nullptr, src_r, src_c, real && rgb_lines, padding_label);
        const float size = FittingFontSize(text, zoom);
        if (size > 0.0f) DrawCellText(draw, text, size, min, zoom, TextColourOn(luminance, true));
      }
    }
  }
}

// High zoom: the pixel grid (over the ring too) and each pixel's value.
void DrawPixelValues(ImDrawList* draw, const Tensor3& pixels, DisplayRange range, ImVec2 origin, float zoom,
                     ImVec2 grid_min, ImVec2 grid_max) {
  const ImVec2 clip_min = draw->GetClipRectMin();
  const ImVec2 clip_max = draw->GetClipRectMax();
  // Grid lines on pixel boundaries across the whole padded area.
  for (float x = origin.x + std::ceil((grid_min.x - origin.x) / zoom - 0.01f) * zoom; x <= grid_max.x + 0.5f; x += zoom) {
    if (x >= clip_min.x - 1.0f && x <= clip_max.x + 1.0f)
      draw->AddLine(ImVec2(x, grid_min.y), ImVec2(x, grid_max.y), kPixelGrid, 1.0f);
  }
  for (float y = origin.y + std::ceil((grid_min.y - origin.y) / zoom - 0.01f) * zoom; y <= grid_max.y + 0.5f; y += zoom) {
    if (y >= clip_min.y - 1.0f && y <= clip_max.y + 1.0f)
      draw->AddLine(ImVec2(grid_min.x, y), ImVec2(grid_max.x, y), kPixelGrid, 1.0f);
  }
  const auto [row_first, row_last] = VisibleRange(origin.y, zoom, clip_min.y, clip_max.y, 0, pixels.height);
  const auto [col_first, col_last] = VisibleRange(origin.x, zoom, clip_min.x, clip_max.x, 0, pixels.width);
  const bool rgb_lines = pixels.channels == 3 && zoom >= 3.0f * 9.0f + 6.0f;
  for (int r = row_first; r < row_last; ++r) {
    for (int c = col_first; c < col_last; ++c) {
      const CellText text = TextOf(&pixels, r, c, rgb_lines);
      const float size = FittingFontSize(text, zoom);
      if (size <= 0.0f) continue;
      const ImVec2 min(origin.x + static_cast<float>(c) * zoom, origin.y + static_cast<float>(r) * zoom);
      DrawCellText(draw, text, size, min, zoom, TextColourOn(ColourOf(pixels, r, c, range).Luminance(), false));
    }
  }
}

// The geometry's numbers that CoverageCounts and Visits depend on.
std::vector<int> CoverageKey(const Geometry& g) {
  std::vector<int> key;
  for (const AxisGeometry* a : {&g.y, &g.x}) {
    key.insert(key.end(), {a->input, a->taps, a->stride, a->dilation, a->pad_begin, a->pad_end,
                           a->output_padding, a->output, a->transposed ? 1 : 0, a->spread, a->step,
                           a->lattice_pad_begin, a->lattice_pad_end});
  }
  return key;
}

const ViewState::CoverageCache& CoverageOf(ViewState& view, const Geometry& g) {
  ViewState::CoverageCache& cache = view.coverage;
  std::vector<int> key = CoverageKey(g);
  if (cache.key == key) return cache;
  cache.key = std::move(key);
  const auto unread = [](const std::vector<Visit>& visits) {
    std::vector<bool> out(visits.size());
    for (std::size_t i = 0; i < visits.size(); ++i) out[i] = visits[i] != Visit::Read;
    return out;
  };
  cache.row_unread = unread(g.y.Visits());
  cache.col_unread = unread(g.x.Visits());
  cache.counts.clear();
  cache.max_count = 0;
  cache.unread = 0;
  if (static_cast<long long>(g.y.input) * g.x.input <= kMaxCoverageCells) {
    cache.counts = g.CoverageCounts();
    for (int count : cache.counts) {
      cache.max_count = std::max(cache.max_count, count);
      if (count == 0) ++cache.unread;
    }
  } else {
    long long rows = 0, cols = 0;
    for (bool u : cache.row_unread) rows += u ? 1 : 0;
    for (bool u : cache.col_unread) cols += u ? 1 : 0;
    const long long h = g.y.input, w = g.x.input;
    cache.unread = static_cast<int>(std::min<long long>(rows * w + cols * h - rows * cols, 1 << 30));
  }
  return cache;
}

// Heat map of how often each pixel is read (dark blue: rarely .. yellow: most), never-read
// pixels red and hatched. Large images: only the never-read rows and columns, as bands.
void DrawCoverage(ImDrawList* draw, const ViewState::CoverageCache& cov, int h, int w, ImVec2 origin,
                  float zoom) {
  const auto corner = [&](int r, int c) {
    return ImVec2(origin.x + static_cast<float>(c) * zoom, origin.y + static_cast<float>(r) * zoom);
  };
  if (cov.counts.empty()) {
    // Runs of never-read rows / columns as one band each.
    for (int pass = 0; pass < 2; ++pass) {
      const std::vector<bool>& unread = pass == 0 ? cov.row_unread : cov.col_unread;
      const int n = static_cast<int>(unread.size());
      for (int i = 0; i < n;) {
        if (!unread[static_cast<std::size_t>(i)]) {
          ++i;
          continue;
        }
        int j = i;
        while (j < n && unread[static_cast<std::size_t>(j)]) ++j;
        if (pass == 0) draw->AddRectFilled(corner(i, 0), corner(j, w), kNeverRead);
        else draw->AddRectFilled(corner(0, i), corner(h, j), kNeverRead);
        i = j;
      }
    }
    return;
  }
  const ImVec2 clip_min = draw->GetClipRectMin();
  const ImVec2 clip_max = draw->GetClipRectMax();
  const auto [row_first, row_last] = VisibleRange(origin.y, zoom, clip_min.y, clip_max.y, 0, h);
  const auto [col_first, col_last] = VisibleRange(origin.x, zoom, clip_min.x, clip_max.x, 0, w);
  const float top = static_cast<float>(std::max(1, cov.max_count));
  for (int r = row_first; r < row_last; ++r) {
    for (int c = col_first; c < col_last; ++c) {
      const int count = cov.counts[static_cast<std::size_t>(r) * static_cast<std::size_t>(w) + static_cast<std::size_t>(c)];
      const ImVec2 min = corner(r, c);
      const ImVec2 max = corner(r + 1, c + 1);
      if (count == 0) {
        draw->AddRectFilled(min, max, kNeverRead);
        if (zoom >= 6.0f) {
          // Diagonal hatch, a few strokes per cell.
          const int strokes = zoom >= 24.0f ? 3 : 1;
          for (int s = 0; s < strokes; ++s) {
            const float f = static_cast<float>(s + 1) / static_cast<float>(strokes + 1) * 2.0f;  // 0..2
            const ImVec2 a = f <= 1.0f ? ImVec2(min.x, min.y + f * zoom) : ImVec2(min.x + (f - 1.0f) * zoom, max.y);
            const ImVec2 b = f <= 1.0f ? ImVec2(min.x + f * zoom, min.y) : ImVec2(max.x, min.y + (f - 1.0f) * zoom);
            draw->AddLine(a, b, kNeverReadHatch, zoom >= 24.0f ? 2.0f : 1.0f);
          }
        }
        continue;
      }
      const float t = static_cast<float>(count) / top;
      const int red = static_cast<int>(40.0f + 215.0f * t);
      const int green = static_cast<int>(60.0f + 170.0f * t * t);
      const int blue = static_cast<int>(200.0f * (1.0f - t));
      draw->AddRectFilled(min, max, IM_COL32(red, green, blue, 120));
    }
  }
}

// Arrow from the previous window's first tap to the current one's, labelled with the stride,
// when the previous step is on the same output row.
void DrawStepArrow(ImDrawList* draw, const Geometry& g, const LatticeToScreen& map, int step) {
  if (step <= 0) return;
  const OutputCell cell = CellOfStep(step, g);
  const OutputCell prev = CellOfStep(step - 1, g);
  if (prev.oh != cell.oh) return;
  const int row = g.y.TapPosition(cell.oh, 0);
  const ImVec2 from_corner = map.Corner(row, g.x.TapPosition(prev.ow, 0));
  const ImVec2 to_corner = map.Corner(row, g.x.TapPosition(cell.ow, 0));
  const float y = from_corner.y + map.cell_y * 0.2f;
  const ImVec2 from(from_corner.x + map.cell_x * 0.5f, y);
  const ImVec2 to(to_corner.x + map.cell_x * 0.5f, y);
  const float length = to.x - from.x;
  if (length < 8.0f) return;
  const float head = std::min(8.0f, length * 0.4f);
  for (int pass = 0; pass < 2; ++pass) {
    const ImU32 colour = pass == 0 ? kStepArrowShadow : kStepArrow;
    const float thickness = pass == 0 ? 4.0f : 2.0f;
    draw->AddLine(from, ImVec2(to.x - head * 0.5f, to.y), colour, thickness);
    if (pass == 0) {
      draw->AddTriangleFilled(ImVec2(to.x + 1.5f, to.y), ImVec2(to.x - head - 1.5f, to.y - head * 0.7f),
                              ImVec2(to.x - head - 1.5f, to.y + head * 0.7f), colour);
    } else {
      draw->AddTriangleFilled(to, ImVec2(to.x - head, to.y - head * 0.55f), ImVec2(to.x - head, to.y + head * 0.55f),
                              colour);
    }
  }
  char label[32];
  if (g.x.transposed) std::snprintf(label, sizeof label, "step %d", g.x.step);
  else std::snprintf(label, sizeof label, "stride %d", g.x.stride);
  const ImVec2 size = ImGui::CalcTextSize(label);
  // Above the arrow, or below it where the view's top edge would cut the label off.
  ImVec2 pos((from.x + to.x - size.x) * 0.5f, y - size.y - 4.0f);
  if (pos.y - 1.0f < draw->GetClipRectMin().y) pos.y = y + 5.0f;
  draw->AddRectFilled(ImVec2(pos.x - 3.0f, pos.y - 1.0f), ImVec2(pos.x + size.x + 3.0f, pos.y + size.y + 1.0f),
                      IM_COL32(0, 0, 0, 190), 3.0f);
  draw->AddText(pos, kStepArrow, label);
}


// The coverage checkbox on the caption line, with its count and tooltip.
void CoverageToggle(AppState& state, const Geometry& g) {
  // No taller than the text: the views' height is reckoned in text lines.
  ImGui::SameLine();
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(ImGui::GetStyle().FramePadding.x, 0.0f));
  ImGui::Checkbox("coverage", &state.view.show_coverage);
  ImGui::PopStyleVar();
  const bool checkbox_hovered = ImGui::IsItemHovered();
  if (state.view.show_coverage) {
    const ViewState::CoverageCache& cov = CoverageOf(state.view, g);
    ImGui::SameLine();
    ImGui::TextDisabled("%d unread", cov.unread);
    if (checkbox_hovered || ImGui::IsItemHovered()) {
      if (cov.counts.empty()) {
        ImGui::SetTooltip("Never-read rows and columns in red (%d pixels)", cov.unread);
      } else {
        ImGui::SetTooltip("How many window taps read each pixel: dark blue few .. yellow %d.\n"
                          "Red, hatched: never read (%d pixels).", cov.max_count, cov.unread);
      }
    }
  } else if (checkbox_hovered) {
    ImGui::SetTooltip("Heat map of how many window taps read each pixel; never-read pixels red, hatched");
  }
}

// The zoom in use, and a way back to fitting both images once the user has zoomed.
void ZoomLabel(ViewState& view) {
  ImGui::SameLine();
  if (view.zoom >= 1.0f) ImGui::TextDisabled("%.3gx", static_cast<double>(view.zoom));
  else ImGui::TextDisabled("1/%.3gx", static_cast<double>(1.0f / view.zoom));
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Screen pixels per image pixel. Wheel: zoom; drag: pan");
  if (view.zoom_fits) return;
  ImGui::SameLine();
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(ImGui::GetStyle().FramePadding.x, 0.0f));
  if (ImGui::SmallButton("Fit")) view.zoom_fits = true;
  ImGui::PopStyleVar();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Fit both images in their panes again (key F)");
}

// Everything drawn over the image for the current step. `top_left`: the padded area's corner.
void DrawOverlays(AppState& state, ImDrawList* draw, const Geometry& g, ImVec2 top_left, ImVec2 area,
                  ImVec2 origin, bool pane_hovered) {
  const Tensor3& pixels = state.input().pixels();
  const float zoom = state.view.zoom;
  const ImVec2 image_size(static_cast<float>(pixels.width) * zoom, static_cast<float>(pixels.height) * zoom);
  // The pixel under the mouse, for the feature map view's reader outlines.
  if (pane_hovered && zoom > 0.0f) {
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    const float fx = (mouse.x - origin.x) / zoom;
    const float fy = (mouse.y - origin.y) / zoom;
    if (fx >= 0.0f && fy >= 0.0f && fx < static_cast<float>(pixels.width) && fy < static_cast<float>(pixels.height)) {
      state.view.hovered_input = std::pair<int, int>(static_cast<int>(fy), static_cast<int>(fx));
    }
  }
  // Transposed conv pads the output, not the input: no ring around the image, but its direct
  // form still reads zeros around it, so the same margin is kept free for the window's taps.
  const bool ring = !g.y.transposed && !g.x.transposed;
  // Also clipped to the padded area: a ceil_mode window hanging past the padding must not
  // draw over whatever is beside it.
  draw->PushClipRect(top_left, ImVec2(top_left.x + area.x, top_left.y + area.y), true);
  const LatticeToScreen placed{origin, zoom / static_cast<float>(std::max(1, g.x.spread)),
                               zoom / static_cast<float>(std::max(1, g.y.spread))};
  const bool values = zoom >= kValuesFromCellSide;
  const DisplayRange range =
      (values || (ring && g.pad_mode != PadMode::Zeros)) ? InputRange(state.view, state.input()) : DisplayRange{};
  if (ring) {
    const long long ring_cells =
        static_cast<long long>(pixels.height + g.y.pad_begin + g.y.pad_end) *
            (pixels.width + g.x.pad_begin + g.x.pad_end) -
        static_cast<long long>(pixels.height) * pixels.width;
    if (g.pad_mode == PadMode::Zeros || ring_cells > kMaxRingCells) {
      DrawPaddingRing(draw, g, placed, zoom, image_size);
    }
    DrawPaddingValues(draw, g, pixels, range, origin, zoom,
                      PaddingLabel(g.op, state.params.count_include_pad));
    if (ring_cells > 0 && g.pad_mode != PadMode::Zeros && ring_cells <= kMaxRingCells) {
      // Real colours around the image: a frame keeps the image's edge visible.
      draw->AddRect(ImVec2(origin.x - 1.0f, origin.y - 1.0f),
                    ImVec2(origin.x + image_size.x + 1.0f, origin.y + image_size.y + 1.0f), kImageFrame, 0.0f, 0,
                    2.0f);
    }
  }
  if (values) {
    const ImVec2 grid_min = ring ? ImVec2(origin.x - static_cast<float>(g.x.pad_begin) * zoom,
                                          origin.y - static_cast<float>(g.y.pad_begin) * zoom)
                                 : origin;
    const ImVec2 grid_max = ring ? ImVec2(origin.x + image_size.x + static_cast<float>(g.x.pad_end) * zoom,
                                          origin.y + image_size.y + static_cast<float>(g.y.pad_end) * zoom)
                                 : ImVec2(origin.x + image_size.x, origin.y + image_size.y);
    DrawPixelValues(draw, pixels, range, origin, zoom, grid_min, grid_max);
  }
  if (state.view.show_coverage) {
    DrawCoverage(draw, CoverageOf(state.view, g), pixels.height, pixels.width, origin, zoom);
  }
  DrawStrideLattice(draw, g, placed);
  const int step = ClampedStep(state.timeline.step, g);
  DrawKernelWindow(draw, g, placed, step);
  DrawStepArrow(draw, g, placed, step);
  if (state.view.hovered_input) {
    const auto [row, col] = *state.view.hovered_input;
    const ImVec2 min(origin.x + static_cast<float>(col) * zoom, origin.y + static_cast<float>(row) * zoom);
    const float side = std::max(zoom, 4.0f);
    const ImVec2 centre(min.x + zoom * 0.5f, min.y + zoom * 0.5f);
    draw->AddRect(ImVec2(centre.x - side * 0.5f, centre.y - side * 0.5f),
                  ImVec2(centre.x + side * 0.5f, centre.y + side * 0.5f), kHoverOutline, 0.0f, 0, 2.0f);
  }
  draw->PopClipRect();
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

bool FollowsStep(const ViewState& view, int step) { return !view.zoom_fits && view.followed_step != step; }

bool InputOverlaysShown(const AppState& state) {
  const ViewResult& result = state.result();
  const Geometry& g = result.geometry;
  const Tensor3& pixels = state.input().pixels();
  return result.has_value && !result.stale && g.y.input == pixels.height && g.x.input == pixels.width &&
         StepCount(g) > 0;
}

InputPlacement PlaceInput(const AppState& state) {
  const Tensor3& pixels = state.input().pixels();
  const float zoom = state.view.zoom;
  const InputMargins margins = InputOverlaysShown(state) ? MarginsOf(state.result().geometry) : InputMargins{};
  InputPlacement placed;
  placed.image_offset = ImVec2(margins.left * zoom, margins.top * zoom);
  placed.area = ImVec2((margins.left + static_cast<float>(pixels.width) + margins.right) * zoom,
                       (margins.top + static_cast<float>(pixels.height) + margins.bottom) * zoom);
  return placed;
}

void DrawInputView(AppState& state, ImVec2 pane_size, ZoomRequest* zoom_request) {
  state.view.hovered_input.reset();
  const InputImage& input = state.input();
  const Tensor3& pixels = input.pixels();
  ImGui::Text("Input %s: %d × %d (H × W), %s", input.name.c_str(), pixels.height, pixels.width,
              DisplayedChannelsNote(pixels).c_str());
  if (input.texture.empty()) {
    ImGui::TextDisabled("(too large for this graphics driver to display)");
    return;
  }
  const bool overlays = InputOverlaysShown(state);
  const Geometry& g = state.result().geometry;
  if (overlays) CoverageToggle(state, g);
  ZoomLabel(state.view);

  const InputPlacement placed = PlaceInput(state);
  if (overlays && FollowsStep(state.view, ClampedStep(state.timeline.step, g))) {
    // The current window's span, from the padded area's corner.
    const OutputCell cell = CellOfStep(ClampedStep(state.timeline.step, g), g);
    const float cell_x = state.view.zoom / static_cast<float>(std::max(1, g.x.spread));
    const float cell_y = state.view.zoom / static_cast<float>(std::max(1, g.y.spread));
    const ImVec2 min(placed.image_offset.x + static_cast<float>(g.x.TapPosition(cell.ow, 0)) * cell_x,
                     placed.image_offset.y + static_cast<float>(g.y.TapPosition(cell.oh, 0)) * cell_y);
    const ImVec2 max(placed.image_offset.x + static_cast<float>(g.x.TapPosition(cell.ow, g.x.taps - 1) + 1) * cell_x,
                     placed.image_offset.y + static_cast<float>(g.y.TapPosition(cell.oh, g.y.taps - 1) + 1) * cell_y);
    state.view.input_pan = PanToShow(state.view.input_pan, pane_size, min, max);
  }
  const ImagePane pane = BeginImagePane("##input_pane", pane_size, placed.area, PanButtons::AnyButton,
                                        &state.view.input_pan, zoom_request);
  const bool pane_hovered = ImGui::IsItemHovered();
  const ImVec2 top_left = pane.Origin(state.view.input_pan);
  const ImVec2 origin(top_left.x + placed.image_offset.x, top_left.y + placed.image_offset.y);
  const float zoom = state.view.zoom;
  ImDrawList* draw = ImGui::GetWindowDrawList();  // clipped to the pane
  draw->AddImage(ToImTextureId(input.texture), origin,
                 ImVec2(origin.x + static_cast<float>(pixels.width) * zoom,
                        origin.y + static_cast<float>(pixels.height) * zoom));
  if (overlays) DrawOverlays(state, draw, g, top_left, placed.area, origin, pane_hovered);
  EndImagePane();
}

}  // namespace stridescope
