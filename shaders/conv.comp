#version 430
// Every op of the engine in one kernel, in the direct form of core/geometry.h: output (oh, ow) of
// channel oc reads, for window tap (ty, tx), the input pixel rowSource[oh*step.y + ty*dilation.y]
// x colSource[ow*step.x + tx*dilation.x] (-1: a zero from padding or zero insertion). The tables
// come from AxisGeometry::SourceTable, so no padding rule is re-derived here.
layout(local_size_x = 16, local_size_y = 16, local_size_z = 1) in;

layout(binding = 0) uniform sampler2DArray uInput;  // one layer per input channel, texelFetch only
layout(r32f, binding = 0) writeonly uniform image2DArray uOutput;

// tables[]: row sources, then column sources, then (for avg pooling) per-output row spans and
// column spans as (padded_length, real_count) pairs.
layout(std430, binding = 0) readonly buffer Tables { int tables[]; };
// Canonical weights [oc][ic in group][ty][tx], already flipped for transposed conv.
layout(std430, binding = 1) readonly buffer Weights { float weights[]; };

const int OP_WEIGHTED_SUM = 0;  // conv and transposed conv
const int OP_MAX = 1;
const int OP_AVG = 2;

uniform int uOp;
uniform ivec2 uOutSize;  // (OW, OH)
uniform int uOutChannels;
uniform ivec2 uStep;      // window step per output, (x, y)
uniform ivec2 uDilation;  // (x, y)
uniform ivec2 uTaps;      // (KW, KH)
uniform int uInputsPerGroup;
uniform int uOutputsPerGroup;
uniform float uBias;
uniform bool uCountIncludePad;
uniform int uColTableOffset;   // where column sources start in tables[]
uniform int uRowSpanOffset;    // avg pooling: (padded_length, real_count) per output row
uniform int uColSpanOffset;    // ... and per output column

void main() {
  const ivec3 id = ivec3(gl_GlobalInvocationID);
  if (id.x >= uOutSize.x || id.y >= uOutSize.y || id.z >= uOutChannels) return;
  const int ow = id.x;
  const int oh = id.y;
  const int oc = id.z;
  const int firstInput = (oc / uOutputsPerGroup) * uInputsPerGroup;

  float acc = (uOp == OP_MAX) ? uintBitsToFloat(0xff800000u) : 0.0;  // -inf: padding never wins
  for (int g = 0; g < uInputsPerGroup; ++g) {
    const int ic = firstInput + g;
    const int weightBase = (oc * uInputsPerGroup + g) * uTaps.x * uTaps.y;
    for (int ty = 0; ty < uTaps.y; ++ty) {
      const int iy = tables[oh * uStep.y + ty * uDilation.y];
      if (iy < 0) continue;
      for (int tx = 0; tx < uTaps.x; ++tx) {
        const int ix = tables[uColTableOffset + ow * uStep.x + tx * uDilation.x];
        if (ix < 0) continue;
        const float v = texelFetch(uInput, ivec3(ix, iy, ic), 0).r;
        if (uOp == OP_WEIGHTED_SUM) {
          acc += v * weights[weightBase + ty * uTaps.x + tx];
        } else if (uOp == OP_MAX) {
          acc = max(acc, v);
        } else {
          acc += v;
        }
      }
    }
  }

  float result;
  if (uOp == OP_WEIGHTED_SUM) {
    result = acc + uBias;
  } else if (uOp == OP_MAX) {
    result = acc;
  } else {
    const ivec2 rowSpan = ivec2(tables[uRowSpanOffset + 2 * oh], tables[uRowSpanOffset + 2 * oh + 1]);
    const ivec2 colSpan = ivec2(tables[uColSpanOffset + 2 * ow], tables[uColSpanOffset + 2 * ow + 1]);
    const int divisor = uCountIncludePad ? rowSpan.x * colSpan.x : rowSpan.y * colSpan.y;
    result = divisor > 0 ? acc / float(divisor) : 0.0;
  }
  imageStore(uOutput, ivec3(ow, oh, oc), vec4(result));
}
