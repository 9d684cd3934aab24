// Built-in sample inputs, generated procedurally by this project (nothing downloaded).
#pragma once

#include <string_view>
#include <vector>

#include "expected.h"
#include "tensor.h"

namespace stridescope {

struct SampleInfo {
  std::string_view name;     // "scene", "grid5" ...
  std::string_view summary;  // one line for --help and the UI
};
const std::vector<SampleInfo>& Samples();

// The named sample; an Error lists the valid names.
Expected<Tensor3> MakeSample(std::string_view name);

// The "scene" landscape at width x height (RGB, [0,1]), for benchmarks at photo sizes such as
// 3840 x 2160. Both sides at least 1; the caller keeps within limits::kMaxPixels.
Tensor3 MakeScene(int width, int height);

}  // namespace stridescope
