// What `stridescope bench` measures, shared by the timing (bench_command.cpp), the optional
// OpenCV peer (opencv_peer.cpp) and the report (bench_report.cpp): the cases, one row of results
// per case, and the lookups that relate rows to each other (stride 1 twin, box/dense pair).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine.h"
#include "expected.h"
#include "params.h"

namespace stridescope {

struct BenchSize {
  int width = 0;
  int height = 0;
  friend bool operator==(const BenchSize&, const BenchSize&) = default;
};

// "WxH", each side 1..kMaxSide and at most kMaxPixels in all: the limits every input obeys.
Expected<BenchSize> ParseBenchSize(const std::string& text);

// box: the preset, separable (rank 1). dense: the same box with one weight changed, so it is rank
// 2 and no engine may take a separable shortcut: the pair shows what separability is worth.
enum class KernelKind { Box, Dense };
std::string_view Name(KernelKind kind);

struct BenchCase {
  BenchSize size;
  KernelKind kind = KernelKind::Box;
  int kernel = 0;  // K: a K x K kernel
  int stride = 1;
  int dilation = 1;
  PadMode pad_mode = PadMode::Zeros;
  Params params;   // conv, depthwise, padding same
  Geometry geometry;

  double Flops() const;         // 2 per multiply-accumulate
  double Bytes() const;         // float32 input read once plus output written once
  double OutputPixels() const;  // OW x OH (each pixel has every channel)
  std::string Label() const;    // "1920x1080 box 7x7 s2 d1 zeros": for summaries and messages
};

constexpr int kBenchChannels = 3;

// The default set (DESIGN: not the full cross product): on every size, kernels 3/7/15/31 at
// strides 1/2/4 (the grid), dilation 2 at k 3 and 7, strides 1 and 2; on the first size, every
// other pad mode at k 7, strides 1 and 2. Each as box and dense. quick: kernels 3 and 7 of the
// grid only. Strides come in ascending order and box before dense, so a row's stride-1 twin and
// its box partner are always printed before it. Errors only for a size the geometry refuses.
Expected<std::vector<BenchCase>> MakeBenchCases(const std::vector<BenchSize>& sizes, bool quick);

// The deterministic pseudo-random [0, 1) input of one size, the same on every machine.
Tensor3 MakeBenchInput(BenchSize size);

// The one place the bench builds the CPU engine it times.
std::unique_ptr<CpuEngine> MakeBenchCpuEngine();

struct GpuTiming {
  double timer_ms = 0;          // median GL_TIME_ELAPSED of a dispatch, the input already uploaded
  double dispatch_wall_ms = 0;  // median wall time from Dispatch until that timer's result is known
  double compute_ms = 0;        // median wall time of a whole Compute: upload, dispatch, readback
  // llvmpipe runs a dispatch synchronously inside glDispatchCompute and its GL_TIME_ELAPSED then
  // reports about 1 ns. A real GPU needs a microsecond or more to launch any dispatch, so a timer
  // below that is not timing the compute work.
  bool TimerMeasuresCompute() const { return timer_ms >= 1e-3; }
  // What the GPU columns report: the timer when it measures compute, else the dispatch wall time
  // (an upper bound: it includes the table upload and the polling).
  double Milliseconds() const { return TimerMeasuresCompute() ? timer_ms : dispatch_wall_ms; }
};

struct PeerTiming {
  double ms = 0;                 // filter2D on every plane plus the subsample, median
  std::optional<bool> matches;   // nullopt: semantics differ, not compared
  double max_relative_error = 0; // max |peer - ours| / max |ours|, when compared
};

struct BenchRow {
  const BenchCase* bench_case = nullptr;
  std::optional<double> cpu_ms;
  std::optional<Expected<GpuTiming>> gpu;   // nullopt: the GPU is not being benchmarked
  std::optional<Expected<PeerTiming>> peer; // nullopt: OpenCV not built in; error: n/a and why
};

// The row of the same case at stride 1, and the box row a dense row pairs with; nullptr if none.
const BenchRow* FindStrideOneTwin(const std::vector<BenchRow>& rows, const BenchRow& row);
const BenchRow* FindBoxPartner(const std::vector<BenchRow>& rows, const BenchRow& row);

double Median(std::vector<double> values);

// The median of up to `repeat` wall times of run(), in ms, after one uncounted warm-up run. A run
// over a second is the last (the warm-up included, then counted): the 4K 31x31 cases would
// otherwise dominate the whole benchmark.
double MedianMilliseconds(int repeat, const std::function<void()>& run);

}  // namespace stridescope
