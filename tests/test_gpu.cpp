// The GPU engine against the CPU engine (itself checked against the independent reference), on
// a headless EGL context: Mesa llvmpipe on CI, so every image here is small.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <memory>

#include "gl_context.h"
#include "gpu_engine.h"
#include "random_params.h"
#include "reference_conv.h"

using namespace stridescope;

namespace {

// One context for the whole binary: EGL set-up costs more than all the dispatches together.
HeadlessGlContext& Context() {
  static Expected<std::unique_ptr<HeadlessGlContext>> context = HeadlessGlContext::Create();
  REQUIRE_MESSAGE(context.ok(), (context.ok() ? "" : context.error().message));
  return **context;
}

GpuEngine& Gpu() {
  Context();
  static Expected<std::unique_ptr<GpuEngine>> engine = GpuEngine::Create();
  REQUIRE_MESSAGE(engine.ok(), (engine.ok() ? "" : engine.error().message));
  return **engine;
}

// Max abs difference, relative to the largest finite CPU value (at least 1). -inf (max pooling
// over padding only) must match exactly.
double RelativeError(const Tensor3& gpu, const Tensor3& cpu) {
  double scale = 1.0, worst = 0.0;
  for (float v : cpu.data)
    if (std::isfinite(v)) scale = std::max(scale, static_cast<double>(std::fabs(v)));
  for (std::size_t i = 0; i < cpu.data.size(); ++i) {
    if (!std::isfinite(cpu.data[i]) || !std::isfinite(gpu.data[i])) {
      if (cpu.data[i] != gpu.data[i]) return INFINITY;
      continue;
    }
    worst = std::max(worst, std::fabs(static_cast<double>(gpu.data[i]) - cpu.data[i]));
  }
  return worst / scale;
}

}  // namespace

TEST_CASE("a headless context has OpenGL 4.3 compute") {
  MESSAGE("renderer: " << Context().renderer());
  CHECK(Gpu().Name() == "gpu");
}

TEST_CASE("GPU reproduces the ONNX stride-2 cases") {
  Tensor3 input = Tensor3::Zeros(1, 7, 5);
  for (int i = 0; i < 35; ++i) input.data[static_cast<std::size_t>(i)] = static_cast<float>(i);
  Params p;
  p.kernel.height = p.kernel.width = 3;
  p.kernel.weights.assign(9, 1.0f);
  p.stride = {2, 2};
  p.padding = {PadPreset::Explicit, 1, 1, 1, 1};
  Expected<Tensor3> padded = Run(Gpu(), p, input);
  REQUIRE(padded.ok());
  CHECK(padded->data == std::vector<float>{12, 27, 24, 63, 108, 81, 123, 198, 141, 112, 177, 124});
  p.padding = {};
  Expected<Tensor3> unpadded = Run(Gpu(), p, input);
  REQUIRE(unpadded.ok());
  CHECK(unpadded->data == std::vector<float>{54, 72, 144, 162, 234, 252});
}

TEST_CASE("GPU matches CPU on random parameters: every op, pad mode and channel layout") {
  constexpr int kCases = 3000;
  testing::Rng rng(77031);
  CpuEngine cpu;
  int compared = 0, mismatches = 0;
  std::array<int, 4> by_op{}, by_mode{};
  std::array<int, 5> by_rank{};
  int even_kernels = 0, non_square = 0, stride_over_extent = 0, single_output = 0, depthwise_multi = 0;
  for (int index = 0; index < kCases; ++index) {
    Tensor3 input = testing::RandomInput(rng);
    const int channels = input.channels;
    const Params p = testing::RandomParams(rng, channels);
    Expected<Geometry> g = ResolveGeometry(p, input.channels, input.height, input.width);
    if (!g) continue;
    const Tensor3 want = cpu.Compute(p, *g, input);
    const Tensor3 got = Gpu().Compute(p, *g, input);
    ++compared;
    const bool shape_ok = got.channels == want.channels && got.height == want.height && got.width == want.width;
    const double error = shape_ok ? RelativeError(got, want) : INFINITY;
    if (error > 1e-5) {
      ++mismatches;
      if (mismatches <= 8) FAIL_CHECK("case " << index << ": error " << error << "\n  " << reference::Describe(p, input));
    }
    const bool pool = p.op == Op::MaxPool || p.op == Op::AvgPool;
    ++by_op[static_cast<std::size_t>(p.op)];
    ++by_mode[static_cast<std::size_t>(p.pad_mode)];
    if (!pool) ++by_rank[static_cast<std::size_t>(p.kernel.rank)];
    if (g->y.taps % 2 == 0 || g->x.taps % 2 == 0) ++even_kernels;
    if (g->y.taps != g->x.taps) ++non_square;
    if (!g->y.transposed && (g->y.stride > g->y.Extent() || g->x.stride > g->x.Extent())) ++stride_over_extent;
    if (g->y.output == 1 && g->x.output == 1) ++single_output;
    if (!pool && p.kernel.rank == 2 && p.channel_mode == ChannelMode::Depthwise && channels > 1) ++depthwise_multi;
  }
  MESSAGE("GPU vs CPU: " << compared << " valid cases compared, " << mismatches << " mismatches; by op "
                         << by_op[0] << "/" << by_op[1] << "/" << by_op[2] << "/" << by_op[3] << ", by pad mode "
                         << by_mode[0] << "/" << by_mode[1] << "/" << by_mode[2] << "/" << by_mode[3]);
  CHECK(mismatches == 0);
  // The grid must really cover what the issue names, or a pass means little.
  CHECK(compared > 1000);
  for (int n : by_op) CHECK(n > 50);
  for (int n : by_mode) CHECK(n > 20);
  CHECK(by_rank[2] > 50);
  CHECK(by_rank[3] > 20);
  CHECK(by_rank[4] > 20);
  CHECK(even_kernels > 50);
  CHECK(non_square > 50);
  CHECK(stride_over_extent > 20);
  CHECK(single_output > 20);
  CHECK(depthwise_multi > 20);
}

