// The CPU engine and ResolveGeometry against the independent reference over thousands of
// random parameter combinations (fixed seed, same cases on every run and platform). Invalid
// combinations count too: the engine must refuse exactly what the reference's PyTorch-derived
// rules refuse. For valid ones the per-axis geometry (padding, read counts, why a pixel is
// never read, MACs) is checked against brute force as well.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "engine.h"
#include "geometry.h"
#include "random_params.h"
#include "reference_conv.h"

namespace stridescope {
namespace {

using reference::RefAxis;
using reference::RefPlan;
using testing::RandomParams;
using testing::Rng;

// Brute force of "how many (output, tap) pairs read input pixel i" from the op's own loops:
// conv/pool windows read o*S - pb + t*D; transposed pixel i writes i*S - pb + k*D.
std::vector<int> BruteReadCounts(bool transposed, int input, int taps, int stride, int dilation,
                                 const RefAxis& a) {
  std::vector<int> counts(static_cast<std::size_t>(input), 0);
  if (transposed) {
    for (int i = 0; i < input; ++i)
      for (int k = 0; k < taps; ++k) {
        const int o = i * stride - a.pad_begin + k * dilation;
        if (o >= 0 && o < a.output) ++counts[static_cast<std::size_t>(i)];
      }
  } else {
    for (int o = 0; o < a.output; ++o)
      for (int t = 0; t < taps; ++t) {
        const int i = o * stride - a.pad_begin + t * dilation;
        if (i >= 0 && i < input) ++counts[static_cast<std::size_t>(i)];
      }
  }
  return counts;
}

// geometry.h's reasons, from their definitions: a pixel nobody reads is Cropped in transposed
// conv; otherwise past the last window's end it is FloorRemainder, inside some window's span a
// DilationHole, and between windows a StrideGap.
std::vector<Visit> BruteVisits(bool transposed, int input, int taps, int stride, int dilation,
                               const RefAxis& a, const std::vector<int>& counts) {
  std::vector<Visit> visits(static_cast<std::size_t>(input), Visit::Read);
  const int extent = reference::ExtentOf(taps, dilation);
  const int last_end = (a.output - 1) * stride - a.pad_begin + extent - 1;
  for (int i = 0; i < input; ++i) {
    if (counts[static_cast<std::size_t>(i)] > 0) continue;
    Visit& v = visits[static_cast<std::size_t>(i)];
    if (transposed) {
      v = Visit::Cropped;
      continue;
    }
    if (i > last_end) {
      v = Visit::FloorRemainder;
      continue;
    }
    v = Visit::StrideGap;
    for (int o = 0; o < a.output; ++o) {
      const int start = o * stride - a.pad_begin;
      if (i >= start && i < start + extent) v = Visit::DilationHole;
    }
  }
  return visits;
}

// The direct form (geometry.h) as (output, input pixel, kernel index) triples: which weight
// meets which pixel in which output. The shader uniforms and the timeline overlays use it.
struct Link {
  int output, input, kernel;
  friend bool operator==(const Link&, const Link&) = default;
  friend auto operator<=>(const Link&, const Link&) = default;
};

std::vector<Link> DirectFormLinks(const AxisGeometry& g) {
  std::vector<Link> links;
  for (int o = 0; o < g.output; ++o)
    for (int t = 0; t < g.taps; ++t) {
      const int i = g.InputIndex(g.TapPosition(o, t));
      if (i >= 0) links.push_back({o, i, g.KernelIndex(t)});
    }
  std::sort(links.begin(), links.end());
  return links;
}

// The same triples from the ops' own loops (conv/pool gather, transposed scatter).
std::vector<Link> BruteLinks(bool transposed, int input, int taps, int stride, int dilation,
                             const RefAxis& a) {
  std::vector<Link> links;
  for (int k = 0; k < taps; ++k) {
    if (transposed) {
      for (int i = 0; i < input; ++i) {
        const int o = i * stride - a.pad_begin + k * dilation;
        if (o >= 0 && o < a.output) links.push_back({o, i, k});
      }
    } else {
      for (int o = 0; o < a.output; ++o) {
        const int i = o * stride - a.pad_begin + k * dilation;
        if (i >= 0 && i < input) links.push_back({o, i, k});
      }
    }
  }
  std::sort(links.begin(), links.end());
  return links;
}

// Everything per axis that the engine's geometry must agree on. Returns "" or what differs.
std::string CompareAxis(const char* name, const AxisGeometry& g, bool transposed, int input, int taps,
                        int stride, int dilation, bool ceil_mode, PadMode mode, const RefAxis& a) {
  const std::string axis = std::string(name) + ": ";
  if (g.pad_begin != a.pad_begin || g.pad_end != a.pad_end)
    return axis + "padding " + std::to_string(g.pad_begin) + "+" + std::to_string(g.pad_end) +
           ", reference " + std::to_string(a.pad_begin) + "+" + std::to_string(a.pad_end);
  if (g.output != a.output) return axis + "output " + std::to_string(g.output) + ", reference " + std::to_string(a.output);
  const std::vector<int> counts = BruteReadCounts(transposed, input, taps, stride, dilation, a);
  if (g.ReadCounts() != counts) return axis + "ReadCounts differ";
  if (g.Visits() != BruteVisits(transposed, input, taps, stride, dilation, a, counts))
    return axis + "Visits differ";
  // Padded positions past the last window's last tap; 0 for transposed (nothing is dropped).
  if (!transposed && !ceil_mode) {
    const int extent = reference::ExtentOf(taps, dilation);
    const int remainder = (input + a.pad_begin + a.pad_end - extent) % stride;
    if (g.FloorRemainder() != remainder)
      return axis + "FloorRemainder " + std::to_string(g.FloorRemainder()) + ", reference " +
             std::to_string(remainder);
  }
  if (transposed && g.FloorRemainder() != 0) return axis + "transposed FloorRemainder not 0";
  if (DirectFormLinks(g) != BruteLinks(transposed, input, taps, stride, dilation, a))
    return axis + "direct form (TapPosition/InputIndex/KernelIndex) links differ";
  // The direct form's own length rule must give the same output (ceil_mode aside).
  const int extent = reference::ExtentOf(taps, dilation);
  const int lattice_span = g.LatticeLength() + g.lattice_pad_begin + g.lattice_pad_end - extent;
  if (!ceil_mode && reference::FloorDiv(lattice_span, g.step) + 1 != a.output)
    return axis + "direct-form lattice length does not give the output length";
  if (!transposed)
    for (int pos = -a.pad_begin; pos < input + a.pad_end; ++pos)
      if (g.SourceIndex(pos, mode) != reference::PadSource(pos, input, mode))
        return axis + "SourceIndex(" + std::to_string(pos) + ") differs from F.pad";
  return {};
}

std::int64_t ReferenceMacs(const Params& p, const RefPlan& plan, int channels, int height, int width) {
  const std::int64_t out_cells = static_cast<std::int64_t>(plan.y.output) * plan.x.output;
  if (reference::IsPool(p.op)) return out_cells * channels * p.window.y * p.window.x;
  const std::int64_t taps = static_cast<std::int64_t>(p.kernel.height) * p.kernel.width;
  const bool depthwise = p.kernel.rank == 2 && p.channel_mode == ChannelMode::Depthwise;
  if (p.op == Op::Transposed)  // every input pixel of every channel scatters to its outputs
    return static_cast<std::int64_t>(height) * width * channels * (depthwise ? 1 : plan.out_channels) * taps;
  return out_cells * plan.out_channels * (depthwise ? 1 : channels) * taps;
}

TEST_CASE("CPU engine and geometry agree with the reference on random parameters") {
  constexpr int kCases = 40000;
  Rng rng(20240611);
  CpuEngine engine;
  int valid = 0, invalid = 0, disagreements = 0;
  std::array<int, 4> valid_by_op{}, valid_by_mode{}, valid_by_preset{};
  int valid_rank[5] = {};
  int valid_ceil_pool = 0, valid_large_kernel = 0, valid_large_stride = 0, valid_dilated = 0;
  int valid_output_padding = 0, valid_inf = 0;
  std::map<std::string, int> invalid_by_rule;

  auto report = [&](int index, const Params& p, const Tensor3& input, const std::string& what) {
    ++disagreements;
    if (disagreements <= 12)
      FAIL_CHECK("case " << index << ": " << what << "\n  " << reference::Describe(p, input));
  };

  for (int index = 0; index < kCases; ++index) {
    Tensor3 input = testing::RandomInput(rng);
    const int channels = input.channels;
    const Params p = RandomParams(rng, channels);

    const RefPlan plan = reference::ReferenceValidity(p, input.channels, input.height, input.width);
    Expected<Geometry> geometry = ResolveGeometry(p, input.channels, input.height, input.width);
    Expected<Tensor3> got = Run(engine, p, input);
    if (geometry.ok() != got.ok()) {
      report(index, p, input, "ResolveGeometry and Run disagree on validity");
      continue;
    }
    if (!plan.invalid.empty()) {
      ++invalid;
      ++invalid_by_rule[plan.invalid];
      if (geometry.ok()) report(index, p, input, "engine accepted; reference: " + plan.invalid);
      continue;
    }
    if (!geometry.ok()) {
      report(index, p, input, "engine refused a valid case: " + geometry.error().message);
      continue;
    }
    ++valid;

    const bool transposed = p.op == Op::Transposed;
    const bool pool = reference::IsPool(p.op);
    const int taps_y = pool ? p.window.y : p.kernel.height;
    const int taps_x = pool ? p.window.x : p.kernel.width;
    const bool ceil = pool && p.ceil_mode;
    std::string why = CompareAxis("rows", geometry->y, transposed, input.height, taps_y, p.stride.y,
                                  p.dilation.y, ceil, p.pad_mode, plan.y);
    if (why.empty())
      why = CompareAxis("columns", geometry->x, transposed, input.width, taps_x, p.stride.x,
                        p.dilation.x, ceil, p.pad_mode, plan.x);
    if (why.empty() && geometry->channels.out_channels != plan.out_channels)
      why = "out_channels " + std::to_string(geometry->channels.out_channels) + ", reference " +
            std::to_string(plan.out_channels);
    if (why.empty() && geometry->macs != ReferenceMacs(p, plan, channels, input.height, input.width))
      why = "macs " + std::to_string(geometry->macs) + ", reference " +
            std::to_string(ReferenceMacs(p, plan, channels, input.height, input.width));
    const reference::RefTensor want = reference::ReferenceRun(p, input);
    if (why.empty()) why = reference::CompareWithReference(*got, want);
    if (!why.empty()) report(index, p, input, why);

    ++valid_by_op[static_cast<std::size_t>(p.op)];
    ++valid_by_mode[static_cast<std::size_t>(p.pad_mode)];
    ++valid_by_preset[static_cast<std::size_t>(p.padding.preset)];
    if (!pool) ++valid_rank[p.kernel.rank];
    if (ceil) ++valid_ceil_pool;
    if (!pool && std::max(p.kernel.height, p.kernel.width) >= 8) ++valid_large_kernel;
    if (std::max(p.stride.y, p.stride.x) >= 7) ++valid_large_stride;
    if (std::max(p.dilation.y, p.dilation.x) >= 2) ++valid_dilated;
    if (transposed && (p.output_padding.y > 0 || p.output_padding.x > 0)) ++valid_output_padding;
    for (double v : want.data)
      if (std::isinf(v)) {
        ++valid_inf;
        break;
      }
  }

  MESSAGE("random cases: " << valid << " valid, " << invalid << " invalid, " << disagreements
                           << " disagreements");
  MESSAGE("valid by op (conv, transposed, max, avg): " << valid_by_op[0] << ", " << valid_by_op[1]
          << ", " << valid_by_op[2] << ", " << valid_by_op[3] << "; by pad mode (zeros, reflect, "
          << "replicate, circular): " << valid_by_mode[0] << ", " << valid_by_mode[1] << ", "
          << valid_by_mode[2] << ", " << valid_by_mode[3] << "; by preset (explicit, valid, same, "
          << "full): " << valid_by_preset[0] << ", " << valid_by_preset[1] << ", "
          << valid_by_preset[2] << ", " << valid_by_preset[3]);
  MESSAGE("valid by kernel rank (2, 3, 4): " << valid_rank[2] << ", " << valid_rank[3] << ", "
          << valid_rank[4] << "; ceil-mode pooling " << valid_ceil_pool << "; kernel side >= 8 "
          << valid_large_kernel << "; stride >= 7 " << valid_large_stride << "; dilated "
          << valid_dilated << "; transposed with output_padding " << valid_output_padding
          << "; max pooling windows of padding only " << valid_inf);

  std::string rules;
  for (const auto& [rule, n] : invalid_by_rule) rules += "\n  " + rule + ": " + std::to_string(n);
  MESSAGE("invalid by the reference's first failing rule:" << rules);

  CHECK(disagreements == 0);
  CHECK(valid > 5000);
  CHECK(invalid > 1000);
  // Every op, pad mode and preset must really be exercised, not just generated.
  for (int n : valid_by_op) CHECK(n > 500);
  for (int n : valid_by_mode) CHECK(n > 300);
  for (int n : valid_by_preset) CHECK(n > 500);
  CHECK(valid_rank[2] > 500);
  CHECK(valid_rank[3] > 300);
  CHECK(valid_rank[4] > 300);
  CHECK(valid_ceil_pool > 300);
  CHECK(valid_large_kernel > 50);
  CHECK(valid_large_stride > 300);
  CHECK(valid_dilated > 1000);
  CHECK(valid_output_padding > 100);
}

}  // namespace
}  // namespace stridescope
