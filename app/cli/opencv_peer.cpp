#include "cli/opencv_peer.h"

#include <algorithm>
#include <cmath>

#include <opencv2/core.hpp>
#include <opencv2/core/version.hpp>
#include <opencv2/imgproc.hpp>

namespace stridescope {

namespace {

// filter2D has no dilation: the equivalent kernel has D-1 zeros between taps (extent E).
cv::Mat DilatedKernel(const BenchCase& c) {
  const int k = c.kernel, d = c.dilation, extent = d * (k - 1) + 1;
  cv::Mat kernel = cv::Mat::zeros(extent, extent, CV_32F);
  for (int ky = 0; ky < k; ++ky)
    for (int kx = 0; kx < k; ++kx) kernel.at<float>(ky * d, kx * d) = c.params.kernel.At(0, 0, ky, kx);
  return kernel;
}

std::optional<int> Border(PadMode mode) {
  switch (mode) {
    case PadMode::Zeros: return cv::BORDER_CONSTANT;
    case PadMode::Reflect: return cv::BORDER_REFLECT_101;  // PyTorch reflect: 2 1 | 0 1 2
    case PadMode::Replicate: return cv::BORDER_REPLICATE;
    case PadMode::Circular: return std::nullopt;
  }
  return std::nullopt;
}

// filter2D centres the kernel (anchor (E-1)/2) on every input pixel; our output o starts its window
// at o*S - pad_begin. Sampling filter2D at o*S + Offset gives exactly our output when E is odd.
// With TF-SAME and stride 1 the offset is 0; for stride > 1 SAME pads less at the top/left, so the
// offset is (E-1)/2 - pad_begin >= 0. Same cost as sampling from 0, and the outputs compare.
int Offset(const AxisGeometry& axis, int extent) { return (extent - 1) / 2 - axis.pad_begin; }

}  // namespace

std::string OpenCvVersion() { return CV_VERSION; }

Expected<PeerTiming> TimeOpenCvPeer(const BenchCase& c, const Tensor3& input, const Tensor3& ours, int repeat) {
  const std::optional<int> border = Border(c.pad_mode);
  if (!border) return Error{"n/a: filter2D has no BORDER_WRAP"};
  const cv::Mat kernel = DilatedKernel(c);
  const int extent = kernel.rows;
  const Geometry& g = c.geometry;
  const int oy = Offset(g.y, extent), ox = Offset(g.x, extent);
  const int oh = g.OutputHeight(), ow = g.OutputWidth(), s = c.stride;
  Tensor3 peer = Tensor3::Zeros(input.channels, oh, ow);
  cv::Mat full;  // the stride-1 result, reused across runs as a user's loop would
  const auto run = [&] {
    for (int ch = 0; ch < input.channels; ++ch) {
      // Wraps our planes without copying; cv::Mat wants a non-const pointer but only reads src.
      const cv::Mat src(input.height, input.width, CV_32F,
                        const_cast<float*>(input.data.data() + ch * input.PlaneSize()));
      cv::Mat dst(oh, ow, CV_32F, peer.data.data() + ch * peer.PlaneSize());
      if (s == 1 && oy == 0 && ox == 0) {
        cv::filter2D(src, dst, CV_32F, kernel, cv::Point(-1, -1), 0, *border);
        continue;
      }
      cv::filter2D(src, full, CV_32F, kernel, cv::Point(-1, -1), 0, *border);
      for (int y = 0; y < oh; ++y) {
        const float* in = full.ptr<float>(oy + y * s) + ox;
        float* out = dst.ptr<float>(y);
        for (int x = 0; x < ow; ++x) out[x] = in[x * s];
      }
    }
  };
  PeerTiming t;
  t.ms = MedianMilliseconds(repeat, run);
  // Only odd extents put filter2D's anchor on a tap of ours; the bench's kernels are all odd.
  if (extent % 2 == 1 && oy >= 0 && ox >= 0) {
    float max_ours = 0, max_diff = 0;
    for (std::size_t i = 0; i < ours.data.size(); ++i) {
      max_ours = std::max(max_ours, std::abs(ours.data[i]));
      max_diff = std::max(max_diff, std::abs(ours.data[i] - peer.data[i]));
    }
    t.max_relative_error = max_ours > 0 ? max_diff / max_ours : max_diff;
    t.matches = t.max_relative_error <= 1e-4;
  }
  return t;
}

}  // namespace stridescope
