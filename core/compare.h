// Compare panes: line up two feature maps of the same input, subtract them, and run the shift test
// (how far a strided op is from translation equivariance, plain and anti-aliased as in Zhang 2019,
// "Making Convolutional Networks Shift-Invariant Again"). The UI-free half of the compare view.
//
// Every correspondence comes from AxisGeometry's direct form (where each window starts on the
// lattice), never from output-size formulas: two cells correspond when their windows start at the
// same lattice position. Maps are Tensor3 (C,H,W planar) as the engines return them.
//
// Sections: shifting the input | aligning two maps | differences | the anti-aliased pipeline |
//           the shift test
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "engine.h"
#include "expected.h"
#include "geometry.h"
#include "params.h"
#include "tensor.h"

namespace stridescope {

// ---------------------------------------------------------------------------------------------
// Shifting the input

// What fills the pixels a shift uncovers: the ones pushed out on the other side, or zeros.
enum class ShiftFill { Circular, Zeros };

// Content moves down by dy and right by dx pixels (negative: up, left). Any size of shift.
struct InputShift {
  int dy = 0;
  int dx = 0;
  ShiftFill fill = ShiftFill::Circular;
  friend bool operator==(const InputShift&, const InputShift&) = default;
};

// out(c, y, x) = in(c, y - dy, x - dx), taken modulo the size (Circular) or 0 where that falls
// outside (Zeros). Returns a new tensor of input's shape.
Tensor3 ShiftInput(const Tensor3& input, const InputShift& shift);
// ShiftInput into out, reusing out's storage when it already holds input's size (a loop over
// shifts of a 4K image then allocates once). out must not be input.
void ShiftInputInto(const Tensor3& input, const InputShift& shift, Tensor3& out);

// ---------------------------------------------------------------------------------------------
// Aligning two maps

// One axis: cell o of map B corresponds to cell ToA(o) = o * scale + offset of map A, for o in
// [first, first + count); every such A cell exists. Cells, not pixels.
struct AxisAlignment {
  int scale = 1;
  int offset = 0;
  int first = 0;
  int count = 0;
  int ToA(int o) const { return o * scale + offset; }
  friend bool operator==(const AxisAlignment&, const AxisAlignment&) = default;
};

// Both axes, and `how`: one plain-English phrase for the UI ("A subsampled by 2 from row 1,
// column 1").
struct MapAlignment {
  AxisAlignment y;
  AxisAlignment x;
  std::string how;
  long long Cells() const { return static_cast<long long>(y.count) * x.count; }
};

// How map B lines up with map A when both were computed on the same input (ga, gb from
// ResolveGeometry on it). Tried in this order:
//  - the same operation (op, kernel or window, dilation, pad mode, channel mode, bias, ceil mode,
//    count_include_pad) at different strides or paddings: per axis A's stride must divide B's and
//    the windows' starts must differ by a whole number of A's strides, so that
//    B[o] = A[o * (Sb / Sa) + (pa - pb) / Sa] wherever that A cell exists (transposed convolution:
//    only at equal strides, where its paddings just crop);
//  - maps of the same size (different kernels, ops...): cell by cell;
//  - else an Error naming both sizes (width x height) and what stops the alignment.
Expected<MapAlignment> AlignMaps(const Params& a, const Geometry& ga, const Params& b,
                                 const Geometry& gb);

// B = the map of g's Params on ShiftInput(input, shift), A = on input: B[o] = A[o - d / S] on each
// axis (d: the shift in pixels; S: the stride; transposed: d * S), over the interior only: cells
// whose windows, in both maps, read neither padding nor pixels the shift wrapped around or filled.
// A circular shift counts modulo the input size, nearest zero (a shift by the width is none).
// Error when d / S is not whole on some axis, or when no cell is left in the interior.
Expected<MapAlignment> AlignShifted(const Geometry& g, const InputShift& shift);

// ---------------------------------------------------------------------------------------------
// Differences

// A - B over an alignment. A cell where A == B (equal infinities too) differs by exactly 0; a NaN
// on either side gives a NaN difference, which is never hidden: max_abs becomes NaN at the first
// such cell, while the means describe the cells that have a number.
struct MapDifference {
  Tensor3 values;                    // channels x count_y x count_x: (c, i, j) is B's cell
                                     // (first_y + i, first_x + j)
  float max_abs = 0.0f;              // largest |A - B| (NaN if any cell is NaN); first in scan order
  int channel = 0, row = 0, col = 0; // where, in B's coordinates
  double mean_abs = 0.0;             // mean |A - B| over the cells with a number
  double mean_abs_reference = 0.0;   // mean |A| over those same cells
  long long cells = 0;               // cells in the region, channels included
  long long nan_cells = 0;           // of which the difference is NaN
};

// a and b: the maps the alignment was made for (same channel count). Allocates only `values`.
MapDifference Subtract(const Tensor3& a, const Tensor3& b, const MapAlignment& alignment);

// mean |A - B| / mean |A| over the alignment (NaN cells left out), without building the
// difference map: the shift test's measure. 0 when both means are 0; infinity when only |A|'s is.
double RelativeDifference(const Tensor3& a, const Tensor3& b, const MapAlignment& alignment);

// ---------------------------------------------------------------------------------------------
// The anti-aliased pipeline (Zhang 2019's BlurPool): the op at stride 1, then a 3x3 binomial blur
// ([1,2,1] x [1,2,1] / 16, depthwise, reflect padding 1) at the op's stride. For explicit padding
// its output has the plain op's size and its windows are centred where the plain op's are.

struct AntialiasedPipeline {
  Params op;            // the pane's Params at stride 1 (padding presets resolve for stride 1)
  Geometry op_geometry;
  Params blur;          // the blur, at the pane's stride, over op's output
  Geometry blur_geometry;
};

// Both stages for an input of channels x height x width. Error for transposed convolution (it
// upsamples: there is no subsampling to blur before) or when a stage is invalid.
Expected<AntialiasedPipeline> MakeAntialiased(const Params& params, int channels, int height,
                                              int width);
// The final map (C_out x OH x OW); engine must be able to run both stages.
Tensor3 ComputeAntialiased(Engine& engine, const AntialiasedPipeline& pipeline, const Tensor3& input);
// AlignShifted for the pipeline's output: the interior is where the whole two-stage receptive
// field (the blur's reflect padding included) reads neither padding nor shifted-in pixels.
Expected<MapAlignment> AlignShifted(const AntialiasedPipeline& pipeline, const InputShift& shift);

// ---------------------------------------------------------------------------------------------
// The shift test

// One shift compared: a, the map of the unshifted input; b, of the input shifted by `shift`.
struct ShiftMeasure {
  double relative_difference = 0.0;  // RelativeDifference over `alignment`
  bool whole = true;                 // the shift is a whole number of strides on every axis
  MapAlignment alignment;            // as AlignShifted; when not whole, the nearest copy used
};

// Where the shift is whole, AlignShifted's alignment; where d / S is not whole on an axis, both
// its floor and its ceiling are tried (each combination over the axes) and the smallest relative
// difference is kept: the distance to the nearest shifted copy. Error when no interior is left.
Expected<ShiftMeasure> MeasureShift(const Geometry& g, const Tensor3& a, const Tensor3& b,
                                    const InputShift& shift);
Expected<ShiftMeasure> MeasureShift(const AntialiasedPipeline& pipeline, const Tensor3& a,
                                    const Tensor3& b, const InputShift& shift);

// The shifts tried are t * (uy, ux) pixels for t = 0 .. max_shift.
struct ShiftTestOptions {
  int max_shift = 4;  // 0 .. 128
  int uy = 0;         // direction, in pixels per t; not both 0
  int ux = 1;
  ShiftFill fill = ShiftFill::Circular;
  bool antialiased = false;  // also the anti-aliased pipeline's curve
  friend bool operator==(const ShiftTestOptions&, const ShiftTestOptions&) = default;
};

struct ShiftTestPoint {
  int shift = 0;                     // t: the input moved t * (uy, ux) pixels
  double relative_difference = 0.0; // see MeasureShift
  bool whole = true;
};

struct ShiftCurve {
  std::vector<ShiftTestPoint> plain;
  std::vector<ShiftTestPoint> antialiased;  // empty unless asked for
};

// The shift test of params on input: each shifted input's map against the unshifted one
// (MeasureShift), max_shift + 1 points per curve. Computes each map once into reused buffers.
// Safe on a worker thread; a set *cancel stops it between maps with an Error ("cancelled").
Expected<ShiftCurve> RunShiftTest(CpuEngine& engine, const Params& params, const Tensor3& input,
                                  const ShiftTestOptions& options,
                                  const std::atomic<bool>* cancel = nullptr);

}  // namespace stridescope
