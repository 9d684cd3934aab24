#include "cli/bench_report.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <ostream>

#include <nlohmann/json.hpp>

namespace stridescope {

namespace {

// Targets of the performance issue, as ratios within one run.
constexpr double kMaxVsPeerStride1 = 0.6;      // stride 1, k 3..15: ours / filter2D
constexpr int kPeerTargetMaxKernel = 15;
constexpr double kMaxVsStride1AtStride2 = 0.35;
constexpr double kMaxVsStride1AtStride4 = 0.15;
constexpr double kStride4ReadSlack = 1.5;      // ... or within 1.5x of reading the input once
constexpr int kSeparableMinKernel = 15;
constexpr double kMinSeparableSpeedup = 4.0;
constexpr int kRooflineMinKernel = 7;
constexpr double kMinRooflineShare = 0.5;

std::string Fixed(double v, int decimals = 2) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, v);
  return text;
}

// Derived figures of one row, shared by the table, the JSON and the targets.
struct Derived {
  std::optional<double> gflops, mpix_s, roofline_share, vs_stride1, vs_peer, separable_speedup;
};

double Gflops(const BenchCase& c, double ms) { return c.Flops() / (ms * 1e6); }
double Intensity(const BenchCase& c) { return c.Flops() / c.Bytes(); }

const PeerTiming* Peer(const BenchRow& r) { return r.peer && r.peer->ok() ? &r.peer->value() : nullptr; }

Derived Derive(const std::vector<BenchRow>& rows, const BenchRow& r, const Roofline& roofline) {
  Derived d;
  if (!r.cpu_ms) return d;
  const BenchCase& c = *r.bench_case;
  const double ms = *r.cpu_ms;
  d.gflops = Gflops(c, ms);
  d.mpix_s = c.OutputPixels() / (ms * 1e3);
  d.roofline_share = *d.gflops / roofline.BoundGflops(Intensity(c));
  if (const BenchRow* one = FindStrideOneTwin(rows, r); one && one->cpu_ms && c.stride != 1)
    d.vs_stride1 = ms / *one->cpu_ms;
  if (const PeerTiming* p = Peer(r)) d.vs_peer = ms / p->ms;
  if (const BenchRow* box = FindBoxPartner(rows, r); box && box->cpu_ms) d.separable_speedup = ms / *box->cpu_ms;
  return d;
}

std::string Or(const std::optional<double>& v, const std::string& suffix = "", int decimals = 2) {
  return v ? Fixed(*v, decimals) + suffix : "-";
}

// One row's figure against a target's limit; the row furthest past (or least within) the limit
// is the one a target reports.
struct Check {
  double figure = 0;
  double limit = 0;
  bool at_most = true;  // the figure must stay at or below the limit (else at or above)
  std::string detail;
  bool Met() const { return at_most ? figure <= limit : figure >= limit; }
  double Badness() const { return at_most ? figure / limit : limit / figure; }
};

// check returns nullopt for a row the target does not apply to, or that lacks the figures.
TargetResult Evaluate(const std::string& target, const std::vector<BenchRow>& rows,
                      const std::function<std::optional<Check>(const BenchRow&)>& check) {
  std::optional<Check> worst;
  const BenchCase* worst_case = nullptr;
  int cases = 0, met = 0;
  for (const BenchRow& r : rows) {
    const std::optional<Check> c = check(r);
    if (!c) continue;
    ++cases;
    met += c->Met() ? 1 : 0;
    if (!worst || c->Badness() > worst->Badness()) {
      worst = c;
      worst_case = r.bench_case;
    }
  }
  if (!worst) return {target, false, false, "not evaluated: no case of this run has the figures"};
  return {target, true, met == cases,
          std::to_string(met) + "/" + std::to_string(cases) + " cases; worst " + worst_case->Label() + ": " +
              worst->detail};
}

}  // namespace

std::string CpuModelName() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) != 0) continue;
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos && colon + 2 <= line.size()) return line.substr(colon + 2);
  }
  return "unknown CPU";
}

