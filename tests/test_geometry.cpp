// Geometry against numbers worked out by hand (comments show the working), so that a wrong
// formula cannot pass by agreeing with itself.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "geometry.h"
#include "kernels.h"
#include "reference_conv.h"

namespace stridescope {
namespace {

using reference::ExplicitPadding;
using reference::Mentions;
using reference::OnesKernel;

// One axis in isolation: a 1-row input of length `input` along x, so the y axis is trivial.
struct AxisCase {
  Op op = Op::Conv;
  int input = 1;
  int taps = 1;
  int stride = 1;
  int dilation = 1;
  int pad_begin = 0;
  int pad_end = 0;
  int output_padding = 0;
  bool ceil_mode = false;
};

Params AxisParams(const AxisCase& c) {
  Params p;
  p.op = c.op;
  p.kernel = OnesKernel(1, c.taps);
  p.window = {1, c.taps};
  p.stride = {1, c.stride};
  p.dilation = {1, c.dilation};
  p.padding = ExplicitPadding(0, 0, c.pad_begin, c.pad_end);
  p.output_padding = {0, c.output_padding};
  p.ceil_mode = c.ceil_mode;
  return p;
}

AxisGeometry ResolveAxisX(const AxisCase& c) {
  Expected<Geometry> g = ResolveGeometry(AxisParams(c), 1, 1, c.input);
  REQUIRE_MESSAGE(g.ok(), (g.ok() ? std::string() : g.error().message));
  return g->x;
}

std::vector<std::pair<int, int>> SortedReaders(const AxisGeometry& a, int i) {
  std::vector<std::pair<int, int>> r;
  for (const AxisGeometry::Reader& reader : a.Readers(i)) r.emplace_back(reader.output, reader.tap);
  std::sort(r.begin(), r.end());
  return r;
}

// The message of a ResolveGeometry call that must fail.
std::string ErrorOf(const Params& p, int c, int h, int w) {
  Expected<Geometry> g = ResolveGeometry(p, c, h, w);
  REQUIRE_FALSE(g.ok());
  return g.error().message;
}

constexpr Visit R = Visit::Read;

TEST_CASE("OutputLength follows the conv arithmetic relationships") {
  // i=5, k=3, s=2, p=1: floor((5 + 2 - 3) / 2) + 1 = 3.
  CHECK(OutputLength(Op::Conv, 5, 3, 2, 1, 1, 0, false) == 3);
  // i=6, k=3, s=2, p=1: floor(5 / 2) + 1 = 3 (one padded row left over).
  CHECK(OutputLength(Op::Conv, 6, 3, 2, 1, 1, 0, false) == 3);
  // i=6, k=3, s=2, p=0: floor(3 / 2) + 1 = 2.
  CHECK(OutputLength(Op::Conv, 6, 3, 2, 0, 0, 0, false) == 2);
  // Dilated: k=3, d=2 gives E=5; i=7: floor(2 / 1) + 1 = 3.
  CHECK(OutputLength(Op::Conv, 7, 5, 1, 0, 0, 0, false) == 3);
  // Per-side padding counts once per side: 4 + 0 + 2 - 3 = 3 -> 4 outputs at stride 1.
  CHECK(OutputLength(Op::Conv, 4, 3, 1, 0, 2, 0, false) == 4);
  // Extent 3 on 2 pixels: nothing fits.
  CHECK(OutputLength(Op::Conv, 2, 3, 1, 0, 0, 0, false) <= 0);
  // ceil_mode is a pooling flag; conv ignores it.
  CHECK(OutputLength(Op::Conv, 5, 2, 2, 0, 0, 0, true) == 2);
}

TEST_CASE("OutputLength for pooling with ceil_mode follows PyTorch") {
  // i=5, k=2, s=2: floor gives 2; ceil gives floor((3 + 1) / 2) + 1 = 3, a last window [4, 5].
  CHECK(OutputLength(Op::MaxPool, 5, 2, 2, 0, 0, 0, false) == 2);
  CHECK(OutputLength(Op::MaxPool, 5, 2, 2, 0, 0, 0, true) == 3);
  CHECK(OutputLength(Op::AvgPool, 5, 2, 2, 0, 0, 0, true) == 3);
  // i=3, k=2, s=2, p=1: ceil gives floor((3 + 1) / 2) + 1 = 3, but that window would start at
  // padded position 4 >= i + p = 4, wholly in the end padding, so PyTorch drops it: 2.
  CHECK(OutputLength(Op::MaxPool, 3, 2, 2, 1, 1, 0, true) == 2);
  // Divisible: ceil changes nothing. i=6, k=2, s=2 -> 3.
  CHECK(OutputLength(Op::MaxPool, 6, 2, 2, 0, 0, 0, true) == 3);
}

TEST_CASE("OutputLength for transposed conv") {
  // (I-1)*S - pads + E + output_padding: k=3, s=2, p=1, op=1 doubles 3 -> 6.
  CHECK(OutputLength(Op::Transposed, 3, 3, 2, 1, 1, 1, false) == 6);
  // No padding: 2 pixels, k=3, s=2 -> 2 + 3 = 5.
  CHECK(OutputLength(Op::Transposed, 2, 3, 2, 0, 0, 0, false) == 5);
  // Dilation 2 on k=3 gives E=5: (4-1)*1 + 5 = 8.
  CHECK(OutputLength(Op::Transposed, 4, 5, 1, 0, 0, 0, false) == 8);
}

TEST_CASE("ResolvePadding presets") {
  auto pad = [](PadPreset preset, int input, int extent, int stride) {
    const AxisPadding p = ResolvePadding(preset, 7, 9, input, extent, stride);
    return std::pair{p.begin, p.end};
  };
  using P = std::pair<int, int>;
  CHECK(pad(PadPreset::Explicit, 5, 3, 1) == P{7, 9});
  CHECK(pad(PadPreset::Valid, 5, 3, 1) == P{0, 0});
  CHECK(pad(PadPreset::Full, 5, 3, 1) == P{2, 2});
  CHECK(pad(PadPreset::Full, 5, 5, 2) == P{4, 4});  // E = 5 (k=3, d=2): E-1 each side
  // same, stride 1: total E-1; odd total puts the extra pixel at the end (TensorFlow).
  CHECK(pad(PadPreset::Same, 5, 3, 1) == P{1, 1});
  CHECK(pad(PadPreset::Same, 5, 4, 1) == P{1, 2});
  CHECK(pad(PadPreset::Same, 5, 2, 1) == P{0, 1});
  CHECK(pad(PadPreset::Same, 5, 1, 1) == P{0, 0});
  // same, stride 2: out = ceil(I/2), total = max(0, (out-1)*2 + E - I).
  CHECK(pad(PadPreset::Same, 5, 3, 2) == P{1, 1});  // out 3: 4 + 3 - 5 = 2
  CHECK(pad(PadPreset::Same, 6, 3, 2) == P{0, 1});  // out 3: 4 + 3 - 6 = 1, at the end
  CHECK(pad(PadPreset::Same, 6, 4, 2) == P{1, 1});  // out 3: 4 + 4 - 6 = 2
  CHECK(pad(PadPreset::Same, 7, 4, 2) == P{1, 2});  // out 4: 6 + 4 - 7 = 3
  // same, stride 3.
  CHECK(pad(PadPreset::Same, 7, 3, 3) == P{1, 1});   // out 3: 6 + 3 - 7 = 2
  CHECK(pad(PadPreset::Same, 9, 3, 3) == P{0, 0});   // out 3: 6 + 3 - 9 = 0
  CHECK(pad(PadPreset::Same, 10, 4, 3) == P{1, 2});  // out 4: 9 + 4 - 10 = 3
  CHECK(pad(PadPreset::Same, 10, 5, 3) == P{2, 2});  // out 4: 9 + 5 - 10 = 4
  // Stride beyond the extent: the formula goes negative and clamps to no padding.
  CHECK(pad(PadPreset::Same, 8, 1, 4) == P{0, 0});   // out 2: 4 + 1 - 8 < 0
}

TEST_CASE("same padding really gives ceil(I/S) outputs") {
  for (int input = 1; input <= 12; ++input)
    for (int stride = 1; stride <= 4; ++stride)
      for (int extent = 1; extent <= 6; ++extent) {
        const AxisPadding p = ResolvePadding(PadPreset::Same, 0, 0, input, extent, stride);
        CAPTURE(input);
        CAPTURE(stride);
        CAPTURE(extent);
        CHECK(p.end - p.begin >= 0);
        CHECK(p.end - p.begin <= 1);
        CHECK(OutputLength(Op::Conv, input, extent, stride, p.begin, p.end, 0, false) ==
              (input + stride - 1) / stride);
      }
}

TEST_CASE("AxisGeometry of the conv arithmetic cases: what is never read") {
  SUBCASE("i=6, k=3, s=2, p=1: every input row read, the last padded row is not") {
    // Windows over padded positions -1..6: [-1,1], [1,3], [3,5]; position 6 (padding) unread.
    const AxisGeometry a = ResolveAxisX({Op::Conv, 6, 3, 2, 1, 1, 1});
    CHECK(a.output == 3);
    CHECK(a.ReadCounts() == std::vector<int>{1, 2, 1, 2, 1, 1});
    CHECK(a.Visits() == std::vector<Visit>(6, R));
    CHECK(a.FloorRemainder() == 1);  // (6 + 2 - 3) mod 2
    CHECK(a.FirstReadPosition() == -1);
    CHECK(a.LastReadPosition() == 5);
  }
  SUBCASE("i=6, k=3, s=2, p=0: the last input row is dropped by the floor") {
    // Windows [0,2], [2,4]; row 5 is past the last window.
    const AxisGeometry a = ResolveAxisX({Op::Conv, 6, 3, 2, 1, 0, 0});
    CHECK(a.output == 2);
    CHECK(a.ReadCounts() == std::vector<int>{1, 1, 2, 1, 1, 0});
    CHECK(a.Visits() == std::vector<Visit>{R, R, R, R, R, Visit::FloorRemainder});
    CHECK(a.FloorRemainder() == 1);  // (6 - 3) mod 2
  }
  SUBCASE("i=5, k=3, s=2, p=1: everything fits exactly") {
    const AxisGeometry a = ResolveAxisX({Op::Conv, 5, 3, 2, 1, 1, 1});
    CHECK(a.output == 3);
    CHECK(a.ReadCounts() == std::vector<int>{1, 2, 1, 2, 1});
    CHECK(a.FloorRemainder() == 0);
  }
}

TEST_CASE("AxisGeometry: stride gaps, dilation holes, floor remainder") {
  SUBCASE("stride 3 over a 2-wide window leaves a gap") {
    // i=7, k=2, s=3: out = floor(5/3) + 1 = 2, windows [0,1] and [3,4]. Pixel 2 lies between
    // windows; 5 and 6 lie after the last one, which (7 - 2) mod 3 = 2 accounts for.
    const AxisGeometry a = ResolveAxisX({Op::Conv, 7, 2, 3, 1, 0, 0});
    CHECK(a.output == 2);
    CHECK(a.ReadCounts() == std::vector<int>{1, 1, 0, 1, 1, 0, 0});
    CHECK(a.Visits() == std::vector<Visit>{R, R, Visit::StrideGap, R, R, Visit::FloorRemainder,
                                           Visit::FloorRemainder});
    CHECK(a.FloorRemainder() == 2);
  }
  SUBCASE("dilation 3 skips the pixels between taps") {
    // i=5, k=2, d=3 (E=4), s=1: windows {0,3} and {1,4}; pixel 2 is inside window 0's span.
    const AxisGeometry a = ResolveAxisX({Op::Conv, 5, 2, 1, 3, 0, 0});
    CHECK(a.output == 2);
    CHECK(a.ReadCounts() == std::vector<int>{1, 1, 0, 1, 1});
    CHECK(a.Visits() == std::vector<Visit>{R, R, Visit::DilationHole, R, R});
    CHECK(a.FloorRemainder() == 0);
  }
  SUBCASE("holes and remainder together") {
    // i=7, k=2, d=3 (E=4), s=2: out = floor(3/2) + 1 = 2, windows {0,3} and {2,5}.
    // Pixel 1 is a hole of window 0, pixel 4 a hole of window 1, pixel 6 is past the end.
    const AxisGeometry a = ResolveAxisX({Op::Conv, 7, 2, 2, 3, 0, 0});
    CHECK(a.ReadCounts() == std::vector<int>{1, 0, 1, 1, 0, 1, 0});
    CHECK(a.Visits() == std::vector<Visit>{R, Visit::DilationHole, R, R, Visit::DilationHole, R,
                                           Visit::FloorRemainder});
    CHECK(a.FloorRemainder() == 1);
  }
  SUBCASE("max pooling uses the same reading rules") {
    const AxisGeometry a = ResolveAxisX({Op::MaxPool, 7, 2, 3, 1, 0, 0});
    CHECK(a.Visits() == std::vector<Visit>{R, R, Visit::StrideGap, R, R, Visit::FloorRemainder,
                                           Visit::FloorRemainder});
  }
}

TEST_CASE("AxisGeometry: transposed conv") {
  SUBCASE("padding crops outputs, and inputs that only fed them are Cropped") {
    // i=3, k=1, s=2, p=1+1: Out = 2*2 - 2 + 1 = 3. Pixel i lands at 2i - 1: -1, 1, 3, and
    // only 1 is inside [0, 3).
    const AxisGeometry a = ResolveAxisX({Op::Transposed, 3, 1, 2, 1, 1, 1});
    CHECK(a.output == 3);
    CHECK(a.ReadCounts() == std::vector<int>{0, 1, 0});
    CHECK(a.Visits() == std::vector<Visit>{Visit::Cropped, R, Visit::Cropped});
    CHECK(a.FloorRemainder() == 0);
  }
  SUBCASE("direct form is zero insertion with E-1-P padding") {
    // i=2, k=3, s=2, p=0: each pixel scatters to 3 outputs (0..2 and 2..4), Out = 5.
    const AxisGeometry a = ResolveAxisX({Op::Transposed, 2, 3, 2, 1, 0, 0});
    CHECK(a.output == 5);
    CHECK(a.ReadCounts() == std::vector<int>{3, 3});
    CHECK(a.spread == 2);
    CHECK(a.step == 1);
    CHECK(a.lattice_pad_begin == 2);
    CHECK(a.lattice_pad_end == 2);
    CHECK(a.LatticeLength() == 3);  // x 0 x
    // Output 0 sees lattice positions -2, -1, 0 with the kernel flipped: only tap 2 (kernel
    // index 0) hits pixel 0.
    CHECK(a.TapPosition(0, 2) == 0);
    CHECK(a.KernelIndex(2) == 0);
    CHECK(a.InputIndex(0) == 0);
    CHECK(a.InputIndex(1) == -1);  // an inserted zero
    CHECK(a.InputIndex(2) == 1);
    CHECK(SortedReaders(a, 0) == std::vector<std::pair<int, int>>{{0, 2}, {1, 1}, {2, 0}});
  }
  SUBCASE("output_padding extends the lattice at the end") {
    // k=3, s=2, p=1, op=1 on 3 pixels: E-1-P = 1 at the start, 1 + 1 at the end.
    const AxisGeometry a = ResolveAxisX({Op::Transposed, 3, 3, 2, 1, 1, 1, 1});
    CHECK(a.output == 6);
    CHECK(a.lattice_pad_begin == 1);
    CHECK(a.lattice_pad_end == 2);
  }
}

TEST_CASE("Readers lists every (output, tap) pair that reads a pixel") {
  // i=6, k=3, s=2, p=1: window o starts at 2o - 1. Pixel 1 is tap 2 of window 0 and tap 0 of
  // window 1; pixel 5 is tap 2 of window 2 only.
  const AxisGeometry a = ResolveAxisX({Op::Conv, 6, 3, 2, 1, 1, 1});
  using V = std::vector<std::pair<int, int>>;
  CHECK(SortedReaders(a, 0) == V{{0, 1}});
  CHECK(SortedReaders(a, 1) == V{{0, 2}, {1, 0}});
  CHECK(SortedReaders(a, 5) == V{{2, 2}});
  // With dilation 3 (i=5, k=2, s=1): pixel 3 is tap 1 of window 0 only; pixel 2 nobody.
  const AxisGeometry d = ResolveAxisX({Op::Conv, 5, 2, 1, 3, 0, 0});
  CHECK(SortedReaders(d, 3) == V{{0, 1}});
  CHECK(d.Readers(2).empty());
}

TEST_CASE("CoverageCounts is the outer product of the per-axis read counts") {
  // Rows: i=6, k=3, s=2, p=1 -> {1,2,1,2,1,1}. Columns: i=7, k=2, s=3 -> {1,1,0,1,1,0,0}.
  Params p;
  p.kernel = OnesKernel(3, 2);
  p.stride = {2, 3};
  p.padding = ExplicitPadding(1, 1, 0, 0);
  Expected<Geometry> g = ResolveGeometry(p, 1, 6, 7);
  REQUIRE(g.ok());
  const std::vector<int> rows{1, 2, 1, 2, 1, 1};
  const std::vector<int> cols{1, 1, 0, 1, 1, 0, 0};
  std::vector<int> expected;
  for (int r : rows)
    for (int c : cols) expected.push_back(r * c);
  CHECK(g->CoverageCounts() == expected);
}

TEST_CASE("MAC counts as geometry.h documents them") {
  Params p;
  p.kernel = OnesKernel(3, 3);
  p.stride = {2, 2};
  p.padding = ExplicitPadding(1, 1, 1, 1);
  SUBCASE("conv, one channel: 4x3 outputs x 9 taps") {
    Expected<Geometry> g = ResolveGeometry(p, 1, 7, 5);
    REQUIRE(g.ok());
    CHECK(g->macs == 4 * 3 * 9);
  }
  SUBCASE("depthwise on 3 channels: each output channel sees one input channel") {
    Expected<Geometry> g = ResolveGeometry(p, 3, 7, 5);
    REQUIRE(g.ok());
    CHECK(g->channels.groups == 3);
    CHECK(g->macs == 12 * 3 * 1 * 9);
  }
  SUBCASE("sum on 3 channels: one output channel over three inputs") {
    p.channel_mode = ChannelMode::Sum;
    Expected<Geometry> g = ResolveGeometry(p, 3, 7, 5);
    REQUIRE(g.ok());
    CHECK(g->channels.out_channels == 1);
    CHECK(g->macs == 12 * 1 * 3 * 9);
  }
  SUBCASE("rank 4: 2 filters x 3 channels") {
    p.kernel.rank = 4;
    p.kernel.filters = 2;
    p.kernel.channels = 3;
    p.kernel.weights.assign(2 * 3 * 9, 1.0f);
    Expected<Geometry> g = ResolveGeometry(p, 3, 7, 5);
    REQUIRE(g.ok());
    CHECK(g->channels.out_channels == 2);
    CHECK(g->macs == 12 * 2 * 3 * 9);
  }
  SUBCASE("transposed rank 4 (C_in=3, C_out=2): input cells x 3 x 2 x taps") {
    p.op = Op::Transposed;
    p.kernel.rank = 4;
    p.kernel.filters = 3;
    p.kernel.channels = 2;
    p.kernel.weights.assign(3 * 2 * 9, 1.0f);
    Expected<Geometry> g = ResolveGeometry(p, 3, 7, 5);
    REQUIRE(g.ok());
    CHECK(g->channels.out_channels == 2);
    CHECK(g->macs == 35 * 3 * 2 * 9);
  }
  SUBCASE("max pooling: output cells x channels x window") {
    p.op = Op::MaxPool;
    p.window = {2, 3};
    p.padding = ExplicitPadding(0, 0, 0, 0);
    // rows floor((7-2)/2)+1 = 3, cols floor((5-3)/2)+1 = 2.
    Expected<Geometry> g = ResolveGeometry(p, 2, 7, 5);
    REQUIRE(g.ok());
    CHECK(g->OutputHeight() == 3);
    CHECK(g->OutputWidth() == 2);
    CHECK(g->macs == 3 * 2 * 2 * 6);
  }
}

TEST_CASE("ResolvePaddedIndex for each pad mode, n = 3 (pixels a b c)") {
  for (PadMode mode : {PadMode::Zeros, PadMode::Reflect, PadMode::Replicate, PadMode::Circular})
    for (int i = 0; i < 3; ++i) CHECK(ResolvePaddedIndex(i, 3, mode) == i);
  // zeros: outside reads nothing.
  CHECK(ResolvePaddedIndex(-1, 3, PadMode::Zeros) == -1);
  CHECK(ResolvePaddedIndex(3, 3, PadMode::Zeros) == -1);
  // reflect (edge not repeated): c b | a b c | b a
  CHECK(ResolvePaddedIndex(-2, 3, PadMode::Reflect) == 2);
  CHECK(ResolvePaddedIndex(-1, 3, PadMode::Reflect) == 1);
  CHECK(ResolvePaddedIndex(3, 3, PadMode::Reflect) == 1);
  CHECK(ResolvePaddedIndex(4, 3, PadMode::Reflect) == 0);
  // replicate: a a | a b c | c c
  CHECK(ResolvePaddedIndex(-2, 3, PadMode::Replicate) == 0);
  CHECK(ResolvePaddedIndex(4, 3, PadMode::Replicate) == 2);
  // circular, up to one full wrap: a b c | a b c | a b c
  CHECK(ResolvePaddedIndex(-1, 3, PadMode::Circular) == 2);
  CHECK(ResolvePaddedIndex(-3, 3, PadMode::Circular) == 0);
  CHECK(ResolvePaddedIndex(3, 3, PadMode::Circular) == 0);
  CHECK(ResolvePaddedIndex(5, 3, PadMode::Circular) == 2);
}

TEST_CASE("SourceIndex: the pad mode for conv, the zero-inserted lattice for transposed") {
  Params p;
  p.kernel = OnesKernel(1, 3);
  p.pad_mode = PadMode::Reflect;
  p.padding = ExplicitPadding(0, 0, 2, 2);
  Expected<Geometry> g = ResolveGeometry(p, 1, 1, 3);
  REQUIRE(g.ok());
  CHECK(g->x.SourceIndex(-2, PadMode::Reflect) == 2);
  CHECK(g->x.SourceIndex(4, PadMode::Reflect) == 0);
  CHECK(g->x.SourceIndex(-1, PadMode::Zeros) == -1);
  // Transposed conv reads its zero-inserted lattice: padding and inserted zeros are zero
  // whatever mode is asked for.
  p.op = Op::Transposed;
  p.pad_mode = PadMode::Zeros;
  p.stride = {1, 2};
  p.padding = ExplicitPadding(0, 0, 0, 0);
  Expected<Geometry> t = ResolveGeometry(p, 1, 1, 3);
  REQUIRE(t.ok());
  CHECK(t->x.SourceIndex(2, PadMode::Reflect) == 1);
  CHECK(t->x.SourceIndex(1, PadMode::Reflect) == -1);
  CHECK(t->x.SourceIndex(-1, PadMode::Reflect) == -1);
}

// ---------------------------------------------------------------------------------------------
// Errors: each must say what is wrong with the numbers involved.

TEST_CASE("ResolveGeometry rejects bad strides, dilations and kernels") {
  Params p;
  p.kernel = OnesKernel(3, 3);
  SUBCASE("zero stride") {
    p.stride = {0, 1};
    const std::string m = ErrorOf(p, 1, 8, 8);
    CHECK(Mentions(m, "stride"));
    CHECK(Mentions(m, "0"));
  }
  SUBCASE("negative stride") {
    p.stride = {1, -2};
    const std::string m = ErrorOf(p, 1, 8, 8);
    CHECK(Mentions(m, "stride"));
    CHECK(Mentions(m, "-2"));
  }
  SUBCASE("stride 65 is past the limit of 64") {
    p.stride = {65, 1};
    const std::string m = ErrorOf(p, 1, 8, 8);
    CHECK(Mentions(m, "65"));
    CHECK(Mentions(m, "64"));
  }
  SUBCASE("stride 64 is allowed") {
    p.stride = {64, 64};
    CHECK(ResolveGeometry(p, 1, 8, 8).ok());
  }
  SUBCASE("dilation 17 is past the limit of 16") {
    p.dilation = {1, 17};
    const std::string m = ErrorOf(p, 1, 100, 100);
    CHECK(Mentions(m, "dilation"));
    CHECK(Mentions(m, "17"));
  }
  SUBCASE("kernel side 32 is past the limit of 31") {
    p.kernel = OnesKernel(32, 3);
    const std::string m = ErrorOf(p, 1, 64, 64);
    CHECK(Mentions(m, "32"));
    CHECK(Mentions(m, "31"));
  }
  SUBCASE("NaN weight") {
    p.kernel.weights[4] = std::numeric_limits<float>::quiet_NaN();
    const std::string m = ErrorOf(p, 1, 8, 8);
    CHECK(Mentions(m, "nan"));
  }
  SUBCASE("infinite weight") {
    p.kernel.weights[0] = std::numeric_limits<float>::infinity();
    CHECK(Mentions(ErrorOf(p, 1, 8, 8), "finite"));
  }
}

TEST_CASE("ResolveGeometry: a kernel extent larger than the padded input") {
  // 5 taps at dilation 2 span 9 pixels; the input is 7 high with no padding.
  Params p;
  p.kernel = OnesKernel(5, 1);
  p.dilation = {2, 1};
  const std::string m = ErrorOf(p, 1, 7, 7);
  CHECK(Mentions(m, "extent"));
  CHECK(Mentions(m, "9"));
  CHECK(Mentions(m, "7"));
  CHECK(Mentions(m, "padding"));   // what to change
  CHECK(Mentions(m, "dilation"));
  // One pixel of padding on each side makes it fit exactly: one output row.
  p.padding = ExplicitPadding(1, 1, 0, 0);
  Expected<Geometry> g = ResolveGeometry(p, 1, 7, 7);
  REQUIRE(g.ok());
  CHECK(g->OutputHeight() == 1);
}

TEST_CASE("ResolveGeometry: pad-mode limits") {
  Params p;
  p.kernel = OnesKernel(1, 3);
  SUBCASE("reflect needs padding smaller than the input") {
    p.pad_mode = PadMode::Reflect;
    p.padding = ExplicitPadding(0, 0, 2, 2);
    CHECK(ResolveGeometry(p, 1, 1, 3).ok());  // 2 < 3
    p.padding = ExplicitPadding(0, 0, 0, 3);
    const std::string m = ErrorOf(p, 1, 1, 3);
    CHECK(Mentions(m, "reflect"));
    CHECK(Mentions(m, "3"));
  }
  SUBCASE("reflect also limits the rows: a 1-row image cannot be reflect-padded vertically") {
    p.pad_mode = PadMode::Reflect;
    p.padding = ExplicitPadding(1, 0, 0, 0);
    CHECK(Mentions(ErrorOf(p, 1, 1, 5), "reflect"));
  }
  SUBCASE("circular may wrap exactly once") {
    p.pad_mode = PadMode::Circular;
    p.padding = ExplicitPadding(0, 0, 3, 3);
    CHECK(ResolveGeometry(p, 1, 1, 3).ok());  // 3 <= 3
    p.padding = ExplicitPadding(0, 0, 4, 0);
    const std::string m = ErrorOf(p, 1, 1, 3);
    CHECK(Mentions(m, "circular"));
    CHECK(Mentions(m, "4"));
  }
  SUBCASE("replicate has no limit") {
    p.pad_mode = PadMode::Replicate;
    p.padding = ExplicitPadding(9, 9, 9, 9);
    CHECK(ResolveGeometry(p, 1, 1, 3).ok());
  }
  SUBCASE("same with reflect resolves first, then checks: 7 taps on 3 pixels need 3 each side") {
    p.kernel = OnesKernel(1, 7);
    p.pad_mode = PadMode::Reflect;
    p.padding.preset = PadPreset::Same;
    CHECK(Mentions(ErrorOf(p, 1, 1, 3), "reflect"));
  }
  SUBCASE("negative explicit padding") {
    p.padding = ExplicitPadding(0, 0, -1, 0);
    CHECK(Mentions(ErrorOf(p, 1, 1, 5), "-1"));
  }
}

TEST_CASE("ResolveGeometry: pooling limits") {
  Params p;
  p.op = Op::MaxPool;
  p.window = {3, 3};
  SUBCASE("padding over half the window") {
    p.padding = ExplicitPadding(1, 1, 1, 1);
    CHECK(ResolveGeometry(p, 1, 8, 8).ok());  // 1 <= 3/2
    p.padding = ExplicitPadding(0, 0, 2, 0);
    const std::string m = ErrorOf(p, 1, 8, 8);
    CHECK(Mentions(m, "half"));
    CHECK(Mentions(m, "2"));
  }
  SUBCASE("average pooling has no dilation") {
    p.op = Op::AvgPool;
    p.dilation = {2, 1};
    const std::string m = ErrorOf(p, 1, 8, 8);
    CHECK(Mentions(m, "dilation"));
    CHECK(Mentions(m, "average"));
    p.op = Op::MaxPool;
    CHECK(ResolveGeometry(p, 1, 8, 8).ok());
  }
  SUBCASE("pooling pads with zeros only") {
    for (PadMode mode : {PadMode::Reflect, PadMode::Replicate, PadMode::Circular}) {
      p.pad_mode = mode;
      CHECK(Mentions(ErrorOf(p, 1, 8, 8), "zeros"));
    }
  }
  SUBCASE("pooling ignores the kernel, even a broken one") {
    p.kernel = OnesKernel(2, 2);
    p.kernel.weights[0] = std::numeric_limits<float>::quiet_NaN();
    CHECK(ResolveGeometry(p, 1, 8, 8).ok());
  }
}

TEST_CASE("ResolveGeometry: transposed limits") {
  Params p;
  p.op = Op::Transposed;
  p.kernel = OnesKernel(3, 3);
  p.stride = {2, 2};
  SUBCASE("output_padding must be below max(stride, dilation)") {
    p.output_padding = {1, 1};
    CHECK(ResolveGeometry(p, 1, 4, 4).ok());
    p.output_padding = {2, 0};
    const std::string m = ErrorOf(p, 1, 4, 4);
    CHECK(Mentions(m, "output padding"));
    CHECK(Mentions(m, "2"));
    // dilation 3 raises the bound to 3 (PyTorch: smaller than stride or dilation).
    p.dilation = {3, 1};
    CHECK(ResolveGeometry(p, 1, 4, 4).ok());
  }
  SUBCASE("zeros only") {
    p.pad_mode = PadMode::Reflect;
    CHECK(Mentions(ErrorOf(p, 1, 4, 4), "zeros"));
  }
  SUBCASE("padding that crops everything") {
    // Out = 3*2 - 8 + 3 = 1 is fine; one more crops to 0.
    p.padding = ExplicitPadding(4, 4, 0, 0);
    CHECK(ResolveGeometry(p, 1, 4, 4).ok());
    p.padding = ExplicitPadding(4, 5, 0, 0);
    CHECK(Mentions(ErrorOf(p, 1, 4, 4), "padding"));
  }
}

TEST_CASE("ResolveGeometry: channel mismatch") {
  Params p;
  p.kernel.rank = 3;
  p.kernel.channels = 2;
  p.kernel.height = 3;
  p.kernel.width = 3;
  p.kernel.weights.assign(2 * 9, 1.0f);
  const std::string m = ErrorOf(p, 3, 8, 8);
  CHECK(Mentions(m, "2"));
  CHECK(Mentions(m, "3"));
  CHECK(Mentions(m, "channels"));
  CHECK(ResolveGeometry(p, 2, 8, 8).ok());
}

TEST_CASE("a bad pooling window is reported as the window, even when the stride copies it") {
  Params p;
  p.op = Op::MaxPool;
  p.window = {0, 0};
  p.stride = p.window;  // what the CLI does when --stride is not given
  Expected<Geometry> g = ResolveGeometry(p, 1, 7, 7);
  REQUIRE_FALSE(g.ok());
  CHECK(g.error().message.find("pooling window") != std::string::npos);
  CHECK(g.error().message.find("stride") == std::string::npos);
}

TEST_CASE("tensors too large for memory are refused before anything is allocated") {
  // 64 filters of 1x1 on 8192 x 8191: each plane is within the per-channel limit, but the feature
  // map would be 64 * 8192 * 8191 floats = 16 GiB.
  Params bank;
  bank.kernel.rank = 4;
  bank.kernel.filters = 64;
  bank.kernel.weights.assign(64, 1.0f);
  Expected<Geometry> g = ResolveGeometry(bank, 1, 8191, 8192);
  REQUIRE_FALSE(g.ok());
  CHECK(g.error().message.find("feature map (64 channels of 8192 x 8191)") != std::string::npos);
  CHECK(g.error().message.find("fewer filters") != std::string::npos);
  // The same bank on a 1024 x 1024 image needs 256 MiB: fine.
  CHECK(ResolveGeometry(bank, 1, 1024, 1024).ok());

  // Transposed, (C_in 1, C_out 64) at stride 16 on 500 x 500: 64 maps of about 8000 x 8000.
  Params transposed;
  transposed.op = Op::Transposed;
  transposed.stride = {16, 16};
  transposed.kernel.height = transposed.kernel.width = 31;
  transposed.kernel.rank = 4;
  transposed.kernel.filters = 1;
  transposed.kernel.channels = 64;
  transposed.kernel.weights.assign(64 * 31 * 31, 1.0f);
  Expected<Geometry> t = ResolveGeometry(transposed, 1, 500, 500);
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().message.find("MiB") != std::string::npos);
}

// Which control each error points at: the window shows the message under that control, so a
// mis-tagged site would put it next to something the user need not touch.
TEST_CASE("every ResolveGeometry error names the setting to change") {
  struct Case {
    const char* what;
    Params params;
    int channels = 1, height = 8, width = 8;
    Setting setting;
    std::vector<std::string> words;  // the message's key words, unchanged
  };
  const auto conv = [] {
    Params p;
    p.kernel = OnesKernel(3, 3);
    return p;
  };
  const auto with = [&](auto edit, Op op = Op::Conv) {
    Params p = conv();
    p.op = op;
    if (IsPooling(op)) p.window = p.stride = {2, 2};
    edit(p);
    return p;
  };
  Kernel rank3;
  rank3.rank = 3;
  rank3.channels = 2;
  rank3.height = rank3.width = 3;
  rank3.weights.assign(2 * 9, 1.0f);
  Kernel bank;
  bank.rank = 4;
  bank.filters = 64;
  bank.weights.assign(64, 1.0f);
  const std::vector<Case> cases = {
      {"stride 0", with([](Params& p) { p.stride = {0, 1}; }), 1, 8, 8, Setting::Stride, {"stride Y", "0"}},
      {"stride 65", with([](Params& p) { p.stride = {1, 65}; }), 1, 8, 8, Setting::Stride, {"stride X", "65", "64"}},
      {"dilation 17", with([](Params& p) { p.dilation = {17, 1}; }), 1, 100, 100, Setting::Dilation, {"dilation", "17"}},
      {"avg pool dilation", with([](Params& p) { p.dilation = {2, 1}; }, Op::AvgPool), 1, 8, 8, Setting::Dilation,
       {"average pooling", "dilation"}},
      {"window 0", with([](Params& p) { p.window = {0, 0}; }, Op::MaxPool), 1, 8, 8, Setting::Window,
       {"pooling window", "0"}},
      {"window too large for the input", with([](Params& p) { p.window = {9, 2}; }, Op::MaxPool), 1, 8, 8,
       Setting::Window, {"window extent", "9"}},
      {"kernel too large for the input", with([](Params& p) { p.kernel = OnesKernel(9, 3); }), 1, 8, 8,
       Setting::Kernel, {"kernel extent", "padding", "dilation"}},
      {"kernel side 32", with([](Params& p) { p.kernel = OnesKernel(32, 3); }), 1, 64, 64, Setting::Kernel,
       {"32", "31"}},
      {"NaN weight", with([](Params& p) { p.kernel.weights[4] = std::numeric_limits<float>::quiet_NaN(); }), 1, 8, 8,
       Setting::Kernel, {"nan", "finite"}},
      {"kernel channels", with([&](Params& p) { p.kernel = rank3; }), 3, 8, 8, Setting::Kernel,
       {"input channels", "2", "3"}},
      {"kernel rank", with([](Params& p) { p.kernel.rank = 5; }), 1, 8, 8, Setting::Kernel, {"shape"}},
      {"bias NaN", with([](Params& p) { p.bias = std::numeric_limits<float>::quiet_NaN(); }), 1, 8, 8,
       Setting::Bias, {"bias", "finite"}},
      {"negative padding", with([](Params& p) { p.padding = ExplicitPadding(0, 0, -1, 0); }), 1, 8, 8,
       Setting::Padding, {"left padding", "-1"}},
      {"padding 1025", with([](Params& p) { p.padding = ExplicitPadding(1025, 0, 0, 0); }), 1, 8, 8,
       Setting::Padding, {"top padding", "1025", "1024"}},
      {"reflect too wide", with([](Params& p) { p.pad_mode = PadMode::Reflect; p.padding = ExplicitPadding(0, 0, 8, 0); }),
       1, 8, 8, Setting::Padding, {"reflect", "8"}},
      {"circular too wide", with([](Params& p) { p.pad_mode = PadMode::Circular; p.padding = ExplicitPadding(0, 9, 0, 0); }),
       1, 8, 8, Setting::Padding, {"circular", "9"}},
      {"pool padding over half", with([](Params& p) { p.padding = ExplicitPadding(0, 0, 2, 0); }, Op::MaxPool), 1, 8, 8,
       Setting::Padding, {"half", "2"}},
      {"pooling pad mode", with([](Params& p) { p.pad_mode = PadMode::Reflect; }, Op::AvgPool), 1, 8, 8,
       Setting::PadMode, {"average pooling", "zeros"}},
      {"transposed pad mode", with([](Params& p) { p.pad_mode = PadMode::Replicate; }, Op::Transposed), 1, 8, 8,
       Setting::PadMode, {"transposed", "zeros"}},
      {"transposed same", with([](Params& p) { p.padding.preset = PadPreset::Same; }, Op::Transposed), 1, 8, 8,
       Setting::Padding, {"same", "numeric padding"}},
      {"transposed crops everything", with([](Params& p) { p.padding = ExplicitPadding(5, 5, 0, 0); }, Op::Transposed),
       1, 4, 4, Setting::Padding, {"transposed output", "lower the padding"}},
      {"output padding", with([](Params& p) { p.stride = {2, 2}; p.output_padding = {2, 0}; }, Op::Transposed), 1, 4, 4,
       Setting::OutputPadding, {"output padding Y", "2"}},
      {"transposed output too tall", with([](Params& p) { p.stride = {64, 1}; }, Op::Transposed), 1, 300, 8,
       Setting::Stride, {"output height", "16384"}},
      {"conv output too wide", with([](Params& p) { p.padding = ExplicitPadding(0, 0, 1024, 1024); }), 1, 8, 14400,
       Setting::Padding, {"output width", "16384"}},
      {"input too large", conv(), 1, 8, 16385, Setting::Input, {"input is", "16385"}},
      {"input channels", conv(), 65, 8, 8, Setting::Input, {"65 channels"}},
      {"memory", with([&](Params& p) { p.kernel = bank; }), 1, 8191, 8192, Setting::None, {"MiB", "fewer filters"}},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    Expected<Geometry> g = ResolveGeometry(c.params, c.channels, c.height, c.width);
    REQUIRE_FALSE(g.ok());
    INFO(g.error().message);
    for (const std::string& word : c.words) CHECK(Mentions(g.error().message, word));
    CHECK(g.error().setting == c.setting);
  }
}

TEST_CASE("kernel parsing errors point at the kernel") {
  for (const char* text : {"", "1,2;3", "no-such-kernel", "gaussian:x", "1,nan"}) {
    INFO(text);
    Expected<Kernel> k = ParseKernelArgument(text);
    REQUIRE_FALSE(k.ok());
    CHECK(k.error().setting == Setting::Kernel);
  }
}

}  // namespace
}  // namespace stridescope

