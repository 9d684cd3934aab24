// Params as versioned JSON: the window's saved state now, saved sessions and lessons later.
#pragma once

#include <string>

#include "expected.h"
#include "params.h"

namespace stridescope {

inline constexpr int kParamsJsonVersion = 1;

// One JSON object: {"version":1,"op":"conv","kernel":{"shape":[3,3],"weights":[...]},...}.
std::string ParamsToJson(const Params& params);

// Parses what ParamsToJson wrote. Every field is range-checked against params.h's limits (a
// hand-edited or corrupt file gets an Error naming the field, never a crash); missing fields keep
// their defaults. Whether the combination fits an image is ResolveGeometry's job, not this one's.
Expected<Params> ParamsFromJson(const std::string& text);

}  // namespace stridescope
