// Params: everything the user edits, as one plain value type (DESIGN.md: a compare pane is just
// another Params). Validation and all derived numbers live in geometry.h, not here.
#pragma once

#include <string_view>

#include "tensor.h"

namespace stridescope {

enum class Op { Conv, Transposed, MaxPool, AvgPool };
enum class PadMode { Zeros, Reflect, Replicate, Circular };
// Explicit uses the four numbers in Padding; the presets compute them (geometry.h).
enum class PadPreset { Explicit, Valid, Same, Full };
// How a 2-D kernel meets a C-channel image: each channel on its own (C outputs) or summed (1).
enum class ChannelMode { Depthwise, Sum };

// A (y, x) pair of small integers: sizes, strides, dilations.
struct Size2 {
  int y = 1;
  int x = 1;
  friend bool operator==(const Size2&, const Size2&) = default;
};

struct Padding {
  PadPreset preset = PadPreset::Explicit;
  int top = 0;
  int bottom = 0;
  int left = 0;
  int right = 0;
  friend bool operator==(const Padding&, const Padding&) = default;
};

struct Params {
  Op op = Op::Conv;
  Kernel kernel;                  // conv and transposed; pooling uses window instead
  Size2 window{2, 2};             // pooling window KH, KW
  Size2 stride{1, 1};
  Size2 dilation{1, 1};
  Padding padding;
  PadMode pad_mode = PadMode::Zeros;
  float bias = 0.0f;              // added to every output cell (conv and transposed)
  ChannelMode channel_mode = ChannelMode::Depthwise;
  Size2 output_padding{0, 0};     // transposed only
  bool ceil_mode = false;         // pooling only
  bool count_include_pad = true;  // avg pooling only; PyTorch's default
  friend bool operator==(const Params&, const Params&) = default;
};

// Parameter limits: the ranges the issue and the UI offer. Kept here so CLI, UI and validation agree.
namespace limits {
inline constexpr int kMaxKernel = 31;
inline constexpr int kMaxStride = 64;
inline constexpr int kMaxDilation = 16;
inline constexpr int kMaxPadding = 1024;
inline constexpr int kMaxChannels = 64;          // image channels, filters, kernel channels
inline constexpr int kMaxSide = 16384;           // input and output, per side
inline constexpr long long kMaxPixels = 64LL << 20;  // input and output, per channel (64 Mpixel)
// Values in any one tensor the engine allocates (feature map, padded input): 1 GiB of float32.
// Without it a valid-looking bank of 64 filters on a large image would exhaust memory.
inline constexpr long long kMaxTensorValues = 1LL << 28;
}  // namespace limits

constexpr bool IsPooling(Op op) { return op == Op::MaxPool || op == Op::AvgPool; }

// Names as the CLI and UI spell them ("conv", "reflect", "same", "depthwise").
std::string_view Name(Op op);
std::string_view Name(PadMode mode);
std::string_view Name(PadPreset preset);
std::string_view Name(ChannelMode mode);

}  // namespace stridescope
