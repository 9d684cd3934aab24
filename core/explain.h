// The arithmetic behind one output cell, term by term: what the arithmetic panel shows and what
// the tests hold against the engines. Reads only geometry.h's tap and padding functions, so the
// explanation cannot disagree with the CPU loops or the shaders about which pixel a tap reads.
#pragma once

#include <vector>

#include "geometry.h"
#include "params.h"
#include "tensor.h"

namespace stridescope {

// One window tap on one input channel.
struct CellTerm {
  int channel = 0;       // input channel (the pooled channel for pooling)
  int ty = 0;            // window tap, row and column
  int tx = 0;
  int position_y = 0;    // lattice position the tap lands on (AxisGeometry::TapPosition)
  int position_x = 0;
  int source_y = -1;     // input pixel read, or -1 when the value is a zero (padding or, for
  int source_x = -1;     // transposed conv, an inserted zero)
  bool padding = false;  // outside the input: padding, real pixels under reflect/replicate/circular
  bool zero = false;     // the value is a zero that no input pixel supplied
  float value = 0.0f;
  float weight = 0.0f;   // conv and transposed: the weight the tap meets (flipped for transposed)
  float product = 0.0f;  // value * weight
};

struct CellArithmetic {
  Op op = Op::Conv;
  int oc = 0;
  int oh = 0;
  int ow = 0;
  int first_channel = 0;  // first input channel in the window (Geometry::channels.FirstInputOf)
  int channels = 1;       // input channels in the window: InputsPerGroup (pooling: 1)
  int taps_y = 1;         // KH, KW
  int taps_x = 1;
  // channels * KH * KW terms, channel-major, then row-major over the window.
  std::vector<CellTerm> terms;
  // Conv and transposed: sum of products, per channel and in all; the result is bias + sum,
  // accumulated in the CPU engine's order so that it equals the engine bit for bit.
  std::vector<float> channel_sums;
  float sum = 0.0f;
  float bias = 0.0f;
  // Max pooling: the winning term (-1 when every tap is padding, result -inf). Padding never wins.
  int max_term = -1;
  // Average pooling: sum of the real pixels, the divisor (count_include_pad rules, see
  // AxisGeometry::AvgPoolSpan) and result = sum / divisor.
  int divisor = 0;
  float result = 0.0f;

  // channel counts from first_channel.
  const CellTerm& Term(int channel, int ty, int tx) const {
    return terms[static_cast<std::size_t>((channel * taps_y + ty) * taps_x + tx)];
  }
};

// params and geometry from one successful ResolveGeometry on input's shape; the cell must lie in
// the output (oc < out channels, oh < OH, ow < OW). Costs channels * KH * KW terms.
CellArithmetic ExplainCell(const Params& params, const Geometry& geometry, const Tensor3& input,
                           int oc, int oh, int ow);

}  // namespace stridescope