std::vector<TargetResult> EvaluateTargets(const std::vector<BenchRow>& rows, const Roofline& roofline) {
  const auto derived = [&](const BenchRow& r) { return Derive(rows, r, roofline); };
  const auto grid = [](const BenchCase& c) { return c.dilation == 1 && c.pad_mode == PadMode::Zeros; };
  std::vector<TargetResult> results;
  results.push_back(Evaluate(
      "stride 1, k 3..15: CPU time <= 0.6x OpenCV filter2D", rows,
      [&](const BenchRow& r) -> std::optional<Check> {
        const BenchCase& c = *r.bench_case;
        const Derived d = derived(r);
        if (c.stride != 1 || c.kernel > kPeerTargetMaxKernel || !grid(c) || !d.vs_peer) return std::nullopt;
        return Check{*d.vs_peer, kMaxVsPeerStride1, true,
                     Fixed(*d.vs_peer) + "x filter2D (" + Fixed(*r.cpu_ms) + " vs " + Fixed(Peer(r)->ms) + " ms)"};
      }));
  results.push_back(Evaluate(
      "stride 2: CPU time <= 0.35x our stride-1 time", rows,
      [&](const BenchRow& r) -> std::optional<Check> {
        const Derived d = derived(r);
        if (r.bench_case->stride != 2 || !d.vs_stride1) return std::nullopt;
        return Check{*d.vs_stride1, kMaxVsStride1AtStride2, true,
                     Fixed(*d.vs_stride1) + "x stride 1"};
      }));
  results.push_back(Evaluate(
      "stride 4: CPU time <= max(0.15x stride 1, 1.5x reading the input once)", rows,
      [&](const BenchRow& r) -> std::optional<Check> {
        const BenchCase& c = *r.bench_case;
        const BenchRow* one = FindStrideOneTwin(rows, r);
        if (c.stride != 4 || !r.cpu_ms || !one || !one->cpu_ms) return std::nullopt;
        const double input_bytes = static_cast<double>(c.size.width) * c.size.height * kBenchChannels * sizeof(float);
        const double read_ms = roofline.TransferMilliseconds(input_bytes);
        const double limit = std::max(kMaxVsStride1AtStride4 * *one->cpu_ms, kStride4ReadSlack * read_ms);
        return Check{*r.cpu_ms, limit, true,
                     Fixed(*r.cpu_ms) + " ms vs limit " + Fixed(limit) + " ms (stride 1 " + Fixed(*one->cpu_ms) +
                         " ms, input read " + Fixed(read_ms, 3) + " ms)"};
      }));
  results.push_back(Evaluate(
      "k >= 15: separable (box) >= 4x faster than direct (dense)", rows,
      [&](const BenchRow& r) -> std::optional<Check> {
        const Derived d = derived(r);
        if (r.bench_case->kernel < kSeparableMinKernel || !d.separable_speedup) return std::nullopt;
        return Check{*d.separable_speedup, kMinSeparableSpeedup, false,
                     Fixed(*d.separable_speedup) + "x"};
      }));
  results.push_back(Evaluate(
      "k >= 7: >= 50% of the roofline bound", rows,
      [&](const BenchRow& r) -> std::optional<Check> {
        const Derived d = derived(r);
        if (r.bench_case->kernel < kRooflineMinKernel || !d.roofline_share) return std::nullopt;
        return Check{*d.roofline_share, kMinRooflineShare, false,
                     Fixed(100 * *d.roofline_share, 1) + "% of " +
                         Fixed(roofline.BoundGflops(Intensity(*r.bench_case)), 1) + " GFLOP/s"};
      }));
  return results;
}

BenchTable::BenchTable(std::ostream& out, const BenchMachine& m, int repeat)
    : out_(out), machine_(m), gpu_columns_(!m.renderer.empty()) {
  const Roofline& rf = m.roofline;
  out_ << "stridescope bench: depthwise conv, 3-channel float input, padding same, median of up to " << repeat
       << " (1 for cases over 1 s)\n";
  out_ << "CPU: " << m.cpu << ", " << rf.threads << " hardware threads\n";
  out_ << "Roofline (measured now, all threads): FMA peak " << Fixed(rf.peak_gflops, 1) << " GFLOP/s ("
       << rf.fma_isa << "), triad bandwidth " << Fixed(rf.bandwidth_gbs, 1) << " GB/s\n";
  out_ << "GPU: " << (m.renderer.empty() ? "not benchmarked" : m.renderer)
       << (m.gpu_note.empty() ? "" : " (" + m.gpu_note + ")") << "\n";
  out_ << "OpenCV: "
       << (m.opencv.empty() ? "not built in (install libopencv-dev and rebuild, or run ./scripts/bench.sh)"
                            : m.opencv + ", filter2D per plane + subsample")
       << "\n\n";
  std::vector<std::string> header = {"size",   "kernel", "k",       "s",     "d",     "pad",   "output",
                                     "ms",     "Mpix/s", "GFLOP/s", "roof%", "vs s1", "vs cv", "cv=",
                                     "sep x"};
  if (gpu_columns_) header.insert(header.end(), {"gpu ms", "full ms", "gpu/cpu"});
  Columns(header);
}

