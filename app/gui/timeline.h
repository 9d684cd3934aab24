// The timeline: where the sliding window is. One step per output position, row-major, the order
// in which the filter sweeps the input at its stride.
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

}  // namespace stridescope
