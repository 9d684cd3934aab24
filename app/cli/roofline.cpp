#include "cli/roofline.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace stridescope {

namespace {

using Clock = std::chrono::steady_clock;

// Runs body(t) on `threads` threads and returns the wall time in seconds from launch to the last
// join: thread start-up is included, so every measured body runs for far longer than that.
double TimeOnThreads(unsigned threads, const std::function<void(unsigned)>& body) {
  std::vector<std::thread> pool;
  const Clock::time_point start = Clock::now();
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(body, t);
  body(0);
  for (std::thread& th : pool) th.join();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Enough independent accumulators to hide the FMA latency (4 cycles) at two FMA ports: 8 are the
// minimum, 12 leave headroom and still fit in 16 registers without spilling.
constexpr int kChains = 12;
// Per thread and run: 12 chains x 25M FMAs, about 0.1 s on a 3 GHz core with two FMA ports.
constexpr long kIterations = 25'000'000;

// The body every ISA shares; always_inline so it is compiled with the caller's target. The file is
// built with -ffp-contract=fast (app/CMakeLists.txt), so a * m + c becomes one FMA instruction.
// GCC vector extensions: the same source becomes SSE, AVX or AVX-512 code depending on the target
// of the function it is inlined into (GCC ignores a vector_size that depends on a template argument).
typedef float Floats4 __attribute__((vector_size(16)));
typedef float Floats8 __attribute__((vector_size(32)));
typedef float Floats16 __attribute__((vector_size(64)));

template <class V>
[[gnu::always_inline]] inline float FmaChains(float seed, long iterations) {
  constexpr int kLanes = sizeof(V) / sizeof(float);
  V acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = V{} + (seed + static_cast<float>(i));
  // m < 1 and c > 0: every chain converges to c / (1 - m) instead of overflowing or underflowing
  // into denormals, which would slow the FMA unit down.
  const V m = V{} + 0.999f;
  const V c = V{} + 1e-3f;
  for (long n = 0; n < iterations; ++n)
    for (int i = 0; i < kChains; ++i) acc[i] = acc[i] * m + c;
  float sum = 0;
  for (int i = 0; i < kChains; ++i)
    for (int lane = 0; lane < kLanes; ++lane) sum += acc[i][lane];
  return sum;
}

[[gnu::target("avx512f")]] float FmaChainsAvx512(float seed, long iterations) {
  return FmaChains<Floats16>(seed, iterations);
}
[[gnu::target("avx2,fma")]] float FmaChainsAvx2(float seed, long iterations) {
  return FmaChains<Floats8>(seed, iterations);
}
// The baseline target (SSE2 on x86-64) has no FMA: this measures separate multiply and add.
float FmaChainsPortable(float seed, long iterations) { return FmaChains<Floats4>(seed, iterations); }

struct FmaVariant {
  const char* isa;
  int floats_per_vector;
  float (*run)(float, long);
};

FmaVariant WidestFma() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return {"avx512f", 16, FmaChainsAvx512};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return {"avx2+fma", 8, FmaChainsAvx2};
#endif
  return {"portable (no FMA)", 4, FmaChainsPortable};
}

}  // namespace

double Roofline::BoundGflops(double flops_per_byte) const {
  return std::min(peak_gflops, flops_per_byte * bandwidth_gbs);
}

double Roofline::TransferMilliseconds(double bytes) const { return bytes / (bandwidth_gbs * 1e9) * 1e3; }

double MeasureFmaPeakGflops(unsigned threads, std::string* isa) {
  const FmaVariant v = WidestFma();
  if (isa) *isa = v.isa;
  std::vector<float> sink(threads);
  double best = 0;
  // Best of several: on shared or frequency-scaling cores a single run easily reads half the peak.
  for (int run = 0; run < 6; ++run) {
    const double seconds = TimeOnThreads(threads, [&](unsigned t) {
      sink[t] = v.run(static_cast<float>(t), kIterations);
    });
    const double flops = 2.0 * kChains * v.floats_per_vector * static_cast<double>(kIterations) * threads;
    best = std::max(best, flops / seconds * 1e-9);
  }
  // Keeps the results alive: a compiler that saw them unused could drop the whole loop.
  volatile float keep = 0;
  for (float s : sink) keep = keep + s;
  return best;
}

double MeasureTriadBandwidthGbs(unsigned threads) {
  constexpr std::size_t kFloats = (std::size_t{128} << 20) / sizeof(float);
  // Not value-initialised: each thread touches its own slice first, so on a NUMA machine the pages
  // land next to the thread that streams them.
  std::unique_ptr<float[]> a(new float[kFloats]), b(new float[kFloats]), c(new float[kFloats]);
  const auto slice = [&](unsigned t) {
    const std::size_t chunk = (kFloats + threads - 1) / threads;
    return std::pair{std::min(kFloats, t * chunk), std::min(kFloats, (t + 1) * chunk)};
  };
  TimeOnThreads(threads, [&](unsigned t) {
    const auto [begin, end] = slice(t);
    for (std::size_t i = begin; i < end; ++i) {
      a[i] = 0.0f;
      b[i] = 1.0f;
      c[i] = 2.0f;
    }
  });
  double best = 0;
  for (int run = 0; run < 5; ++run) {
    const float s = 0.5f + static_cast<float>(run);
    const double seconds = TimeOnThreads(threads, [&](unsigned t) {
      const auto [begin, end] = slice(t);
      float* __restrict out = a.get();
      const float* __restrict x = b.get();
      const float* __restrict y = c.get();
      for (std::size_t i = begin; i < end; ++i) out[i] = x[i] + s * y[i];
    });
    best = std::max(best, 3.0 * sizeof(float) * static_cast<double>(kFloats) / seconds * 1e-9);
  }
  volatile float keep = a[kFloats / 2];
  (void)keep;
  return best;
}

Roofline MeasureRoofline() {
  Roofline r;
  r.threads = std::max(1u, std::thread::hardware_concurrency());
  r.peak_gflops = MeasureFmaPeakGflops(r.threads, &r.fma_isa);
  r.bandwidth_gbs = MeasureTriadBandwidthGbs(r.threads);
  return r;
}

}  // namespace stridescope
