// `stridescope conv`: the headless command that tools outside the project rely on exactly.
#pragma once

#include <iosfwd>
#include <string>

#include "cli/param_options.h"

namespace stridescope {

struct ConvOptions {
  std::string input_path;
  std::string output_path;
  bool json = false;
  ParamFlags flags;
};

// Registers the `conv` subcommand on app; options land in `options`.
CLI::App* AddConvCommand(CLI::App& app, ConvOptions& options);

// Runs it. 0 on success; 2 with one line on err for any invalid argument, input or output.
int RunConv(const ConvOptions& options, std::ostream& out, std::ostream& err);

}  // namespace stridescope
