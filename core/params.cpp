#include "params.h"

namespace stridescope {

std::string_view Name(Op op) {
  switch (op) {
    case Op::Conv: return "conv";
    case Op::Transposed: return "transposed";
    case Op::MaxPool: return "maxpool";
    case Op::AvgPool: return "avgpool";
  }
  return "?";
}

std::string_view Name(PadMode mode) {
  switch (mode) {
    case PadMode::Zeros: return "zeros";
    case PadMode::Reflect: return "reflect";
    case PadMode::Replicate: return "replicate";
    case PadMode::Circular: return "circular";
  }
  return "?";
}

std::string_view Name(PadPreset preset) {
  switch (preset) {
    case PadPreset::Explicit: return "explicit";
    case PadPreset::Valid: return "valid";
    case PadPreset::Same: return "same";
    case PadPreset::Full: return "full";
  }
  return "?";
}

std::string_view Name(ChannelMode mode) {
  switch (mode) {
    case ChannelMode::Depthwise: return "depthwise";
    case ChannelMode::Sum: return "sum";
  }
  return "?";
}

}  // namespace stridescope
