// Compare panes and the shift test (core/compare.h) against cases worked by hand (the working in
// the comments), brute-force loops written from the definitions, and the engine's own promise that
// a stride-S map is the stride-1 map subsampled bit for bit.
//
// Sections: helpers | ShiftInput | AlignMaps | stride S = stride 1 subsampled | Subtract |
//           AlignShifted | the anti-aliased pipeline | the shift test
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "compare.h"
#include "engine.h"
#include "geometry.h"
#include "kernels.h"
#include "random_params.h"
#include "reference_conv.h"
#include "samples.h"

namespace stridescope {
namespace {

using reference::ExplicitPadding;
using reference::KernelFromRows;
using reference::Mentions;
using reference::TensorFromRows;
using testing::Rng;

// ---------------------------------------------------------------------------------------------
// Helpers

Tensor3 RandomImage(Rng& rng, int channels, int height, int width) {
  Tensor3 t = Tensor3::Zeros(channels, height, width);
  for (float& v : t.data) v = rng.Value();
  return t;
}

Kernel Preset(const char* name, int size = 0) {
  Expected<Kernel> k = MakePresetKernel(name, size);
  REQUIRE_MESSAGE(k.ok(), (k.ok() ? std::string() : k.error().message));
  return *k;
}

Params ConvParams(const Kernel& kernel, int stride, Padding padding, PadMode mode = PadMode::Zeros,
                  int dilation = 1) {
  Params p;
  p.op = Op::Conv;
  p.kernel = kernel;
  p.stride = {stride, stride};
  p.dilation = {dilation, dilation};
  p.padding = padding;
  p.pad_mode = mode;
  return p;
}

Params PoolParams(Op op, int window, int stride, int pad) {
  Params p;
  p.op = op;
  p.window = {window, window};
  p.stride = {stride, stride};
  p.padding = ExplicitPadding(pad, pad, pad, pad);
  return p;
}

Padding Same() {
  Padding p;
  p.preset = PadPreset::Same;
  return p;
}
Padding Pad(int n) { return ExplicitPadding(n, n, n, n); }

Geometry Resolve(const Params& p, const Tensor3& input) {
  Expected<Geometry> g = ResolveGeometry(p, input.channels, input.height, input.width);
  REQUIRE_MESSAGE(g.ok(), (g.ok() ? std::string() : g.error().message));
  return *g;
}

std::vector<std::vector<float>> Rows(const Tensor3& t, int c = 0) {
  std::vector<std::vector<float>> rows(static_cast<std::size_t>(t.height));
  for (int y = 0; y < t.height; ++y)
    for (int x = 0; x < t.width; ++x) rows[static_cast<std::size_t>(y)].push_back(t.At(c, y, x));
  return rows;
}

// ---------------------------------------------------------------------------------------------
// ShiftInput

TEST_CASE("compare: ShiftInput by hand: wrap, zero fill, negative and oversized shifts") {
  // in = 0 1 2 3 / 4 5 6 7 / 8 9 10 11; out(y, x) = in(y - dy, x - dx).
  const Tensor3 in = TensorFromRows({{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9, 10, 11}});
  using R = std::vector<std::vector<float>>;
  SUBCASE("circular (1, 1): the last row and column come round to the front") {
    CHECK(Rows(ShiftInput(in, {1, 1, ShiftFill::Circular})) == R{{11, 8, 9, 10}, {3, 0, 1, 2}, {7, 4, 5, 6}});
  }
  SUBCASE("zeros (1, 1): what moves in is 0, what moves out is gone") {
    CHECK(Rows(ShiftInput(in, {1, 1, ShiftFill::Zeros})) == R{{0, 0, 0, 0}, {0, 0, 1, 2}, {0, 4, 5, 6}});
  }
  SUBCASE("negative: circular (-1, -2) moves up and left") {
    // out(y, x) = in(y + 1 mod 3, x + 2 mod 4).
    CHECK(Rows(ShiftInput(in, {-1, -2, ShiftFill::Circular})) == R{{6, 7, 4, 5}, {10, 11, 8, 9}, {2, 3, 0, 1}});
    CHECK(Rows(ShiftInput(in, {0, -3, ShiftFill::Zeros})) == R{{3, 0, 0, 0}, {7, 0, 0, 0}, {11, 0, 0, 0}});
    CHECK(Rows(ShiftInput(in, {-2, 0, ShiftFill::Zeros})) == R{{8, 9, 10, 11}, {0, 0, 0, 0}, {0, 0, 0, 0}});
  }
  SUBCASE("larger than the image: circular wraps modulo the size, zeros empties it") {
    const R once = Rows(ShiftInput(in, {1, 1, ShiftFill::Circular}));
    CHECK(Rows(ShiftInput(in, {3 * 1000 + 1, -4 * 3 + 1, ShiftFill::Circular})) == once);  // 3001 = 1 mod 3, -11 = 1 mod 4
    CHECK(Rows(ShiftInput(in, {3, 4, ShiftFill::Circular})) == Rows(in));
    CHECK(Rows(ShiftInput(in, {5, 0, ShiftFill::Zeros})) == R(3, std::vector<float>(4, 0.0f)));
    CHECK(Rows(ShiftInput(in, {0, -4, ShiftFill::Zeros})) == R(3, std::vector<float>(4, 0.0f)));
    CHECK(Rows(ShiftInput(in, {std::numeric_limits<int>::min(), std::numeric_limits<int>::max(), ShiftFill::Zeros})) ==
          R(3, std::vector<float>(4, 0.0f)));
  }
  SUBCASE("against the definition, every channel, random shifts; into a reused buffer") {
    Rng rng(7);
    const Tensor3 image = RandomImage(rng, 2, 5, 7);
    Tensor3 out;
    ShiftInputInto(image, {1, 1, ShiftFill::Zeros}, out);
    const float* storage = out.data.data();
    for (int trial = 0; trial < 60; ++trial) {
      const InputShift s{rng.Int(-12, 12), rng.Int(-16, 16), rng.Chance(50) ? ShiftFill::Circular : ShiftFill::Zeros};
      ShiftInputInto(image, s, out);
      CHECK(out.data.data() == storage);
      for (int c = 0; c < 2; ++c)
        for (int y = 0; y < 5; ++y)
          for (int x = 0; x < 7; ++x) {
            const int sy = y - s.dy, sx = x - s.dx;
            float want = 0.0f;
            if (s.fill == ShiftFill::Circular) want = image.At(c, ((sy % 5) + 5) % 5, ((sx % 7) + 7) % 7);
            else if (sy >= 0 && sy < 5 && sx >= 0 && sx < 7) want = image.At(c, sy, sx);
            REQUIRE(out.At(c, y, x) == want);
          }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// AlignMaps

TEST_CASE("compare: AlignMaps is the identity for equal shapes") {
  const Tensor3 input = Tensor3::Zeros(3, 20, 30);
  SUBCASE("the same Params") {
    const Params p = ConvParams(Preset("gaussian"), 2, Same());
    const Geometry g = Resolve(p, input);
    Expected<MapAlignment> m = AlignMaps(p, g, p, g);
    REQUIRE(m.ok());
    CHECK(m->y == AxisAlignment{1, 0, 0, 10});
    CHECK(m->x == AxisAlignment{1, 0, 0, 15});
    CHECK(m->how == "cell by cell");
  }
  SUBCASE("different kernels and ops of one size compare cell by cell") {
    const Params a = ConvParams(Preset("gaussian", 5), 1, Pad(2));
    const Params b = ConvParams(Preset("sobel-x"), 1, Pad(1));
    const Params c = PoolParams(Op::MaxPool, 3, 1, 1);
    for (const Params* other : {&b, &c}) {
      Expected<MapAlignment> m = AlignMaps(a, Resolve(a, input), *other, Resolve(*other, input));
      REQUIRE(m.ok());
      CHECK(m->y == AxisAlignment{1, 0, 0, 20});
      CHECK(m->x == AxisAlignment{1, 0, 0, 30});
      CHECK(Mentions(m->how, "cell by cell"));
    }
  }
}

TEST_CASE("compare: AlignMaps offsets worked by hand") {
  SUBCASE("stride 1 same against stride 2 same, 3x3, 8 rows x 9 columns") {
    // Rows: stride 1 same pads 1 at the top. Stride 2 same: Out = ceil(8/2) = 4, total =
    // (4-1)*2 + 3 - 8 = 1, top 0. Windows start at o - 1 (A) and 2o (B): B[o] = A[2o + 1], A rows
    // 1, 3, 5, 7 of 0..7, all there. Columns: Out = ceil(9/2) = 5, total = 4*2 + 3 - 9 = 2, left 1:
    // B starts at 2o - 1 = A's start at 2o: B[o] = A[2o], columns 0..8.
    const Tensor3 input = Tensor3::Zeros(1, 8, 9);
    const Params a = ConvParams(Preset("box", 3), 1, Same());
    const Params b = ConvParams(Preset("box", 3), 2, Same());
    Expected<MapAlignment> m = AlignMaps(a, Resolve(a, input), b, Resolve(b, input));
    REQUIRE(m.ok());
    CHECK(m->y == AxisAlignment{2, 1, 0, 4});
    CHECK(m->x == AxisAlignment{2, 0, 0, 5});
    CHECK(m->how == "A subsampled by 2 from row 1, column 0");
  }
  SUBCASE("stride 2 valid against stride 4 padding 2: B's first and last cells have no A cell") {
    // 16 x 16, 3x3. A: Out = (16-3)/2 + 1 = 7, windows start at 2o'. B: Out = (16+4-3)/4 + 1 = 5,
    // windows start at 4o - 2 = 2(2o - 1): B[o] = A[2o - 1]. o = 0 -> A -1 (none); o = 4 -> A 7
    // (none, A ends at 6). So o = 1..3.
    const Tensor3 input = Tensor3::Zeros(1, 16, 16);
    const Params a = ConvParams(Preset("box", 3), 2, Pad(0));
    const Params b = ConvParams(Preset("box", 3), 4, Pad(2));
    Expected<MapAlignment> m = AlignMaps(a, Resolve(a, input), b, Resolve(b, input));
    REQUIRE(m.ok());
    CHECK(m->y == AxisAlignment{2, -1, 1, 3});
    CHECK(m->x == AxisAlignment{2, -1, 1, 3});
    CHECK(m->how ==
          "A subsampled by 2 from row 1, column 1; B's first row, last row, first column and last column have no "
          "counterpart in A");
  }
  SUBCASE("same stride, padding moved from the bottom to the top: a shift by one cell") {
    // 6 rows, 3 taps. A pads 1+1: starts o - 1, Out 6. B pads 2+0: starts o - 2, Out 6.
    // B[o] = A[o - 1]: o = 1..5.
    const Tensor3 input = Tensor3::Zeros(1, 6, 6);
    const Params a = ConvParams(Preset("box", 3), 1, ExplicitPadding(1, 1, 1, 1));
    const Params b = ConvParams(Preset("box", 3), 1, ExplicitPadding(2, 0, 1, 1));
    Expected<MapAlignment> m = AlignMaps(a, Resolve(a, input), b, Resolve(b, input));
    REQUIRE(m.ok());
    CHECK(m->y == AxisAlignment{1, -1, 1, 5});
    CHECK(m->x == AxisAlignment{1, 0, 0, 6});
    CHECK(m->how == "A from row 0, column 0; B's first row has no counterpart in A");
  }
  SUBCASE("per-axis strides: 1x1 against 2x3") {
    // 12 x 12, 3x3 valid. Rows B[o] = A[2o], columns B[o] = A[3o]; B is 5 x 4 (rows (12-3)/2+1 = 5,
    // columns (12-3)/3+1 = 4), A is 10 x 10: 2*4 = 8 and 3*3 = 9 are inside.
    const Tensor3 input = Tensor3::Zeros(1, 12, 12);
    const Params a = ConvParams(Preset("box", 3), 1, Pad(0));
    Params b = a;
    b.stride = {2, 3};
    Expected<MapAlignment> m = AlignMaps(a, Resolve(a, input), b, Resolve(b, input));
    REQUIRE(m.ok());
    CHECK(m->y == AxisAlignment{2, 0, 0, 5});
    CHECK(m->x == AxisAlignment{3, 0, 0, 4});
    CHECK(m->how == "A subsampled by 2 down and 3 across from row 0, column 0");
  }
  SUBCASE("transposed at one stride: padding crops, so B[o] = A[o + P]") {
    // 4 x 4 input, 3x3, stride 2: Out = (4-1)*2 + 3 - 2P: A (P = 0) 9, B (P = 1) 7. Padding P crops
    // P cells from each side of the uncropped output, so B[o] = A[o + 1], o = 0..6.
    CpuEngine engine;
    Rng rng(3);
    const Tensor3 input = RandomImage(rng, 1, 4, 4);
    Params a;
    a.op = Op::Transposed;
    a.kernel = KernelFromRows({{1, 2, 3}, {4, 5, 6}, {7, 8, 9}});
    a.stride = {2, 2};
    Params b = a;
    b.padding = Pad(1);
    const Geometry ga = Resolve(a, input), gb = Resolve(b, input);
    Expected<MapAlignment> m = AlignMaps(a, ga, b, gb);
    REQUIRE(m.ok());
    CHECK(m->y == AxisAlignment{1, 1, 0, 7});
    CHECK(m->x == AxisAlignment{1, 1, 0, 7});
    const MapDifference d = Subtract(engine.Compute(a, ga, input), engine.Compute(b, gb, input), *m);
    CHECK(d.cells == 49);
    CHECK(d.max_abs == 0.0f);
  }
}

TEST_CASE("compare: AlignMaps refuses what does not line up, and says why") {
  const Tensor3 input = Tensor3::Zeros(1, 20, 32);
  const auto refuse = [&](const Params& a, const Params& b) {
    Expected<MapAlignment> m = AlignMaps(a, Resolve(a, input), b, Resolve(b, input));
    REQUIRE_FALSE(m.ok());
    return m.error();
  };
  SUBCASE("different kernels at different strides") {
    // A: 5x5 pad 2 stride 1 keeps 32 x 20; B: stride 2 -> 16 x 10.
    const Error e = refuse(ConvParams(Preset("gaussian", 5), 1, Pad(2)), ConvParams(Preset("box", 5), 2, Pad(2)));
    CHECK(Mentions(e.message, "A is 32 x 20 and B is 16 x 10"));
    CHECK(Mentions(e.message, "differ in kernel"));
    CHECK(e.setting == Setting::Kernel);
  }
  SUBCASE("different ops") {
    const Error e = refuse(ConvParams(Preset("box", 3), 1, Pad(1)), PoolParams(Op::MaxPool, 3, 2, 1));
    CHECK(Mentions(e.message, "differ in operation"));
  }
  SUBCASE("A's stride does not divide B's") {
    // 3x3 valid: A stride 3 -> (32-3)/3+1 = 10 by (20-3)/3+1 = 6; B stride 2 -> 15 x 9.
    const Error e = refuse(ConvParams(Preset("box", 3), 3, Pad(0)), ConvParams(Preset("box", 3), 2, Pad(0)));
    CHECK(Mentions(e.message, "A is 10 x 6 and B is 15 x 9"));
    CHECK(Mentions(e.message, "A's stride 3 does not divide B's stride 2"));
    CHECK_FALSE(Mentions(e.message, "smaller stride"));
    CHECK(e.setting == Setting::Stride);
  }
  SUBCASE("the finer map must be A") {
    const Error e = refuse(ConvParams(Preset("box", 3), 2, Pad(0)), ConvParams(Preset("box", 3), 1, Pad(0)));
    CHECK(Mentions(e.message, "A's stride 2 does not divide B's stride 1"));
    CHECK(Mentions(e.message, "make the pane with the smaller stride A"));
  }
  SUBCASE("windows an odd number of pixels apart at an even stride") {
    // A stride 2 pad 1: starts 2o' - 1; B stride 4 pad 0: starts 4o. 1 pixel apart, A steps 2.
    const Error e = refuse(ConvParams(Preset("box", 3), 2, Pad(1)), ConvParams(Preset("box", 3), 4, Pad(0)));
    CHECK(Mentions(e.message, "start 1 pixel apart (top padding 1 against 0)"));
    CHECK(Mentions(e.message, "A's stride 2"));
    CHECK(e.setting == Setting::Padding);
  }
  SUBCASE("transposed at different strides") {
    Params a;
    a.op = Op::Transposed;
    a.kernel = Preset("box", 3);
    Params b = a;
    b.stride = {2, 2};
    const Error e = refuse(a, b);
    CHECK(Mentions(e.message, "transposed"));
    CHECK(Mentions(e.message, "strides (1 and 2)"));
  }
  SUBCASE("different channel counts, even at one size") {
    const Tensor3 rgb = Tensor3::Zeros(3, 10, 10);
    Params a = ConvParams(Preset("box", 3), 1, Pad(1));
    Params b = a;
    b.channel_mode = ChannelMode::Sum;
    Expected<MapAlignment> m = AlignMaps(a, Resolve(a, rgb), b, Resolve(b, rgb));
    REQUIRE_FALSE(m.ok());
    CHECK(Mentions(m.error().message, "A has 3 channels and B has 1"));
  }
  SUBCASE("different inputs") {
    const Params p = ConvParams(Preset("box", 3), 1, Pad(1));
    Expected<MapAlignment> m = AlignMaps(p, Resolve(p, input), p, Resolve(p, Tensor3::Zeros(1, 20, 31)));
    REQUIRE_FALSE(m.ok());
    CHECK(Mentions(m.error().message, "32 x 20 input and B on a 31 x 20"));
  }
}

// ---------------------------------------------------------------------------------------------
// Stride S = stride 1 subsampled, exactly

// The offset of B (stride s) into A (stride 1) along one axis, worked from DESIGN.md's padding
// rules rather than from the geometry: (A's top padding - B's) / 1.
int ExpectedOffset(bool same, int input, int extent, int stride) {
  if (!same) return 0;  // the same explicit padding on both: windows start at o*s - p and o' - p
  const int a_begin = (extent - 1) / 2;  // stride 1 same: total E-1
  const int out = (input + stride - 1) / stride;
  const int total = std::max(0, (out - 1) * stride + extent - input);
  return a_begin - total / 2;
}

TEST_CASE("compare: a stride-S map is exactly the stride-1 map subsampled") {
  CpuEngine engine;
  Rng rng(2024);
  const Tensor3 input = RandomImage(rng, 2, 19, 23);
  Kernel dense = KernelFromRows({{0, 0, 0}, {0, 0, 0}, {0, 0, 0}});
  for (float& w : dense.weights) w = rng.Value();
  const std::vector<std::pair<const char*, Kernel>> kernels = {
      {"gaussian:5", Preset("gaussian", 5)}, {"sobel-x", Preset("sobel-x")}, {"box:7", Preset("box", 7)},
      {"random 3x3", dense}};
  int compared = 0;
  for (const auto& [name, kernel] : kernels) {
    for (int pad : {0, 1, 2, -1}) {  // -1: same
      for (PadMode mode : {PadMode::Zeros, PadMode::Reflect, PadMode::Replicate, PadMode::Circular}) {
        for (int dilation : {1, 2}) {
          const Padding padding = pad < 0 ? Same() : Pad(pad);
          const Params a = ConvParams(kernel, 1, padding, mode, dilation);
          const Geometry ga = Resolve(a, input);
          const Tensor3 map_a = engine.Compute(a, ga, input);
          for (int stride : {2, 3, 4}) {
            CAPTURE(name);
            CAPTURE(pad);
            CAPTURE(Name(mode));
            CAPTURE(dilation);
            CAPTURE(stride);
            const Params b = ConvParams(kernel, stride, padding, mode, dilation);
            const Geometry gb = Resolve(b, input);
            const Tensor3 map_b = engine.Compute(b, gb, input);
            Expected<MapAlignment> m = AlignMaps(a, ga, b, gb);
            REQUIRE_MESSAGE(m.ok(), (m.ok() ? std::string() : m.error().message));
            const int extent = dilation * (kernel.height - 1) + 1;
            const int off_y = ExpectedOffset(pad < 0, 19, extent, stride);
            const int off_x = ExpectedOffset(pad < 0, 23, dilation * (kernel.width - 1) + 1, stride);
            CHECK(m->y == AxisAlignment{stride, off_y, 0, gb.y.output});
            CHECK(m->x == AxisAlignment{stride, off_x, 0, gb.x.output});
            const MapDifference d = Subtract(map_a, map_b, *m);
            CHECK(d.cells == 2LL * gb.y.output * gb.x.output);
            CHECK(d.cells > 0);
            CHECK(d.max_abs == 0.0f);
            CHECK(d.mean_abs == 0.0);
            // And by brute force, bit for bit, from the offsets worked above.
            bool equal = true;
            for (int c = 0; c < 2; ++c)
              for (int oy = 0; oy < map_b.height; ++oy)
                for (int ox = 0; ox < map_b.width; ++ox)
                  equal = equal && map_b.At(c, oy, ox) == map_a.At(c, oy * stride + off_y, ox * stride + off_x);
            CHECK(equal);
            ++compared;
          }
        }
      }
    }
  }
  CHECK(compared == 4 * 4 * 4 * 2 * 3);

  SUBCASE("stride 2 against stride 4, both subsampled from one map") {
    for (const auto& [name, kernel] : kernels) {
      CAPTURE(name);
      const Params a = ConvParams(kernel, 2, Pad(1), PadMode::Reflect);
      const Params b = ConvParams(kernel, 4, Pad(1), PadMode::Reflect);
      const Geometry ga = Resolve(a, input), gb = Resolve(b, input);
      Expected<MapAlignment> m = AlignMaps(a, ga, b, gb);
      REQUIRE(m.ok());
      CHECK(m->y.scale == 2);
      CHECK(m->y.offset == 0);
      const MapDifference d = Subtract(engine.Compute(a, ga, input), engine.Compute(b, gb, input), *m);
      CHECK(d.cells == 2LL * gb.y.output * gb.x.output);
      CHECK(d.max_abs == 0.0f);
    }
  }
  SUBCASE("max and average pooling, window 3, stride 1 against 2 and 3") {
    for (Op op : {Op::MaxPool, Op::AvgPool}) {
      for (int pad : {0, 1}) {
        for (int stride : {2, 3}) {
          for (bool include : {true, false}) {
            CAPTURE(Name(op));
            CAPTURE(pad);
            CAPTURE(stride);
            CAPTURE(include);
            Params a = PoolParams(op, 3, 1, pad);
            a.count_include_pad = include;
            Params b = a;
            b.stride = {stride, stride};
            const Geometry ga = Resolve(a, input), gb = Resolve(b, input);
            Expected<MapAlignment> m = AlignMaps(a, ga, b, gb);
            REQUIRE(m.ok());
            CHECK(m->y == AxisAlignment{stride, 0, 0, gb.y.output});
            const MapDifference d = Subtract(engine.Compute(a, ga, input), engine.Compute(b, gb, input), *m);
            CHECK(d.cells == 2LL * gb.y.output * gb.x.output);
            CHECK(d.max_abs == 0.0f);
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Subtract

TEST_CASE("compare: Subtract finds a planted difference, lays values out in B's cells, handles NaN") {
  // Multiples of 1/8: every difference and sum below is exact in float and double.
  Tensor3 a = Tensor3::Zeros(2, 5, 6);
  for (std::size_t i = 0; i < a.data.size(); ++i) a.data[i] = static_cast<float>(static_cast<int>(i % 11) - 5) / 8.0f;
  const MapAlignment identity{{1, 0, 0, 5}, {1, 0, 0, 6}, "cell by cell"};
  double sum_ref = 0.0;
  for (float v : a.data) sum_ref += std::fabs(v);

  SUBCASE("two planted differences: the larger one and where it is") {
    Tensor3 b = a;
    b.At(1, 3, 4) -= 0.75f;  // A - B = +0.75
    b.At(0, 0, 0) += 0.5f;   // A - B = -0.5
    const MapDifference d = Subtract(a, b, identity);
    CHECK(d.max_abs == 0.75f);
    CHECK(d.channel == 1);
    CHECK(d.row == 3);
    CHECK(d.col == 4);
    CHECK(d.cells == 60);
    CHECK(d.nan_cells == 0);
    CHECK(d.mean_abs == doctest::Approx((0.75 + 0.5) / 60).epsilon(1e-12));
    CHECK(d.mean_abs_reference == doctest::Approx(sum_ref / 60).epsilon(1e-12));
    CHECK(d.values.At(1, 3, 4) == 0.75f);
    CHECK(d.values.At(0, 0, 0) == -0.5f);
    CHECK(d.values.At(0, 2, 2) == 0.0f);
    CHECK(RelativeDifference(a, b, identity) == doctest::Approx(1.25 / sum_ref).epsilon(1e-12));
  }
  SUBCASE("a tie goes to the first cell in scan order (channel, row, column)") {
    Tensor3 b = a;
    b.At(1, 0, 0) += 0.25f;
    b.At(0, 4, 5) += 0.25f;
    const MapDifference d = Subtract(a, b, identity);
    CHECK(d.max_abs == 0.25f);
    CHECK(d.channel == 0);
    CHECK(d.row == 4);
    CHECK(d.col == 5);
  }
  SUBCASE("a subsampled, partial alignment: values(c, i, j) is B's cell (first_y + i, first_x + j)") {
    // B is 3 x 3; B rows 1..2 are A rows 2o - 1 = 1, 3; B columns 0..1 are A columns 2o + 1 = 1, 3.
    const MapAlignment m{{2, -1, 1, 2}, {2, 1, 0, 2}, ""};
    Tensor3 b = Tensor3::Filled(2, 3, 3, 100.0f);  // cells outside the alignment are never read
    for (int c = 0; c < 2; ++c)
      for (int i = 1; i <= 2; ++i)
        for (int j = 0; j <= 1; ++j) b.At(c, i, j) = a.At(c, 2 * i - 1, 2 * j + 1);
    b.At(1, 2, 1) = a.At(1, 3, 3) + 2.0f;  // A - B = -2 at B's (1, 2, 1)
    const MapDifference d = Subtract(a, b, m);
    REQUIRE(d.values.channels == 2);
    REQUIRE(d.values.height == 2);
    REQUIRE(d.values.width == 2);
    CHECK(d.cells == 8);
    CHECK(d.max_abs == 2.0f);
    CHECK(d.channel == 1);
    CHECK(d.row == 2);
    CHECK(d.col == 1);
    CHECK(d.values.At(1, 1, 1) == -2.0f);  // B row 2 = first 1 + i 1, column 1 = first 0 + j 1
    CHECK(d.values.At(0, 0, 0) == 0.0f);
    double ref = 0.0;  // |A| over A rows 1, 3 and columns 1, 3
    for (int c = 0; c < 2; ++c)
      for (int y : {1, 3})
        for (int x : {1, 3}) ref += std::fabs(a.At(c, y, x));
    CHECK(d.mean_abs == doctest::Approx(2.0 / 8).epsilon(1e-12));
    CHECK(d.mean_abs_reference == doctest::Approx(ref / 8).epsilon(1e-12));
  }
  SUBCASE("equal maps: 0 everywhere, the location is the region's first cell") {
    const MapDifference d = Subtract(a, a, {{1, 0, 2, 3}, {1, 0, 1, 4}, ""});
    CHECK(d.max_abs == 0.0f);
    CHECK(d.row == 2);
    CHECK(d.col == 1);
    CHECK(RelativeDifference(a, a, identity) == 0.0);
  }
  SUBCASE("NaN is never hidden: max_abs is NaN at the first NaN, the means skip it") {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    Tensor3 b = a;
    b.At(0, 4, 1) += 4.0f;  // a large, numeric difference after the NaN in scan order
    Tensor3 a2 = a;
    a2.At(0, 1, 2) = nan;    // NaN in A only
    b.At(1, 2, 3) = nan;     // NaN in B only
    a2.At(1, 3, 3) = nan;    // NaN in both: still not a number
    b.At(1, 3, 3) = nan;
    const MapDifference d = Subtract(a2, b, identity);
    CHECK(std::isnan(d.max_abs));
    CHECK(d.channel == 0);
    CHECK(d.row == 1);
    CHECK(d.col == 2);
    CHECK(d.nan_cells == 3);
    CHECK(d.cells == 60);
    CHECK(std::isnan(d.values.At(0, 1, 2)));
    CHECK(d.values.At(0, 4, 1) == -4.0f);
    CHECK(d.mean_abs == doctest::Approx(4.0 / 57).epsilon(1e-12));
    double ref = 0.0;
    for (int c = 0; c < 2; ++c)
      for (int y = 0; y < 5; ++y)
        for (int x = 0; x < 6; ++x)
          if (!std::isnan(a2.At(c, y, x)) && !std::isnan(b.At(c, y, x))) ref += std::fabs(a2.At(c, y, x));
    CHECK(d.mean_abs_reference == doctest::Approx(ref / 57).epsilon(1e-12));
  }
  SUBCASE("equal infinities differ by 0; an infinity against a number is the largest") {
    const float inf = std::numeric_limits<float>::infinity();
    Tensor3 a2 = a, b = a;
    a2.At(0, 0, 1) = inf;
    b.At(0, 0, 1) = inf;
    MapDifference d = Subtract(a2, b, identity);
    CHECK(d.max_abs == 0.0f);
    CHECK(d.nan_cells == 0);
    b.At(1, 1, 1) = -inf;
    d = Subtract(a2, b, identity);
    CHECK(d.max_abs == inf);
    CHECK(d.channel == 1);
    CHECK(d.row == 1);
    CHECK(d.col == 1);
  }
}

// ---------------------------------------------------------------------------------------------
// AlignShifted

TEST_CASE("compare: AlignShifted interiors worked by hand") {
  // One row, 10 columns, kernel 1x3, stride 2, padding 1 on the columns only:
  // Out = (10 + 2 - 3)/2 + 1 = 5; cell o reads columns 2o-1 .. 2o+1 (cell 0 reads the padding).
  const Tensor3 input = Tensor3::Zeros(1, 1, 10);
  Params p = ConvParams(KernelFromRows({{1, 2, 3}}), 2, ExplicitPadding(0, 0, 1, 1));
  const Geometry g = Resolve(p, input);
  REQUIRE(g.x.output == 5);
  SUBCASE("2 right: B[o] = A[o - 1], o = 2..4") {
    // B's input holds A's in columns 2..9: B cells [2o-1, 2o+1] inside it: o = 2, 3, 4.
    // A cell o - 1 must read no padding: o - 1 >= 1. So o = 2..4.
    Expected<MapAlignment> m = AlignShifted(g, {0, 2, ShiftFill::Zeros});
    REQUIRE(m.ok());
    CHECK(m->x == AxisAlignment{1, -1, 2, 3});
    CHECK(m->y == AxisAlignment{1, 0, 0, 1});
    CHECK(m->how == "A moved 1 column right, over the interior");
  }
  SUBCASE("4 left: B[o] = A[o + 2], o = 1..2") {
    // Columns 0..5 hold A's: 2o - 1 >= 0 and 2o + 1 <= 5: o = 1, 2; A cell o + 2 <= 4: o <= 2.
    Expected<MapAlignment> m = AlignShifted(g, {0, -4, ShiftFill::Circular});
    REQUIRE(m.ok());
    CHECK(m->x == AxisAlignment{1, 2, 1, 2});
    CHECK(m->how == "A moved 2 columns left, over the interior");
  }
  SUBCASE("no shift: every cell but the padded one") {
    Expected<MapAlignment> m = AlignShifted(g, {0, 0, ShiftFill::Zeros});
    REQUIRE(m.ok());
    CHECK(m->x == AxisAlignment{1, 0, 1, 4});
    CHECK(m->how == "A in place, over the interior");
  }
  SUBCASE("circular shifts count modulo the width, nearest zero") {
    Expected<MapAlignment> full = AlignShifted(g, {0, 10, ShiftFill::Circular});  // = no shift
    REQUIRE(full.ok());
    CHECK(full->x == AxisAlignment{1, 0, 1, 4});
    // 8 = -2 mod 10: columns 0..7 hold A's; o = 1..3, A cell o + 1 <= 4.
    Expected<MapAlignment> back = AlignShifted(g, {0, 8, ShiftFill::Circular});
    REQUIRE(back.ok());
    CHECK(back->x == AxisAlignment{1, 1, 1, 3});
  }
  SUBCASE("errors: not a whole number of strides, nothing left") {
    Expected<MapAlignment> odd = AlignShifted(g, {0, 3, ShiftFill::Circular});
    REQUIRE_FALSE(odd.ok());
    CHECK(Mentions(odd.error().message, "a shift of 3 pixels right is not a whole number of column strides (2)"));
    Expected<MapAlignment> gone = AlignShifted(g, {0, 10, ShiftFill::Zeros});
    REQUIRE_FALSE(gone.ok());
    CHECK(Mentions(gone.error().message, "after a shift of 10 pixels right no output cell is left in the interior"));
    Expected<MapAlignment> almost = AlignShifted(g, {0, 8, ShiftFill::Zeros});  // columns 8..9: no window fits
    REQUIRE_FALSE(almost.ok());
  }
  SUBCASE("MeasureShift between strides: the nearer of floor and ceiling, A's padding excluded") {
    // 1 pixel right is half a cell. Floor (B[o] vs A[o]): B cells [2o-1, 2o+1] inside columns 1..9
    // -> o = 1..4, A cell o reads no padding -> o = 1..4. Ceiling (B[o] vs A[o-1]): o = 1..4 and
    // A cell o-1 >= 1 -> o = 2..4 (o = 1 would meet A's padded cell 0). Maps made up so that the
    // ceiling matches exactly: b[2..4] = a[1..3], while b[1..4] != a[1..4] and a[0] is far off.
    const Tensor3 a = TensorFromRows({{100, 1, 2, 3, 4}});
    const Tensor3 b = TensorFromRows({{0, 0, 1, 2, 3}});
    Expected<ShiftMeasure> m = MeasureShift(g, a, b, {0, 1, ShiftFill::Zeros});
    REQUIRE(m.ok());
    CHECK_FALSE(m->whole);
    CHECK(m->relative_difference == 0.0);
    CHECK(m->alignment.x == AxisAlignment{1, -1, 2, 3});
    CHECK(m->alignment.how == "the nearest copy, A moved 1 column right, over the interior");
    // 1 pixel left is -1/2 cell: floor -1 (B[o] vs A[o+1]), ceiling 0 (B[o] vs A[o]). Columns 0..8
    // hold A's: B cells o = 1..3 (2o+1 <= 8), and A cells o+1 and o exist for those. Here the
    // ceiling is the exact copy: b2[1..3] = a[1..3], while a[2..4] = 2, 3, 4 differ.
    const Tensor3 b2 = TensorFromRows({{-7, 1, 2, 3, 50}});
    Expected<ShiftMeasure> left = MeasureShift(g, a, b2, {0, -1, ShiftFill::Zeros});
    REQUIRE(left.ok());
    CHECK(left->relative_difference == 0.0);
    CHECK(left->alignment.x == AxisAlignment{1, 0, 1, 3});
  }
  SUBCASE("transposed: a shift of d pixels moves the map by d * S cells") {
    // 5 columns, 1x3 kernel, stride 2: lattice 0..8 (pixel i at 2i), padded by E-1 = 2 each side;
    // Out = 4*2 + 3 = 11, cell o reads lattice o-2 .. o: no padding for o = 2..8. Shifted 1 right:
    // pixels 1..4 = lattice 2..8 hold A's: o = 4..8; A cell o - 2 in 2..8: o = 4..10. So o = 4..8.
    Params t;
    t.op = Op::Transposed;
    t.kernel = KernelFromRows({{1, 2, 3}});
    t.stride = {1, 2};
    const Tensor3 small = Tensor3::Zeros(1, 1, 5);
    const Geometry gt = Resolve(t, small);
    REQUIRE(gt.x.output == 11);
    Expected<MapAlignment> m = AlignShifted(gt, {0, 1, ShiftFill::Zeros});
    REQUIRE(m.ok());
    CHECK(m->x == AxisAlignment{1, -2, 4, 5});
    // And the values agree there, exactly.
    CpuEngine engine;
    Rng rng(11);
    const Tensor3 image = RandomImage(rng, 1, 1, 5);
    const MapDifference d =
        Subtract(engine.Compute(t, gt, image), engine.Compute(t, gt, ShiftInput(image, {0, 1, ShiftFill::Zeros})), *m);
    CHECK(d.cells == 5);
    CHECK(d.max_abs == 0.0f);
  }
  SUBCASE("the anti-aliased pipeline's interior: the blur's reach and its reflect padding too") {
    // Stage 1: stride 1, padding 1, 10 cells; cell j reads columns j-1..j+1. Stage 2 (blur, stride
    // 2, reflect 1): 5 cells, cell o reads stage-1 cells 2o-1..2o+1, so columns 2o-2..2o+2. No
    // padding in either: 2o-1 >= 0, 2o+1 <= 9, 2o-2 >= 0, 2o+2 <= 9: o = 1..3.
    // Rows: 3 of them at stride 1 (a 1-row map could not take the blur's reflect padding); the
    // blur's rows o-1..o+1 avoid its padding only for o = 1.
    Params rows = p;
    rows.stride = {1, 2};
    Expected<AntialiasedPipeline> aa = MakeAntialiased(rows, 1, 3, 10);
    REQUIRE(aa.ok());
    Expected<MapAlignment> still = AlignShifted(*aa, {0, 0, ShiftFill::Zeros});
    REQUIRE(still.ok());
    CHECK(still->x == AxisAlignment{1, 0, 1, 3});
    CHECK(still->y == AxisAlignment{1, 0, 1, 1});
    // 2 right (one output cell): columns 2..9 hold A's: 2o-2 >= 2 -> o >= 2; A cell o-1 in 1..3.
    Expected<MapAlignment> moved = AlignShifted(*aa, {0, 2, ShiftFill::Zeros});
    REQUIRE(moved.ok());
    CHECK(moved->x == AxisAlignment{1, -1, 2, 2});
    CHECK_FALSE(AlignShifted(*aa, {0, 1, ShiftFill::Zeros}).ok());
  }
}

// ---------------------------------------------------------------------------------------------
// The anti-aliased pipeline

TEST_CASE("compare: the anti-aliased pipeline by hand") {
  SUBCASE("an impulse through identity then the blur at stride 2 (reflect at the top edge)") {
    // 6 x 6, impulse at (1, 3); a 1x1 identity kernel, so stage 1 is the image. The blur at stride
    // 2, padding 1: Out = (6+2-3)/2+1 = 3, cell (o, p) centred on (2o, 2p). Rows: cell 0 reads rows
    // -1 (reflects to 1), 0, 1: row 1 twice, weight 1 + 1 = 2; cell 1 reads rows 1..3: row 1 as
    // its first tap, weight 1. Columns: cells 1 and 2 (centres 2 and 4) read column 3 with weight 1.
    // So (0,1) = (0,2) = 2/16 and (1,1) = (1,2) = 1/16; the rest 0.
    Tensor3 image = Tensor3::Zeros(1, 6, 6);
    image.At(0, 1, 3) = 1.0f;
    Params p = ConvParams(KernelFromRows({{1}}), 2, Pad(0));
    Expected<AntialiasedPipeline> aa = MakeAntialiased(p, 1, 6, 6);
    REQUIRE(aa.ok());
    CHECK(aa->op.stride == Size2{1, 1});
    CHECK(aa->blur.stride == Size2{2, 2});
    CpuEngine engine;
    const Tensor3 out = ComputeAntialiased(engine, *aa, image);
    using R = std::vector<std::vector<float>>;
    CHECK(Rows(out) == R{{0, 0.125f, 0.125f}, {0, 0.0625f, 0.0625f}, {0, 0, 0}});
    // At (2, 2), on cell (1, 1)'s centre tap: 4/16 there and nothing anywhere else.
    Tensor3 centre = Tensor3::Zeros(1, 6, 6);
    centre.At(0, 2, 2) = 1.0f;
    CHECK(Rows(ComputeAntialiased(engine, *aa, centre)) == R{{0, 0, 0}, {0, 0.25f, 0}, {0, 0, 0}});
    // The weights sum to 1: a constant stays itself, edges included (reflect).
    CHECK(Rows(ComputeAntialiased(engine, *aa, Tensor3::Filled(1, 6, 6, 3.0f))) == R(3, std::vector<float>(3, 3.0f)));
  }
  SUBCASE("explicit padding: the plain op's size, windows centred where the plain op's are") {
    const Tensor3 input = Tensor3::Zeros(3, 21, 26);
    for (int stride : {2, 3, 4}) {
      for (int pad : {0, 1, 2}) {
        CAPTURE(stride);
        CAPTURE(pad);
        const Params p = ConvParams(Preset("gaussian", 5), stride, Pad(pad));
        const Geometry g = Resolve(p, input);
        Expected<AntialiasedPipeline> aa = MakeAntialiased(p, 3, 21, 26);
        REQUIRE(aa.ok());
        CHECK(aa->blur_geometry.y.output == g.y.output);
        CHECK(aa->blur_geometry.x.output == g.x.output);
        CHECK(aa->blur_geometry.channels.out_channels == 3);
        // The blur's middle tap of cell o reads stage-1 cell o * S, whose window is the plain
        // op's window of cell o.
        for (int o = 0; o < g.x.output; ++o)
          CHECK(aa->op_geometry.x.WindowCentre(aa->blur_geometry.x.TapPosition(o, 1)) == g.x.WindowCentre(o));
      }
    }
  }
  SUBCASE("refusals") {
    Params t;
    t.op = Op::Transposed;
    t.kernel = Preset("box", 3);
    t.stride = {2, 2};
    Expected<AntialiasedPipeline> aa = MakeAntialiased(t, 1, 8, 8);
    REQUIRE_FALSE(aa.ok());
    CHECK(Mentions(aa.error().message, "transposed"));
    // A stride-1 map one cell high cannot take the blur's reflect padding.
    Expected<AntialiasedPipeline> thin = MakeAntialiased(ConvParams(Preset("box", 3), 2, Pad(0)), 1, 3, 8);
    REQUIRE_FALSE(thin.ok());
    CHECK(Mentions(thin.error().message, "blurs the stride-1 map (6 x 1)"));
  }
}

// ---------------------------------------------------------------------------------------------
// The shift test

TEST_CASE("compare: the shift test is exactly 0 at whole strides") {
  CpuEngine engine;
  Rng rng(99);
  const Tensor3 random = RandomImage(rng, 3, 40, 44);
  Expected<Tensor3> checker = MakeSample("checkerboard");
  REQUIRE(checker.ok());
  const std::vector<std::pair<const char*, Params>> ops = {
      {"gaussian:5 reflect", ConvParams(Preset("gaussian", 5), 1, Pad(2), PadMode::Reflect)},
      {"sobel-x same", ConvParams(Preset("sobel-x"), 1, Same())},
      {"max pool 3", PoolParams(Op::MaxPool, 3, 1, 1)},
  };
  int zero_points = 0;
  for (const Tensor3* image : std::vector<const Tensor3*>{&random, &*checker}) {
    for (const auto& [name, base] : ops) {
      for (int stride : {2, 3}) {
        for (ShiftFill fill : {ShiftFill::Circular, ShiftFill::Zeros}) {
          CAPTURE(name);
          CAPTURE(stride);
          CAPTURE(image->height);
          CAPTURE(fill == ShiftFill::Circular);
          Params p = base;
          p.stride = {stride, stride};
          ShiftTestOptions o;
          o.max_shift = 2 * stride;
          o.fill = fill;
          o.uy = image == &random ? 1 : 0;  // diagonal on the random image, across on the checkerboard
          o.ux = 1;
          o.antialiased = image == &random;
          Expected<ShiftCurve> curve = RunShiftTest(engine, p, *image, o);
          REQUIRE_MESSAGE(curve.ok(), (curve.ok() ? std::string() : curve.error().message));
          REQUIRE(curve->plain.size() == static_cast<std::size_t>(2 * stride + 1));
          CHECK(curve->antialiased.size() == (o.antialiased ? curve->plain.size() : 0));
          for (const auto* points : {&curve->plain, &curve->antialiased}) {
            for (const ShiftTestPoint& pt : *points) {
              CAPTURE(pt.shift);
              CHECK(pt.whole == (pt.shift % stride == 0));
              if (pt.whole) {
                CHECK(pt.relative_difference == 0.0);
                ++zero_points;
              } else if (image == &random) {
                CHECK(pt.relative_difference > 1e-3);  // random pixels: no shifted copy matches
              }
            }
          }
        }
      }
    }
  }
  // Shifts 0, S and 2S per curve: plain on 2 images x 3 ops x 2 strides x 2 fills, AA on one image.
  CHECK(zero_points == 2 * 3 * 2 * 2 * 3 + 3 * 2 * 2 * 3);
  SUBCASE("the same through MeasureShift and Subtract: max |A - B| is 0 at a whole shift") {
    const Params p = ConvParams(Preset("gaussian", 5), 2, Pad(2), PadMode::Reflect);
    const Geometry g = Resolve(p, random);
    const InputShift shift{2, -4, ShiftFill::Zeros};
    const Tensor3 a = engine.Compute(p, g, random);
    const Tensor3 b = engine.Compute(p, g, ShiftInput(random, shift));
    Expected<ShiftMeasure> m = MeasureShift(g, a, b, shift);
    REQUIRE(m.ok());
    CHECK(m->whole);
    CHECK(m->alignment.how == "A moved 1 row down and 2 columns left, over the interior");
    const MapDifference d = Subtract(a, b, m->alignment);
    CHECK(d.cells > 0);
    CHECK(d.max_abs == 0.0f);
  }
}

TEST_CASE("compare: on the zone plate, shifts between strides differ, and anti-aliasing lowers them") {
  CpuEngine engine;
  Expected<Tensor3> zone = MakeSample("zoneplate");
  REQUIRE(zone.ok());
  const std::vector<std::pair<const char*, Params>> ops = {
      {"box:3 stride 2", ConvParams(Preset("box", 3), 2, Pad(1))},
      {"gaussian:5 stride 3 reflect", ConvParams(Preset("gaussian", 5), 3, Pad(2), PadMode::Reflect)},
      {"sobel-x stride 2", ConvParams(Preset("sobel-x"), 2, Pad(1))},
      {"max pool 2 stride 2", PoolParams(Op::MaxPool, 2, 2, 0)},
      {"max pool 3 stride 2", PoolParams(Op::MaxPool, 3, 2, 1)},
  };
  for (const auto& [name, p] : ops) {
    CAPTURE(name);
    ShiftTestOptions o;
    o.max_shift = 2 * p.stride.x;
    o.antialiased = true;
    Expected<ShiftCurve> curve = RunShiftTest(engine, p, *zone, o);
    REQUIRE_MESSAGE(curve.ok(), (curve.ok() ? std::string() : curve.error().message));
    for (std::size_t i = 0; i < curve->plain.size(); ++i) {
      const ShiftTestPoint& plain = curve->plain[i];
      const ShiftTestPoint& aa = curve->antialiased[i];
      CAPTURE(plain.shift);
      CAPTURE(plain.relative_difference);
      CAPTURE(aa.relative_difference);
      CHECK(plain.shift == static_cast<int>(i));
      if (plain.whole) {
        CHECK(plain.relative_difference == 0.0);
        CHECK(aa.relative_difference == 0.0);
      } else {
        CHECK(plain.relative_difference > 1e-3);
        CHECK(aa.relative_difference < plain.relative_difference);
      }
    }
  }
}

TEST_CASE("compare: RunShiftTest refuses bad options and can be cancelled") {
  CpuEngine engine;
  const Tensor3 input = Tensor3::Filled(1, 12, 12, 1.0f);
  const Params p = ConvParams(Preset("box", 3), 2, Pad(1));
  ShiftTestOptions o;
  SUBCASE("a flat image: 0 / 0 counts as no difference") {
    o.max_shift = 3;
    Expected<ShiftCurve> c = RunShiftTest(engine, p, input, o);
    REQUIRE(c.ok());
    for (const ShiftTestPoint& pt : c->plain) CHECK(pt.relative_difference == 0.0);
  }
  SUBCASE("largest shift out of range") {
    o.max_shift = -1;
    Expected<ShiftCurve> c = RunShiftTest(engine, p, input, o);
    REQUIRE_FALSE(c.ok());
    CHECK(Mentions(c.error().message, "from 0 to 128"));
  }
  SUBCASE("no direction") {
    o.ux = 0;
    Expected<ShiftCurve> c = RunShiftTest(engine, p, input, o);
    REQUIRE_FALSE(c.ok());
    CHECK(Mentions(c.error().message, "direction"));
  }
  SUBCASE("invalid params: the geometry's own message") {
    Params bad = p;
    bad.stride = {0, 0};
    Expected<ShiftCurve> c = RunShiftTest(engine, bad, input, o);
    REQUIRE_FALSE(c.ok());
    CHECK(Mentions(c.error().message, "stride"));
  }
  SUBCASE("transposed: plain works (every shift whole), anti-aliased is refused") {
    Params t;
    t.op = Op::Transposed;
    t.kernel = Preset("box", 3);
    t.stride = {2, 2};
    o.max_shift = 2;
    Expected<ShiftCurve> c = RunShiftTest(engine, t, input, o);
    REQUIRE(c.ok());
    for (const ShiftTestPoint& pt : c->plain) {
      CHECK(pt.whole);
      CHECK(pt.relative_difference == 0.0);
    }
    o.antialiased = true;
    CHECK_FALSE(RunShiftTest(engine, t, input, o).ok());
  }
  SUBCASE("a shift that leaves no interior") {
    o.max_shift = 12;
    o.fill = ShiftFill::Zeros;
    Expected<ShiftCurve> c = RunShiftTest(engine, p, input, o);
    REQUIRE_FALSE(c.ok());
    CHECK(Mentions(c.error().message, "no output cell is left in the interior"));
  }
  SUBCASE("cancelled") {
    std::atomic<bool> cancel{true};
    Expected<ShiftCurve> c = RunShiftTest(engine, p, input, o, &cancel);
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().message == "cancelled");
  }
}

}  // namespace
}  // namespace stridescope
