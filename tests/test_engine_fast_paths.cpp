// The CPU engine's fast paths (polyphase, separable, large kernels, threads) against the
// independent reference AND against the same engine with every fast path off (the plain lattice
// loop), on random cases aimed at each path. Each section counts the cases that really took its
// path (CpuEngine::Paths) and requires a minimum, so a path that silently stops being taken
// fails the test instead of passing vacuously.
#include <doctest/doctest.h>

#include <algorithm>
#include <cfloat>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "engine.h"
#include "geometry.h"
#include "kernels.h"
#include "random_params.h"
#include "reference_conv.h"
#include "separable.h"

namespace stridescope {
namespace {

using testing::Rng;

CpuEngineOptions PlainOptions() {
  CpuEngineOptions o;
  o.allow_separable = false;
  o.allow_polyphase = false;
  o.threads = 1;
  return o;
}

Tensor3 RandomImage(Rng& rng, int channels, int height, int width) {
  Tensor3 t = Tensor3::Zeros(channels, height, width);
  for (float& v : t.data) v = rng.Value();
  return t;
}

Kernel RandomKernel(Rng& rng, int kh, int kw) {
  Kernel k;
  k.height = kh;
  k.width = kw;
  k.weights.resize(static_cast<std::size_t>(kh) * kw);
  for (float& w : k.weights) w = rng.Value();
  return k;
}

// u v^T rounded to float, as a user's separable kernel would be.
Kernel OuterProduct(Rng& rng, int kh, int kw) {
  std::vector<float> u(static_cast<std::size_t>(kh)), v(static_cast<std::size_t>(kw));
  for (float& x : u) x = rng.Value();
  for (float& x : v) x = rng.Value();
  Kernel k;
  k.height = kh;
  k.width = kw;
  for (float a : u)
    for (float b : v) k.weights.push_back(a * b);
  return k;
}

// Tallies per section; `taken` counts the cases that ran on the path the section aims at.
struct Tally {
  int checked = 0;
  int taken = 0;
  int failures = 0;
};

// Runs one case through the default engine (or `fast`), the plain engine and the reference.
// Returns the paths the fast engine took, or nothing when the case is invalid.
std::optional<CpuPaths> Check(const Params& p, const Tensor3& input, Tally& tally,
                              const CpuEngineOptions& fast = {}) {
  Expected<Geometry> g = ResolveGeometry(p, input.channels, input.height, input.width);
  if (!g) return std::nullopt;
  CpuEngine fast_engine(fast), plain_engine(PlainOptions());
  // Into storage of the result's size full of NaN: ComputeInto reuses such storage without
  // filling it, so an output element the fast path forgot to write (or read before writing)
  // shows as NaN.
  Tensor3 got = Tensor3::Zeros(g->channels.out_channels, g->y.output, g->x.output);
  std::fill(got.data.begin(), got.data.end(), std::numeric_limits<float>::quiet_NaN());
  fast_engine.ComputeInto(p, *g, input, got);
  const Tensor3 plain = plain_engine.Compute(p, *g, input);
  std::string why = reference::CompareWithReference(got, reference::ReferenceRun(p, input));
  if (!why.empty()) why = "reference: " + why;
  if (why.empty()) {
    why = reference::CompareWithReference(got, reference::RefTensor::FromTensor(plain));
    if (!why.empty()) why = "plain path: " + why;
  }
  ++tally.checked;
  if (!why.empty() && ++tally.failures <= 8) FAIL_CHECK(why << "\n  " << reference::Describe(p, input));
  return fast_engine.Paths(p, *g);
}

PadMode AnyMode(Rng& rng) { return static_cast<PadMode>(rng.Int(0, 3)); }

// The engine picks row groups of 4 only with AVX-512 (CpuEngineOptions::row_group): forced here
// in turn with the other sizes, so every size is tested on any machine.
CpuEngineOptions RowGroupOptions(int index) {
  constexpr int kSizes[] = {0, 1, 2, 4};
  CpuEngineOptions options;
  options.row_group = kSizes[index % 4];
  return options;
}

TEST_CASE("polyphase: strides 2..5 with every pad mode and dilation") {
  Rng rng(7001);
  Tally tally;
  int by_mode[4] = {};
  for (int index = 0; index < 600; ++index) {
    const Tensor3 input = testing::RandomInput(rng);
    Params p = testing::RandomParams(rng, input.channels);
    p.op = rng.Chance(85) ? Op::Conv : Op::Transposed;
    p.pad_mode = p.op == Op::Conv ? AnyMode(rng) : PadMode::Zeros;
    p.stride = {rng.Int(2, 5), rng.Int(2, 5)};
    p.dilation = {rng.Int(1, 3), rng.Int(1, 3)};
    if (p.op == Op::Transposed) p.padding.preset = PadPreset::Explicit;
    const auto paths = Check(p, input, tally, RowGroupOptions(index));
    if (paths && paths->polyphase) {
      ++tally.taken;
      ++by_mode[static_cast<int>(p.pad_mode)];
    }
  }
  MESSAGE("polyphase: " << tally.checked << " valid cases, " << tally.taken
                        << " on the polyphase path; by pad mode " << by_mode[0] << ", " << by_mode[1]
                        << ", " << by_mode[2] << ", " << by_mode[3]);
  CHECK(tally.failures == 0);
  CHECK(tally.taken > 200);
  for (int n : by_mode) CHECK(n > 20);
}

TEST_CASE("separable: outer products and presets, strided, dilated, padded, transposed") {
  Rng rng(7002);
  Tally tally;
  int transposed = 0, summed = 0;
  const char* presets[] = {"box", "gaussian", "sobel-x", "sobel-y"};
  for (int index = 0; index < 500; ++index) {
    const int channels = rng.Int(1, 3);
    const Tensor3 input = RandomImage(rng, channels, rng.Int(6, 30), rng.Int(6, 30));
    Params p;
    p.op = rng.Chance(80) ? Op::Conv : Op::Transposed;
    if (rng.Chance(50)) {
      p.kernel = OuterProduct(rng, rng.Int(2, 11), rng.Int(2, 11));
    } else {
      const char* name = presets[rng.Int(0, 3)];
      const std::string n(name);
      p.kernel = *MakePresetKernel(name, n == "box" || n == "gaussian" ? rng.Int(2, 11) : 0);
    }
    p.stride = {rng.Int(1, 4), rng.Int(1, 2)};  // the x stride decides separable or not
    p.dilation = rng.Chance(50) ? Size2{1, 1} : Size2{rng.Int(1, 3), rng.Int(1, 3)};
    p.channel_mode = rng.Chance(50) ? ChannelMode::Depthwise : ChannelMode::Sum;
    p.bias = rng.Chance(50) ? 0.0f : rng.Value();
    if (p.op == Op::Conv) {
      p.pad_mode = AnyMode(rng);
      p.padding.preset = static_cast<PadPreset>(rng.Int(0, 3));
    }
    p.padding.top = rng.Int(0, 3);
    p.padding.bottom = rng.Int(0, 3);
    p.padding.left = rng.Int(0, 3);
    p.padding.right = rng.Int(0, 3);
    const auto paths = Check(p, input, tally, RowGroupOptions(index));
    if (paths && paths->separable) {
      ++tally.taken;
      transposed += p.op == Op::Transposed;
      summed += p.channel_mode == ChannelMode::Sum && channels > 1;
    }
  }
  MESSAGE("separable: " << tally.checked << " valid cases, " << tally.taken << " on the separable path ("
                        << transposed << " transposed, " << summed << " summed over channels)");
  CHECK(tally.failures == 0);
  CHECK(tally.taken > 150);
  CHECK(transposed > 15);
  CHECK(summed > 30);
}

TEST_CASE("near-rank-1 kernels do not take the separable path") {
  Rng rng(7003);
  Tally tally;
  int rejected = 0;
  for (int index = 0; index < 200; ++index) {
    Kernel k = OuterProduct(rng, rng.Int(3, 9), rng.Int(3, 9));
    // One tap off by 1e-5 relative (about 80 float epsilons): far past the detector's few ulps,
    // and far past the tests' tolerance when multiplied by a large input.
    float& w = k.weights[rng.Next() % k.weights.size()];
    w = w == 0.0f ? 1e-3f : w * (1.0f + (rng.Chance(50) ? 1e-5f : -1e-5f));
    CHECK_FALSE(FactorRankOne(k.weights.data(), k.height, k.width).has_value());
    const Tensor3 input = RandomImage(rng, 1, rng.Int(10, 24), rng.Int(10, 24));
    Params p;
    p.kernel = k;
    p.stride = {rng.Int(1, 2), rng.Int(1, 2)};
    p.padding.preset = PadPreset::Same;
    p.pad_mode = AnyMode(rng);
    const auto paths = Check(p, input, tally);
    if (paths && paths->polyphase && !paths->separable) ++rejected;
  }
  MESSAGE("near rank 1: " << tally.checked << " valid cases, " << rejected << " kept on the direct path");
  CHECK(tally.failures == 0);
  CHECK(rejected == tally.checked);
  CHECK(rejected > 150);
}

TEST_CASE("rank-1 detector: exact factors and a few ulps, nothing more") {
  const float sobel[] = {-1, 0, 1, -2, 0, 2, -1, 0, 1};
  const auto f = FactorRankOne(sobel, 3, 3);
  REQUIRE(f.has_value());
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) CHECK(f->column[i] * f->row[j] == sobel[i * 3 + j]);
  const float laplacian[] = {0, 1, 0, 1, -4, 1, 0, 1, 0};
  CHECK_FALSE(FactorRankOne(laplacian, 3, 3).has_value());
  float zero_broken[] = {1, 2, 2, 4};  // rank 1; then an exact zero it cannot reproduce
  CHECK(FactorRankOne(zero_broken, 2, 2).has_value());
  zero_broken[3] = 0.0f;
  CHECK_FALSE(FactorRankOne(zero_broken, 2, 2).has_value());
  for (const int size : {3, 7, 15, 31}) {
    const Kernel g = *MakePresetKernel("gaussian", size);
    CHECK_MESSAGE(FactorRankOne(g.weights.data(), size, size).has_value(), "gaussian " << size);
    const Kernel b = *MakePresetKernel("box", size);
    CHECK_MESSAGE(FactorRankOne(b.weights.data(), size, size).has_value(), "box " << size);
  }
}

TEST_CASE("large kernels up to 31x31, direct and separable") {
  Rng rng(7004);
  Tally tally;
  int direct = 0, separable = 0;
  for (int index = 0; index < 48; ++index) {
    const int kh = rng.Int(12, 31), kw = rng.Int(12, 31);
    const Tensor3 input = RandomImage(rng, rng.Int(1, 2), rng.Int(kh, 44), rng.Int(kw, 44));
    Params p;
    p.kernel = index % 2 ? OuterProduct(rng, kh, kw) : RandomKernel(rng, kh, kw);
    p.stride = {rng.Int(1, 3), rng.Int(1, 3)};
    p.pad_mode = AnyMode(rng);
    p.padding.preset = rng.Chance(50) ? PadPreset::Same : PadPreset::Valid;
    p.channel_mode = rng.Chance(50) ? ChannelMode::Depthwise : ChannelMode::Sum;
    const auto paths = Check(p, input, tally);
    if (paths && paths->polyphase) ++(paths->separable ? separable : direct);
  }
  tally.taken = direct + separable;
  MESSAGE("large kernels: " << tally.checked << " valid cases, " << direct << " direct, " << separable
                            << " separable");
  CHECK(tally.failures == 0);
  CHECK(direct > 15);
  CHECK(separable > 15);
}

TEST_CASE("row kernel: output rows long enough for every block, vector and scalar tail") {
  // The row kernel takes blocks of up to 8 vectors (128 floats with AVX-512; 6 for a pair of
  // rows with AVX2), then single vectors, then scalars; the other sections' inputs are too
  // narrow to reach the widest block. Direct and separable rows go in groups of 2 or 4 sharing
  // their source rows (GroupRows; each size forced in turn), the rows left at a band's end in
  // smaller groups.
  Rng rng(7006);
  Tally tally;
  int wide = 0, vector_tail = 0, scalar_tail = 0, grouped = 0, grouped_separable = 0, grouped_odd = 0;
  for (int index = 0; index < 200; ++index) {
    const Tensor3 input = RandomImage(rng, rng.Int(1, 2), rng.Int(4, 16), rng.Int(120, 420));
    Params p;
    const int kh = rng.Int(1, 9), kw = rng.Int(1, 11);
    p.kernel = index % 2 ? OuterProduct(rng, kh, kw) : RandomKernel(rng, kh, kw);
    p.stride = {rng.Int(1, 2), rng.Int(1, 3)};
    p.dilation = {1, rng.Int(1, 2)};
    p.pad_mode = AnyMode(rng);
    p.padding.preset = rng.Chance(50) ? PadPreset::Same : PadPreset::Valid;
    Expected<Geometry> g = ResolveGeometry(p, input.channels, input.height, input.width);
    const auto paths = Check(p, input, tally, RowGroupOptions(index));
    if (!paths || !paths->polyphase) continue;
    ++tally.taken;
    const int ow = g->x.output;
    wide += ow >= 128;
    vector_tail += ow % 128 >= 16;
    scalar_tail += ow % 4 != 0;
    const AxisGeometry& ay = g->y;
    // A group of 2 adds `step` source rows to `taps` (dilation 1 or 2 here: shift = step or 1).
    const int shift = ay.step / std::gcd(ay.step, ay.dilation);
    if (RowGroupOptions(index).row_group != 1 && ay.taps >= 2 && 2 * (ay.taps + shift) <= 3 * ay.taps) {
      ++(paths->separable ? grouped_separable : grouped);
      grouped_odd += g->y.output % 2;
    }
  }
  MESSAGE("row kernel: " << tally.checked << " valid cases, " << wide << " with a 128-float block, "
                         << vector_tail << " with a vector tail, " << scalar_tail << " with a scalar tail, "
                         << grouped << " direct and " << grouped_separable << " separable with grouped rows ("
                         << grouped_odd << " with an odd row count)");
  CHECK(tally.failures == 0);
  CHECK(wide > 30);
  CHECK(vector_tail > 30);
  CHECK(scalar_tail > 30);
  CHECK(grouped > 20);
  CHECK(grouped_separable > 10);
  CHECK(grouped_odd > 8);
}

TEST_CASE("threads: 2 threads give the same values as 1") {
  Rng rng(7005);
  Tally tally;
  int identical = 0;
  CpuEngineOptions one, two;
  one.threads = 1;
  two.threads = 2;
  for (int index = 0; index < 40; ++index) {
    // An explicit thread count wakes the team at any size (UseThreads); these are big enough
    // that both threads get rows.
    const Tensor3 input = RandomImage(rng, 3, rng.Int(48, 80), rng.Int(48, 80));
    Params p = testing::RandomParams(rng, input.channels);
    const int op = rng.Int(0, 9);
    p.op = op < 5 ? Op::Conv : op < 7 ? Op::Transposed : op < 8 ? Op::MaxPool : Op::AvgPool;
    p.kernel = index % 3 ? RandomKernel(rng, rng.Int(3, 9), rng.Int(3, 9)) : OuterProduct(rng, 5, 7);
    p.stride = {rng.Int(1, 3), rng.Int(1, 3)};
    p.dilation = {1, 1};
    p.window = {rng.Int(2, 4), rng.Int(2, 4)};
    p.padding = reference::ExplicitPadding(1, 1, 1, 1);
    if (p.op != Op::Conv) p.pad_mode = PadMode::Zeros;
    Expected<Geometry> g = ResolveGeometry(p, input.channels, input.height, input.width);
    if (!g) continue;
    Check(p, input, tally, two);
    const Tensor3 a = CpuEngine(one).Compute(p, *g, input);
    const Tensor3 b = CpuEngine(two).Compute(p, *g, input);
    identical += a.data == b.data;  // each row is computed the same way on whichever thread
  }
  MESSAGE("threads: " << tally.checked << " valid cases, " << identical << " bitwise identical");
  CHECK(tally.failures == 0);
  CHECK(identical == tally.checked);
  CHECK(tally.checked > 25);
}

TEST_CASE("large outputs: streaming stores, aligned and misaligned rows, direct and separable") {
  // Outputs from 16 MB on are written with non-temporal stores (engine_cpu_conv.cpp), which the
  // small random cases never reach. Width 1408 keeps every row vector-aligned alike (rows grouped
  // and streamed); 1366 misaligns neighbouring rows (grouped rows stored normally, single rows
  // streamed after a scalar head).
  // Each width runs with row groups of 4 forced, then of 2, and the last case sums input
  // channels, so the streamed pass follows the earlier channels' sums.
  Rng rng(7006);
  Tally tally;
  for (int width : {1408, 1366}) {
    const Tensor3 input = RandomImage(rng, 3, 1100, width);
    for (int kernel = 0; kernel < 3; ++kernel) {
      CpuEngineOptions two = RowGroupOptions(kernel == 1 ? 2 : 3);  // groups of 2, then of 4
      two.threads = 2;
      Params p;
      p.kernel = kernel == 1 ? OuterProduct(rng, 9, 9) : RandomKernel(rng, 7, 7);
      if (kernel == 2) {
        // 3 filters over 3 channels (3x3: the plain path stays quick), 3 outputs of 3 sums each.
        p.kernel = RandomKernel(rng, 3, 3);
        p.kernel.rank = 4;
        p.kernel.filters = 3;
        p.kernel.channels = 3;
        p.kernel.weights.clear();
        for (int i = 0; i < 3 * 3 * 3 * 3; ++i) p.kernel.weights.push_back(rng.Value());
      }
      p.bias = 0.25f;
      p.padding.preset = PadPreset::Same;
      Expected<Geometry> g = ResolveGeometry(p, input.channels, input.height, input.width);
      REQUIRE(g.ok());
      REQUIRE(g->channels.out_channels * g->y.output * static_cast<std::size_t>(g->x.output) * sizeof(float) >=
              std::size_t{16} << 20);
      Tensor3 got = Tensor3::Zeros(g->channels.out_channels, g->y.output, g->x.output);
      std::fill(got.data.begin(), got.data.end(), std::numeric_limits<float>::quiet_NaN());
      CpuEngine(two).ComputeInto(p, *g, input, got);
      const Tensor3 plain = CpuEngine(PlainOptions()).Compute(p, *g, input);
      const std::string why = reference::CompareWithReference(got, reference::RefTensor::FromTensor(plain));
      ++tally.checked;
      if (!why.empty()) {
        ++tally.failures;
        const std::string shape = kernel == 1 ? "separable 9x9" : kernel == 0 ? "dense 7x7" : "3x3x3x3 summed";
        FAIL_CHECK("width " << width << ", " << shape << ": " << why);
      }
      tally.taken += CpuEngine(two).Paths(p, *g).separable == (kernel == 1);
    }
  }
  CHECK(tally.failures == 0);
  CHECK(tally.taken == 6);
}

TEST_CASE("stride 1 in place: interior from the image, edges from padded rows, at the threshold") {
  // At stride 1 with windows up to 9x9 a direct conv reads its interior output columns straight
  // from the image and only the edges from padded copies (PhaseRows::InteriorOutputs), once the
  // interior has 64 or more outputs. Widths here put it just below, at and above that, for every
  // window extent up to 9 and past it, with each pad mode, explicit padding up to the extent on
  // either side, dilation 1 and 2, and both row-group sizes.
  Rng rng(7011);
  Tally tally;
  for (int extent = 2; extent <= 11; ++extent) {
    for (int dilation : {1, 2}) {
      if ((extent - 1) % dilation != 0) continue;
      const int taps = (extent - 1) / dilation + 1;
      for (int interior : {62, 63, 64, 65, 130}) {
        Params p;
        p.kernel = RandomKernel(rng, rng.Int(1, 4), taps);
        p.dilation = {1, dilation};
        p.pad_mode = AnyMode(rng);
        const int left = rng.Int(0, extent - 1), right = rng.Int(0, extent - 1);
        p.padding.left = left;
        p.padding.right = right;
        p.padding.top = rng.Int(0, 1);
        p.padding.bottom = rng.Int(0, 1);
        // Lattice columns [left, left + width) are the image: interior outputs = width - extent + 1.
        const int width = interior + extent - 1;
        const Tensor3 input = RandomImage(rng, rng.Int(1, 2), rng.Int(4, 9), width);
        CpuEngineOptions options = RowGroupOptions(interior);
        options.threads = rng.Int(1, 2);
        if (Check(p, input, tally, options)) ++tally.taken;
      }
    }
  }
  MESSAGE("stride 1 in place: " << tally.checked << " valid cases");
  CHECK(tally.failures == 0);
  CHECK(tally.checked > 60);
}

TEST_CASE("tensor storage: every element filled, below, at and across the huge-page size") {
  // Tensor3::Filled advises the whole 2 MB pages inside its block into huge pages (images and
  // outputs alike); the madvise must not change what the block holds or how long it is.
  constexpr int kPageFloats = (2 << 20) / sizeof(float);
  for (const int n : {0, 1, kPageFloats - 1, kPageFloats, 3 * kPageFloats + 5}) {
    const Tensor3 filled = Tensor3::Filled(1, 1, n, -2.5f);
    CHECK(filled.width == n);
    REQUIRE(filled.data.size() == static_cast<std::size_t>(n));
    CHECK(std::count(filled.data.begin(), filled.data.end(), -2.5f) == n);
  }
  const Tensor3 zeros = Tensor3::Zeros(3, 1024, 700);
  CHECK(zeros.channels == 3);
  CHECK(zeros.height == 1024);
  CHECK(zeros.PlaneSize() == 1024u * 700u);
  REQUIRE(zeros.data.size() == 3u * 1024u * 700u);
  CHECK(std::all_of(zeros.data.begin(), zeros.data.end(), [](float v) { return v == 0.0f; }));
}

}  // namespace
}  // namespace stridescope
