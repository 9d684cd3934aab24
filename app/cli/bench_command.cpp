#include "cli/bench_command.h"

#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/bench_model.h"
#include "cli/bench_report.h"
#include "cli/engine_choice.h"
#include "cli/exit_codes.h"
#include "cli/opencv_peer.h"
#include "cli/roofline.h"

namespace stridescope {

namespace {

// A GL_TIME_ELAPSED result arrives once the GPU has finished; this only guards against a driver
// that never reports one (llvmpipe needs a few seconds for the largest case on two cores).
constexpr auto kGpuTimerTimeout = std::chrono::seconds(120);

using Clock = std::chrono::steady_clock;

int Fail(std::ostream& err, const std::string& message) {
  err << "stridescope bench: " << message << "\n";
  return kExitInvalid;
}

double Milliseconds(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Also returns the output, which the OpenCV peer is checked against.
// Each run computes into the previous run's output, as OpenCV's peer writes into its previous
// result: a loop over frames reuses its buffers, and both sides then pay for mapping fresh memory
// once, not per run.
double TimeCpu(CpuEngine& cpu, const BenchCase& c, const Tensor3& input, int repeat, Tensor3* output) {
  return MedianMilliseconds(repeat, [&] { cpu.ComputeInto(c.params, c.geometry, input, *output); });
}

// Waits for the timer of the last Dispatch. LastGpuMilliseconds polls without stalling, so a
// short sleep between polls keeps this thread from competing with llvmpipe's worker threads.
Expected<double> WaitGpuMilliseconds(GpuEngine& gpu) {
  const Clock::time_point deadline = Clock::now() + kGpuTimerTimeout;
  while (true) {
    const double ms = gpu.LastGpuMilliseconds();
    if (ms >= 0) return ms;
    if (Clock::now() > deadline)
      return Error{"the GPU timer gave no result within " + std::to_string(kGpuTimerTimeout.count()) + " s"};
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

Expected<GpuTiming> TimeGpu(GpuEngine& gpu, const BenchCase& c, const Tensor3& input, int repeat) {
  if (Status fits = gpu.CanCompute(c.geometry, input); !fits) return fits.error();
  // Upload once per case; this first dispatch also warms up the driver and is not counted.
  gpu.Dispatch(c.params, c.geometry, input, /*input_changed=*/true);
  if (Expected<double> warm = WaitGpuMilliseconds(gpu); !warm) return warm.error();
  std::vector<double> timer_ms, wall_ms;
  for (int i = 0; i < repeat; ++i) {
    const Clock::time_point start = Clock::now();
    gpu.Dispatch(c.params, c.geometry, input, /*input_changed=*/false);
    Expected<double> ms = WaitGpuMilliseconds(gpu);
    if (!ms) return ms.error();
    wall_ms.push_back(Milliseconds(start));
    timer_ms.push_back(*ms);
  }
  const double compute_ms = MedianMilliseconds(repeat, [&] { gpu.Compute(c.params, c.geometry, input); });
  return GpuTiming{Median(timer_ms), Median(wall_ms), compute_ms};
}

std::vector<BenchSize> Sizes(const BenchOptions& o, const std::optional<BenchSize>& size) {
  if (size) return {*size};
  if (o.quick) return {{480, 270}};
  return {{1920, 1080}, {3840, 2160}};
}

}  // namespace

CLI::App* AddBenchCommand(CLI::App& app, BenchOptions& o) {
  CLI::App* bench = app.add_subcommand(
      "bench", "Time the CPU engine (and the GPU, and OpenCV's filter2D when built in) on depthwise strided "
               "convolutions of a 3-channel pseudo-random image, against the machine's measured roofline");
  bench->add_flag("--json", o.json, "Print one JSON object with the machine, every row and the targets");
  bench->add_option("--engine", o.engine, "cpu|gpu|both (default both)")
      ->check(CLI::IsMember({"cpu", "gpu", "both"}));
  bench->add_option("--size", o.size, "Only this input WIDTHxHEIGHT (default 1920x1080 and 3840x2160; 480x270 with --quick)");
  bench->add_option("--repeat", o.repeat,
                    "Timings per engine and case; the median is reported, one only for cases over 1 s (default 3)")
      ->check(CLI::Range(1, 1000));
  bench->add_flag("--quick", o.quick, "A smoke run: 480x270 input (unless --size), kernels 3 and 7, no extra cases");
  bench->footer(
      "Cases: box and dense kernels 3, 7, 15, 31 at strides 1, 2, 4, padding same; dilation 2 at k 3 and 7; "
      "reflect, replicate and circular padding at k 7 on the first size.\n"
      "CPU: wall time of CpuEngine::ComputeInto, reusing its previous output as OpenCV reuses its own. GPU: GL_TIME_ELAPSED of a dispatch with the input already "
      "uploaded (its wall time where the driver does not time compute, as llvmpipe), and the wall time of a "
      "whole Compute (upload, dispatch, readback).\n"
      "When the GPU cannot start, --engine both benchmarks the CPU and says why; --engine gpu exits 2.");
  return bench;
}

int RunBench(const BenchOptions& o, std::ostream& out, std::ostream& err) {
  std::optional<BenchSize> only_size;
  if (!o.size.empty()) {
    Expected<BenchSize> size = ParseBenchSize(o.size);
    if (!size) return Fail(err, size.error().message);
    only_size = *size;
  }
  const std::vector<BenchSize> sizes = Sizes(o, only_size);
  const Expected<std::vector<BenchCase>> cases = MakeBenchCases(sizes, o.quick);
  if (!cases) return Fail(err, cases.error().message);

  BenchMachine machine;
  machine.cpu = CpuModelName();
  std::optional<HeadlessGpu> gpu;
  if (o.engine != "cpu") {
    Expected<HeadlessGpu> created = CreateHeadlessGpu();
    if (!created && o.engine == "gpu") return Fail(err, "--engine gpu: " + created.error().message);
    if (created) {
      machine.renderer = created->context->renderer();
      gpu = std::move(*created);
    } else {
      machine.gpu_note = created.error().message;
    }
  }
#ifdef STRIDESCOPE_HAVE_OPENCV
  machine.opencv = OpenCvVersion();
#endif
  // Measured before any case, on an otherwise idle machine, so every row is judged by one roofline.
  machine.roofline = MeasureRoofline();

  std::optional<BenchTable> table;
  if (!o.json) table.emplace(out, machine, o.repeat);
  std::unique_ptr<CpuEngine> cpu = MakeBenchCpuEngine();
  std::vector<BenchRow> rows;
  rows.reserve(cases->size());
  Tensor3 input;
  for (const BenchCase& c : *cases) {
    if (input.width != c.size.width || input.height != c.size.height) input = MakeBenchInput(c.size);
    BenchRow& row = rows.emplace_back();
    row.bench_case = &c;
    if (o.engine != "gpu") {
      Tensor3 ours;
      row.cpu_ms = TimeCpu(*cpu, c, input, o.repeat, &ours);
#ifdef STRIDESCOPE_HAVE_OPENCV
      row.peer = TimeOpenCvPeer(c, input, ours, o.repeat);
#endif
    }
    if (gpu) row.gpu = TimeGpu(*gpu->engine, c, input, o.repeat);
    if (table) table->PrintLast(rows);
  }
  if (table)
    table->Finish(rows);
  else
    out << BenchJson(machine, o.repeat, sizes, rows).dump() << "\n";
  return 0;
}

}  // namespace stridescope
