#version 430
// The feature map for display, without reading it back: the GPU twin of FiniteRange and
// ToDisplayRgba in app/gui/app_state.cpp, so both engines show the same picture.
// core/gl/display_mapper.cpp compiles this file twice, with RANGE_PASS defined as 1 or 0:
//   RANGE_PASS 1: finite min and max over the shown layers, into uRange (one atomic per group)
//   RANGE_PASS 0: one RGBA8 texel per cell: 1 layer grey, 3 layers RGB, any other count the first
//                 layer in grey; non-finite black; values outside the range clamp; a flat or
//                 empty range clamps from [0, 1] instead.
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
uniform int uShownLayers;   // 1 (grey, or the first of several) or 3 (RGB)

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
    const float v = imageLoad(uMap, id).r;
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

// Byte in 0..255 as ToByte does it: (v - low) / (high - low), clamped, times 255, rounded half up
// (std::lround on a non-negative value).
float ToUnit(float v, float low, float high) {
  if (!IsFinite(v)) return 0.0;
  const float unit = clamp((v - low) / (high - low), 0.0, 1.0);
  return floor(unit * 255.0 + 0.5) / 255.0;
}

void main() {
  const ivec2 id = ivec2(gl_GlobalInvocationID.xy);
  if (id.x >= uSize.x || id.y >= uSize.y) return;
  float low = 0.0;
  float high = 1.0;
  if (uRange.minKey <= uRange.maxKey) {
    low = FromKey(uRange.minKey);
    high = FromKey(uRange.maxKey);
  }
  if (!(high > low)) {  // flat: one value everywhere
    low = 0.0;
    high = 1.0;
  }
  const float r = ToUnit(imageLoad(uMap, ivec3(id, 0)).r, low, high);
  vec3 rgb = vec3(r);
  if (uShownLayers == 3) {
    rgb.g = ToUnit(imageLoad(uMap, ivec3(id, 1)).r, low, high);
    rgb.b = ToUnit(imageLoad(uMap, ivec3(id, 2)).r, low, high);
  }
  imageStore(uDisplay, id, vec4(rgb, 1.0));
}

#endif
