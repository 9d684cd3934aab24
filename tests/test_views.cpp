// The views' placement arithmetic, without drawing: where an aligned output cell lands over the
// input (against window centres computed here from the op's own definition), how zooming keeps
// the point under the cursor, and how a new step pans its window into sight.
#include <doctest/doctest.h>

#include "geometry.h"
#include "gui/views/feature_map_view.h"
#include "gui/views/image_pane.h"
#include "kernels.h"

using namespace stridescope;

namespace {

Geometry Resolve(Params params, int height, int width) {
  Expected<Geometry> g = ResolveGeometry(params, 1, height, width);
  REQUIRE_MESSAGE(g.ok(), (g.ok() ? "" : g.error().message));
  return *g;
}

Params Conv(int kernel, int stride, int padding, int dilation) {
  Params p;
  p.kernel = *MakePresetKernel("box", kernel);
  p.stride = {stride, stride};
  p.dilation = {dilation, dilation};
  p.padding = {PadPreset::Explicit, padding, padding, padding, padding};
  return p;
}

}  // namespace

TEST_CASE("an aligned conv cell is centred on its window and one stride wide") {
  // Hand-computed: grid7, 3x3, stride 2, padding 1. Window 0 reads pixels -1..1, centred on
  // pixel 0 (its centre at 0.5); each next window moves 2 pixels.
  const Geometry g = Resolve(Conv(3, 2, 1, 1), 7, 7);
  const AxisPlacement x = AlignedAxis(g.x);
  CHECK(x.cell == doctest::Approx(2.0f));
  CHECK(x.first == doctest::Approx(-0.5f));
  // Every output, every combination: the cell's centre is the centre of the window's span,
  // first tap o*S - pad_begin to last tap + 1, from the conv definition (not TapPosition).
  for (int k : {1, 2, 3, 5}) {
    for (int s : {1, 2, 3, 4}) {
      for (int d : {1, 2}) {
        for (int pad : {0, 1, 2}) {
          const Expected<Geometry> resolved = ResolveGeometry(Conv(k, s, pad, d), 1, 11, 13);
          if (!resolved) continue;
          const AxisPlacement a = AlignedAxis(resolved->x);
          CHECK(a.cell == doctest::Approx(static_cast<float>(s)));
          for (int o = 0; o < resolved->x.output; ++o) {
            const float first_tap = static_cast<float>(o * s - pad);
            const float span_end = first_tap + static_cast<float>(d * (k - 1) + 1);
            INFO("k " << k << " s " << s << " d " << d << " pad " << pad << " o " << o);
            CHECK(a.first + (static_cast<float>(o) + 0.5f) * a.cell == doctest::Approx((first_tap + span_end) * 0.5f));
          }
        }
      }
    }
  }
}

TEST_CASE("an aligned transposed conv cell is 1/stride of an input pixel") {
  Params p = Conv(3, 2, 0, 1);
  p.op = Op::Transposed;
  const Geometry g = Resolve(p, 4, 4);
  const AxisPlacement x = AlignedAxis(g.x);
  CHECK(x.cell == doctest::Approx(0.5f));
  // (4-1)*2 + 3 = 9 outputs spanning 4.5 pixels: the output is about stride times larger.
  CHECK(g.x.output == 9);
  CHECK(static_cast<float>(g.x.output) * x.cell == doctest::Approx(4.5f));
}

TEST_CASE("zooming keeps the image point under the anchor") {
  const ImVec2 pan(30.0f, -12.0f);
  const ImVec2 anchor(200.0f, 150.0f);
  const float zoom = 3.0f;
  const float factor = 1.2f;
  // The image point under the anchor before, in image pixels.
  const float ix = (anchor.x - pan.x) / zoom;
  const float iy = (anchor.y - pan.y) / zoom;
  const ImVec2 after = PanAfterZoom(pan, anchor, factor);
  CHECK(after.x + ix * zoom * factor == doctest::Approx(anchor.x));
  CHECK(after.y + iy * zoom * factor == doctest::Approx(anchor.y));
}

TEST_CASE("a new step pans its window into the pane only when it is out of sight") {
  const ImVec2 pane(400.0f, 300.0f);
  // Already inside: no jump, so a user's pan between steps is kept.
  const ImVec2 kept = PanToShow(ImVec2(-50.0f, -20.0f), pane, ImVec2(100.0f, 100.0f), ImVec2(140.0f, 140.0f));
  CHECK(kept.x == -50.0f);
  CHECK(kept.y == -20.0f);
  // Far right of the pane: centred on it.
  const ImVec2 moved = PanToShow(ImVec2(0.0f, 0.0f), pane, ImVec2(1000.0f, 100.0f), ImVec2(1040.0f, 140.0f));
  CHECK(moved.x + 1020.0f == doctest::Approx(200.0f));
  CHECK(moved.y == 0.0f);
}
