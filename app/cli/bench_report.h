// How `stridescope bench` reports: a text table printed a row at a time (the full run takes
// minutes), or one JSON document; both end with the targets of the performance issue, each
// evaluated PASS/MISS from the rows of this one run.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "cli/bench_model.h"
#include "cli/roofline.h"

namespace stridescope {

struct BenchMachine {
  std::string cpu;       // /proc/cpuinfo's model name
  std::string renderer;  // GL_RENDERER, or empty when the GPU is not benchmarked
  std::string gpu_note;  // why the GPU is not benchmarked, when --engine both could not start it
  std::string opencv;    // the peer's version, or empty when OpenCV is not built in
  Roofline roofline;
};

std::string CpuModelName();

// One issue target over the rows: holds when every case it applies to meets it (worst case shown).
struct TargetResult {
  std::string target;   // what the issue asks, in words
  bool evaluated = false;  // false: no row this run applies (e.g. OpenCV not built in, --quick)
  bool pass = false;
  std::string figures;  // the worst case and its numbers, or why it was not evaluated
};
std::vector<TargetResult> EvaluateTargets(const std::vector<BenchRow>& rows, const Roofline& roofline);

class BenchTable {
 public:
  BenchTable(std::ostream& out, const BenchMachine& machine, int repeat);
  // rows: every row so far, the last one is printed (its stride-1 twin and box partner precede it).
  void PrintLast(const std::vector<BenchRow>& rows);
  void Finish(const std::vector<BenchRow>& rows);

 private:
  void Columns(const std::vector<std::string>& cells);

  std::ostream& out_;
  const BenchMachine& machine_;
  bool gpu_columns_;
  bool any_wall_ = false;
};

nlohmann::json BenchJson(const BenchMachine& machine, int repeat, const std::vector<BenchSize>& sizes,
                         const std::vector<BenchRow>& rows);

}  // namespace stridescope
