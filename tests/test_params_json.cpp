// Params JSON: round trips exactly, and a corrupt or hand-edited file gets an Error, never a crash.
#include <doctest/doctest.h>

#include <string>

#include "params_json.h"
#include "random_params.h"

using namespace stridescope;

namespace {

// Field by field: Params has no operator== of its own.
void CheckSame(const Params& a, const Params& b) {
  CHECK(a.op == b.op);
  CHECK(a.kernel.rank == b.kernel.rank);
  CHECK(a.kernel.filters == b.kernel.filters);
  CHECK(a.kernel.channels == b.kernel.channels);
  CHECK(a.kernel.height == b.kernel.height);
  CHECK(a.kernel.width == b.kernel.width);
  CHECK(a.kernel.weights == b.kernel.weights);
  CHECK(a.window == b.window);
  CHECK(a.stride == b.stride);
  CHECK(a.dilation == b.dilation);
  CHECK(a.padding == b.padding);
  CHECK(a.pad_mode == b.pad_mode);
  CHECK(a.bias == b.bias);
  CHECK(a.channel_mode == b.channel_mode);
  CHECK(a.output_padding == b.output_padding);
  CHECK(a.ceil_mode == b.ceil_mode);
  CHECK(a.count_include_pad == b.count_include_pad);
}

}  // namespace

TEST_CASE("Params survive a JSON round trip bit for bit") {
  testing::Rng rng(4242);
  int round_trips = 0;
  for (int i = 0; i < 300; ++i) {
    Params p = testing::RandomParams(rng, rng.Int(1, 3));
    // The random generator also makes values past the limits on purpose; those must be refused.
    Expected<Params> back = ParamsFromJson(ParamsToJson(p));
    if (!back) continue;
    CheckSame(p, *back);
    ++round_trips;
  }
  CHECK(round_trips > 100);
}

TEST_CASE("bad settings give an Error naming the problem") {
  const std::string good = ParamsToJson(Params{});
  REQUIRE(ParamsFromJson(good).ok());
  const auto error_of = [](const std::string& text) {
    Expected<Params> p = ParamsFromJson(text);
    REQUIRE_FALSE(p.ok());
    return p.error().message;
  };
  CHECK(error_of("").find("not a JSON object") != std::string::npos);
  CHECK(error_of("{\"version\": 1, \"op\": ").find("not a JSON object") != std::string::npos);
  CHECK(error_of("[1,2]").find("not a JSON object") != std::string::npos);
  CHECK(error_of("{\"version\": 7}").find("version 7") != std::string::npos);
  CHECK(error_of("{\"version\": 1, \"op\": \"dilate\"}").find("\"op\"") != std::string::npos);
  CHECK(error_of("{\"version\": 1, \"stride\": [0, 1]}").find("\"stride\"") != std::string::npos);
  CHECK(error_of("{\"version\": 1, \"stride\": [2]}").find("[y, x]") != std::string::npos);
  CHECK(error_of("{\"version\": 1, \"stride\": \"two\"}").find("[y, x]") != std::string::npos);
  CHECK(error_of("{\"version\": 1, \"ceil_mode\": \"yes\"}").find("wrong type") != std::string::npos);
  CHECK(error_of("{\"version\": 1, \"padding\": {\"sides\": [1, 2, 3, 9999]}}").find("padding") != std::string::npos);
  CHECK(error_of("{\"version\": 1, \"kernel\": {\"shape\": [2, 2], \"weights\": [1, 2, 3]}}").find("kernel") !=
        std::string::npos);
  CHECK(error_of("{\"version\": 1, \"kernel\": {\"shape\": [2, 2], \"weights\": [1, null, 3, 4]}}").find("finite") !=
        std::string::npos);
  CHECK(error_of("{\"version\": 1, \"kernel\": {\"shape\": [40, 40], \"weights\": []}}").find("kernel") !=
        std::string::npos);
  // Missing fields keep their defaults.
  Expected<Params> sparse = ParamsFromJson("{\"version\": 1, \"stride\": [2, 3]}");
  REQUIRE(sparse.ok());
  CHECK(sparse->stride == Size2{2, 3});
  CHECK(sparse->op == Op::Conv);
}
