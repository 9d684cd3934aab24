// `stridescope bench`: times the CPU engine (and the GPU engine, and OpenCV's filter2D when built
// in) on the same strided convolutions and judges them against the machine's roofline, measured
// in the same run, so the performance targets can be re-checked on any machine.
#pragma once

#include <iosfwd>
#include <string>

#include <CLI/CLI.hpp>

namespace stridescope {

struct BenchOptions {
  bool json = false;
  std::string engine = "both";  // cpu|gpu|both
  std::string size;             // "WxH": only this size; empty: 1920x1080 and 3840x2160, or 480x270 with --quick
  int repeat = 3;               // timings per engine and case; the median is reported (1 when over 1 s)
  bool quick = false;           // small input, kernels 3 and 7 of the grid only: a smoke run for CI
};

// Registers the `bench` subcommand on app; options land in `options`.
CLI::App* AddBenchCommand(CLI::App& app, BenchOptions& options);

// Runs it and prints a table (or one JSON object with --json). 0 on success; 2 with one line on
// err for an invalid --size, or when --engine gpu was asked for and the GPU cannot start.
int RunBench(const BenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace stridescope
