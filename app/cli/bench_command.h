// `stridescope bench`: times the CPU and GPU engines on the same strided convolutions, so the
// numbers in DESIGN.md's performance notes can be re-measured on any machine.
#pragma once

#include <iosfwd>
#include <string>

#include <CLI/CLI.hpp>

namespace stridescope {

struct BenchOptions {
  bool json = false;
  std::string engine = "both";  // cpu|gpu|both
  std::string size;             // "WxH"; empty: 1920x1080, or 480x270 with --quick
  int repeat = 3;               // timings per engine and case; the median is reported
  bool quick = false;           // small input and kernels 3 and 7 only: a smoke run for CI
};

// Registers the `bench` subcommand on app; options land in `options`.
CLI::App* AddBenchCommand(CLI::App& app, BenchOptions& options);

// Runs it and prints a table (or one JSON object with --json). 0 on success; 2 with one line on
// err for an invalid --size, or when --engine gpu was asked for and the GPU cannot start.
int RunBench(const BenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace stridescope
