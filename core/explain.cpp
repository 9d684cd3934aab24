// One output cell worked term by term. The order of the additions follows engine_cpu.cpp (bias
// first, then channel, tap row, tap column) so that the result is the engine's value exactly.
#include "explain.h"

#include <limits>

#include "engine.h"

namespace stridescope {

namespace {

// The terms of one input channel's window, without weights.
void AddWindowTerms(const Geometry& g, const Tensor3& input, int channel, int oh, int ow,
                    std::vector<CellTerm>& terms) {
  for (int ty = 0; ty < g.y.taps; ++ty) {
    for (int tx = 0; tx < g.x.taps; ++tx) {
      CellTerm term;
      term.channel = channel;
      term.ty = ty;
      term.tx = tx;
      term.position_y = g.y.TapPosition(oh, ty);
      term.position_x = g.x.TapPosition(ow, tx);
      term.source_y = g.y.SourceIndex(term.position_y, g.pad_mode);
      term.source_x = g.x.SourceIndex(term.position_x, g.pad_mode);
      // Off the lattice is padding; on it, a zero can only be one transposed conv inserted.
      term.padding = term.position_y < 0 || term.position_y >= g.y.LatticeLength() ||
                     term.position_x < 0 || term.position_x >= g.x.LatticeLength();
      term.zero = term.source_y < 0 || term.source_x < 0;
      if (!term.zero) term.value = input.At(channel, term.source_y, term.source_x);
      terms.push_back(term);
    }
  }
}

void ExplainConvolution(const Params& p, const Geometry& g, const Tensor3& input, CellArithmetic& cell) {
  cell.bias = p.bias;
  cell.result = p.bias;
  for (int c = 0; c < cell.channels; ++c) {
    const int ic = cell.first_channel + c;
    const float* plane = WeightPlane(p.kernel, p.op, cell.oc, ic);
    const std::size_t begin = cell.terms.size();
    AddWindowTerms(g, input, ic, cell.oh, cell.ow, cell.terms);
    float channel_sum = 0.0f;
    for (std::size_t i = begin; i < cell.terms.size(); ++i) {
      CellTerm& term = cell.terms[i];
      term.weight = plane[g.y.KernelIndex(term.ty) * g.x.taps + g.x.KernelIndex(term.tx)];
      term.product = term.weight * term.value;
      channel_sum += term.product;
      cell.sum += term.product;
      cell.result += term.product;
    }
    cell.channel_sums.push_back(channel_sum);
  }
}

void ExplainMaxPool(const Geometry& g, const Tensor3& input, CellArithmetic& cell) {
  AddWindowTerms(g, input, cell.first_channel, cell.oh, cell.ow, cell.terms);
  cell.result = -std::numeric_limits<float>::infinity();
  for (std::size_t i = 0; i < cell.terms.size(); ++i) {
    const CellTerm& term = cell.terms[i];
    if (term.zero) continue;  // padding never wins (PyTorch pads max pooling with -inf)
    // Strictly greater: the first of equal values wins, as a running std::max keeps it.
    if (cell.max_term < 0 || term.value > cell.result) {
      cell.max_term = static_cast<int>(i);
      cell.result = term.value;
    }
  }
}

void ExplainAvgPool(const Params& p, const Geometry& g, const Tensor3& input, CellArithmetic& cell) {
  AddWindowTerms(g, input, cell.first_channel, cell.oh, cell.ow, cell.terms);
  // Average pooling has no dilation, so the real taps in window order are the span's pixels in
  // the engine's order.
  for (const CellTerm& term : cell.terms)
    if (!term.zero) cell.sum += term.value;
  const AxisGeometry::PoolSpan sy = g.y.AvgPoolSpan(cell.oh);
  const AxisGeometry::PoolSpan sx = g.x.AvgPoolSpan(cell.ow);
  cell.divisor = p.count_include_pad ? sy.padded_length * sx.padded_length
                                     : (sy.last - sy.first) * (sx.last - sx.first);
  cell.result = cell.divisor > 0 ? cell.sum / static_cast<float>(cell.divisor) : 0.0f;
}

}  // namespace

CellArithmetic ExplainCell(const Params& params, const Geometry& geometry, const Tensor3& input,
                           int oc, int oh, int ow) {
  CellArithmetic cell;
  cell.op = params.op;
  cell.oc = oc;
  cell.oh = oh;
  cell.ow = ow;
  cell.taps_y = geometry.y.taps;
  cell.taps_x = geometry.x.taps;
  // Pooling's channel plan has one group per channel, so this is the pooled channel itself.
  cell.first_channel = geometry.channels.FirstInputOf(oc);
  cell.channels = geometry.channels.InputsPerGroup();
  cell.terms.reserve(static_cast<std::size_t>(cell.channels) * cell.taps_y * cell.taps_x);
  switch (params.op) {
    case Op::Conv:
    case Op::Transposed: ExplainConvolution(params, geometry, input, cell); break;
    case Op::MaxPool: ExplainMaxPool(geometry, input, cell); break;
    case Op::AvgPool: ExplainAvgPool(params, geometry, input, cell); break;
  }
  return cell;
}

}  // namespace stridescope
