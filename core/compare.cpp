// Sections: small helpers | shifting the input | aligning two maps | differences |
//           shift alignment along a map's stages | the anti-aliased pipeline | the shift test
#include "compare.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <optional>
#include <utility>

namespace stridescope {
namespace {

// ---------------------------------------------------------------------------------------------
// Small helpers

std::string Str(long long v) { return std::to_string(v); }

// "1 row", "2 rows".
std::string Count(long long n, const std::string& singular, const std::string& plural) {
  return Str(n) + " " + (n == 1 ? singular : plural);
}

// "a", "a and b", "a, b and c".
std::string JoinAnd(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += i + 1 == parts.size() ? " and " : ", ";
    out += parts[i];
  }
  return out;
}

long long FloorDiv(long long a, long long b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }
long long Mod(long long a, long long n) { return ((a % n) + n) % n; }

// The words one axis goes by in messages and phrases.
struct AxisWords {
  const char* cell;     // "row"
  const char* cells;    // "rows"
  const char* begin;    // "top"
  const char* forward;  // "down": the direction of a positive shift
  const char* back;     // "up"
};
constexpr AxisWords kRows{"row", "rows", "top", "down", "up"};
constexpr AxisWords kCols{"column", "columns", "left", "right", "left"};

// Sizes in the codebase's order: width x height.
std::string SizeText(int width, int height) { return Str(width) + " x " + Str(height); }
std::string OutputSize(const Geometry& g) { return SizeText(g.x.output, g.y.output); }

// ---------------------------------------------------------------------------------------------
// Aligning two maps

// What makes b a different operation from a (rather than the same one at another stride or
// padding), in the user's words.
std::vector<std::string> OperationDifferences(const Params& a, const Params& b) {
  if (a.op != b.op) return {"operation"};
  std::vector<std::string> differ;
  const bool pool = IsPooling(a.op);
  if (!pool && a.kernel != b.kernel) differ.push_back("kernel");
  if (pool && a.window != b.window) differ.push_back("pooling window");
  if (a.dilation != b.dilation) differ.push_back("dilation");
  if (a.pad_mode != b.pad_mode) differ.push_back("pad mode");
  // Only a rank-2 kernel reads the channel mode; (C,KH,KW) and (F,C,KH,KW) kernels ignore it.
  if (!pool && a.kernel.rank == 2 && a.channel_mode != b.channel_mode) differ.push_back("channel handling");
  if (!pool && a.bias != b.bias) differ.push_back("bias");
  if (pool && a.ceil_mode != b.ceil_mode) differ.push_back("ceil mode");
  if (a.op == Op::AvgPool && a.count_include_pad != b.count_include_pad) differ.push_back("count_include_pad");
  return differ;
}

// One axis of the same operation at two strides or paddings. Cell o of B and cell o' of A read the
// same pixels when their windows start at the same lattice position:
//   o' * step_a - pad_a = o * step_b - pad_b  (TapPosition(., 0); the lattices must be the same).
// `stride_word` is "stride" or "row stride"/"column stride" when the axes' strides differ.
struct Refusal {
  std::string why;
  Setting setting = Setting::None;
};
std::optional<AxisAlignment> AlignAxis(const AxisGeometry& a, const AxisGeometry& b, const AxisWords& w,
                                       const std::string& stride_word, Refusal* refusal) {
  std::string* why = &refusal->why;
  refusal->setting = Setting::Stride;
  if (a.spread != b.spread) {
    // Only transposed convolution spreads the input; at different strides its zero-inserted
    // lattices differ, so no cell of one reads what a cell of the other reads.
    *why = "transposed convolutions at different " + stride_word + "s (" + Str(a.stride) + " and " + Str(b.stride) +
           ") spread the input over different lattices, so their cells do not line up";
    return std::nullopt;
  }
  if (b.step % a.step != 0) {
    *why = "A's " + stride_word + " " + Str(a.step) + " does not divide B's " + stride_word + " " + Str(b.step) +
           ", so most of B's windows start between A's";
    if (a.step % b.step == 0) *why += "; make the pane with the smaller stride A";
    return std::nullopt;
  }
  const int gap = b.TapPosition(0, 0) - a.TapPosition(0, 0);
  if (gap % a.step != 0) {
    refusal->setting = Setting::Padding;
    *why = "their windows start " + Count(std::abs(gap), "pixel", "pixels") + " apart (" + w.begin + " padding " +
           Str(a.pad_begin) + " against " + Str(b.pad_begin) + "), not a whole number of A's " + stride_word + " " +
           Str(a.step);
    return std::nullopt;
  }
  AxisAlignment al;
  al.scale = b.step / a.step;
  al.offset = gap / a.step;
  // The B cells whose A cell exists: an interval, as ToA is increasing.
  for (int o = 0; o < b.output; ++o) {
    const int oa = al.ToA(o);
    if (oa < 0 || oa >= a.output) continue;
    if (al.count == 0) al.first = o;
    assert(o == al.first + al.count && "aligned cells must be contiguous");
    assert(a.TapPosition(oa, 0) == b.TapPosition(o, 0) && "aligned windows must start together");
    ++al.count;
  }
  if (al.count == 0) {
    refusal->setting = Setting::Padding;
    *why = std::string("no ") + w.cell + " of B has a counterpart in A";
    return std::nullopt;
  }
  return al;
}

// "; B's first row and last 2 columns have no counterpart in A", or "" when every B cell has one.
std::string UnmatchedPhrase(const MapAlignment& m, const Geometry& gb) {
  std::vector<std::string> parts;
  bool plural = false;
  const auto add = [&](const char* which, int n, const AxisWords& w) {
    if (n <= 0) return;
    parts.push_back(n == 1 ? std::string(which) + " " + w.cell : std::string(which) + " " + Str(n) + " " + w.cells);
    plural = plural || n > 1;
  };
  add("first", m.y.first, kRows);
  add("last", gb.y.output - m.y.first - m.y.count, kRows);
  add("first", m.x.first, kCols);
  add("last", gb.x.output - m.x.first - m.x.count, kCols);
  if (parts.empty()) return "";
  return "; B's " + JoinAnd(parts) + (plural || parts.size() > 1 ? " have" : " has") + " no counterpart in A";
}

std::string SubsamplePhrase(const MapAlignment& m, const Geometry& gb) {
  const AxisAlignment &y = m.y, &x = m.x;
  std::string how;
  if (y.scale == 1 && x.scale == 1 && y.offset == 0 && x.offset == 0) {
    how = "cell by cell";
  } else {
    if (y.scale == 1 && x.scale == 1) how = "A";
    else if (y.scale == x.scale) how = "A subsampled by " + Str(y.scale);
    else how = "A subsampled by " + Str(y.scale) + " down and " + Str(x.scale) + " across";
    // Where B's first matched cell sits in A: never negative, unlike the offset.
    how += " from row " + Str(y.ToA(y.first)) + ", column " + Str(x.ToA(x.first));
  }
  return how + UnmatchedPhrase(m, gb);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Shifting the input

void ShiftInputInto(const Tensor3& input, const InputShift& shift, Tensor3& out) {
  assert(&out != &input && "ShiftInputInto: out must not be input");
  if (out.channels != input.channels || out.height != input.height || out.width != input.width ||
      out.data.size() != input.data.size()) {
    out = Tensor3{};  // freed first: never two stale buffers at once
    out = Tensor3::Zeros(input.channels, input.height, input.width);
  }
  const int H = input.height, W = input.width;
  if (H == 0 || W == 0) return;
  const bool circular = shift.fill == ShiftFill::Circular;
  // long long: a shift may be any int, and y - dy must not overflow.
  const long long dy = circular ? Mod(shift.dy, H) : shift.dy;
  const long long dx = circular ? Mod(shift.dx, W) : shift.dx;
  // in: C,H,W  out: C,H,W; whole-row copies: out row y is input row y - dy moved by dx.
  for (int c = 0; c < input.channels; ++c) {
    for (int y = 0; y < H; ++y) {
      float* dst = out.Plane(c) + static_cast<std::size_t>(y) * W;
      long long sy = y - dy;
      if (circular) {
        sy = Mod(sy, H);
      } else if (sy < 0 || sy >= H) {
        std::fill_n(dst, W, 0.0f);
        continue;
      }
      const float* src = input.Plane(c) + static_cast<std::size_t>(sy) * W;
      if (circular) {
        // out[x] = src[(x - dx) mod W]: src[0, W-dx) lands at [dx, W), the rest wraps to [0, dx).
        std::copy(src, src + (W - dx), dst + dx);
        std::copy(src + (W - dx), src + W, dst);
      } else if (dx >= W || dx <= -W) {
        std::fill_n(dst, W, 0.0f);
      } else if (dx >= 0) {
        std::fill_n(dst, dx, 0.0f);
        std::copy(src, src + (W - dx), dst + dx);
      } else {
        std::copy(src - dx, src + W, dst);
        std::fill(dst + (W + dx), dst + W, 0.0f);
      }
    }
  }
}

Tensor3 ShiftInput(const Tensor3& input, const InputShift& shift) {
  Tensor3 out;
  ShiftInputInto(input, shift, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Aligning two maps

Expected<MapAlignment> AlignMaps(const Params& a, const Geometry& ga, const Params& b, const Geometry& gb) {
  if (ga.y.input != gb.y.input || ga.x.input != gb.x.input || ga.channels.in_channels != gb.channels.in_channels)
    return Error{"A was computed on a " + SizeText(ga.x.input, ga.y.input) + " input and B on a " +
                     SizeText(gb.x.input, gb.y.input) + " one; compare panes of the same image",
                 Setting::Input};
  const std::string sizes = "A is " + OutputSize(ga) + " and B is " + OutputSize(gb);
  if (ga.channels.out_channels != gb.channels.out_channels)
    return Error{sizes + ": A has " + Count(ga.channels.out_channels, "channel", "channels") + " and B has " +
                     Str(gb.channels.out_channels) + ", so they cannot be subtracted channel by channel; use the "
                     "same channel handling in both",
                 Setting::Channels};
  const bool same_size = ga.y.output == gb.y.output && ga.x.output == gb.x.output;

  Refusal refusal;
  const std::vector<std::string> differ = OperationDifferences(a, b);
  if (differ.empty()) {
    // Name the axis only where a pane's two strides differ, as the user then set them apart.
    const bool linked = ga.y.stride == ga.x.stride && gb.y.stride == gb.x.stride;
    std::optional<AxisAlignment> y = AlignAxis(ga.y, gb.y, kRows, linked ? "stride" : "row stride", &refusal);
    std::optional<AxisAlignment> x;
    if (y) x = AlignAxis(ga.x, gb.x, kCols, linked ? "stride" : "column stride", &refusal);
    if (y && x) {
      MapAlignment m{*y, *x, ""};
      m.how = SubsamplePhrase(m, gb);
      return m;
    }
  } else {
    refusal.why = "they differ in " + JoinAnd(differ) +
                  ", and only the same operation at other strides or paddings lines up with a map of another size";
    refusal.setting = differ[0] == "operation" ? Setting::Op : differ[0] == "kernel" ? Setting::Kernel : Setting::None;
  }
  if (same_size) {
    // Different operations of one size: their cells are compared where they sit (the windows may
    // be centred up to a pixel apart, as with an even and an odd kernel under `same`).
    MapAlignment m{{1, 0, 0, gb.y.output}, {1, 0, 0, gb.x.output}, "cell by cell (maps of the same size)"};
    return m;
  }
  return Error{sizes + ": " + refusal.why, refusal.setting};
}

// ---------------------------------------------------------------------------------------------
// Differences

namespace {

struct DiffStats {
  double sum_abs = 0.0;
  double sum_ref = 0.0;
  long long cells = 0;
  long long nans = 0;
  float max_abs = 0.0f;
  int channel = 0, row = 0, col = 0;
  int nan_channel = 0, nan_row = 0, nan_col = 0;  // the first NaN
};

// One pass over the aligned cells; writes each A - B to values when it is not null.
// a, b: C,H,W  values: C,count_y,count_x
DiffStats Accumulate(const Tensor3& a, const Tensor3& b, const MapAlignment& m, float* values) {
  assert(a.channels == b.channels && "Subtract: A and B must have the same channels");
  const AxisAlignment &ay = m.y, &ax = m.x;
  DiffStats s;
  if (ay.count <= 0 || ax.count <= 0) return s;
  assert(ay.first >= 0 && ay.first + ay.count <= b.height && ax.first >= 0 && ax.first + ax.count <= b.width &&
         "alignment outside B");
  assert(std::min(ay.ToA(ay.first), ay.ToA(ay.first + ay.count - 1)) >= 0 &&
         std::max(ay.ToA(ay.first), ay.ToA(ay.first + ay.count - 1)) < a.height && "alignment outside A's rows");
  assert(std::min(ax.ToA(ax.first), ax.ToA(ax.first + ax.count - 1)) >= 0 &&
         std::max(ax.ToA(ax.first), ax.ToA(ax.first + ax.count - 1)) < a.width && "alignment outside A's columns");
  for (int c = 0; c < a.channels; ++c) {
    for (int i = 0; i < ay.count; ++i) {
      const int oy = ay.first + i;
      const float* row_a = a.Plane(c) + static_cast<std::size_t>(ay.ToA(oy)) * a.width;
      const float* row_b = b.Plane(c) + static_cast<std::size_t>(oy) * b.width;
      // Per-row sums keep the double accumulation short and the inner loop free of stores.
      double row_abs = 0.0, row_ref = 0.0;
      for (int j = 0; j < ax.count; ++j) {
        const int ox = ax.first + j;
        const float va = row_a[ax.ToA(ox)], vb = row_b[ox];
        // Equal values differ by exactly 0, even equal infinities (inf - inf would be NaN).
        const float d = va == vb ? 0.0f : va - vb;
        if (values) *values++ = d;
        const float ad = std::fabs(d);
        if (std::isnan(ad)) {
          if (s.nans++ == 0) {
            s.nan_channel = c;
            s.nan_row = oy;
            s.nan_col = ox;
          }
          continue;
        }
        row_abs += ad;
        row_ref += std::fabs(va);
        if (ad > s.max_abs) {
          s.max_abs = ad;
          s.channel = c;
          s.row = oy;
          s.col = ox;
        }
      }
      s.sum_abs += row_abs;
      s.sum_ref += row_ref;
    }
  }
  s.cells = static_cast<long long>(a.channels) * ay.count * ax.count;
  if (s.nans == 0 && s.max_abs == 0.0f) {
    s.channel = 0;
    s.row = ay.first;
    s.col = ax.first;
  }
  return s;
}

double Ratio(double num, double den) {
  if (std::isnan(num) || std::isnan(den)) return std::numeric_limits<double>::quiet_NaN();
  if (den == 0.0) return num == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
  return num / den;
}

}  // namespace

MapDifference Subtract(const Tensor3& a, const Tensor3& b, const MapAlignment& alignment) {
  MapDifference diff;
  const int rows = std::max(0, alignment.y.count), cols = std::max(0, alignment.x.count);
  diff.values = Tensor3::Zeros(a.channels, rows, cols);
  const DiffStats s = Accumulate(a, b, alignment, diff.values.data.empty() ? nullptr : diff.values.data.data());
  diff.cells = s.cells;
  diff.nan_cells = s.nans;
  const long long numbered = s.cells - s.nans;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  diff.mean_abs = numbered > 0 ? s.sum_abs / static_cast<double>(numbered) : (s.cells > 0 ? nan : 0.0);
  diff.mean_abs_reference = numbered > 0 ? s.sum_ref / static_cast<double>(numbered) : (s.cells > 0 ? nan : 0.0);
  if (s.nans > 0) {
    // A NaN is reported as the largest difference: "no difference" must never be claimed when a
    // cell cannot be compared.
    diff.max_abs = std::numeric_limits<float>::quiet_NaN();
    diff.channel = s.nan_channel;
    diff.row = s.nan_row;
    diff.col = s.nan_col;
  } else {
    diff.max_abs = s.max_abs;
    diff.channel = s.channel;
    diff.row = s.row;
    diff.col = s.col;
  }
  return diff;
}

double RelativeDifference(const Tensor3& a, const Tensor3& b, const MapAlignment& alignment) {
  const DiffStats s = Accumulate(a, b, alignment, nullptr);
  if (s.cells == s.nans) return s.cells > 0 ? std::numeric_limits<double>::quiet_NaN() : 0.0;
  return Ratio(s.sum_abs, s.sum_ref);  // the means share their cell count
}

// ---------------------------------------------------------------------------------------------
// Shift alignment along a map's stages

namespace {

// One axis of the way a map is made from the input: its stages in order (the op; the op at
// stride 1 then the blur when anti-aliased). Later stages read the previous stage's cells.
using AxisPath = std::vector<const AxisGeometry*>;
struct MapPath {
  AxisPath y, x;
};
MapPath PathOf(const Geometry& g) { return {{&g.y}, {&g.x}}; }
MapPath PathOf(const AntialiasedPipeline& p) {
  return {{&p.op_geometry.y, &p.blur_geometry.y}, {&p.op_geometry.x, &p.blur_geometry.x}};
}

// The first stage's lattice positions [first, last] that output cell o's receptive field spans,
// or nothing when any stage's window reaches into that stage's padding.
std::optional<std::pair<int, int>> LatticeSpan(const AxisPath& path, int o) {
  int lo = o, hi = o;
  for (std::size_t s = path.size(); s-- > 0;) {
    const AxisGeometry& a = *path[s];
    const int first = a.TapPosition(lo, 0), last = a.TapPosition(hi, a.taps - 1);
    if (first < 0 || last > a.LatticeLength() - 1) return std::nullopt;
    if (s == 0) return std::pair{first, last};
    assert(a.spread == 1 && "only a first stage may spread its input");
    lo = first;
    hi = last;
  }
  return std::nullopt;
}

// What an input shift of d pixels does to the final map along one axis: it moves the lattice by
// d * spread, so a stage's output by d * spread / step cells, and so on through the stages.
struct AxisShift {
  int d = 0;             // the shift, reduced modulo the input when circular
  bool whole = true;     // whole cells at every stage
  long long floor_k = 0; // the final map's shift in cells, rounded down and up
  long long ceil_k = 0;
  long long stride = 1;  // the product of the stages' steps, for messages
};

AxisShift ResolveAxisShift(const AxisPath& path, int d, ShiftFill fill) {
  AxisShift r;
  const int n = path.front()->input;
  long long dd = d;
  if (fill == ShiftFill::Circular) {
    // The same tensor as any shift d + j * n: take the one nearest zero, which keeps the most.
    dd = Mod(dd, n);
    if (dd > n / 2) dd -= n;
  }
  r.d = static_cast<int>(dd);
  long long num = dd, den = 1;
  for (const AxisGeometry* a : path) {
    num *= a->spread;
    den *= a->step;
    r.stride *= a->step;
    const long long common = std::gcd(std::llabs(num), den);
    if (common > 1) {
      num /= common;
      den /= common;
    }
    if (den != 1) r.whole = false;
  }
  r.floor_k = FloorDiv(num, den);
  r.ceil_k = -FloorDiv(-num, den);
  return r;
}

// B, from the input shifted by d (already reduced), against A, from the input, with B[o] = A[o - k]:
// the B cells whose receptive field reads only pixels of B's input that hold A's input (not
// wrapped around, not filled) and whose A cell exists and reads no padding.
AxisAlignment ShiftedAxis(const AxisPath& path, int d, long long k) {
  const AxisGeometry& in = *path.front();
  const int out = path.back()->output;
  const int n = in.input;
  // Pixels max(0, d) .. min(n, n + d) - 1 of B's input hold A's, as lattice positions.
  const long long lo = static_cast<long long>(std::max(0, d)) * in.spread;
  const long long hi = (std::min<long long>(n, static_cast<long long>(n) + d) - 1) * in.spread;
  AxisAlignment al;
  al.scale = 1;
  // Saturated: a k this large leaves nothing anyway, and the offset must fit an int.
  al.offset = static_cast<int>(std::clamp(-k, -static_cast<long long>(out), static_cast<long long>(out)));
  for (int o = 0; o < out; ++o) {
    const long long oa = o - k;
    if (oa < 0 || oa >= out) continue;
    const std::optional<std::pair<int, int>> span_b = LatticeSpan(path, o);
    if (!span_b || span_b->first < lo || span_b->second > hi) continue;
    if (!LatticeSpan(path, static_cast<int>(oa))) continue;
    if (al.count == 0) al.first = o;
    assert(o == al.first + al.count && "the interior must be contiguous");
    ++al.count;
  }
  return al;
}

// "3 pixels down and 1 pixel left"; "no shift".
std::string ShiftText(const InputShift& shift) {
  std::vector<std::string> parts;
  if (shift.dy != 0) parts.push_back(Count(std::llabs(shift.dy), "pixel", "pixels") + " " + (shift.dy > 0 ? kRows.forward : kRows.back));
  if (shift.dx != 0) parts.push_back(Count(std::llabs(shift.dx), "pixel", "pixels") + " " + (shift.dx > 0 ? kCols.forward : kCols.back));
  return parts.empty() ? "no shift" : JoinAnd(parts);
}

// "A moved 1 row down and 2 columns left, over the interior".
std::string MovedPhrase(const MapAlignment& m) {
  std::vector<std::string> parts;
  const auto add = [&](const AxisAlignment& al, const AxisWords& w) {
    const int k = -al.offset;
    if (k != 0) parts.push_back(Count(std::abs(k), w.cell, w.cells) + " " + (k > 0 ? w.forward : w.back));
  };
  add(m.y, kRows);
  add(m.x, kCols);
  return (parts.empty() ? std::string("A in place") : "A moved " + JoinAnd(parts)) + ", over the interior";
}

Error EmptyInterior(const InputShift& shift) {
  if (shift.dy == 0 && shift.dx == 0)
    return Error{"no output cell is in the interior: every window reads padding; use less padding or a larger image",
                 Setting::Padding};
  return Error{"after a shift of " + ShiftText(shift) +
                   " no output cell is left in the interior (cells whose windows read neither padding nor pixels "
                   "the shift wrapped around or filled in); use a smaller shift or a larger image",
               Setting::None};
}

Expected<MapAlignment> AlignShiftedPath(const MapPath& path, const InputShift& shift) {
  const AxisShift sy = ResolveAxisShift(path.y, shift.dy, shift.fill);
  const AxisShift sx = ResolveAxisShift(path.x, shift.dx, shift.fill);
  for (auto [s, w] : {std::pair{&sy, &kRows}, std::pair{&sx, &kCols}}) {
    if (s->whole) continue;
    return Error{"a shift of " + ShiftText(shift) + " is not a whole number of " + w->cell + " strides (" +
                     Str(s->stride) + "), so the shifted map's " + w->cells +
                     " fall between the original's; shift by a multiple of " + Str(s->stride),
                 Setting::None};
  }
  MapAlignment m{ShiftedAxis(path.y, sy.d, sy.floor_k), ShiftedAxis(path.x, sx.d, sx.floor_k), ""};
  if (m.Cells() == 0) return EmptyInterior(shift);
  m.how = MovedPhrase(m);
  return m;
}

Expected<ShiftMeasure> MeasureShiftPath(const MapPath& path, const Tensor3& a, const Tensor3& b,
                                        const InputShift& shift) {
  assert(a.channels == b.channels && a.height == b.height && a.width == b.width &&
         a.height == path.y.back()->output && a.width == path.x.back()->output &&
         "MeasureShift: a and b must be maps of this geometry");
  const AxisShift sy = ResolveAxisShift(path.y, shift.dy, shift.fill);
  const AxisShift sx = ResolveAxisShift(path.x, shift.dx, shift.fill);
  const auto candidates = [](const AxisShift& s) {
    std::vector<long long> k{s.floor_k};
    if (s.ceil_k != s.floor_k) k.push_back(s.ceil_k);
    return k;
  };
  std::optional<ShiftMeasure> best;
  for (long long ky : candidates(sy)) {
    for (long long kx : candidates(sx)) {
      MapAlignment m{ShiftedAxis(path.y, sy.d, ky), ShiftedAxis(path.x, sx.d, kx), ""};
      if (m.Cells() == 0) continue;
      const double r = RelativeDifference(a, b, m);
      // NaN (a NaN in every cell) only wins when nothing else is there.
      if (best && !(r < best->relative_difference || std::isnan(best->relative_difference))) continue;
      best = ShiftMeasure{r, sy.whole && sx.whole, std::move(m)};
    }
  }
  if (!best) return EmptyInterior(shift);
  best->alignment.how = MovedPhrase(best->alignment);
  if (!best->whole) best->alignment.how = "the nearest copy, " + best->alignment.how;
  return *best;
}

}  // namespace

Expected<MapAlignment> AlignShifted(const Geometry& g, const InputShift& shift) {
  return AlignShiftedPath(PathOf(g), shift);
}

Expected<MapAlignment> AlignShifted(const AntialiasedPipeline& pipeline, const InputShift& shift) {
  return AlignShiftedPath(PathOf(pipeline), shift);
}

Expected<ShiftMeasure> MeasureShift(const Geometry& g, const Tensor3& a, const Tensor3& b, const InputShift& shift) {
  return MeasureShiftPath(PathOf(g), a, b, shift);
}

Expected<ShiftMeasure> MeasureShift(const AntialiasedPipeline& pipeline, const Tensor3& a, const Tensor3& b,
                                    const InputShift& shift) {
  return MeasureShiftPath(PathOf(pipeline), a, b, shift);
}

// ---------------------------------------------------------------------------------------------
// The anti-aliased pipeline

Expected<AntialiasedPipeline> MakeAntialiased(const Params& params, int channels, int height, int width) {
  if (params.op == Op::Transposed)
    return Error{"the anti-aliased alternative blurs before subsampling, and transposed convolution does not "
                 "subsample (it upsamples); use convolution or pooling",
                 Setting::Op};
  AntialiasedPipeline p;
  p.op = params;
  p.op.stride = {1, 1};
  Expected<Geometry> g1 = ResolveGeometry(p.op, channels, height, width);
  if (!g1) return g1.error();
  p.op_geometry = *g1;

  p.blur.op = Op::Conv;
  p.blur.kernel.rank = 2;
  p.blur.kernel.height = 3;
  p.blur.kernel.width = 3;
  // [1,2,1] x [1,2,1] / 16: every weight is exact in float.
  p.blur.kernel.weights = {1 / 16.0f, 2 / 16.0f, 1 / 16.0f, 2 / 16.0f, 4 / 16.0f,
                           2 / 16.0f, 1 / 16.0f, 2 / 16.0f, 1 / 16.0f};
  p.blur.stride = params.stride;
  p.blur.padding = Padding{PadPreset::Explicit, 1, 1, 1, 1};
  p.blur.pad_mode = PadMode::Reflect;
  p.blur.channel_mode = ChannelMode::Depthwise;
  Expected<Geometry> g2 =
      ResolveGeometry(p.blur, p.op_geometry.channels.out_channels, p.op_geometry.y.output, p.op_geometry.x.output);
  if (!g2)
    return Error{"the anti-aliased alternative blurs the stride-1 map (" + OutputSize(p.op_geometry) +
                     ") before subsampling it, and " + g2.error().message,
                 Setting::None};
  p.blur_geometry = *g2;
  return p;
}

Tensor3 ComputeAntialiased(Engine& engine, const AntialiasedPipeline& pipeline, const Tensor3& input) {
  const Tensor3 stage = engine.Compute(pipeline.op, pipeline.op_geometry, input);
  return engine.Compute(pipeline.blur, pipeline.blur_geometry, stage);
}

// ---------------------------------------------------------------------------------------------
// The shift test

Expected<ShiftCurve> RunShiftTest(CpuEngine& engine, const Params& params, const Tensor3& input,
                                  const ShiftTestOptions& options, const std::atomic<bool>* cancel) {
  // Two of the largest stride's periods, the most a plot of the test needs; each shift costs a map.
  constexpr int kMaxShift = 2 * limits::kMaxStride;
  if (options.max_shift < 0 || options.max_shift > kMaxShift)
    return Error{"the largest shift is " + Str(options.max_shift) + "; it must be from 0 to " + Str(kMaxShift),
                 Setting::None};
  if (options.uy == 0 && options.ux == 0)
    return Error{"the shift test needs a direction: the row and column steps cannot both be 0", Setting::None};
  if (std::abs(options.uy) > limits::kMaxSide || std::abs(options.ux) > limits::kMaxSide)
    return Error{"the shift direction is " + Str(options.uy) + ", " + Str(options.ux) + "; each step must be from -" +
                     Str(limits::kMaxSide) + " to " + Str(limits::kMaxSide) + " pixels",
                 Setting::None};
  Expected<Geometry> g = ResolveGeometry(params, input.channels, input.height, input.width);
  if (!g) return g.error();
  std::optional<AntialiasedPipeline> aa;
  if (options.antialiased) {
    Expected<AntialiasedPipeline> p = MakeAntialiased(params, input.channels, input.height, input.width);
    if (!p) return p.error();
    aa = std::move(*p);
  }
  const auto cancelled = [&] { return cancel != nullptr && cancel->load(std::memory_order_relaxed); };
  const Error stopped{"cancelled", Setting::None};

  // Each map is computed once; the shifted input, the shifted maps and the blur's stride-1 stage
  // live in buffers reused from shift to shift (ComputeInto keeps storage of the right size).
  Tensor3 a, a_aa, stage;
  engine.ComputeInto(params, *g, input, a);
  if (aa) {
    if (cancelled()) return stopped;
    engine.ComputeInto(aa->op, aa->op_geometry, input, stage);
    engine.ComputeInto(aa->blur, aa->blur_geometry, stage, a_aa);
  }
  ShiftCurve curve;
  Tensor3 shifted, b, b_aa;
  for (int t = 0; t <= options.max_shift; ++t) {
    if (cancelled()) return stopped;
    const InputShift shift{t * options.uy, t * options.ux, options.fill};
    // Shift 0 is the unshifted map itself: no second computation, and its interior is still checked.
    if (t > 0) {
      ShiftInputInto(input, shift, shifted);
      engine.ComputeInto(params, *g, shifted, b);
    }
    Expected<ShiftMeasure> m = MeasureShift(*g, a, t > 0 ? b : a, shift);
    if (!m) return m.error();
    curve.plain.push_back({t, m->relative_difference, m->whole});
    if (!aa) continue;
    if (cancelled()) return stopped;
    if (t > 0) {
      engine.ComputeInto(aa->op, aa->op_geometry, shifted, stage);
      engine.ComputeInto(aa->blur, aa->blur_geometry, stage, b_aa);
    }
    Expected<ShiftMeasure> m_aa = MeasureShift(*aa, a_aa, t > 0 ? b_aa : a_aa, shift);
    if (!m_aa) return m_aa.error();
    curve.antialiased.push_back({t, m_aa->relative_difference, m_aa->whole});
  }
  return curve;
}

}  // namespace stridescope
