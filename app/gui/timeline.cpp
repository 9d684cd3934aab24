#include "gui/timeline.h"

#include <algorithm>
#include <cmath>

namespace stridescope {

float MaxStepsPerSecond(const Geometry& g) {
  const double per_row = std::max(1, g.OutputWidth()) * kTimelineFramesPerSecond;
  // Never below the minimum, so a one-column output still has a valid (if tiny) range.
  return std::max(static_cast<float>(per_row), kMinStepsPerSecond + 1.0f);
}

int ClampedStep(int step, const Geometry& g) {
  const int count = StepCount(g);
  if (count <= 0) return 0;
  return std::clamp(step, 0, count - 1);
}

bool ClampTimeline(Timeline& timeline, const Geometry& g) {
  const Timeline before = timeline;
  timeline.step = ClampedStep(timeline.step, g);
  timeline.steps_per_second =
      std::clamp(timeline.steps_per_second, kMinStepsPerSecond, MaxStepsPerSecond(g));
  if (StepCount(g) <= 0) {
    timeline.playing = false;
    timeline.pending_steps = 0.0;
  }
  return before.step != timeline.step || before.playing != timeline.playing ||
         before.steps_per_second != timeline.steps_per_second;
}

bool AdvanceTimeline(Timeline& timeline, double dt_seconds, const Geometry& g) {
  if (!timeline.playing) return false;
  const int count = StepCount(g);
  const int last = count - 1;
  if (count <= 0 || timeline.step >= last) {
    timeline.step = ClampedStep(timeline.step, g);
    timeline.playing = false;
    timeline.pending_steps = 0.0;
    return true;
  }
  const double rate = std::clamp(static_cast<double>(timeline.steps_per_second),
                                 static_cast<double>(kMinStepsPerSecond),
                                 static_cast<double>(MaxStepsPerSecond(g)));
  timeline.pending_steps += std::max(0.0, dt_seconds) * rate;
  const double row = std::max(1, g.OutputWidth());
  double whole = std::floor(timeline.pending_steps);
  if (whole > row) {
    // The cap: drop the excess instead of carrying it, or a long frame would keep the timeline
    // racing for many frames after it.
    whole = row;
    timeline.pending_steps = whole;
  }
  timeline.pending_steps -= whole;
  if (whole < 1.0) return false;
  const int target = timeline.step + static_cast<int>(whole);
  if (target >= last) {
    timeline.step = last;
    timeline.playing = false;
    timeline.pending_steps = 0.0;
  } else {
    timeline.step = target;
  }
  return true;
}

void TogglePlaying(Timeline& timeline, const Geometry& g) {
  timeline.pending_steps = 0.0;
  if (timeline.playing) {
    timeline.playing = false;
    return;
  }
  const int count = StepCount(g);
  if (count <= 1) return;  // nothing to play through
  if (timeline.step >= count - 1) timeline.step = 0;
  timeline.playing = true;
}

bool GoToStep(Timeline& timeline, int step, const Geometry& g) {
  timeline.playing = false;
  timeline.pending_steps = 0.0;
  const int target = ClampedStep(step, g);
  const bool changed = target != timeline.step;
  timeline.step = target;
  return changed;
}

bool StepBy(Timeline& timeline, int delta, const Geometry& g) {
  return GoToStep(timeline, timeline.step + delta, g);
}

}  // namespace stridescope
