// Planar float32 tensors: images, feature maps and kernels.
#pragma once

#include <cstddef>
#include <vector>

namespace stridescope {

// An image or feature map, planar: data[(c * height + y) * width + x]. Owns its storage.
// Planar (not interleaved) so each channel is one contiguous plane for the row loops.
struct Tensor3 {
  int channels = 0;
  int height = 0;
  int width = 0;
  std::vector<float> data;

  // Every element `value`; storage over 2 MB is advised into huge pages (see LargeFloatBuffer).
  static Tensor3 Filled(int channels, int height, int width, float value);
  static Tensor3 Zeros(int channels, int height, int width) { return Filled(channels, height, width, 0.0f); }
  std::size_t PlaneSize() const { return static_cast<std::size_t>(height) * width; }
  bool Empty() const { return data.empty(); }
  float* Plane(int c) { return data.data() + c * PlaneSize(); }
  const float* Plane(int c) const { return data.data() + c * PlaneSize(); }
  float& At(int c, int y, int x) { return data[(static_cast<std::size_t>(c) * height + y) * width + x]; }
  float At(int c, int y, int x) const { return data[(static_cast<std::size_t>(c) * height + y) * width + x]; }
};

// n floats, each `value`, with every whole 2 MB page inside the block advised into huge pages.
std::vector<float> LargeFloatBuffer(std::size_t n, float value);

// Convolution weights as the user gave them. rank says which of the three shapes it was:
//   2: (KH, KW)          one 2-D kernel; ChannelMode decides how it meets a multi-channel image
//   3: (C, KH, KW)       one filter over all C channels (1 output)
//   4: (F, C, KH, KW)    a bank of F filters (F outputs). In transposed mode the 4-D shape is read
//                        as PyTorch's conv_transpose2d weight (C_in, C_out, KH, KW) instead.
// weights are row-major in that shape. For rank 2, filters == channels == 1; for rank 3, filters == 1.
struct Kernel {
  int rank = 2;
  int filters = 1;
  int channels = 1;
  int height = 1;
  int width = 1;
  std::vector<float> weights;

  float At(int f, int c, int ky, int kx) const {
    return weights[((static_cast<std::size_t>(f) * channels + c) * height + ky) * width + kx];
  }
  friend bool operator==(const Kernel&, const Kernel&) = default;
};

}  // namespace stridescope
