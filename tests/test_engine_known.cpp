// Known results: the ONNX node tests and small cases worked by hand (the working is in the
// comments). Each runs through the CPU engine AND the reference, so a bug in either shows up
// as a disagreement with numbers nobody computed by program.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "engine.h"
#include "geometry.h"
#include "reference_conv.h"

namespace stridescope {
namespace {

using reference::CompareWithReference;
using reference::ExpectedTensor;
using reference::ExplicitPadding;
using reference::KernelFromRows;
using reference::OnesKernel;
using reference::RefTensor;
using reference::TensorFromRows;

void CheckBoth(const Params& params, const Tensor3& input, const RefTensor& expected) {
  CpuEngine engine;
  Expected<Tensor3> got = Run(engine, params, input);
  REQUIRE_MESSAGE(got.ok(), (got.ok() ? std::string() : got.error().message));
  CHECK_MESSAGE(CompareWithReference(*got, expected).empty(),
                "engine: " << CompareWithReference(*got, expected));
  const RefTensor ref = reference::ReferenceRun(params, input);
  CHECK_MESSAGE(CompareWithReference(ref, expected).empty(),
                "reference: " << CompareWithReference(ref, expected));
}

// The 5x5 digits of pi used by the pooling cases: distinct enough that a wrong window shows.
Tensor3 PiGrid() {
  return TensorFromRows({{3, 1, 4, 1, 5},
                         {9, 2, 6, 5, 3},
                         {5, 8, 9, 7, 9},
                         {3, 2, 3, 8, 4},
                         {6, 2, 6, 4, 3}});
}

TEST_CASE("ONNX Conv node tests: 0..34 as 7x5, all-ones 3x3, stride 2") {
  Params p;
  p.kernel = OnesKernel(3, 3);
  p.stride = {2, 2};
  SUBCASE("pad 1") {
    p.padding = ExplicitPadding(1, 1, 1, 1);
    CheckBoth(p, reference::OnnxInput7x5(),
              ExpectedTensor({{{12, 27, 24}, {63, 108, 81}, {123, 198, 141}, {112, 177, 124}}}));
  }
  SUBCASE("no pad") {
    CheckBoth(p, reference::OnnxInput7x5(), ExpectedTensor({{{54, 72}, {144, 162}, {234, 252}}}));
  }
  SUBCASE("bias is added once to every cell") {
    p.bias = 0.5f;
    CheckBoth(p, reference::OnnxInput7x5(),
              ExpectedTensor({{{54.5, 72.5}, {144.5, 162.5}, {234.5, 252.5}}}));
  }
}

TEST_CASE("conv arithmetic: output sizes and the rows the floor drops") {
  Params p;
  p.kernel = OnesKernel(3, 3);
  p.stride = {2, 2};
  SUBCASE("i=5, k=3, s=2, p=1 -> 3") {
    p.padding = ExplicitPadding(1, 1, 1, 1);
    Expected<Geometry> g = ResolveGeometry(p, 1, 5, 5);
    REQUIRE(g.ok());
    CHECK(g->OutputHeight() == 3);
    CHECK(g->y.FloorRemainder() == 0);
  }
  SUBCASE("i=6, k=3, s=2, p=1 -> 3; the last padded row is never read") {
    p.padding = ExplicitPadding(1, 1, 1, 1);
    Expected<Geometry> g = ResolveGeometry(p, 1, 6, 6);
    REQUIRE(g.ok());
    CHECK(g->OutputHeight() == 3);
    CHECK(g->y.FloorRemainder() == 1);
    CHECK(g->y.Visits() == std::vector<Visit>(6, Visit::Read));
    // Last window covers padded rows 4..6 = input rows 3..5; padded row 7 (bottom pad) unread.
    CHECK(g->y.LastReadPosition() == 5);
  }
  SUBCASE("i=6, k=3, s=2, p=0 -> 2; the last input row is never read") {
    Expected<Geometry> g = ResolveGeometry(p, 1, 6, 6);
    REQUIRE(g.ok());
    CHECK(g->OutputHeight() == 2);
    CHECK(g->y.FloorRemainder() == 1);
    CHECK(g->y.Visits()[5] == Visit::FloorRemainder);
    // Changing that row cannot change the output: windows cover rows 0..2 and 2..4 only.
    Tensor3 a = Tensor3::Zeros(1, 6, 6);
    Tensor3 b = a;
    for (int x = 0; x < 6; ++x) b.At(0, 5, x) = 100.0f;
    CpuEngine engine;
    CHECK(Run(engine, p, a)->data == Run(engine, p, b)->data);
  }
}

TEST_CASE("transposed conv by hand") {
  // x = [[1,2],[3,4]], w = [[1,10],[100,1000]]: each input pixel stamps x * w at (i*S, j*S).
  const Tensor3 x = TensorFromRows({{1, 2}, {3, 4}});
  Params p;
  p.op = Op::Transposed;
  p.kernel = KernelFromRows({{1, 10}, {100, 1000}});
  SUBCASE("stride 2: the stamps do not overlap") {
    p.stride = {2, 2};
    CheckBoth(p, x,
              ExpectedTensor({{{1, 10, 2, 20},
                               {100, 1000, 200, 2000},
                               {3, 30, 4, 40},
                               {300, 3000, 400, 4000}}}));
  }
  SUBCASE("stride 1: the stamps overlap and add") {
    // (1,1) gets 1*1000 + 2*100 + 3*10 + 4*1 = 1234.
    CheckBoth(p, x,
              ExpectedTensor({{{1, 12, 20}, {103, 1234, 2040}, {300, 3400, 4000}}}));
  }
  SUBCASE("stride 2, padding 1 crops a ring, output_padding 1 gives back the end") {
    // Uncropped 5x5 ((2-1)*2 + 2 + 1): the stride-2 stamps plus an empty row/column. Padding 1
    // removes row/column 0 and row/column 4 (the output_padding one), leaving 1..3.
    p.stride = {2, 2};
    p.padding = ExplicitPadding(1, 1, 1, 1);
    p.output_padding = {1, 1};
    p.bias = 0.5f;
    CheckBoth(p, x,
              ExpectedTensor({{{1000.5, 200.5, 2000.5}, {30.5, 4.5, 40.5}, {3000.5, 400.5, 4000.5}}}));
  }
  SUBCASE("rank 4 is read as (C_in, C_out, KH, KW)") {
    // 2 input channels [1 2] and [10 20]; 1x1 weights w[ci][co] = {{1,2,3},{4,5,6}}:
    // out[co] = x0 * w[0][co] + x1 * w[1][co].
    Tensor3 in = Tensor3::Zeros(2, 1, 2);
    in.data = {1, 2, 10, 20};
    p.kernel = Kernel{4, 2, 3, 1, 1, {1, 2, 3, 4, 5, 6}};
    CheckBoth(p, in, ExpectedTensor({{{41, 82}}, {{52, 104}}, {{63, 126}}}));
  }
}

TEST_CASE("channel semantics") {
  // Channel 0 = [1 2], channel 1 = [10 20].
  Tensor3 in = Tensor3::Zeros(2, 1, 2);
  in.data = {1, 2, 10, 20};
  Params p;
  p.kernel = KernelFromRows({{3}});
  SUBCASE("rank 2 depthwise: one output per channel") {
    CheckBoth(p, in, ExpectedTensor({{{3, 6}}, {{30, 60}}}));
  }
  SUBCASE("rank 2 sum: channels added, bias once") {
    p.channel_mode = ChannelMode::Sum;
    p.bias = 1.0f;
    CheckBoth(p, in, ExpectedTensor({{{34, 67}}}));
  }
  SUBCASE("rank 3: per-channel weights, one output") {
    p.kernel = Kernel{3, 1, 2, 1, 1, {2, -1}};
    CheckBoth(p, in, ExpectedTensor({{{-8, -16}}}));
  }
  SUBCASE("rank 4: F filters over C channels, (F, C, KH, KW)") {
    // filter 0 = [1, 1] (sum), filter 1 = [1, -1] (difference).
    p.kernel = Kernel{4, 2, 2, 1, 1, {1, 1, 1, -1}};
    CheckBoth(p, in, ExpectedTensor({{{11, 22}}, {{-9, -18}}}));
  }
  SUBCASE("transposed rank 2 sum: one output") {
    p.op = Op::Transposed;
    p.channel_mode = ChannelMode::Sum;
    CheckBoth(p, in, ExpectedTensor({{{33, 66}}}));
  }
}

TEST_CASE("max pooling by hand") {
  Params p;
  p.op = Op::MaxPool;
  p.window = {2, 2};
  p.stride = {2, 2};
  SUBCASE("2x2 stride 2 drops the last row and column") {
    // Windows rows {0,1},{2,3} x cols {0,1},{2,3}: max(3,1,9,2)=9, max(4,1,6,5)=6,
    // max(5,8,3,2)=8, max(9,7,3,8)=9.
    CheckBoth(p, PiGrid(), ExpectedTensor({{{9, 6}, {8, 9}}}));
  }
  SUBCASE("ceil_mode keeps partial windows at the end") {
    // Extra column 4: max(5,3)=5, max(9,4)=9; extra row 4: max(6,2)=6, max(6,4)=6, 3.
    p.ceil_mode = true;
    CheckBoth(p, PiGrid(), ExpectedTensor({{{9, 6, 5}, {8, 9, 9}, {6, 6, 3}}}));
  }
  SUBCASE("ceil_mode drops a window that would start in the end padding") {
    // i=3, k=2, s=2, p=1: windows start at input index -1 and 1; ceil would add one starting
    // at 3, which is all bottom padding, so PyTorch drops it.
    // [[1,2,3],[4,5,6],[7,8,9]] -> max{1}, max{2,3}, max{4,7}, max{5,6,8,9}.
    p.ceil_mode = true;
    p.padding = ExplicitPadding(1, 1, 1, 1);
    CheckBoth(p, TensorFromRows({{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}),
              ExpectedTensor({{{1, 3}, {7, 9}}}));
  }
  SUBCASE("dilation 2: taps at (0,0), (0,2), (2,0), (2,2) of each 3x3 span") {
    p.stride = {1, 1};
    p.dilation = {2, 2};
    // e.g. (0,1): max(1, 1, 8, 7) = 8; (1,2): max(6, 3, 3, 4) = 6.
    CheckBoth(p, PiGrid(), ExpectedTensor({{{9, 8, 9}, {9, 8, 6}, {9, 8, 9}}}));
  }
  SUBCASE("padding never wins, even over negative values") {
    // Zero padding would make every border cell 0; PyTorch pads max pooling with -inf.
    p.stride = {1, 1};
    p.padding = ExplicitPadding(1, 1, 1, 1);
    CheckBoth(p, TensorFromRows({{-1, -2}, {-3, -4}}),
              ExpectedTensor({{{-1, -1, -2}, {-1, -1, -2}, {-3, -3, -4}}}));
  }
}

TEST_CASE("average pooling by hand") {
  // [[1,2],[3,4]], 2x2 window, stride 1, padding 1: nine windows over the padded 4x4.
  const Tensor3 x = TensorFromRows({{1, 2}, {3, 4}});
  Params p;
  p.op = Op::AvgPool;
  p.window = {2, 2};
  p.padding = ExplicitPadding(1, 1, 1, 1);
  SUBCASE("count_include_pad: always divide by 4") {
    // sums: 1 3 2 / 4 10 6 / 3 7 4
    CheckBoth(p, x,
              ExpectedTensor({{{0.25, 0.75, 0.5}, {1, 2.5, 1.5}, {0.75, 1.75, 1}}}));
  }
  SUBCASE("exclude padding: divide by the real pixels") {
    // divisors: 1 2 1 / 2 4 2 / 1 2 1
    p.count_include_pad = false;
    CheckBoth(p, x, ExpectedTensor({{{1, 1.5, 2}, {2, 2.5, 3}, {3, 3.5, 4}}}));
  }
  SUBCASE("ceil_mode: a window past the end padding divides by what is left") {
    // Row [1 2 3 4 5], window 1x2, stride 2, no padding: ceil gives a third window [4, 6)
    // clipped to [4, 5) by the (zero) end padding, so its divisor is 1 even with
    // count_include_pad: 1.5, 3.5, 5 (PyTorch's avg_pool2d does the same).
    p.window = {1, 2};
    p.stride = {1, 2};
    p.padding = ExplicitPadding(0, 0, 0, 0);
    p.ceil_mode = true;
    CheckBoth(p, TensorFromRows({{1, 2, 3, 4, 5}}), ExpectedTensor({{{1.5, 3.5, 5}}}));
  }
  SUBCASE("ceil_mode with padding: the divisor counts padding up to the end pad only") {
    // Row [1 2 3 4], window 1x3, stride 2, pad 1: windows [-1,1], [1,3], [3,5]; the last is
    // clipped to [3, 4] (4 is the end pad). Including padding: 3/3, 9/3, 4/2.
    p.window = {1, 3};
    p.stride = {1, 2};
    p.padding = ExplicitPadding(0, 0, 1, 1);
    p.ceil_mode = true;
    CheckBoth(p, TensorFromRows({{1, 2, 3, 4}}), ExpectedTensor({{{1, 3, 2}}}));
    p.count_include_pad = false;  // 3/2, 9/3, 4/1
    CheckBoth(p, TensorFromRows({{1, 2, 3, 4}}), ExpectedTensor({{{1.5, 3, 4}}}));
  }
}

TEST_CASE("pad modes on a 1x3 row, padding 2 each side") {
  // Row [1 2 3], kernel [1 10 100] so each output spells the three values it read (units =
  // first tap). Outputs o = p[o] + 10 p[o+1] + 100 p[o+2] over the padded row p.
  Params p;
  p.kernel = KernelFromRows({{1, 10, 100}});
  p.padding = ExplicitPadding(0, 0, 2, 2);
  const Tensor3 x = TensorFromRows({{1, 2, 3}});
  SUBCASE("zeros: 0 0 | 1 2 3 | 0 0") {
    CheckBoth(p, x, ExpectedTensor({{{100, 210, 321, 32, 3}}}));
  }
  SUBCASE("reflect: 3 2 | 1 2 3 | 2 1 (the edge is not repeated)") {
    p.pad_mode = PadMode::Reflect;
    CheckBoth(p, x, ExpectedTensor({{{123, 212, 321, 232, 123}}}));
  }
  SUBCASE("replicate: 1 1 | 1 2 3 | 3 3") {
    p.pad_mode = PadMode::Replicate;
    CheckBoth(p, x, ExpectedTensor({{{111, 211, 321, 332, 333}}}));
  }
  SUBCASE("circular: 2 3 | 1 2 3 | 1 2") {
    p.pad_mode = PadMode::Circular;
    CheckBoth(p, x, ExpectedTensor({{{132, 213, 321, 132, 213}}}));
  }
  SUBCASE("circular may wrap a full period: 1 2 3 | 1 2 3 | 1 2 3") {
    p.pad_mode = PadMode::Circular;
    p.kernel = KernelFromRows({{1}});
    p.padding = ExplicitPadding(0, 0, 3, 3);
    CheckBoth(p, x, ExpectedTensor({{{1, 2, 3, 1, 2, 3, 1, 2, 3}}}));
  }
}

TEST_CASE("same padding with stride 2 and an even kernel puts the extra pixel at the end") {
  // Row [1 2 3 4 5], kernel [1 10 100 1000], stride 2: out = ceil(5/2) = 3, total padding
  // (3-1)*2 + 4 - 5 = 3 -> 1 before, 2 after: 0 | 1 2 3 4 5 | 0 0. Windows start at padded
  // 0, 2, 4: 0+10+200+3000, 2+30+400+5000, 4+50+0+0. (Putting 2 before would give 2100 first.)
  Params p;
  p.kernel = KernelFromRows({{1, 10, 100, 1000}});
  p.stride = {1, 2};
  p.padding.preset = PadPreset::Same;
  CheckBoth(p, TensorFromRows({{1, 2, 3, 4, 5}}), ExpectedTensor({{{3210, 5432, 54}}}));
  Expected<Geometry> g = ResolveGeometry(p, 1, 1, 5);
  REQUIRE(g.ok());
  CHECK(g->x.pad_begin == 1);
  CHECK(g->x.pad_end == 2);
}

}  // namespace
}  // namespace stridescope
