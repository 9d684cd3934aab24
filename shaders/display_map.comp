#version 430
// The feature map for display, without reading it back: the GPU twin of core/colour_map.cpp
// (FiniteMinMax, ResolveRange, ToLevel, LevelColour, MapToRgba), so both engines show the same
// bytes. Every function here names its C++ mirror; change both together.
// core/gl/display_mapper.cpp compiles this file twice, with RANGE_PASS defined as 1 or 0:
//   RANGE_PASS 1: finite min and max over the shown layers, into uRange (one atomic per group)
//   RANGE_PASS 0: one RGBA8 texel per cell: 3 shown layers RGB, 1 shown layer through the colour
//                 map (grey or diverging); non-finite black; values outside the range clamp.
layout(local_size_x = 16, local_size_y = 16, local_size_z = 1) in;

// R32F, one layer per channel, OW x OH, row 0 = output row 0 (as the engine wrote it).
layout(r32f, binding = 0) readonly uniform image2DArray uMap;
layout(rgba8, binding = 1) writeonly uniform image2D uDisplay;

// Floats as order-preserving uints, so that integer atomics compute a float min/max.
// The host sets minKey = 0xffffffff and maxKey = 0 before the range pass; they stay so
// (minKey > maxKey) when no shown value is finite.
layout(std430, binding = 0) buffer Range {
  uint minKey;
  uint maxKey;
} uRange;

uniform ivec2 uSize;        // (OW, OH)
uniform int uFirstLayer;    // ShownChannels::first
uniform int uShownLayers;   // ShownChannels::count: 1 (through the colour map) or 3 (RGB)

// The bit pattern test cannot be optimised away the way isnan/isinf may be under fast math.
bool IsFinite(float v) { return (floatBitsToUint(v) & 0x7f800000u) != 0x7f800000u; }

// Positive floats: set the sign bit, so they sort above every negative one; negative floats:
// flip all bits, so a larger magnitude sorts lower. -0 and +0 get neighbouring keys.
uint ToKey(float v) {
  const uint bits = floatBitsToUint(v);
  return (bits & 0x80000000u) != 0u ? ~bits : (bits | 0x80000000u);
}

float FromKey(uint key) {
  return uintBitsToFloat((key & 0x80000000u) != 0u ? (key & 0x7fffffffu) : ~key);
}

#if RANGE_PASS

shared uint sMin;
shared uint sMax;

void main() {
  if (gl_LocalInvocationIndex == 0u) {
    sMin = 0xffffffffu;
    sMax = 0u;
  }
  barrier();
  const ivec3 id = ivec3(gl_GlobalInvocationID);
  if (id.x < uSize.x && id.y < uSize.y && id.z < uShownLayers) {
    const float v = imageLoad(uMap, ivec3(id.xy, uFirstLayer + id.z)).r;
    if (IsFinite(v)) {
      const uint key = ToKey(v);
      atomicMin(sMin, key);
      atomicMax(sMax, key);
    }
  }
  barrier();
  // One global atomic per group instead of one per cell: the SSBO is a single hot spot.
  if (gl_LocalInvocationIndex == 0u && sMin <= sMax) {
    atomicMin(uRange.minKey, sMin);
    atomicMax(uRange.maxKey, sMax);
  }
}

#else

uniform int uColourMap;   // 0 Grey, 1 Diverging (ColourMap)
uniform int uRangeMode;   // 0 MinMax, 1 Symmetric, 2 Manual (RangeMode)
uniform vec2 uManual;     // (manual_low, manual_high), Manual only

// RdBu stops, mirror of kDivergingStops / kStopLevels in core/colour_map.cpp.
const ivec3 kStops[9] = ivec3[9](
    ivec3(33, 102, 172), ivec3(67, 147, 195), ivec3(146, 197, 222), ivec3(209, 229, 240),
    ivec3(247, 247, 247), ivec3(253, 219, 199), ivec3(244, 165, 130), ivec3(214, 96, 77),
    ivec3(178, 24, 43));
const int kStopLevels[9] = int[9](0, 32, 64, 96, 128, 160, 192, 224, 255);

// Mirror of ResolveRange: range by mode from the finite min..max ({0, 1} without one), then a
// flat or inverted range becomes {0, 1}.
vec2 ResolveRange() {
  vec2 range = vec2(0.0, 1.0);
  if (uRange.minKey <= uRange.maxKey) range = vec2(FromKey(uRange.minKey), FromKey(uRange.maxKey));
  if (uRangeMode == 2) {
    range = uManual;
  } else if (uRangeMode == 1) {
    const float limit = max(abs(range.x), abs(range.y));
    range = vec2(-limit, limit);
  }
  if (!(range.y > range.x)) range = vec2(0.0, 1.0);
  return range;
}

// Mirror of RoundLevel: floor(x + 0.5) in float. `precise` forbids fusing the multiply and the
// add into one fma, which would round once where the C++ rounds twice.
int RoundLevel(float unit) {
  // A NaN unit (no range should give one) is the low end, never an out-of-range level.
  precise float scaled = (unit > 0.0 ? min(unit, 1.0) : 0.0) * 255.0;
  precise float shifted = scaled + 0.5;
  return int(floor(shifted));
}

// Mirror of ToLevel: the same operations in the same order.
int ToLevel(float value, int map, vec2 range) {
  precise float v = min(max(value, range.x), range.y);
  if (map == 0) {
    precise float unit = (0.5 * v - 0.5 * range.x) / (0.5 * range.y - 0.5 * range.x);
    return RoundLevel(unit);
  }
  const float limit = max(abs(range.x), abs(range.y));
  precise float half_ = 0.5 * (v / limit);
  precise float t = 0.5 + half_;
  return RoundLevel(t);
}

// Mirror of LevelColour: integers only.
ivec3 LevelColour(int map, int level) {
  if (map == 0) return ivec3(level);
  const int i = min(level / 32, 7);
  const int from = kStopLevels[i];
  const int to = kStopLevels[i + 1];
  const int span = to - from;
  return (kStops[i] * (to - level) + kStops[i + 1] * (level - from) + span / 2) / span;
}

void main() {
  const ivec2 id = ivec2(gl_GlobalInvocationID.xy);
  if (id.x >= uSize.x || id.y >= uSize.y) return;
  const vec2 range = ResolveRange();
  ivec3 rgb = ivec3(0);
  if (uShownLayers == 3) {
    // Mirror of MapToRgba's RGB branch: each layer in grey, a non-finite one 0.
    for (int c = 0; c < 3; ++c) {
      const float v = imageLoad(uMap, ivec3(id, uFirstLayer + c)).r;
      rgb[c] = IsFinite(v) ? ToLevel(v, 0, range) : 0;
    }
  } else {
    // Mirror of ColourOfValue: non-finite black.
    const float v = imageLoad(uMap, ivec3(id, uFirstLayer)).r;
    if (IsFinite(v)) rgb = LevelColour(uColourMap, ToLevel(v, uColourMap, range));
  }
  // Bytes through the UNORM store: k / 255 converts back to exactly k.
  imageStore(uDisplay, id, vec4(vec3(rgb) / 255.0, 1.0));
}

#endif
