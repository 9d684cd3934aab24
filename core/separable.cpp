// Rank-1 detection (see separable.h for why it is a file of its own and why the tolerance holds).
#include "separable.h"

#include <cfloat>
#include <cmath>
#include <cstddef>

namespace stridescope {

std::optional<RankOneFactors> FactorRankOne(const float* w, int kh, int kw) {
  // The largest tap is the pivot: dividing by it keeps the derived factors as exact as floats allow.
  int pi = 0, pj = 0;
  float largest = 0.0f;
  for (int i = 0; i < kh; ++i)
    for (int j = 0; j < kw; ++j) {
      const float v = w[static_cast<std::size_t>(i) * kw + j];
      if (!std::isfinite(v)) return std::nullopt;
      if (std::abs(v) > largest) {
        largest = std::abs(v);
        pi = i;
        pj = j;
      }
    }
  RankOneFactors f;
  f.column.resize(static_cast<std::size_t>(kh));
  f.row.resize(static_cast<std::size_t>(kw));
  if (largest == 0.0f) return f;  // all zeros: u = v = 0 reproduces it exactly
  const float pivot = w[static_cast<std::size_t>(pi) * kw + pj];
  for (int i = 0; i < kh; ++i) f.column[static_cast<std::size_t>(i)] = w[static_cast<std::size_t>(i) * kw + pj];
  for (int j = 0; j < kw; ++j) f.row[static_cast<std::size_t>(j)] = w[static_cast<std::size_t>(pi) * kw + j] / pivot;
  for (int i = 0; i < kh; ++i)
    for (int j = 0; j < kw; ++j) {
      const float want = w[static_cast<std::size_t>(i) * kw + j];
      const float got = f.column[static_cast<std::size_t>(i)] * f.row[static_cast<std::size_t>(j)];
      if (want == 0.0f ? got != 0.0f : std::abs(got - want) > kRankOneUlps * FLT_EPSILON * std::abs(want))
        return std::nullopt;
    }
  return f;
}

}  // namespace stridescope
