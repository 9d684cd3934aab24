// Rank-1 detection for 2-D kernels. A separable (rank-1) KH x KW kernel w = u v^T turns one 2-D
// correlation (KH*KW taps per output) into a vertical and a horizontal 1-D pass (KH + KW taps),
// which is what makes box and Gaussian blurs cheap at 15x15 and beyond. Kept apart from the
// engine so the test can probe the detector directly with near-rank-1 kernels.
#pragma once

#include <optional>
#include <vector>

namespace stridescope {

// w[i*kw + j] == column[i] * row[j] for every tap.
struct RankOneFactors {
  std::vector<float> column;  // u: KH values, the vertical pass
  std::vector<float> row;     // v: KW values, the horizontal pass
};

// Factors a row-major kh x kw kernel, or nullopt when it is not rank 1 (or holds a non-finite
// value). Exact zeros must be reproduced exactly; any other tap may differ from u[i]*v[j] by at
// most kRankOneUlps float epsilons relative to itself: the rounding of building u and v from w
// (one division, one product), which is the same size as the rounding float weights already
// carry, so the two-pass result stays within the direct path's own float error.
inline constexpr float kRankOneUlps = 4.0f;
std::optional<RankOneFactors> FactorRankOne(const float* w, int kh, int kw);

}  // namespace stridescope