TEST_CASE("a shader that fails to compile makes Create return the info log") {
  Context();
  GpuEngineOptions options;
  options.force_compile_failure = true;
  Expected<std::unique_ptr<GpuEngine>> broken = GpuEngine::Create(options);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().message.find("conv.comp failed to compile") != std::string::npos);
  CHECK(broken.error().message.size() > std::string("shader conv.comp failed to compile:\n").size());
}

TEST_CASE("inputs beyond the GPU's limits get a message, not a black view") {
  Tensor3 huge;  // CanCompute reads only the shape
  huge.channels = 3;
  huge.height = 4;
  huge.width = 20000;
  Geometry g;
  g.y.output = 4;
  g.x.output = 20000;
  g.channels = {3, 3, 3};
  Status fits = Gpu().CanCompute(g, huge);
  REQUIRE_FALSE(fits.ok());
  CHECK(fits.error().message.find("20000") != std::string::npos);
  CHECK(fits.error().message.find("CPU engine") != std::string::npos);
}

TEST_CASE("Mesa's software renderer is recognised, so auto can leave it to the CPU") {
  const bool llvmpipe = Context().renderer().find("llvmpipe") != std::string::npos;
  CHECK(Gpu().IsSoftwareRenderer() == llvmpipe);
}

TEST_CASE("panes share one upload: each output keeps its own map, computed from the one input") {
  // The ONNX input and stride-2 cases (DESIGN.md): pad 1 gives 4x3, no pad gives 3x2.
  Tensor3 input = Tensor3::Zeros(1, 7, 5);
  for (int i = 0; i < 35; ++i) input.data[static_cast<std::size_t>(i)] = static_cast<float>(i);
  Params padded;
  padded.kernel.height = padded.kernel.width = 3;
  padded.kernel.weights.assign(9, 1.0f);
  padded.stride = {2, 2};
  padded.padding = {PadPreset::Explicit, 1, 1, 1, 1};
  Params unpadded = padded;
  unpadded.padding = {};
  const Geometry g_padded = *ResolveGeometry(padded, 1, 7, 5);
  const Geometry g_unpadded = *ResolveGeometry(unpadded, 1, 7, 5);
  GpuOutput a;
  GpuOutput b;
  CHECK(Gpu().ReadBack(a).Empty());  // nothing dispatched into it yet
  Gpu().Dispatch(padded, g_padded, input, /*input_changed=*/true, a);
  Gpu().Dispatch(unpadded, g_unpadded, input, /*input_changed=*/false, b);
  const Tensor3 map_a = Gpu().ReadBack(a);
  const Tensor3 map_b = Gpu().ReadBack(b);
  REQUIRE(map_a.height == 4);
  REQUIRE(map_a.width == 3);
  REQUIRE(map_b.height == 3);
  REQUIRE(map_b.width == 2);
  CHECK(map_a.data == std::vector<float>{12, 27, 24, 63, 108, 81, 123, 198, 141, 112, 177, 124});
  CHECK(map_b.data == std::vector<float>{54, 72, 144, 162, 234, 252});
  // A new input for b does not touch a's map until a is dispatched again.
  Tensor3 doubled = input;
  for (float& v : doubled.data) v *= 2.0f;
  Gpu().Dispatch(unpadded, g_unpadded, doubled, /*input_changed=*/true, b);
  CHECK(Gpu().ReadBack(a).data == map_a.data);
  CHECK(Gpu().ReadBack(b).data == std::vector<float>{108, 144, 288, 324, 468, 504});
}
