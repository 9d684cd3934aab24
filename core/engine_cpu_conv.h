// Conv and transposed conv on the CPU, internal to the CPU engine: engine_cpu.cpp dispatches
// here. A file of its own because the fast paths (polyphase, separable, vectorised row kernel,
// threads) would otherwise bury the pooling and dispatch code.
#pragma once

#include "engine.h"

namespace stridescope::cpu {

// OpenMP threads one Compute may use under these options (never less than 1).
int ThreadCount(const CpuEngineOptions& options);

// Whether a loop nest of about `work` multiply-adds is worth waking the thread team for: tiny
// inputs (the tests' thousands of 12x12 cases) run faster on the calling thread alone.
inline bool WorthThreading(long long work) { return work >= (1LL << 16); }

// Conv or transposed conv. in: C,H,W  out: F,OH,OW (F = geometry.channels.out_channels).
Tensor3 Convolve(const Params& params, const Geometry& geometry, const Tensor3& input,
                 const CpuEngineOptions& options);

// What Convolve would do with this geometry under these options (see CpuEngine::Paths).
CpuPaths ConvPaths(const Params& params, const Geometry& geometry, const CpuEngineOptions& options);

}  // namespace stridescope::cpu
