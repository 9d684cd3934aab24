// stridescope: parse the command line, then run a headless command (`conv`, `bench`) or open the
// window.
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "cli/command_line.h"
#include "gui/gui_main.h"

int main(int argc, char** argv) {
  const auto started_at = std::chrono::steady_clock::now();
  const std::vector<std::string> args(argv, argv + argc);
  stridescope::Command command = stridescope::ParseCommandLine(args, std::cout, std::cerr);
  if (command.exit_code) return *command.exit_code;
  if (command.conv) return stridescope::RunConv(*command.conv, std::cout, std::cerr);
  if (command.bench) return stridescope::RunBench(*command.bench, std::cout, std::cerr);
  command.gui->started_at = started_at;
  return stridescope::RunGui(*command.gui);
}
