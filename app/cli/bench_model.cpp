#include "cli/bench_model.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <span>

#include "kernels.h"

namespace stridescope {

namespace {

constexpr int kGridKernels[] = {3, 7, 15, 31};
constexpr int kQuickKernels[] = {3, 7};
constexpr int kStrides[] = {1, 2, 4};
constexpr int kDilatedKernels[] = {3, 7};
constexpr int kDilatedStrides[] = {1, 2};
constexpr int kPadModeKernel = 7;
constexpr PadMode kOtherPadModes[] = {PadMode::Reflect, PadMode::Replicate, PadMode::Circular};
constexpr double kLongRunMs = 1000.0;
constexpr KernelKind kKinds[] = {KernelKind::Box, KernelKind::Dense};

Expected<Kernel> MakeKernel(KernelKind kind, int k) {
  Expected<Kernel> kernel = MakePresetKernel("box", k);
  // Doubling one corner weight leaves the kernel rank 2 for every k > 1.
  if (kernel && kind == KernelKind::Dense) kernel->weights.front() *= 2.0f;
  return kernel;
}

struct CaseShape {
  KernelKind kind;
  int kernel;
  int stride;
  int dilation;
  PadMode pad_mode;
};

Expected<BenchCase> MakeCase(BenchSize size, const CaseShape& s) {
  BenchCase c;
  c.size = size;
  c.kind = s.kind;
  c.kernel = s.kernel;
  c.stride = s.stride;
  c.dilation = s.dilation;
  c.pad_mode = s.pad_mode;
  Expected<Kernel> kernel = MakeKernel(s.kind, s.kernel);
  if (!kernel) return kernel.error();
  c.params.kernel = std::move(*kernel);
  c.params.stride = {s.stride, s.stride};
  c.params.dilation = {s.dilation, s.dilation};
  c.params.padding.preset = PadPreset::Same;
  c.params.pad_mode = s.pad_mode;
  Expected<Geometry> g = ResolveGeometry(c.params, kBenchChannels, size.height, size.width);
  if (!g) return Error{c.Label() + ": " + g.error().message};
  c.geometry = std::move(*g);
  return c;
}

// Every kind and stride of one kernel/dilation/pad-mode, in the order the lookups rely on.
Status AddFamily(std::vector<BenchCase>& cases, BenchSize size, int k, int dilation, PadMode mode,
                 std::span<const int> strides) {
  for (KernelKind kind : kKinds) {
    for (int s : strides) {
      Expected<BenchCase> c = MakeCase(size, {kind, k, s, dilation, mode});
      if (!c) return c.error();
      cases.push_back(std::move(*c));
    }
  }
  return Done{};
}

bool SameFamily(const BenchCase& a, const BenchCase& b) {
  return a.size == b.size && a.kernel == b.kernel && a.dilation == b.dilation && a.pad_mode == b.pad_mode;
}

}  // namespace

Expected<BenchSize> ParseBenchSize(const std::string& text) {
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

std::string_view Name(KernelKind kind) { return kind == KernelKind::Box ? "box" : "dense"; }

double BenchCase::Flops() const { return 2.0 * static_cast<double>(geometry.macs); }

double BenchCase::Bytes() const {
  const double in = static_cast<double>(size.width) * size.height * kBenchChannels;
  const double out = OutputPixels() * geometry.channels.out_channels;
  return (in + out) * sizeof(float);
}

double BenchCase::OutputPixels() const {
  return static_cast<double>(geometry.OutputWidth()) * geometry.OutputHeight();
}

std::string BenchCase::Label() const {
  const std::string k = std::to_string(kernel);
  return std::to_string(size.width) + "x" + std::to_string(size.height) + " " + std::string(Name(kind)) + " " + k +
         "x" + k + " s" + std::to_string(stride) + " d" + std::to_string(dilation) + " " +
         std::string(Name(pad_mode));
}

Expected<std::vector<BenchCase>> MakeBenchCases(const std::vector<BenchSize>& sizes, bool quick) {
  std::vector<BenchCase> cases;
  const std::span<const int> grid = quick ? std::span<const int>(kQuickKernels) : std::span<const int>(kGridKernels);
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    for (int k : grid)
      if (Status s = AddFamily(cases, sizes[i], k, 1, PadMode::Zeros, kStrides); !s) return s.error();
    if (quick) continue;
    for (int k : kDilatedKernels)
      if (Status s = AddFamily(cases, sizes[i], k, 2, PadMode::Zeros, kDilatedStrides); !s) return s.error();
    if (i != 0) continue;
    for (PadMode mode : kOtherPadModes)
      if (Status s = AddFamily(cases, sizes[i], kPadModeKernel, 1, mode, kDilatedStrides); !s) return s.error();
  }
  return cases;
}

// Uniform in [0, 1) from a fixed xorshift sequence: the same input on every machine and run,
// without depending on the standard library's distributions (which differ between vendors).
Tensor3 MakeBenchInput(BenchSize size) {
  Tensor3 image = Tensor3::Zeros(kBenchChannels, size.height, size.width);
  std::uint32_t state = 0x9E3779B9u;
  for (float& v : image.data) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    v = static_cast<float>(state >> 8) * (1.0f / 16777216.0f);
  }
  return image;
}

std::unique_ptr<CpuEngine> MakeBenchCpuEngine() {
  // Every fast path allowed and OpenMP's default thread count (all cores), as the window and
  // `conv` run it, so the roofline share (measured on all threads) compares like with like.
  return std::make_unique<CpuEngine>(CpuEngineOptions{});
}

const BenchRow* FindStrideOneTwin(const std::vector<BenchRow>& rows, const BenchRow& row) {
  const BenchCase& c = *row.bench_case;
  for (const BenchRow& r : rows)
    if (r.bench_case->stride == 1 && r.bench_case->kind == c.kind && SameFamily(*r.bench_case, c)) return &r;
  return nullptr;
}

const BenchRow* FindBoxPartner(const std::vector<BenchRow>& rows, const BenchRow& row) {
  const BenchCase& c = *row.bench_case;
  if (c.kind != KernelKind::Dense) return nullptr;
  for (const BenchRow& r : rows)
    if (r.bench_case->kind == KernelKind::Box && r.bench_case->stride == c.stride && SameFamily(*r.bench_case, c))
      return &r;
  return nullptr;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double MedianMilliseconds(int repeat, const std::function<void()>& run) {
  using Clock = std::chrono::steady_clock;
  const auto time_one = [&] {
    const Clock::time_point start = Clock::now();
    run();
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  };
  // The first run pays for page faults on fresh buffers and cold caches; it is discarded unless it
  // is so long that those costs vanish in it and repeating would only slow the benchmark down.
  const double first = time_one();
  if (first > kLongRunMs) return first;
  std::vector<double> ms;
  for (int i = 0; i < repeat; ++i) {
    ms.push_back(time_one());
    if (ms.back() > kLongRunMs) break;
  }
  return Median(std::move(ms));
}

}  // namespace stridescope
