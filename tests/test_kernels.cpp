// Kernel presets and the kernel text forms. Values are checked by property (identity reproduces
// the input, blurs sum to 1, gradients have the documented sign) rather than by copying the table.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine.h"
#include "kernels.h"
#include "reference_conv.h"

namespace stridescope {
namespace {

using reference::Mentions;
using reference::TensorFromRows;

double Sum(const Kernel& k) {
  double s = 0.0;
  for (float w : k.weights) s += w;
  return s;
}

float W(const Kernel& k, int y, int x) { return k.At(0, 0, y, x); }

// Valid conv of the kernel with `input`, through the engine.
Tensor3 Apply(const Kernel& k, const Tensor3& input) {
  Params p;
  p.kernel = k;
  CpuEngine engine;
  Expected<Tensor3> out = Run(engine, p, input);
  REQUIRE_MESSAGE(out.ok(), (out.ok() ? std::string() : out.error().message));
  return *out;
}

TEST_CASE("identity with same padding reproduces the input at every size, even ones too") {
  // A 3-channel 9x8 input with every value distinct: a shifted identity could not pass.
  Tensor3 input = Tensor3::Zeros(3, 9, 8);
  for (std::size_t i = 0; i < input.data.size(); ++i) input.data[i] = static_cast<float>(i) * 0.25f - 20.0f;
  for (int size = 1; size <= 31; ++size) {
    CAPTURE(size);
    Expected<Kernel> k = MakePresetKernel("identity", size);
    REQUIRE(k.ok());
    CHECK(k->height == size);
    CHECK(k->width == size);
    CHECK(Sum(*k) == 1.0);
    Params p;
    p.kernel = *k;
    p.padding.preset = PadPreset::Same;
    CpuEngine engine;
    Expected<Tensor3> out = Run(engine, p, input);
    REQUIRE(out.ok());
    CHECK(out->channels == 3);
    CHECK(out->height == 9);
    CHECK(out->width == 8);
    CHECK(out->data == input.data);
  }
}

TEST_CASE("box is a uniform mean") {
  for (int size = 1; size <= 31; ++size) {
    CAPTURE(size);
    Expected<Kernel> k = MakePresetKernel("box", size);
    REQUIRE(k.ok());
    CHECK(k->height == size);
    CHECK(Sum(*k) == doctest::Approx(1.0).epsilon(1e-5));
    for (float w : k->weights) CHECK(w == k->weights[0]);
  }
}

TEST_CASE("gaussian sums to 1, is symmetric and peaks in the middle") {
  for (int size = 1; size <= 31; ++size) {
    CAPTURE(size);
    Expected<Kernel> k = MakePresetKernel("gaussian", size);
    REQUIRE(k.ok());
    REQUIRE(k->height == size);
    REQUIRE(k->width == size);
    CHECK(Sum(*k) == doctest::Approx(1.0).epsilon(1e-5));
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x) {
        CHECK(W(*k, y, x) > 0.0f);
        CHECK(W(*k, y, x) == doctest::Approx(W(*k, x, y)));
        CHECK(W(*k, y, x) == doctest::Approx(W(*k, size - 1 - y, x)));
        CHECK(W(*k, y, x) == doctest::Approx(W(*k, y, size - 1 - x)));
      }
    // Falls off away from the centre along the middle row.
    const int mid = size / 2;
    for (int x = mid + 1; x < size; ++x) CHECK(W(*k, mid, x) < W(*k, mid, x - 1));
  }
}

TEST_CASE("sobel presets: weights and sign convention") {
  // conv2d is cross-correlation: out(y,x) = sum w(ky,kx) * in(y+ky, x+kx), the kernel is NOT
  // flipped. kernels.cpp chose the signs so that sobel-x is positive where the image gets
  // brighter to the right: [[-1,0,1],[-2,0,2],[-1,0,1]], the negation of the textbook
  // [[1,0,-1],[2,0,-2],[1,0,-1]] (which is the positive-right form under true convolution).
  Expected<Kernel> sx = MakePresetKernel("sobel-x");
  Expected<Kernel> sy = MakePresetKernel("sobel-y");
  REQUIRE(sx.ok());
  REQUIRE(sy.ok());
  const std::vector<float> textbook{1, 0, -1, 2, 0, -2, 1, 0, -1};
  std::vector<float> negated;
  for (float w : textbook) negated.push_back(-w);
  CHECK(sx->weights == negated);
  // sobel-y is sobel-x transposed.
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 3; ++x) CHECK(W(*sy, y, x) == W(*sx, x, y));

