// Conv and transposed conv on the CPU, internal to the CPU engine: engine_cpu.cpp dispatches
// here. A file of its own because the fast paths (polyphase, separable, vectorised row kernel,
// threads) would otherwise bury the pooling and dispatch code.
#pragma once

#include "engine.h"

namespace stridescope::cpu {

// OpenMP threads one Compute may use under these options (never less than 1).
int ThreadCount(const CpuEngineOptions& options);

// Whether a loop nest of about `work` multiply-adds runs on the thread team. An explicit thread
// count is obeyed at any size (the tests check threads on small inputs). By default only work of
// about a millisecond or more is shared: on a busy machine a team member that is descheduled
// holds the barrier for a scheduler slice, and the tests' 40000 small cases took 10 s instead of
// 1 s with a threshold of 64 K multiply-adds.
inline bool UseThreads(const CpuEngineOptions& options, long long work) {
  if (options.threads > 0) return options.threads > 1;
  return work >= (1LL << 23);
}

// Makes out a channels x height x width tensor whose every element the caller will overwrite.
// Storage of the right size is kept as it is, unfilled: a caller that passes its previous output
// back computes into memory that is already mapped, which for a 4K map saves faulting in 100 MB
// (about a quarter of a 3x3 conv's time). Otherwise it gets fresh huge-page storage.
void ShapeOutput(Tensor3& out, int channels, int height, int width);

// Conv or transposed conv into out, reshaped with ShapeOutput.
// in: C,H,W  out: F,OH,OW (F = geometry.channels.out_channels).
void Convolve(const Params& params, const Geometry& geometry, const Tensor3& input,
              const CpuEngineOptions& options, Tensor3& out);

// What Convolve would do with this geometry under these options (see CpuEngine::Paths).
CpuPaths ConvPaths(const Params& params, const Geometry& geometry, const CpuEngineOptions& options);

}  // namespace stridescope::cpu
