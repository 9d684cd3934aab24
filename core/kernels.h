// Kernel presets and the text forms users type for a kernel.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "expected.h"
#include "tensor.h"

namespace stridescope {

struct KernelPreset {
  std::string_view name;        // "gaussian"
  std::string_view summary;     // one line for --help and the UI
  int default_size;             // size when none is given
  bool sizable;                 // false: fixed size (e.g. sobel-x is 3x3)
};
const std::vector<KernelPreset>& KernelPresets();

// A preset by name; size 0 means its default. Sizable presets accept 1..31, even sizes too.
Expected<Kernel> MakePresetKernel(std::string_view name, int size = 0);

// Inline rows: "1,0,-1;2,0,-2;1,0,-1" (rows split by ';', values by ',', spaces ignored).
Expected<Kernel> ParseKernelRows(std::string_view text);

// What --kernel accepts: "NAME", "NAME:SIZE", inline rows, or a path to a .npy file shaped
// (KH,KW), (C,KH,KW) or (F,C,KH,KW).
Expected<Kernel> ParseKernelArgument(std::string_view text);

// Checks sizes (1..31 per side, channel limits) and that every weight is finite.
Status ValidateKernel(const Kernel& kernel);

}  // namespace stridescope
