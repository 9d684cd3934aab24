// ExplainCell against the CPU engine: the arithmetic panel's numbers must be the feature map's
// numbers, term by term, for every op, pad mode and channel layout (random cases, fixed seed),
// plus the ONNX conv case worked by hand in DESIGN.md.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "engine.h"
#include "explain.h"
#include "geometry.h"
#include "random_params.h"
#include "reference_conv.h"

namespace stridescope {
namespace {

using testing::RandomParams;
using testing::Rng;

// Equal within 1e-5 relative; infinities and NaNs must match exactly in kind.
bool Close(float got, float want, float scale) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == want;
  return std::fabs(got - want) <= 1e-5f * std::max(1.0f, scale);
}

// Why the explanation of one cell disagrees with the engine's map; empty when it agrees.
std::string CheckCell(const Params& p, const Geometry& g, const Tensor3& input, const Tensor3& map,
                      int oc, int oh, int ow) {
  const CellArithmetic cell = ExplainCell(p, g, input, oc, oh, ow);
  std::ostringstream why;
  const std::size_t expected_terms =
      static_cast<std::size_t>(g.channels.InputsPerGroup()) * g.y.taps * g.x.taps;
  if (cell.terms.size() != expected_terms) {
    why << "terms " << cell.terms.size() << ", expected " << expected_terms;
    return why.str();
  }
  const float want = map.At(oc, oh, ow);
  float magnitude = std::fabs(want);
  for (const CellTerm& term : cell.terms) magnitude += std::fabs(term.product) + std::fabs(term.value);
  if (!Close(cell.result, want, magnitude)) {
    why << "cell (" << oc << ", " << oh << ", " << ow << "): explained " << cell.result
        << ", engine " << want;
    return why.str();
  }
  if (p.op == Op::Conv || p.op == Op::Transposed) {
    float products = 0.0f;
    for (const CellTerm& term : cell.terms) products += term.product;
    if (!Close(products + cell.bias, cell.result, magnitude + std::fabs(cell.bias)))
      why << "sum of products " << products << " + bias " << cell.bias << " != result " << cell.result;
  } else if (p.op == Op::MaxPool) {
    const bool any_real = std::any_of(cell.terms.begin(), cell.terms.end(),
                                      [](const CellTerm& t) { return !t.zero; });
    if (any_real != (cell.max_term >= 0)) why << "max_term " << cell.max_term << " wrong";
    else if (any_real && cell.terms[static_cast<std::size_t>(cell.max_term)].zero)
      why << "padding won the max";
  }
  return why.str();
}

TEST_CASE("ExplainCell equals the CPU engine on random parameters") {
  constexpr int kCases = 6000;
  Rng rng(20240719);
  CpuEngine engine;
  int valid = 0, cells = 0, failures = 0;
  for (int index = 0; index < kCases; ++index) {
    const int channels = rng.Int(1, 3);
    Tensor3 input = Tensor3::Zeros(channels, rng.Int(1, 10), rng.Int(1, 10));
    for (float& v : input.data) v = rng.Value();
    const Params p = RandomParams(rng, channels);
    Expected<Geometry> geometry = ResolveGeometry(p, input.channels, input.height, input.width);
    if (!geometry) continue;
    ++valid;
    const Tensor3 map = engine.Compute(p, *geometry, input);
    for (int pick = 0; pick < 4; ++pick) {
      const int oc = rng.Int(0, map.channels - 1);
      const int oh = rng.Int(0, map.height - 1);
      const int ow = rng.Int(0, map.width - 1);
      ++cells;
      const std::string why = CheckCell(p, *geometry, input, map, oc, oh, ow);
      if (!why.empty() && ++failures <= 10)
        FAIL_CHECK("case " << index << ": " << why << "\n  " << reference::Describe(p, input));
    }
  }
  MESSAGE("explained " << cells << " cells in " << valid << " valid cases");
  CHECK(failures == 0);
  CHECK(valid > kCases / 4);
}

TEST_CASE("ExplainCell works the ONNX conv case as by hand") {
  Params p;
  p.kernel.height = p.kernel.width = 3;
  p.kernel.weights.assign(9, 1.0f);
  p.stride = {2, 2};
  p.padding.top = p.padding.bottom = p.padding.left = p.padding.right = 1;
  const Tensor3 input = reference::OnnxInput7x5();
  Expected<Geometry> g = ResolveGeometry(p, 1, 7, 5);
  REQUIRE(g.ok());

  SUBCASE("corner cell: 0 + 1 + 5 + 6, five taps in the padding") {
    const CellArithmetic cell = ExplainCell(p, *g, input, 0, 0, 0);
    REQUIRE(cell.terms.size() == 9);
    CHECK(cell.result == 12.0f);
    CHECK(cell.sum == 12.0f);
    CHECK(cell.bias == 0.0f);
    int padding = 0;
    for (const CellTerm& t : cell.terms) padding += t.padding ? 1 : 0;
    CHECK(padding == 5);
    CHECK(cell.Term(0, 0, 0).padding);
    CHECK(cell.Term(0, 0, 0).position_y == -1);
    CHECK(cell.Term(0, 1, 1).value == 0.0f);
    CHECK_FALSE(cell.Term(0, 1, 1).padding);
    CHECK(cell.Term(0, 1, 2).value == 1.0f);
    CHECK(cell.Term(0, 2, 1).value == 5.0f);
    CHECK(cell.Term(0, 2, 2).value == 6.0f);
    CHECK(cell.Term(0, 2, 2).source_y == 1);
    CHECK(cell.Term(0, 2, 2).source_x == 1);
  }
  SUBCASE("inner cell (1, 1) = 108, no padding") {
    const CellArithmetic cell = ExplainCell(p, *g, input, 0, 1, 1);
    CHECK(cell.result == 108.0f);
    for (const CellTerm& t : cell.terms) CHECK_FALSE(t.padding);
    CHECK(cell.Term(0, 0, 0).value == 6.0f);  // rows 1-3, columns 1-3
  }
  SUBCASE("max pooling: padding never wins, an all-padding window is -inf") {
    Params pool;
    pool.op = Op::MaxPool;
    pool.window = {2, 2};
    pool.stride = {2, 2};
    pool.padding.top = pool.padding.left = 1;
    Tensor3 negative = reference::OnnxInput7x5();
    for (float& v : negative.data) v = -1.0f - v;
    Expected<Geometry> pg = ResolveGeometry(pool, 1, 7, 5);
    REQUIRE(pg.ok());
    const CellArithmetic cell = ExplainCell(pool, *pg, negative, 0, 0, 0);
    CHECK(cell.result == -1.0f);  // the one real pixel, although the padding zeros are larger
    CHECK(cell.max_term == 3);
  }
}

}  // namespace
}  // namespace stridescope
