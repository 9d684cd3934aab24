// Tests for core/samples: the list, the shapes, exact values of the numeric grids and of the test
// patterns (computed independently here), determinism and the unknown-name error.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "samples.h"

namespace stridescope {
namespace {

Tensor3 Make(std::string_view name) {
  Expected<Tensor3> sample = MakeSample(name);
  REQUIRE_MESSAGE(sample.ok(), name);
  return std::move(*sample);
}

struct Shape {
  std::string_view name;
  int channels, height, width;
};

constexpr Shape kShapes[] = {
    {"scene", 3, 400, 640},     {"checkerboard", 3, 256, 256},
    {"zoneplate", 3, 256, 256}, {"stripes", 3, 256, 256},
    {"grid5", 1, 5, 5},         {"grid7", 1, 7, 7},
    {"onnx7x5", 1, 7, 5},
};

// Grey image samples store the same value in R, G and B.
void CheckGrey(const Tensor3& image) {
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      REQUIRE(image.At(1, y, x) == image.At(0, y, x));
      REQUIRE(image.At(2, y, x) == image.At(0, y, x));
    }
  }
}

TEST_CASE("samples: the list names every documented sample once, each with a summary") {
  std::set<std::string_view> listed;
  for (const SampleInfo& info : Samples()) {
    CHECK_FALSE(info.summary.empty());
    CHECK(listed.insert(info.name).second);
  }
  for (const Shape& shape : kShapes) CHECK_MESSAGE(listed.count(shape.name) == 1, shape.name);
}

TEST_CASE("samples: each has its documented shape; images are RGB in [0, 1]") {
  for (const Shape& shape : kShapes) {
    CAPTURE(shape.name);
    const Tensor3 t = Make(shape.name);
    CHECK(t.channels == shape.channels);
    CHECK(t.height == shape.height);
    CHECK(t.width == shape.width);
    CHECK(t.data.size() == static_cast<std::size_t>(shape.channels) * shape.height * shape.width);
    if (shape.channels == 3) {
      CHECK(std::all_of(t.data.begin(), t.data.end(),
                        [](float v) { return std::isfinite(v) && v >= 0.0f && v <= 1.0f; }));
    }
  }
}

TEST_CASE("samples: numeric grids count 0, 1, 2 ... row-major") {
  for (const Shape& shape : kShapes) {
    if (shape.channels != 1) continue;
    CAPTURE(shape.name);
    const Tensor3 t = Make(shape.name);
    for (int y = 0; y < t.height; ++y) {
      for (int x = 0; x < t.width; ++x) CHECK(t.At(0, y, x) == static_cast<float>(y * t.width + x));
    }
  }
  CHECK(Make("grid5").data.back() == 24.0f);
  CHECK(Make("grid7").data.back() == 48.0f);
  const Tensor3 onnx = Make("onnx7x5");
  CHECK(onnx.At(0, 6, 4) == 34.0f);  // 7 rows of 5, as the ONNX conv node tests
  CHECK(onnx.At(0, 1, 0) == 5.0f);
}

TEST_CASE("samples: checkerboard has 4-pixel squares, white at the top left") {
  const Tensor3 t = Make("checkerboard");
  CheckGrey(t);
  for (int y = 0; y < t.height; ++y) {
    for (int x = 0; x < t.width; ++x) {
      REQUIRE(t.At(0, y, x) == (((x / 4) + (y / 4)) % 2 == 0 ? 1.0f : 0.0f));
    }
  }
  CHECK(t.At(0, 3, 3) == 1.0f);
  CHECK(t.At(0, 3, 4) == 0.0f);
  CHECK(t.At(0, 4, 4) == 1.0f);
}

TEST_CASE("samples: zone plate is 0.5 + 0.5 cos(pi r^2 / 256) around the centre") {
  const Tensor3 t = Make("zoneplate");
  CheckGrey(t);
  CHECK(t.At(0, 128, 128) == doctest::Approx(1.0));
  CHECK(t.At(0, 128, 144) == doctest::Approx(0.0));  // r^2 = 256: cos(pi)
  CHECK(t.At(0, 144, 144) == doctest::Approx(1.0));  // r^2 = 512: cos(2 pi)
  CHECK(t.At(0, 120, 128) == doctest::Approx(0.5 + 0.5 * std::cos(std::numbers::pi / 4)));
  CHECK(t.At(0, 0, 0) == doctest::Approx(0.5 + 0.5 * std::cos(std::numbers::pi * 128.0)));
}

TEST_CASE("samples: stripes are vertical on top, horizontal below, in period bands") {
  const Tensor3 t = Make("stripes");
  CheckGrey(t);
  constexpr int kPeriods[8] = {2, 3, 4, 5, 6, 8, 12, 16};
  for (int band = 0; band < 8; ++band) {
    const int p = kPeriods[band];
    const int x0 = band * 32;
    CAPTURE(p);
    // One period is 1 for its first half (rounded up), then 0, from the band's corner.
    for (int k = 0; k < p; ++k) {
      const float expected = 2 * k < p ? 1.0f : 0.0f;
      CHECK(t.At(0, 0, x0 + k) == expected);  // top: along x
      CHECK(t.At(0, 127, x0 + k) == expected);
      CHECK(t.At(0, 128 + k, x0 + 5) == expected);  // bottom: along y
      CHECK(t.At(0, 200 + k, x0) == t.At(0, 200 + k, x0 + 31));
    }
    for (int x = x0; x + p < x0 + 32; ++x) CHECK(t.At(0, 60, x) == t.At(0, 60, x + p));
    for (int y = 128; y + p < 256; ++y) CHECK(t.At(0, y, x0 + 1) == t.At(0, y + p, x0 + 1));
  }
}

TEST_CASE("samples: the scene looks like a landscape and has fine detail") {
  const Tensor3 t = Make("scene");
  const float sky_r = t.At(0, 10, 10), sky_b = t.At(2, 10, 10);
  CHECK(sky_b > sky_r + 0.3f);     // blue sky at the top left
  CHECK(t.At(0, 78, 520) > 0.9f);  // the sun
  CHECK(t.At(1, 78, 520) > 0.9f);
  CHECK(t.At(1, 390, 600) > t.At(0, 390, 600));  // green grass at the bottom right
  CHECK(t.At(1, 390, 600) > t.At(2, 390, 600));
  // Grass and fence: neighbouring pixels differ a lot, which is what a stride aliases.
  double change = 0;
  int count = 0;
  for (int y = 300; y < 400; ++y) {
    for (int x = 1; x < t.width; ++x, ++count)
      change += std::abs(t.At(1, y, x) - t.At(1, y, x - 1));
  }
  CHECK(change / count > 0.03);
}

TEST_CASE("samples: making a sample twice gives identical data") {
  for (const SampleInfo& info : Samples()) {
    CAPTURE(info.name);
    CHECK(Make(info.name).data == Make(info.name).data);
  }
}

TEST_CASE("samples: an unknown name is an Error listing every valid name") {
  for (const std::string_view bad : {std::string_view("nosuch"), std::string_view("")}) {
    const Expected<Tensor3> sample = MakeSample(bad);
    REQUIRE_FALSE(sample.ok());
    const std::string& message = sample.error().message;
    INFO(message);
    const std::string quoted = std::string("'").append(bad).append("'");
    CHECK(message.find(quoted) != std::string::npos);
    for (const SampleInfo& info : Samples()) CHECK(message.find(info.name) != std::string::npos);
  }
}

}  // namespace
}  // namespace stridescope
