// File input and output: images (stb_image, PNG/JPEG/BMP only), .npy float32 arrays, PNG export.
// All functions return an Error with a user-facing message for bad files; none of them aborts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "expected.h"
#include "params.h"
#include "tensor.h"

namespace stridescope {

namespace io_limits {
inline constexpr std::uint64_t kMaxFileBytes = 256ull << 20;  // images and .npy files
// The engine's own input limits (params.h), so a file that loads is one the engine accepts.
inline constexpr int kMaxImageSide = limits::kMaxSide;
inline constexpr std::uint64_t kMaxImagePixels = limits::kMaxPixels;  // 64 Mpixel, e.g. 8192 x 8192
inline constexpr int kMaxChannels = limits::kMaxChannels;
}  // namespace io_limits

// Decodes a PNG, JPEG or BMP held in memory into RGB float in [0,1] (3 channels, planar).
// Grey images are expanded to RGB; alpha is dropped. Dimensions are checked before decoding.
// `what` names the source in messages (usually the path).
Expected<Tensor3> DecodeImage(const std::vector<std::uint8_t>& bytes, const std::string& what);

// Reads a whole file, refusing files larger than io_limits::kMaxFileBytes.
Expected<std::vector<std::uint8_t>> ReadFileBytes(const std::string& path);

// A parsed .npy float32 array: little-endian '<f4', C order (fortran_order False), any rank.
struct NpyArray {
  std::vector<int> shape;
  std::vector<float> values;  // row-major in shape
};
Expected<NpyArray> ParseNpy(const std::vector<std::uint8_t>& bytes, const std::string& what);
Expected<NpyArray> LoadNpy(const std::string& path);
// Writes .npy version 1.0, '<f4', C order. Atomic: temp file + rename.
Status SaveNpy(const std::string& path, const NpyArray& array);

// An input for the engine: .npy shaped (H,W) -> 1 channel or (H,W,C) -> C channels, or an image
// file (by content, not extension) -> RGB in [0,1]. Rejects NaN/Inf values with their position.
Expected<Tensor3> LoadInput(const std::string& path);

// A kernel from .npy shaped (KH,KW), (C,KH,KW) or (F,C,KH,KW). Shape limits are checked by
// ValidateKernel (kernels.h), not here.
Expected<Kernel> LoadKernelNpy(const std::string& path);

// Feature map to .npy: (OH,OW) when it has one channel, (OH,OW,C) otherwise (interleaved, as
// NumPy/PyTorch users expect from HWC files).
Status SaveTensorNpy(const std::string& path, const Tensor3& tensor);

// Feature map to PNG through stb_image_write, normalised: the finite min..max of all channels
// maps to 0..255 (a constant map is clamped from [0,1] instead); non-finite values become 0.
// 1 channel -> grey, 3 -> RGB; other channel counts are an error suggesting .npy.
Status SaveTensorPng(const std::string& path, const Tensor3& tensor);

// 8-bit RGBA pixels, row 0 at the top, to PNG (screenshots).
Status SaveRgbaPng(const std::string& path, int width, int height, const std::uint8_t* rgba);

// Writes bytes to a temporary file beside path, then renames it over path: a reader never sees a
// half-written file, and a failed write leaves the old one intact.
Status WriteFileAtomic(const std::string& path, const std::vector<std::uint8_t>& bytes);

// Lower-case extension including the dot (".npy"), or "" when there is none.
std::string FileExtension(const std::string& path);

}  // namespace stridescope
