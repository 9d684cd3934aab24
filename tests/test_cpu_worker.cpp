// The window's CPU worker: latest wins, overtaken results are dropped, values are the engine's.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <thread>

#include "gui/cpu_worker.h"
#include "kernels.h"
#include "mip_levels.h"
#include "samples.h"

using namespace stridescope;

namespace {

CpuWorker::Finished WaitFor(CpuWorker& worker) {
  for (int i = 0; i < 2000; ++i) {
    if (std::optional<CpuWorker::Finished> done = worker.TakeFinished()) return std::move(*done);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  FAIL("the worker did not finish within 10 s");
  return {};
}

}  // namespace

TEST_CASE("the CPU worker returns only the newest job's result, equal to the engine's") {
  const auto input = std::make_shared<const Tensor3>(*MakeSample("scene"));
  CpuWorker worker;
  Params last;
  MapDisplay diverging;
  diverging.colour_map = ColourMap::Diverging;
  diverging.range_mode = RangeMode::Symmetric;
  // Several jobs in a row, as while dragging a slider: only the last one's result may arrive.
  for (int stride = 1; stride <= 4; ++stride) {
    Params p;
    p.kernel = *MakePresetKernel("gaussian", 9);
    p.stride = {stride, stride};
    Expected<Geometry> g = ResolveGeometry(p, input->channels, input->height, input->width);
    REQUIRE(g.ok());
    worker.Submit({p, *g, input, static_cast<std::uint64_t>(stride), diverging});
    last = p;
  }
  CpuWorker::Finished done = WaitFor(worker);
  CHECK(done.id == 4);
  CHECK_FALSE(done.out_of_memory);
  CpuEngine engine;
  Expected<Tensor3> want = Run(engine, last, *input);
  REQUIRE(want.ok());
  CHECK(done.feature_map.height == want->height);
  CHECK(done.feature_map.width == want->width);
  CHECK(done.feature_map.data == want->data);
  // The worker coloured the map as the job asked, exactly as the UI thread would.
  const ColouredMap expected = ColourTensor(*want, diverging);
  CHECK(done.picture.display == diverging);
  CHECK(done.picture.rgba == expected.rgba);
  CHECK(done.picture.range.low == expected.range.low);
  CHECK(done.picture.range.high == expected.range.high);
  // And made the texture's smaller levels from that picture.
  const std::vector<RgbaLevel> levels = HalvedLevels(expected.rgba.data(), want->width, want->height);
  REQUIRE(done.picture_levels.size() == levels.size());
  REQUIRE_FALSE(levels.empty());
  for (std::size_t i = 0; i < levels.size(); ++i) {
    CHECK(done.picture_levels[i].width == levels[i].width);
    CHECK(done.picture_levels[i].height == levels[i].height);
    CHECK(done.picture_levels[i].rgba == levels[i].rgba);
  }
  // Nothing more comes: the overtaken jobs' results were dropped.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK_FALSE(worker.TakeFinished().has_value());
  CHECK_FALSE(worker.Busy());
}

TEST_CASE("a recycled map's storage is reused and fully overwritten") {
  const auto input = std::make_shared<const Tensor3>(*MakeSample("grid7"));
  CpuWorker worker;
  Params p;
  p.kernel = *MakePresetKernel("sobel-x", 3);
  p.bias = 0.5f;
  Expected<Geometry> g = ResolveGeometry(p, input->channels, input->height, input->width);
  REQUIRE(g.ok());
  CpuEngine engine;
  Expected<Tensor3> want = Run(engine, p, *input);
  REQUIRE(want.ok());
  // A spent map of the result's size, full of NaN: any element the next job does not write shows.
  Tensor3 spent = *want;
  std::fill(spent.data.begin(), spent.data.end(), std::numeric_limits<float>::quiet_NaN());
  const float* storage = spent.data.data();
  worker.Recycle(std::move(spent));
  worker.Submit({p, *g, input, 1, MapDisplay{}});
  CpuWorker::Finished done = WaitFor(worker);
  CHECK(done.feature_map.data.data() == storage);
  CHECK(done.feature_map.data == want->data);
}
