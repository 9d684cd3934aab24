#version 430
// One level of a display picture's mipmap chain from the level above it: the GPU twin of
// core/mip_levels.cpp (HalvedLevels), so a map the GPU engine computed shrinks to the same bytes
// as one from the CPU engine. glGenerateMipmap is not used: how it filters a side that does not
// halve evenly is up to the driver, and Mesa's (a stretched bilinear blit) sampled some texels
// nearly alone, which put a lattice of false rings on a shrunk zone plate.
// core/gl/display_mapper.cpp dispatches it once per level, level 1 first.
layout(local_size_x = 16, local_size_y = 16, local_size_z = 1) in;

// The RGBA8 levels bound as RGBA8UI (display_mapper.cpp): the bytes themselves, no conversion.
layout(rgba8ui, binding = 0) readonly uniform uimage2D uAbove;
layout(rgba8ui, binding = 1) writeonly uniform uimage2D uBelow;

uvec4 Texel(ivec2 p) { return imageLoad(uAbove, p); }

// Mirror of Halve: the 2x2 above, its last line repeated where a side of 1 stays 1; the mean
// rounded half up in integers.
void main() {
  const ivec2 id = ivec2(gl_GlobalInvocationID.xy);
  const ivec2 size = imageSize(uBelow);
  if (id.x >= size.x || id.y >= size.y) return;
  const ivec2 last = imageSize(uAbove) - 1;
  const ivec2 a = 2 * id;
  const ivec2 b = min(a + 1, last);
  const uvec4 sum = Texel(a) + Texel(ivec2(b.x, a.y)) + Texel(ivec2(a.x, b.y)) + Texel(b);
  imageStore(uBelow, id, (sum + 2u) / 4u);
}
