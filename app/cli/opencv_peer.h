// The peer `stridescope bench` compares against: OpenCV's filter2D per channel plane, then a
// subsample for stride > 1, as a user without a strided convolution would write it. Compiled only
// when CMake finds OpenCV (STRIDESCOPE_HAVE_OPENCV); the bench builds and runs without it.
#pragma once

#include <string>

#include "cli/bench_model.h"

namespace stridescope {

#ifdef STRIDESCOPE_HAVE_OPENCV
// "4.6.0": the OpenCV the peer was built against.
std::string OpenCvVersion();

// Times the peer on one case (median of `repeat`, like ours) and compares its output with ours
// where the semantics agree. An error, with the reason, when filter2D cannot express the case
// (circular padding: filter2D refuses BORDER_WRAP).
Expected<PeerTiming> TimeOpenCvPeer(const BenchCase& c, const Tensor3& input, const Tensor3& ours, int repeat);
#endif

}  // namespace stridescope
