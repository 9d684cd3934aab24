// The timeline: where the sliding window is. One step per output position, row-major, the order
// in which the filter sweeps the input at its stride.
// Pure logic (no ImGui), so tests/test_timeline.cpp can compile timeline.cpp on its own.
#pragma once

#include "geometry.h"

namespace stridescope {

struct Timeline {
  int step = 0;                    // 0 .. StepCount(geometry) - 1
  bool playing = false;
  float steps_per_second = 2.0f;   // from 1 step per second up to a full row per frame
  double pending_steps = 0.0;      // fractional steps carried between frames while playing
};

// The output cell a step stands for.
struct OutputCell {
  int oh = 0;
  int ow = 0;
};

inline int StepCount(const Geometry& g) { return g.OutputHeight() * g.OutputWidth(); }
inline OutputCell CellOfStep(int step, const Geometry& g) {
  return {step / g.OutputWidth(), step % g.OutputWidth()};
}
inline int StepOfCell(OutputCell cell, const Geometry& g) { return cell.oh * g.OutputWidth() + cell.ow; }

// The display rate the speed slider's top ("a full row per frame") is reckoned at. Advancing
// itself caps at one row per call, so faster displays simply get there too.
constexpr double kTimelineFramesPerSecond = 60.0;
constexpr float kMinStepsPerSecond = 1.0f;
// The top of the speed range for this geometry: one output row per frame at 60 frames a second.
float MaxStepsPerSecond(const Geometry& g);

// `step` clamped into the geometry's steps (0 when it has none). For drawing code that runs after
// a recompute in the same frame, before ClampTimeline has seen the new geometry.
int ClampedStep(int step, const Geometry& g);

// Keeps the timeline inside the geometry after it changed (the output shrank): the step moves
// back to the last one, the speed to the new top, and with no steps at all it stops playing.
// Returns true when it changed anything.
bool ClampTimeline(Timeline& timeline, const Geometry& g);

// While playing, moves on by dt_seconds * steps_per_second steps, carrying the fraction in
// pending_steps, and at most one output row per call (the top speed; it also keeps a long first
// frame after sleeping from jumping far). Stops at the last step. Returns true when step or
// playing changed.
bool AdvanceTimeline(Timeline& timeline, double dt_seconds, const Geometry& g);

// Play/pause. Playing from the last step starts over from the first, as a media player does.
void TogglePlaying(Timeline& timeline, const Geometry& g);

// Manual moves pause playback: the user has taken over. Each returns true when step changed.
bool StepBy(Timeline& timeline, int delta, const Geometry& g);
bool GoToStep(Timeline& timeline, int step, const Geometry& g);

}  // namespace stridescope
