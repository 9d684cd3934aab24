// The whole command line: the window (default) and the `conv` and `bench` subcommands.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "cli/bench_command.h"
#include "cli/conv_command.h"
#include "gui/gui_main.h"

namespace stridescope {

// What the command line asks for: exactly one of the four is set.
struct Command {
  std::optional<int> exit_code;   // help, version or an invalid argument: already printed
  std::optional<ConvOptions> conv;
  std::optional<BenchOptions> bench;
  std::optional<GuiOptions> gui;
};

// Parses args (args[0] is the program name). Help goes to out; errors go to err as one line and
// give exit code 2. Nothing opens a window or touches files except kernel .npy loading.
Command ParseCommandLine(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace stridescope