  // A ramp rising by 1 per column: each output is (1 + 2 + 1) * (x+2 - x) = +8.
  const Tensor3 right_ramp = TensorFromRows({{0, 1, 2, 3}, {0, 1, 2, 3}, {0, 1, 2, 3}});
  CHECK(Apply(*sx, right_ramp).data == std::vector<float>{8, 8});
  CHECK(Apply(*sy, right_ramp).data == std::vector<float>{0, 0});
  // Rising by 1 per row: sobel-y gives +8.
  const Tensor3 down_ramp = TensorFromRows({{0, 0, 0}, {1, 1, 1}, {2, 2, 2}, {3, 3, 3}});
  CHECK(Apply(*sy, down_ramp).data == std::vector<float>{8, 8});
}

TEST_CASE("every preset makes a valid kernel at its default size") {
  REQUIRE_FALSE(KernelPresets().empty());
  for (const KernelPreset& preset : KernelPresets()) {
    CAPTURE(preset.name);
    Expected<Kernel> k = MakePresetKernel(preset.name);
    REQUIRE(k.ok());
    CHECK(k->rank == 2);
    CHECK(k->height == preset.default_size);
    CHECK(k->width == preset.default_size);
    CHECK(ValidateKernel(*k).ok());
    CHECK_FALSE(preset.summary.empty());
  }
}

TEST_CASE("preset sizes") {
  SUBCASE("fixed-size presets reject any other size") {
    for (const KernelPreset& preset : KernelPresets()) {
      if (preset.sizable) continue;
      CAPTURE(preset.name);
      CHECK(MakePresetKernel(preset.name, preset.default_size).ok());
      Expected<Kernel> k = MakePresetKernel(preset.name, 5);
      REQUIRE_FALSE(k.ok());
      CHECK(Mentions(k.error().message, std::string(preset.name)));
    }
  }
  SUBCASE("sizable presets take 1..31 and no more") {
    CHECK(MakePresetKernel("box", 31).ok());
    Expected<Kernel> k = MakePresetKernel("box", 32);
    REQUIRE_FALSE(k.ok());
    CHECK(Mentions(k.error().message, "32"));
    CHECK(Mentions(k.error().message, "31"));
    CHECK_FALSE(MakePresetKernel("gaussian", -1).ok());
  }
  SUBCASE("unknown names list the known ones") {
    Expected<Kernel> k = MakePresetKernel("blurry");
    REQUIRE_FALSE(k.ok());
    CHECK(Mentions(k.error().message, "blurry"));
    for (const KernelPreset& preset : KernelPresets())
      CHECK(Mentions(k.error().message, std::string(preset.name)));
  }
}

