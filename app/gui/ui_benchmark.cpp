#include "gui/ui_benchmark.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include <sys/resource.h>

#include <nlohmann/json.hpp>

#include "gui/app_state.h"
#include "gui/timeline.h"
#include "kernels.h"
#include "samples.h"

namespace stridescope {

namespace {

// The script: what a user does in a minute with the window, compressed. Frame counts, not
// times, so every machine replays the same session.
struct Phase {
  const char* name;
  int frames;
};
constexpr Phase kPhases[] = {
    {"drag stride", 120},       // the stride slider moved back and forth, a step every 4 frames
    {"drag kernel size", 96},   // the kernel size slider, a step every 8 frames
    {"playback", 120},          // the timeline playing at a full output row per frame
    {"zoom and pan", 90},       // wheel zoom in and out around points of the input, and panning
    {"idle", 0},                // nothing happens for kIdleSeconds: the loop should sleep
};
constexpr int kIdlePhase = 4;
constexpr double kIdleSeconds = 2.0;
constexpr int kStrideEvery = 4;
constexpr int kKernelEvery = 8;

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const double rank = p / 100.0 * static_cast<double>(values.size() - 1);
  const std::size_t low = static_cast<std::size_t>(std::floor(rank));
  const std::size_t high = std::min(values.size() - 1, low + 1);
  return values[low] + (values[high] - values[low]) * (rank - static_cast<double>(low));
}

// The map on screen answers a change when it was resolved from the same numbers.
bool SameShape(const Geometry& a, const Geometry& b) {
  const auto same_axis = [](const AxisGeometry& p, const AxisGeometry& q) {
    return p.input == q.input && p.taps == q.taps && p.stride == q.stride && p.dilation == q.dilation &&
           p.pad_begin == q.pad_begin && p.pad_end == q.pad_end && p.output == q.output;
  };
  return a.op == b.op && same_axis(a.y, b.y) && same_axis(a.x, b.x);
}

struct Summary {
  double p50 = 0, p95 = 0, p99 = 0, max = 0;
  int count = 0;
};

Summary Summarise(const std::vector<double>& ms) {
  Summary s;
  s.count = static_cast<int>(ms.size());
  if (ms.empty()) return s;
  s.p50 = Percentile(ms, 50);
  s.p95 = Percentile(ms, 95);
  s.p99 = Percentile(ms, 99);
  s.max = *std::max_element(ms.begin(), ms.end());
  return s;
}

}  // namespace

Tensor3 UiBenchmark::MakeInput() const { return MakeScene(options_.width, options_.height); }

void UiBenchmark::Started(Clock::time_point process_start, double driver_ms, double input_ms,
                          std::string renderer) {
  process_start_ = process_start;
  renderer_ = std::move(renderer);
  driver_ms_ = driver_ms;
  input_ms_ = input_ms;
}

bool UiBenchmark::Idle() const { return phase_ == kIdlePhase; }

void UiBenchmark::ChangeParams(AppState& state) {
  state.ApplyKernelChoice();
  state.MarkParamsChanged();
  const Tensor3& in = state.input().pixels();
  Expected<Geometry> expected = ResolveGeometry(state.params, in.channels, in.height, in.width);
  if (expected) pending_.push_back({Clock::now(), std::move(*expected)});
  ++changes_;
}

bool UiBenchmark::BeforeFrame(AppState& state) {
  frame_start_ = Clock::now();
  if (phase_ == kIdlePhase) {
    const double waited = std::chrono::duration<double>(frame_start_ - idle_start_).count();
    if (waited < kIdleSeconds) return true;
    idle_wall_s_ = waited;
    idle_cpu_s_ = ProcessCpuSeconds() - idle_cpu_start_s_;
    return false;
  }
  if (frame_in_phase_ >= kPhases[phase_].frames) {
    ++phase_;
    frame_in_phase_ = 0;
    state.timeline.playing = false;
    if (phase_ == kIdlePhase) {
      idle_start_ = Clock::now();
      idle_cpu_start_s_ = ProcessCpuSeconds();
      return true;
    }
  }
  const int f = frame_in_phase_++;
  switch (phase_) {
    case 0:
      if (f % kStrideEvery == 0) {
        // 1 2 3 4 3 2 1 2 ...: a slider dragged back and forth.
        const int position = (f / kStrideEvery) % 6;
        const int stride = position < 4 ? position + 1 : 7 - position;
        state.params.stride = {stride, stride};
        ChangeParams(state);
      }
      break;
    case 1:
      if (f % kKernelEvery == 0) {
        const int position = (f / kKernelEvery) % 8;
        state.kernel_choice = {"gaussian", 3 + 2 * (position < 5 ? position : 8 - position)};
        ChangeParams(state);
      }
      break;
    case 2:
      if (f == 0) {
        state.timeline.step = 0;
        state.timeline.playing = true;
        state.timeline.steps_per_second = 1e9f;  // clamped to a full output row per frame
      }
      break;
    case 3: {
      // Zoom in towards a point for 30 frames, pan for 30, zoom back out for 30.
      ViewState& view = state.view;
      view.zoom_fits = false;
      if (f < 30) view.zoom *= 1.08f;
      else if (f < 60) view.input_pan = ImVec2(view.input_pan.x - 12.0f, view.input_pan.y - 6.0f);
      else view.zoom /= 1.08f;
      break;
    }
    default:
      break;
  }
  return true;
}