void BenchTable::Columns(const std::vector<std::string>& cells) {
  static constexpr int kWidths[] = {-9, -6, 3, 2, 2, -10, -10, 9, 8, 8, 6, 6, 6, 4, 6, 9, 9, 8};
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    char cell[64];
    std::snprintf(cell, sizeof cell, "%*s ", kWidths[i], cells[i].c_str());
    line += cell;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  out_ << line << "\n" << std::flush;
}

void BenchTable::PrintLast(const std::vector<BenchRow>& rows) {
  const BenchRow& r = rows.back();
  const BenchCase& c = *r.bench_case;
  const Derived d = Derive(rows, r, machine_.roofline);
  std::string peer_match = "-";
  if (r.peer && r.peer->ok()) peer_match = !r.peer->value().matches ? "?" : *r.peer->value().matches ? "yes" : "NO";
  if (r.peer && !r.peer->ok()) peer_match = "n/a";
  std::vector<std::string> cells = {
      std::to_string(c.size.width) + "x" + std::to_string(c.size.height),
      std::string(Name(c.kind)),
      std::to_string(c.kernel),
      std::to_string(c.stride),
      std::to_string(c.dilation),
      std::string(Name(c.pad_mode)),
      std::to_string(c.geometry.OutputWidth()) + "x" + std::to_string(c.geometry.OutputHeight()),
      r.cpu_ms ? Fixed(*r.cpu_ms) : "-",
      Or(d.mpix_s, "", 1),
      Or(d.gflops),
      d.roofline_share ? Fixed(100 * *d.roofline_share, 1) : "-",
      Or(d.vs_stride1),
      Or(d.vs_peer),
      peer_match,
      Or(d.separable_speedup),
  };
  if (gpu_columns_) {
    if (r.gpu && r.gpu->ok()) {
      const GpuTiming& t = r.gpu->value();
      any_wall_ = any_wall_ || !t.TimerMeasuresCompute();
      cells.push_back(Fixed(t.Milliseconds()) + (t.TimerMeasuresCompute() ? "" : "*"));
      cells.push_back(Fixed(t.compute_ms));
      cells.push_back(r.cpu_ms ? Fixed(*r.cpu_ms / t.Milliseconds()) + "x" : "-");
    } else {
      cells.insert(cells.end(), {"skipped", "-", "-"});
    }
  }
  Columns(cells);
}

void BenchTable::Finish(const std::vector<BenchRow>& rows) {
  out_ << "\nms: CPU engine wall time. Mpix/s: output pixels (all channels) per second. GFLOP/s = 2 x MACs / time.\n"
          "roof%: GFLOP/s / min(peak, intensity x bandwidth), intensity = FLOPs / (input + output bytes).\n"
          "vs s1: ms / our ms at stride 1 (same size, kernel, dilation, pad). vs cv: ms / OpenCV's ms;\n"
          "cv=: OpenCV's output equals ours within 1e-4 relative. sep x: dense ms / box ms (separable speedup).\n";
  if (gpu_columns_)
    out_ << "gpu ms: GPU time of one dispatch (GL_TIME_ELAPSED), input already on the GPU; full ms: a whole\n"
            "GPU Compute (upload, dispatch, readback); gpu/cpu: cpu ms / gpu ms.\n";
  if (any_wall_)
    out_ << "*: wall time from Dispatch until done, because this driver's GL_TIME_ELAPSED does not time\n"
            "compute dispatches (llvmpipe runs them on the CPU inside glDispatchCompute and reports ~0).\n";
  for (const BenchRow& r : rows) {
    if (r.gpu && !r.gpu->ok()) out_ << "GPU skipped " << r.bench_case->Label() << ": " << r.gpu->error().message << "\n";
    if (r.peer && r.peer->ok() && r.peer->value().matches == false)
      out_ << "OpenCV differs on " << r.bench_case->Label() << ": max relative error "
           << r.peer->value().max_relative_error << "\n";
  }
  out_ << "\nTargets (this run):\n";
  for (const TargetResult& t : EvaluateTargets(rows, machine_.roofline))
    out_ << (t.evaluated ? (t.pass ? "  PASS " : "  MISS ") : "  n/a  ") << t.target << "\n         " << t.figures
         << "\n";
}

