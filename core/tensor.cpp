#include "tensor.h"

#include <sys/mman.h>

#include <cstdint>

namespace stridescope {

std::vector<float> LargeFloatBuffer(std::size_t n, float value) {
  std::vector<float> data;
  data.reserve(n);
  // Why huge pages, for the engine's outputs: glibc serves blocks over 32 MB with a fresh mmap
  // and unmaps them on free, so a 4K output (100 MB) was faulted in 4 KB at a time on every
  // call: measured 25 K faults and ~75 ms of kernel time per 3840x2160x3 call, several times the
  // convolution itself. Huge pages cut the faults 512-fold.
  // And for its inputs: every strided conv streams the input from memory once, and with 4 KB
  // pages a 1080p or 4K read measured 2-20% slower (interleaved A/B runs, AMD EPYC, THP in
  // `madvise` mode): a TLB miss every 4 KB, where the hardware prefetcher also stops.
  // Only whole 2 MB pages inside the block are advised, so small tensors are untouched; a hint,
  // so failure (no THP, other kernels) is harmless.
#ifdef MADV_HUGEPAGE
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  const auto begin = reinterpret_cast<std::uintptr_t>(data.data());
  const std::uintptr_t first = (begin + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t last = (begin + n * sizeof(float)) & ~(kHuge - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#endif
  data.assign(n, value);
  return data;
}

Tensor3 Tensor3::Filled(int channels, int height, int width, float value) {
  Tensor3 t;
  t.channels = channels;
  t.height = height;
  t.width = width;
  t.data = LargeFloatBuffer(static_cast<std::size_t>(channels) * height * width, value);
  return t;
}

}  // namespace stridescope