void UiBenchmark::AfterFrame(const AppState& state) {
  const Clock::time_point now = Clock::now();
  if (!first_frame_done_) {
    first_frame_done_ = true;
    startup_ms_ = std::chrono::duration<double, std::milli>(now - process_start_).count() - driver_ms_ - input_ms_;
  }
  if (phase_ == kIdlePhase) {
    ++idle_frames_;
    return;
  }
  frames_.push_back({phase_, std::chrono::duration<double, std::milli>(now - frame_start_).count()});
  const ViewResult& result = state.result();
  engine_ = result.computed_by == EngineKind::Gpu ? "gpu" : "cpu";
  if (!pending_.empty() && result.has_value && !result.stale && !result.computing &&
      SameShape(result.geometry, pending_.back().expected)) {
    // Latest wins: the changes the map skipped are answered by this one too, as the user sees.
    for (const PendingChange& change : pending_)
      latencies_ms_.push_back(std::chrono::duration<double, std::milli>(now - change.when).count());
    pending_.clear();
  }
}

void UiBenchmark::Report(std::ostream& out) const {
  std::vector<double> all;
  std::vector<std::vector<double>> by_phase(kIdlePhase);
  for (const Frame& frame : frames_) {
    all.push_back(frame.ms);
    by_phase[static_cast<std::size_t>(frame.phase)].push_back(frame.ms);
  }
  const Summary total = Summarise(all);
  const Summary latency = Summarise(latencies_ms_);
  const double idle_cpu_percent = idle_wall_s_ > 0 ? 100.0 * idle_cpu_s_ / idle_wall_s_ : 0.0;
  if (options_.json) {
    nlohmann::ordered_json doc;
    doc["image"] = std::to_string(options_.width) + "x" + std::to_string(options_.height);
    doc["engine"] = engine_;
    doc["renderer"] = renderer_;
    doc["headless"] = options_.headless;
    const auto summary_json = [](const Summary& s) {
      return nlohmann::ordered_json{{"frames", s.count}, {"p50_ms", s.p50}, {"p95_ms", s.p95}, {"p99_ms", s.p99},
                                    {"max_ms", s.max}};
    };
    doc["frames"] = summary_json(total);
    for (int p = 0; p < kIdlePhase; ++p) doc["phases"][kPhases[p].name] = summary_json(Summarise(by_phase[static_cast<std::size_t>(p)]));
    doc["longest_stall_ms"] = total.max;
    doc["latency"] = {{"changes", changes_}, {"answered", latency.count}, {"p50_ms", latency.p50},
                      {"p95_ms", latency.p95}, {"max_ms", latency.max}};
    doc["peak_rss_mib"] = PeakRssMiB();
    doc["startup_ms"] = startup_ms_;
    doc["driver_start_ms"] = driver_ms_;
    doc["scene_generation_ms"] = input_ms_;
    doc["idle"] = {{"seconds", idle_wall_s_}, {"cpu_percent", idle_cpu_percent}, {"frames_drawn", idle_frames_}};
    out << doc.dump(2) << "\n";
    return;
  }
  char line[200];
  out << "stridescope UI benchmark: " << options_.width << "x" << options_.height << " scene, " << engine_
      << " engine, " << (options_.headless ? "headless (offscreen, no window)" : "window") << ", " << renderer_
      << "\n";
  std::snprintf(line, sizeof line, "%-18s %7s %9s %9s %9s %9s\n", "phase", "frames", "p50 ms", "p95 ms", "p99 ms",
                "max ms");
  out << line;
  const auto row = [&](const char* name, const Summary& s) {
    std::snprintf(line, sizeof line, "%-18s %7d %9.2f %9.2f %9.2f %9.2f\n", name, s.count, s.p50, s.p95, s.p99, s.max);
    out << line;
  };
  for (int p = 0; p < kIdlePhase; ++p) row(kPhases[p].name, Summarise(by_phase[static_cast<std::size_t>(p)]));
  row("all", total);
  std::snprintf(line, sizeof line,
                "longest stall %.1f ms; p99/p50 %.2f\n"
                "parameter change to display: %d changes, %d answered, p50 %.1f ms, p95 %.1f ms, max %.1f ms\n",
                total.max, total.p50 > 0 ? total.p99 / total.p50 : 0.0, changes_, latency.count, latency.p50,
                latency.p95, latency.max);
  out << line;
  std::snprintf(line, sizeof line,
                "peak RSS %.0f MiB; start-up to first frame %.0f ms (plus %.0f ms driver start, %.0f ms drawing the "
                "scene)\n"
                "idle: %.1f s, %.2f%% of one core, %d frames drawn\n",
                PeakRssMiB(), startup_ms_, driver_ms_, input_ms_, idle_wall_s_, idle_cpu_percent, idle_frames_);
  out << line;
}

}  // namespace stridescope
