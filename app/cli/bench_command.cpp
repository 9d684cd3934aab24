#include "cli/bench_command.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <optional>
#include <ostream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/engine_choice.h"
#include "kernels.h"

#include "cli/exit_codes.h"

namespace stridescope {

namespace {

constexpr int kChannels = 3;
constexpr int kFullKernels[] = {3, 7, 15};
constexpr int kQuickKernels[] = {3, 7};
constexpr int kStrides[] = {1, 2, 4};
// A GL_TIME_ELAPSED result arrives once the GPU has finished; this only guards against a driver
// that never reports one (llvmpipe needs a few seconds for the largest case on two cores).
constexpr auto kGpuTimerTimeout = std::chrono::seconds(120);

using Clock = std::chrono::steady_clock;

int Fail(std::ostream& err, const std::string& message) {
  err << "stridescope bench: " << message << "\n";
  return kExitInvalid;
}

struct BenchSize {
  int width = 0;
  int height = 0;
};

// "WxH", each side 1..kMaxSide and at most kMaxPixels in all: the limits every input obeys.
Expected<BenchSize> ParseSize(const std::string& text) {
  const Error error{"--size '" + text + "': expected WIDTHxHEIGHT such as 1920x1080, each side 1 to " +
                    std::to_string(limits::kMaxSide) + ", at most " +
                    std::to_string(limits::kMaxPixels >> 20) + " Mpixel"};
  const std::size_t x = text.find('x');
  if (x == std::string::npos) return error;
  BenchSize size;
  const char* end = text.data() + text.size();
  const auto [w_end, w_ec] = std::from_chars(text.data(), text.data() + x, size.width);
  const auto [h_end, h_ec] = std::from_chars(text.data() + x + 1, end, size.height);
  if (w_ec != std::errc() || w_end != text.data() + x || h_ec != std::errc() || h_end != end) return error;
  if (size.width < 1 || size.height < 1 || size.width > limits::kMaxSide || size.height > limits::kMaxSide ||
      static_cast<long long>(size.width) * size.height > limits::kMaxPixels)
    return error;
  return size;
}

// Uniform in [0, 1) from a fixed xorshift sequence: the same input on every machine and run,
// without depending on the standard library's distributions (which differ between vendors).
Tensor3 PseudoRandomImage(int channels, int height, int width) {
  Tensor3 image = Tensor3::Zeros(channels, height, width);
  std::uint32_t state = 0x9E3779B9u;
  for (float& v : image.data) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    v = static_cast<float>(state >> 8) * (1.0f / 16777216.0f);
  }
  return image;
}

std::string CpuModel() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) != 0) continue;
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos && colon + 2 <= line.size()) return line.substr(colon + 2);
  }
  return "unknown CPU";
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double Milliseconds(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// 2 FLOPs per multiply-accumulate.
double Gflops(std::int64_t macs, double ms) { return 2.0 * static_cast<double>(macs) / (ms * 1e6); }

struct Case {
  int kernel = 0;
  int stride = 0;
  Params params;
  Geometry geometry;
};

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

struct Row {
  const Case* bench_case = nullptr;
  std::optional<double> cpu_ms;
  std::optional<Expected<GpuTiming>> gpu;  // nullopt: the GPU is not being benchmarked
};

double TimeCpu(const Case& c, const Tensor3& input, int repeat) {
  CpuEngine cpu;
  std::vector<double> ms;
  for (int i = 0; i < repeat; ++i) {
    const Clock::time_point start = Clock::now();
    cpu.Compute(c.params, c.geometry, input);
    ms.push_back(Milliseconds(start));
  }
  return Median(ms);
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

Expected<GpuTiming> TimeGpu(GpuEngine& gpu, const Case& c, const Tensor3& input, int repeat) {
  if (Status fits = gpu.CanCompute(c.geometry, input); !fits) return fits.error();
  // Upload once per case; this first dispatch also warms up the driver and is not counted.
  gpu.Dispatch(c.params, c.geometry, input, /*input_changed=*/true);
  if (Expected<double> warm = WaitGpuMilliseconds(gpu); !warm) return warm.error();
  std::vector<double> timer_ms, wall_ms, compute_ms;
  for (int i = 0; i < repeat; ++i) {
    const Clock::time_point start = Clock::now();
    gpu.Dispatch(c.params, c.geometry, input, /*input_changed=*/false);
    Expected<double> ms = WaitGpuMilliseconds(gpu);
    if (!ms) return ms.error();
    wall_ms.push_back(Milliseconds(start));
    timer_ms.push_back(*ms);
  }
  for (int i = 0; i < repeat; ++i) {
    const Clock::time_point start = Clock::now();
    gpu.Compute(c.params, c.geometry, input);
    compute_ms.push_back(Milliseconds(start));
  }
  return GpuTiming{Median(timer_ms), Median(wall_ms), Median(compute_ms)};
}

// Errors only for a --size the geometry refuses; the fixed kernels and strides always fit.
Expected<std::vector<Case>> MakeCases(bool quick, const Tensor3& input) {
  std::vector<int> kernels(std::begin(kFullKernels), std::end(kFullKernels));
  if (quick) kernels.assign(std::begin(kQuickKernels), std::end(kQuickKernels));
  std::vector<Case> cases;
  for (int k : kernels) {
    for (int s : kStrides) {
      Case c{k, s, {}, {}};
      Expected<Kernel> box = MakePresetKernel("box", k);
      if (!box) return box.error();
      c.params.kernel = std::move(*box);
      c.params.stride = {s, s};
      c.params.padding.preset = PadPreset::Same;
      Expected<Geometry> g = ResolveGeometry(c.params, input.channels, input.height, input.width);
      if (!g) return g.error();
      c.geometry = std::move(*g);
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

struct Machine {
  std::string renderer;  // GL_RENDERER, or empty when the GPU is not benchmarked
  std::string gpu_note;  // why the GPU is not benchmarked, when --engine both could not start it
  std::string cpu = CpuModel();
  unsigned threads = std::thread::hardware_concurrency();
};

void PrintJson(std::ostream& out, const Machine& m, const Tensor3& input, int repeat, const std::vector<Row>& rows) {
  nlohmann::json json_rows = nlohmann::json::array();
  for (const Row& r : rows) {
    const Geometry& g = r.bench_case->geometry;
    nlohmann::json row = {{"kernel", r.bench_case->kernel},
                          {"stride", r.bench_case->stride},
                          {"output", {g.OutputHeight(), g.OutputWidth(), g.channels.out_channels}},
                          {"macs", g.macs}};
    if (r.cpu_ms) row["cpu"] = {{"ms", *r.cpu_ms}, {"gflops", Gflops(g.macs, *r.cpu_ms)}};
    if (r.gpu && r.gpu->ok()) {
      const GpuTiming& t = r.gpu->value();
      row["gpu"] = {{"ms", t.Milliseconds()},
                    {"gflops", Gflops(g.macs, t.Milliseconds())},
                    {"timed_by", t.TimerMeasuresCompute() ? "timer" : "wall"},
                    {"timer_ms", t.timer_ms},
                    {"dispatch_wall_ms", t.dispatch_wall_ms},
                    {"compute_ms", t.compute_ms}};
      if (r.cpu_ms) row["gpu_over_cpu"] = *r.cpu_ms / t.Milliseconds();
    } else if (r.gpu) {
      row["gpu_skipped"] = r.gpu->error().message;
    }
    json_rows.push_back(std::move(row));
  }
  nlohmann::json line = {
      {"input", {input.height, input.width, input.channels}},
      {"repeat", repeat},
      {"machine", {{"gl_renderer", m.renderer}, {"cpu", m.cpu}, {"threads", m.threads}}},
      {"rows", std::move(json_rows)},
  };
  if (!m.gpu_note.empty()) line["gpu_note"] = m.gpu_note;
  out << line.dump() << "\n";
}

// The text table, printed a row at a time: the full run takes minutes on llvmpipe.
class TablePrinter {
 public:
  TablePrinter(std::ostream& out, const Machine& m, const Tensor3& input, int repeat) : out_(out) {
    out_ << "stridescope bench: conv, box kernels, depthwise, padding same, " << input.width << "x" << input.height
         << "x" << input.channels << " float input, median of " << repeat << "\n";
    out_ << "CPU: " << m.cpu << ", " << m.threads << " hardware threads\n";
    out_ << "GPU: " << (m.renderer.empty() ? "not benchmarked" : m.renderer)
         << (m.gpu_note.empty() ? "" : " (" + m.gpu_note + ")") << "\n\n";
    Line("kernel", "stride", "output", "MMAC", "cpu ms", "GFLOP/s", "gpu ms", "GFLOP/s", "full ms", "gpu/cpu");
  }

  void Print(const Row& r) {
    const Geometry& g = r.bench_case->geometry;
    const std::string kernel = std::to_string(r.bench_case->kernel) + "x" + std::to_string(r.bench_case->kernel);
    std::string cpu = "-", cpu_rate = "-", gpu = "-", gpu_rate = "-", full = "-", ratio = "-";
    if (r.cpu_ms) {
      cpu = Fixed(*r.cpu_ms);
      cpu_rate = Fixed(Gflops(g.macs, *r.cpu_ms));
    }
    if (r.gpu && r.gpu->ok()) {
      const GpuTiming& t = r.gpu->value();
      any_gpu_ = true;
      any_wall_ = any_wall_ || !t.TimerMeasuresCompute();
      gpu = Fixed(t.Milliseconds()) + (t.TimerMeasuresCompute() ? "" : "*");
      gpu_rate = Fixed(Gflops(g.macs, t.Milliseconds()));
      full = Fixed(t.compute_ms);
      if (r.cpu_ms) ratio = Fixed(*r.cpu_ms / t.Milliseconds()) + "x";
    } else if (r.gpu) {
      gpu = "skipped";
      skipped_.push_back(kernel + " stride " + std::to_string(r.bench_case->stride) + ": " + r.gpu->error().message);
    }
    Line(kernel, std::to_string(r.bench_case->stride),
         std::to_string(g.OutputWidth()) + "x" + std::to_string(g.OutputHeight()),
         Fixed(static_cast<double>(g.macs) * 1e-6, 1), cpu, cpu_rate, gpu, gpu_rate, full, ratio);
  }

  void Finish() {
    if (any_gpu_)
      out_ << "\ngpu ms: GPU time of one dispatch (GL_TIME_ELAPSED), input already on the GPU; full ms: a whole\n"
              "GPU Compute (upload, dispatch, readback); gpu/cpu: cpu ms / gpu ms; GFLOP/s = 2 x MACs / time.\n";
    if (any_wall_)
      out_ << "*: wall time from Dispatch until done, because this driver's GL_TIME_ELAPSED does not time\n"
              "compute dispatches (llvmpipe runs them on the CPU inside glDispatchCompute and reports ~0).\n";
    for (const std::string& s : skipped_) out_ << "GPU skipped " << s << "\n";
  }

 private:
  static std::string Fixed(double v, int decimals = 2) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", decimals, v);
    return text;
  }
  void Line(const std::string& kernel, const std::string& stride, const std::string& output, const std::string& mmac,
            const std::string& cpu, const std::string& cpu_rate, const std::string& gpu, const std::string& gpu_rate,
            const std::string& full, const std::string& ratio) {
    char line[256];
    std::snprintf(line, sizeof line, "%-7s %6s %-11s %9s %9s %8s %9s %8s %9s %8s\n", kernel.c_str(), stride.c_str(),
                  output.c_str(), mmac.c_str(), cpu.c_str(), cpu_rate.c_str(), gpu.c_str(), gpu_rate.c_str(),
                  full.c_str(), ratio.c_str());
    out_ << line << std::flush;
  }

  std::ostream& out_;
  bool any_gpu_ = false;
  bool any_wall_ = false;
  std::vector<std::string> skipped_;
};

}  // namespace

CLI::App* AddBenchCommand(CLI::App& app, BenchOptions& o) {
  CLI::App* bench = app.add_subcommand(
      "bench", "Time the CPU and GPU engines: box kernels 3, 7 and 15 at strides 1, 2 and 4, padding same, "
               "depthwise on a 3-channel pseudo-random image");
  bench->add_flag("--json", o.json, "Print one JSON object with the machine and every row instead of a table");
  bench->add_option("--engine", o.engine, "cpu|gpu|both (default both)")
      ->check(CLI::IsMember({"cpu", "gpu", "both"}));
  bench->add_option("--size", o.size, "Input WIDTHxHEIGHT (default 1920x1080; 480x270 with --quick)");
  bench->add_option("--repeat", o.repeat, "Timings per engine and case; the median is reported (default 3)")
      ->check(CLI::Range(1, 1000));
  bench->add_flag("--quick", o.quick, "A smoke run: 480x270 input (unless --size) and kernels 3 and 7 only");
  bench->footer(
      "CPU: wall time of CpuEngine::Compute. GPU: GL_TIME_ELAPSED of a dispatch with the input already "
      "uploaded (its wall time where the driver does not time compute, as llvmpipe), and the wall time of a "
      "whole Compute (upload, dispatch, readback).\n"
      "When the GPU cannot start, --engine both benchmarks the CPU and says why; --engine gpu exits 2.");
  return bench;
}

int RunBench(const BenchOptions& o, std::ostream& out, std::ostream& err) {
  Expected<BenchSize> size = ParseSize(o.size.empty() ? (o.quick ? "480x270" : "1920x1080") : o.size);
  if (!size) return Fail(err, size.error().message);

  Machine machine;
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

  const Tensor3 input = PseudoRandomImage(kChannels, size->height, size->width);
  const Expected<std::vector<Case>> cases = MakeCases(o.quick, input);
  if (!cases) return Fail(err, cases.error().message);
  std::optional<TablePrinter> table;
  if (!o.json) table.emplace(out, machine, input, o.repeat);
  std::vector<Row> rows;
  for (const Case& c : *cases) {
    Row row{&c, {}, {}};
    if (o.engine != "gpu") row.cpu_ms = TimeCpu(c, input, o.repeat);
    if (gpu) row.gpu = TimeGpu(*gpu->engine, c, input, o.repeat);
    if (table) table->Print(row);
    rows.push_back(std::move(row));
  }
  if (table)
    table->Finish();
  else
    PrintJson(out, machine, input, o.repeat, rows);
  return 0;
}

}  // namespace stridescope
