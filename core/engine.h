// Engines compute a feature map from an input and resolved geometry. The CPU engine is the
// reference; the GPU engine (core/gl) implements the same interface.
#pragma once

#include <string_view>

#include "geometry.h"
#include "tensor.h"

namespace stridescope {

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string_view Name() const = 0;  // "cpu" or "gpu"
  // Whether this engine can run a resolved geometry on this input (the GPU has size limits the
  // CPU does not). The Error says what is too large and what to do.
  virtual Status CanCompute(const Geometry&, const Tensor3&) const { return Done{}; }
  // input: C,H,W planar, matching the geometry it was resolved for. Returns C_out x OH x OW.
  // params and geometry must come from one successful ResolveGeometry call on this input's shape.
  virtual Tensor3 Compute(const Params& params, const Geometry& geometry,
                          const Tensor3& input) = 0;
};

// Which CPU paths may run. Every combination gives the same values (within float rounding);
// tests and the benchmark turn paths off to compare them. The default is everything on.
struct CpuEngineOptions {
  bool allow_separable = true;  // rank-1 2-D kernels as two 1-D passes
  bool allow_polyphase = true;  // off: the plain lattice loop (strided reads, the slow baseline)
  int threads = 0;              // OpenMP threads per Compute; 0: OpenMP's default
  // At most this many output rows (1, 2 or 4) share source-row loads in the row kernel, wherever
  // that adds at most half the work; 0: chosen for this CPU's registers (groups of 4 only with
  // AVX-512). The tests force each size.
  int row_group = 0;
};

// The paths Compute takes for one conv or transposed conv: for the tests' per-path counts and
// the benchmark's labels. Pooling takes neither.
struct CpuPaths {
  bool polyphase = false;  // phased input and the vectorised row kernel (else the plain lattice)
  bool separable = false;  // at least one weight plane runs as two 1-D passes
};

// Thread-safe: Compute keeps no state between calls, so one engine per thread (the GUI's worker)
// or one shared engine both work.
class CpuEngine final : public Engine {
 public:
  CpuEngine() = default;
  explicit CpuEngine(CpuEngineOptions options) : options_(options) {}
  std::string_view Name() const override { return "cpu"; }
  Tensor3 Compute(const Params& params, const Geometry& geometry, const Tensor3& input) override;
  // Compute into out. Where out already holds a tensor of the result's size (the previous result
  // of a loop, say), conv reuses its storage instead of allocating: a 4K map is 100 MB, and
  // fresh memory costs page faults on every call. out must not be input.
  void ComputeInto(const Params& params, const Geometry& geometry, const Tensor3& input, Tensor3& out);
  const CpuEngineOptions& Options() const { return options_; }
  CpuPaths Paths(const Params& params, const Geometry& geometry) const;

 private:
  CpuEngineOptions options_;
};

// The KH x KW weight plane (row-major) connecting input channel ic to output channel oc, read in
// PyTorch's layouts (conv: out, in; transposed: in, out). Rank-2 kernels are shared by every
// pair the channel plan connects. Not flipped: transposed conv flips through KernelIndex.
const float* WeightPlane(const Kernel& kernel, Op op, int oc, int ic);

// Convenience: resolve geometry for input's shape, check the engine can run it, then compute.
Expected<Tensor3> Run(Engine& engine, const Params& params, const Tensor3& input);

}  // namespace stridescope