TEST_CASE("ParseKernelRows") {
  SUBCASE("rows by ';', values by ','") {
    Expected<Kernel> k = ParseKernelRows("1,0,-1;2,0,-2;1,0,-1");
    REQUIRE(k.ok());
    CHECK(k->rank == 2);
    CHECK(k->filters == 1);
    CHECK(k->channels == 1);
    CHECK(k->height == 3);
    CHECK(k->width == 3);
    CHECK(k->weights == std::vector<float>{1, 0, -1, 2, 0, -2, 1, 0, -1});
  }
  SUBCASE("spaces are ignored, non-square and decimals are fine") {
    Expected<Kernel> k = ParseKernelRows("  1 , 2.5 ,-3 ; 4,5e-1 , +6 ");
    REQUIRE(k.ok());
    CHECK(k->height == 2);
    CHECK(k->width == 3);
    CHECK(k->weights == std::vector<float>{1, 2.5f, -3, 4, 0.5f, 6});
  }
  SUBCASE("a single value is a 1x1 kernel") {
    Expected<Kernel> k = ParseKernelRows("7");
    REQUIRE(k.ok());
    CHECK(k->height == 1);
    CHECK(k->width == 1);
  }
  SUBCASE("ragged rows") {
    Expected<Kernel> k = ParseKernelRows("1,2;3");
    REQUIRE_FALSE(k.ok());
    CHECK(Mentions(k.error().message, "row 2"));
  }
  SUBCASE("empty") {
    CHECK_FALSE(ParseKernelRows("").ok());
    CHECK_FALSE(ParseKernelRows("   ").ok());
    CHECK_FALSE(ParseKernelRows("1,,2").ok());
  }
  SUBCASE("not a number") {
    Expected<Kernel> k = ParseKernelRows("1,abc;2,3");
    REQUIRE_FALSE(k.ok());
    CHECK(Mentions(k.error().message, "abc"));
  }
  SUBCASE("nan and inf are not weights") {
    Expected<Kernel> k = ParseKernelRows("1,nan");
    REQUIRE_FALSE(k.ok());
    CHECK(Mentions(k.error().message, "nan"));
    CHECK_FALSE(ParseKernelRows("inf,1").ok());
    CHECK_FALSE(ParseKernelRows("1e39").ok());  // overflows float
  }
  SUBCASE("31 columns are fine, 32 are too many") {
    std::string row31 = "1";
    for (int i = 1; i < 31; ++i) row31 += ",0";
    CHECK(ParseKernelRows(row31).ok());
    Expected<Kernel> k = ParseKernelRows(row31 + ",0");
    REQUIRE_FALSE(k.ok());
    CHECK(Mentions(k.error().message, "32"));
    CHECK(Mentions(k.error().message, "31"));
  }
  SUBCASE("32 rows are too many") {
    std::string rows = "1";
    for (int i = 1; i < 32; ++i) rows += ";1";
    CHECK_FALSE(ParseKernelRows(rows).ok());
  }
}

TEST_CASE("ParseKernelArgument") {
  SUBCASE("NAME:SIZE") {
    Expected<Kernel> k = ParseKernelArgument("gaussian:5");
    REQUIRE(k.ok());
    CHECK(k->height == 5);
    CHECK(k->width == 5);
    CHECK(k->weights == MakePresetKernel("gaussian", 5)->weights);
  }
  SUBCASE("NAME alone uses the default size") {
    Expected<Kernel> k = ParseKernelArgument("box");
    REQUIRE(k.ok());
    CHECK(k->height == 3);
    CHECK(Sum(*k) == doctest::Approx(1.0).epsilon(1e-5));
  }
  SUBCASE("inline rows") {
    Expected<Kernel> k = ParseKernelArgument("1,2;3,4");
    REQUIRE(k.ok());
    CHECK(k->weights == std::vector<float>{1, 2, 3, 4});
  }
  SUBCASE("unknown name lists the presets") {
    Expected<Kernel> k = ParseKernelArgument("blurry");
    REQUIRE_FALSE(k.ok());
    CHECK(Mentions(k.error().message, "blurry"));
    for (const KernelPreset& preset : KernelPresets())
      CHECK(Mentions(k.error().message, std::string(preset.name)));
  }
  SUBCASE("bad sizes") {
    CHECK_FALSE(ParseKernelArgument("gaussian:abc").ok());
    CHECK_FALSE(ParseKernelArgument("gaussian:0").ok());
    CHECK_FALSE(ParseKernelArgument("gaussian:32").ok());
    CHECK_FALSE(ParseKernelArgument("sobel-x:5").ok());
  }
}

}  // namespace
}  // namespace stridescope
