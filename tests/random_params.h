// Random parameter combinations shared by the randomised tests (CPU against the reference, GPU
// against the CPU): every op, pad mode, preset, kernel rank and channel layout, including values
// just past each limit, so that invalid combinations are exercised too.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

#include "params.h"

namespace stridescope::testing {

// splitmix64: std's distributions are implementation-defined, so they would give different
// cases on different standard libraries; this does not.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int Int(int lo, int hi) { return lo + static_cast<int>(Next() % static_cast<std::uint64_t>(hi - lo + 1)); }
  bool Chance(int percent) { return Int(1, 100) <= percent; }
  float Value() { return static_cast<float>(static_cast<double>(Next() >> 11) * 0x1.0p-53 * 2.0 - 1.0); }

 private:
  std::uint64_t state_;
};

inline int SmallStride(Rng& rng) { return rng.Chance(5) ? rng.Int(7, 64) : rng.Int(1, 6); }
inline int SmallDilation(Rng& rng) {
  if (rng.Chance(3)) return rng.Int(5, 17);  // 17 is one past the limit
  return rng.Chance(50) ? 1 : rng.Int(2, 4);
}
inline int SmallTaps(Rng& rng) {
  if (rng.Chance(4)) return rng.Int(8, 32);  // 32 is one past the limit
  return rng.Int(1, 7);
}
inline int SmallPad(Rng& rng) {
  if (rng.Chance(5)) return rng.Int(5, 13);
  return rng.Int(0, 4);
}

inline Params RandomParams(Rng& rng, int channels) {
  Params p;
  p.op = static_cast<Op>(rng.Int(0, 3));
  const bool pool = p.op == Op::MaxPool || p.op == Op::AvgPool;
  // Pooling and transposed take zeros only and transposed no same/full: lean towards what they
  // accept so that they get as many valid cases as conv, but keep some of the rest.
  const bool zeros_only = pool || p.op == Op::Transposed;
  p.pad_mode = rng.Chance(zeros_only ? 88 : 40) ? PadMode::Zeros : static_cast<PadMode>(rng.Int(1, 3));
  p.padding.preset = static_cast<PadPreset>(rng.Int(0, 3));
  if (p.op == Op::Transposed && rng.Chance(80)) p.padding.preset = static_cast<PadPreset>(rng.Int(0, 1));
  p.window = {SmallTaps(rng), SmallTaps(rng)};
  // Explicit numbers are set for every preset: a preset must ignore them. Pooling mostly gets
  // what PyTorch allows (at most half the window).
  auto pad_for = [&](int window) {
    return pool && rng.Chance(80) ? rng.Int(0, std::max(0, window / 2)) : SmallPad(rng);
  };
  p.padding.top = pad_for(p.window.y);
  p.padding.bottom = rng.Chance(60) ? p.padding.top : pad_for(p.window.y);
  p.padding.left = pad_for(p.window.x);
  p.padding.right = rng.Chance(60) ? p.padding.left : pad_for(p.window.x);
  p.stride = {SmallStride(rng), SmallStride(rng)};
  p.dilation = {SmallDilation(rng), SmallDilation(rng)};
  if (p.op == Op::AvgPool && rng.Chance(85)) p.dilation = {1, 1};

  Kernel& k = p.kernel;
  k.height = SmallTaps(rng);
  k.width = SmallTaps(rng);
  if (k.height * k.width > 100 && rng.Chance(70)) k.height = k.width = rng.Int(1, 5);
  switch (rng.Int(0, 3)) {
    case 0:
    case 1:
      k.rank = 2;
      break;
    case 2:
      k.rank = 3;
      k.channels = rng.Chance(90) ? channels : rng.Int(1, 3);
      break;
    default:
      k.rank = 4;
      // conv reads (F, C); transposed reads (C_in, C_out): the image must match the "in" one.
      if (p.op == Op::Transposed) {
        k.filters = rng.Chance(90) ? channels : rng.Int(1, 3);
        k.channels = rng.Int(1, 3);
      } else {
        k.filters = rng.Int(1, 3);
        k.channels = rng.Chance(90) ? channels : rng.Int(1, 3);
      }
      break;
  }
  k.weights.resize(static_cast<std::size_t>(k.filters) * k.channels * k.height * k.width);
  for (float& w : k.weights) w = rng.Value();
  if (rng.Chance(2)) k.weights[rng.Next() % k.weights.size()] = std::numeric_limits<float>::quiet_NaN();

  p.channel_mode = rng.Chance(50) ? ChannelMode::Depthwise : ChannelMode::Sum;
  p.bias = rng.Chance(50) ? 0.0f : rng.Value() * 2.0f;
  // Fields for other ops are randomised too: params.h says they only apply to their op.
  const int op_bound_y = std::max(p.stride.y, p.dilation.y);
  const int op_bound_x = std::max(p.stride.x, p.dilation.x);
  p.output_padding = {rng.Chance(60) ? 0 : rng.Int(0, std::min(op_bound_y, 8)),
                      rng.Chance(60) ? 0 : rng.Int(0, std::min(op_bound_x, 8))};
  p.ceil_mode = rng.Chance(50);
  p.count_include_pad = rng.Chance(50);
  return p;
}

// A small random input: 1-3 channels, 1-12 pixels per side, values in [-1, 1).
inline Tensor3 RandomInput(Rng& rng) {
  const int channels = rng.Int(1, 3);
  // One expression, as the tests always drew it, so the same seed gives the same cases.
  Tensor3 input = Tensor3::Zeros(channels, rng.Int(1, 12), rng.Int(1, 12));
  for (float& v : input.data) v = rng.Value();
  return input;
}

}  // namespace stridescope::testing
