// The parameter flags shared by `stridescope conv` and the window (--kernel --op --stride ...).
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "expected.h"
#include "params.h"

namespace stridescope {

// Raw flag text as typed; parsed by BuildParams so each problem gets a message in the user's terms.
struct ParamFlags {
  std::optional<std::string> kernel, op, window, stride, dilation, padding, pad_mode, bias,
      channels, output_padding;
  bool ceil_mode = false;
  // CLI11 counts --count-include-pad as +1 and --no-count-include-pad as -1; 0: not given.
  int count_include_pad = 0;
  std::string engine = "auto";  // cpu|gpu|auto, checked by CLI11; cli/engine_choice.h acts on it

  bool AnyGiven() const;
};

// Registers the flags on app, writing into flags (which must outlive app's parse).
void AddParamOptions(CLI::App& app, ParamFlags& flags);

// Applies the given flags over `defaults`. Errors name the flag and the expected form.
// Pooling without --stride uses the window as stride, as PyTorch's max_pool2d does.
Expected<Params> BuildParams(const ParamFlags& flags, const Params& defaults);

}  // namespace stridescope
