// Numbers as the panels print them, so the controls and the cost line agree.
#pragma once

#include <cstdint>
#include <string>

namespace stridescope {

// 1234567 -> "1,234,567": MAC counts run into the billions. count >= 0.
std::string WithThousands(std::int64_t count);

// "0.42 ms"; "< 0.01 ms" below that (a reading of ~0, as llvmpipe's compute timer gives, must not
// look free); "-" for a negative value: not measured yet.
std::string Milliseconds(double ms);

}  // namespace stridescope
