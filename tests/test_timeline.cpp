// The timeline's pure logic: advancing while playing, stopping at the end, clamping.
#include <doctest/doctest.h>

#include "gui/timeline.h"

using namespace stridescope;

namespace {

Geometry Grid(int rows, int cols) {
  Geometry g;
  g.y.output = rows;
  g.x.output = cols;
  return g;
}

}  // namespace

TEST_CASE("playing advances by dt times the speed, carrying fractions") {
  const Geometry g = Grid(10, 10);
  Timeline t;
  t.steps_per_second = 4.0f;
  TogglePlaying(t, g);
  REQUIRE(t.playing);
  CHECK_FALSE(AdvanceTimeline(t, 0.1, g));  // 0.4 steps: not yet
  CHECK(t.step == 0);
  CHECK(AdvanceTimeline(t, 0.2, g));        // 1.2 steps in all
  CHECK(t.step == 1);
  CHECK(t.pending_steps == doctest::Approx(0.2));
}

TEST_CASE("playing stops at the last step; play from there starts over") {
  const Geometry g = Grid(2, 3);
  Timeline t;
  t.steps_per_second = 1000.0f;
  TogglePlaying(t, g);
  for (int i = 0; i < 10 && t.playing; ++i) AdvanceTimeline(t, 1.0, g);
  CHECK(t.step == 5);
  CHECK_FALSE(t.playing);
  TogglePlaying(t, g);
  CHECK(t.playing);
  CHECK(t.step == 0);
}

TEST_CASE("one call advances at most one output row") {
  const Geometry g = Grid(100, 7);
  Timeline t;
  t.steps_per_second = MaxStepsPerSecond(g);
  TogglePlaying(t, g);
  AdvanceTimeline(t, 5.0, g);  // a long frame after sleeping
  CHECK(t.step == 7);
  CHECK(t.pending_steps == doctest::Approx(0.0));
}

TEST_CASE("a shrinking output clamps the step and the speed") {
  Timeline t;
  t.step = 99;
  t.steps_per_second = MaxStepsPerSecond(Grid(10, 10));
  CHECK(ClampTimeline(t, Grid(3, 3)));
  CHECK(t.step == 8);
  CHECK(t.steps_per_second <= MaxStepsPerSecond(Grid(3, 3)));
  t.playing = true;
  ClampTimeline(t, Grid(0, 0));
  CHECK(t.step == 0);
  CHECK_FALSE(t.playing);
}

TEST_CASE("manual steps pause and stay inside the steps") {
  const Geometry g = Grid(2, 2);
  Timeline t;
  TogglePlaying(t, g);
  CHECK(StepBy(t, -1, g) == false);
  CHECK_FALSE(t.playing);
  CHECK(GoToStep(t, 10, g));
  CHECK(t.step == 3);
  CHECK(StepOfCell(CellOfStep(3, g), g) == 3);
}