// ---- window centres: the shared timeline's place on the image -------------------------------

namespace stridescope {
namespace {

// The centre worked from the definition, not from the direct form: conv and pooling window o
// reads input pixels o*S - pad_begin + t*D for t in [0, K), so its taps span
// [o*S - pad_begin, o*S - pad_begin + D*(K-1) + 1) in pixels. A transposed conv's direct form
// reads a lattice S times finer (stride-1 zeros between pixels), padded by E-1-P.
double CentreByDefinition(const AxisGeometry& a, int o) {
  const int extent = a.dilation * (a.taps - 1) + 1;
  if (!a.transposed) return o * a.stride - a.pad_begin + 0.5 * extent;
  const int lattice_begin = extent - 1 - a.pad_begin;
  return (o - lattice_begin + 0.5 * extent) / a.stride;
}

// The output whose centre is nearest, by trying every one (ties to the lower output). Distances
// are compared in units of 1/(2*stride) pixel, where every centre is a whole number and the test's
// quarter-pixel places are exact: a transposed stride-3 centre such as 5.5/3 is not exact in
// floating point, and a tie would go either way.
int NearestByTrying(const AxisGeometry& a, double centre) {
  const double unit = a.transposed ? 2.0 * a.stride : 2.0;
  const auto distance = [&](int o) { return std::abs(std::round(CentreByDefinition(a, o) * unit) - centre * unit); };
  int best = 0;
  for (int o = 1; o < a.output; ++o)
    if (distance(o) < distance(best)) best = o;
  return best;
}

TEST_CASE("a window's centre: worked cases") {
  // 3x3, stride 1, padding 1: window 0 spans pixels -1..1, centred on pixel 0's middle.
  const AxisGeometry three = ResolveAxisX(AxisCase{.input = 7, .taps = 3, .pad_begin = 1, .pad_end = 1});
  CHECK(three.WindowCentre(0) == 0.5);
  CHECK(three.WindowCentre(6) == 6.5);
  // Stride 2, no padding: window o spans 2o..2o+2, centre 2o + 1.5.
  const AxisGeometry two = ResolveAxisX(AxisCase{.input = 7, .taps = 3, .stride = 2});
  CHECK(two.WindowCentre(0) == 1.5);
  CHECK(two.WindowCentre(2) == 5.5);
  CHECK(two.NearestOutput(5.5) == 2);
  CHECK(two.NearestOutput(4.5) == 1);  // 3.5 and 5.5 are equally near: the lower
  CHECK(two.NearestOutput(-100.0) == 0);
  CHECK(two.NearestOutput(100.0) == 2);
  // Dilation 2 with 3 taps spans 5 pixels: window 0 of valid padding is centred at 2.5.
  const AxisGeometry dilated = ResolveAxisX(AxisCase{.input = 9, .taps = 3, .dilation = 2});
  CHECK(dilated.WindowCentre(0) == 2.5);
}

TEST_CASE("a window's centre and the nearest window agree with the definition for every op") {
  for (Op op : {Op::Conv, Op::Transposed, Op::MaxPool, Op::AvgPool}) {
    for (int stride = 1; stride <= 5; ++stride) {
      for (int dilation = 1; dilation <= 3; ++dilation) {
        for (int taps = 1; taps <= 5; ++taps) {
          for (int pad = 0; pad <= 2; ++pad) {
            if (op == Op::AvgPool && dilation > 1) continue;
            if (IsPooling(op) && pad > taps / 2) continue;
            if (op == Op::Transposed && pad > dilation * (taps - 1)) continue;
            const AxisCase c{.op = op, .input = 17, .taps = taps, .stride = stride, .dilation = dilation,
                             .pad_begin = pad, .pad_end = pad};
            const AxisGeometry a = ResolveAxisX(c);
            CAPTURE(Name(op));
            CAPTURE(stride);
            CAPTURE(dilation);
            CAPTURE(taps);
            CAPTURE(pad);
            REQUIRE(a.output > 0);
            for (int o = 0; o < a.output; ++o) CHECK(a.WindowCentre(o) == doctest::Approx(CentreByDefinition(a, o)));
            for (double centre = -4.0; centre <= 22.0; centre += 0.25) {
              CAPTURE(centre);
              CHECK(a.NearestOutput(centre) == NearestByTrying(a, centre));
            }
          }
        }
      }
    }
  }
}

TEST_CASE("the padding presets move the centres as they move the windows") {
  // 5 pixels, 3 taps, stride 2. valid: windows at 0..2 and 2..4, centres 1.5 and 3.5.
  // same: Out = ceil(5/2) = 3, total (3-1)*2 + 3 - 5 = 2, begin 1: centres 0.5, 2.5, 4.5.
  // full: 2 each side: Out = floor((5+4-3)/2)+1 = 4, centres -0.5, 1.5, 3.5, 5.5.
  const auto centres = [](PadPreset preset) {
    Params p;
    p.kernel = OnesKernel(1, 3);
    p.stride = {1, 2};
    p.padding.preset = preset;
    const Expected<Geometry> g = ResolveGeometry(p, 1, 1, 5);
    REQUIRE(g.ok());
    std::vector<double> out;
    for (int o = 0; o < g->x.output; ++o) out.push_back(g->x.WindowCentre(o));
    return out;
  };
  CHECK(centres(PadPreset::Valid) == std::vector<double>{1.5, 3.5});
  CHECK(centres(PadPreset::Same) == std::vector<double>{0.5, 2.5, 4.5});
  CHECK(centres(PadPreset::Full) == std::vector<double>{-0.5, 1.5, 3.5, 5.5});
}

}  // namespace
}  // namespace stridescope