nlohmann::json BenchJson(const BenchMachine& m, int repeat, const std::vector<BenchSize>& sizes,
                         const std::vector<BenchRow>& rows) {
  const Roofline& rf = m.roofline;
  nlohmann::json json_rows = nlohmann::json::array();
  for (const BenchRow& r : rows) {
    const BenchCase& c = *r.bench_case;
    const Geometry& g = c.geometry;
    const Derived d = Derive(rows, r, rf);
    nlohmann::json row = {{"input", {c.size.height, c.size.width, kBenchChannels}},
                          {"kernel_kind", Name(c.kind)},
                          {"kernel", c.kernel},
                          {"stride", c.stride},
                          {"dilation", c.dilation},
                          {"pad_mode", Name(c.pad_mode)},
                          {"output", {g.OutputHeight(), g.OutputWidth(), g.channels.out_channels}},
                          {"macs", g.macs},
                          {"intensity", Intensity(c)},
                          {"roofline_bound_gflops", rf.BoundGflops(Intensity(c))}};
    if (r.cpu_ms)
      row["cpu"] = {{"ms", *r.cpu_ms},
                    {"gflops", *d.gflops},
                    {"mpix_per_s", *d.mpix_s},
                    {"roofline_share", *d.roofline_share}};
    if (d.vs_stride1) row["vs_stride1"] = *d.vs_stride1;
    if (d.separable_speedup) row["separable_speedup"] = *d.separable_speedup;
    if (r.peer && r.peer->ok()) {
      const PeerTiming& p = r.peer->value();
      row["opencv"] = {{"ms", p.ms}};
      if (d.vs_peer) row["opencv"]["ours_over_peer"] = *d.vs_peer;
      if (p.matches) row["opencv"]["matches"] = *p.matches;
      if (p.matches) row["opencv"]["max_relative_error"] = p.max_relative_error;
    } else if (r.peer) {
      row["opencv"] = {{"skipped", r.peer->error().message}};
    }
    if (r.gpu && r.gpu->ok()) {
      const GpuTiming& t = r.gpu->value();
      row["gpu"] = {{"ms", t.Milliseconds()},
                    {"gflops", Gflops(c, t.Milliseconds())},
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
  nlohmann::json inputs = nlohmann::json::array();
  for (const BenchSize& s : sizes) inputs.push_back({s.height, s.width, kBenchChannels});
  nlohmann::json targets = nlohmann::json::array();
  for (const TargetResult& t : EvaluateTargets(rows, rf))
    targets.push_back({{"target", t.target},
                       {"status", t.evaluated ? (t.pass ? "PASS" : "MISS") : "n/a"},
                       {"figures", t.figures}});
  nlohmann::json doc = {
      {"inputs", std::move(inputs)},
      {"repeat", repeat},
      {"machine",
       {{"gl_renderer", m.renderer},
        {"cpu", m.cpu},
        {"threads", rf.threads},
        {"peak_gflops", rf.peak_gflops},
        {"fma_isa", rf.fma_isa},
        {"bandwidth_gbs", rf.bandwidth_gbs}}},
      {"opencv", m.opencv.empty() ? nlohmann::json(nullptr) : nlohmann::json(m.opencv)},
      {"rows", std::move(json_rows)},
      {"targets", std::move(targets)},
  };
  if (!m.gpu_note.empty()) doc["gpu_note"] = m.gpu_note;
  return doc;
}

}  // namespace stridescope
