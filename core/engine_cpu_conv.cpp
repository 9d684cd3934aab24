// Conv and transposed conv on the CPU. Every path works in geometry.h's direct form (a stride
// `step` correlation over the padded lattice) and reads padding only through
// AxisGeometry::SourceTable, so padding rules stay in one place.
//
// Sections: output buffers | the vectorised row kernel | phase rows (polyphase split) | the
//           polyphase driver (direct and separable taps, row groups) | the plain lattice path
//           (baseline, options off) | entry
//
// Why polyphase: with step S the taps of one output row read lattice columns ow*S + c. Splitting
// every lattice row into S column phases (phase p holds columns p, p+S, p+2S, ...) turns that into
// phase (c mod S) at offset ow + c/S: unit stride, so the inner loop is contiguous loads and the
// work is OH*OW*KH*KW whatever S is. Rows need no split: a row is picked whole by index, so only
// the rows some output reads are ever built ("S x S planes" with the row phases left implicit),
// band by band in each thread's own buffer (see PhaseRows).
#include "engine_cpu_conv.h"

#include <immintrin.h>  // _mm_sfence
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <new>
#include <numeric>
#include <optional>
#include <utility>
#include <vector>

#include "separable.h"

namespace stridescope::cpu {

int ThreadCount(const CpuEngineOptions& options) {
  return std::max(1, options.threads > 0 ? options.threads : omp_get_max_threads());
}

// ---------------------------------------------------------------------------------------------
// Output buffers

void ShapeOutput(Tensor3& out, int channels, int height, int width) {
  const std::size_t n = static_cast<std::size_t>(channels) * height * width;
  out.channels = channels;
  out.height = height;
  out.width = width;
  if (out.data.size() == n) return;
  std::vector<float>().swap(out.data);  // freed first: never the old and the new at once
  out.data = LargeFloatBuffer(n, 0.0f);
}

namespace {

using std::size_t;

// ---------------------------------------------------------------------------------------------
// The vectorised row kernel

// Explicit vectors (GCC's extension) rather than `omp simd`: at -O3 GCC interchanged
// the `omp simd` version of this loop nest into a scalar one with the accumulators in memory
// (measured: 1.4 GFMA/s), while these stay in registers by construction.
typedef float Vec4 __attribute__((vector_size(16)));
typedef float Vec8 __attribute__((vector_size(32)));
typedef float Vec16 __attribute__((vector_size(64)));

// Outputs from this size on are written with streaming stores (RowStart::stream): well beyond
// the L2 caches, so the lines would be evicted to memory unread anyway.
constexpr std::size_t kStreamOutputBytes = std::size_t{16} << 20;

// Where a row kernel's accumulators start: from what the output rows hold (a later input channel
// adds to an earlier one's sums), or from a value (the bias, or 0 for scratch). Starting from a
// value means the output is never read before it is written, so it needs no fill pass and no
// load: at 3x3 those two extra passes over the output were half of all memory traffic.
struct RowStart {
  bool from_value = false;
  float value = 0.0f;
  // The rows are final and part of an output too large for the caches: stored with non-temporal
  // (streaming) stores, which skip reading each line in before overwriting it. At 3x3 that read
  // is a third of all memory traffic.
  bool stream = false;
};

// Input rows the next call of the row kernel will read first (through PhaseRows, which splits
// them into phases), prefetched into L2 while this call computes: output column i reads about
// input columns i*floats_per_column onwards, so each block of columns prefetches its share of
// every row. Without it the split met each row cold and stalled there (60% of a 3x3 conv's time
// at stride 2, a third of 7x7's) with the FMA units idle; with it the loads overlap the
// arithmetic. See NextGroupRows for where it is used.
struct NextRows {
  static constexpr int kMax = 8;
  const float* rows[kMax] = {};
  int count = 0;
  int floats_per_column = 1;
};

// A non-temporal store of one vector to a sizeof(V)-aligned p. Inline assembly because GCC 12 has
// no generic builtin for it, and the intrinsics would need a target attribute on every generic
// caller. The register operand prints as the vector's own width (xmm, ymm or zmm).
template <typename V>
__attribute__((always_inline)) inline void StreamStore(float* p, V v) {
  if constexpr (sizeof(V) == 16)
    __asm__("movntps %1, %0" : "=m"(*reinterpret_cast<V*>(p)) : "x"(v));
  else
    __asm__("vmovntps %1, %0" : "=m"(*reinterpret_cast<V*>(p)) : "v"(v));
}

// For each of R output rows r: outs[r][i] = start + sum_t weights[r * taps + t] * srcs[t][i], for
// i in [i, i + N vectors). The R*N accumulators stay in registers while every tap streams one
// contiguous load per vector and R FMAs through it, so a 31x31 kernel does not reload and store
// the output row 961 times. N = 8 (R = 1): an FMA has 4 cycles of latency and two issue ports,
// so fewer independent accumulators leave the units idle (4 of them measured 32 GFLOP/s on dense
// 7x7). R = 2: two output rows share all but one of their source rows at stride 1, so each load
// feeds two FMAs; unaligned loads (phase offsets) split cache lines, and at one load per FMA the
// load ports, not the FMA units, were the limit.
// Stream: non-temporal stores, which need outs[r] + i aligned to sizeof(V).
template <typename V, int R, int N, bool Stream = false>
__attribute__((always_inline)) inline void AccumulateBlock(float* const* __restrict outs,
                                                           const float* const* __restrict srcs,
                                                           const float* __restrict weights, int taps, int i,
                                                           RowStart start) {
  constexpr int lanes = sizeof(V) / sizeof(float);
  // Unaligned loads and stores through memcpy: an aligned(4) typedef loses its attribute as a
  // template argument, and GCC then emits aligned moves that fault on phase offsets.
  // Every loop over the accumulators fully unrolled: with 6 vectors per row GCC kept the loops
  // that fill and store them rolled, and so the array on the stack outside the tap loop, storing
  // it to the output as a loop of 16-byte copies; a 9-tap pass (separable, vertical) did nearly
  // as many memory operations on that as on its taps.
  V acc[R][N];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
    for (int k = 0; k < N; ++k) {
      if (start.from_value)
        acc[r][k] = V{} + start.value;
      else
        __builtin_memcpy(&acc[r][k], outs[r] + i + k * lanes, sizeof(V));
    }
  for (int t = 0; t < taps; ++t) {
    const float* src = srcs[t] + i;
#pragma GCC unroll 16
    for (int k = 0; k < N; ++k) {
      V x;
      __builtin_memcpy(&x, src + k * lanes, sizeof x);
      // Pins x in a register: otherwise GCC folds the load into each of the R FMAs as a memory
      // operand, and the loads are back to one per FMA.
      if constexpr (R > 1) __asm__("" : "+v"(x));
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) acc[r][k] += weights[r * taps + t] * x;
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
    for (int k = 0; k < N; ++k) {
      if constexpr (Stream)
        StreamStore(outs[r] + i + k * lanes, acc[r][k]);
      else
        __builtin_memcpy(outs[r] + i + k * lanes, &acc[r][k], sizeof(V));
    }
}

// Columns [from, to) one at a time: the tails the vector blocks leave.
__attribute__((always_inline)) inline void AccumulateColumns(float* const* __restrict outs, int R,
                                                             const float* const* __restrict srcs,
                                                             const float* __restrict weights, int taps, int from,
                                                             int to, RowStart start) {
  for (int i = from; i < to; ++i)
    for (int r = 0; r < R; ++r) {
      float acc = start.from_value ? start.value : outs[r][i];
      for (int t = 0; t < taps; ++t) acc += weights[r * taps + t] * srcs[t][i];
      outs[r][i] = acc;
    }
}

// Whether the R rows are aligned alike to `bytes` (a vector), so that one column is aligned in
// all of them: the condition for streaming stores.
bool RowsAlignedAlike(float* const* outs, int R, std::uintptr_t bytes) {
  const std::uintptr_t misalign = reinterpret_cast<std::uintptr_t>(outs[0]) % bytes;
  for (int r = 1; r < R; ++r)
    if (reinterpret_cast<std::uintptr_t>(outs[r]) % bytes != misalign) return false;
  return misalign % sizeof(float) == 0;
}

// Columns from row to its first `bytes`-aligned one (row float-aligned).
int ColumnsToAlignment(const float* row, std::uintptr_t bytes) {
  return static_cast<int>((bytes - reinterpret_cast<std::uintptr_t>(row) % bytes) % bytes / sizeof(float));
}

// The same for i < n: blocks of N vectors, then single vectors, then scalars. V is the widest
// vector of the instruction set the caller is compiled for. With AVX-512's 32 registers, N = 8
// where R*8 accumulators fit in half of them, fewer otherwise: a wider block only leaves a longer
// tail to the single-vector loop. With 16 (AVX2, SSE2) a pair of rows keeps 6 vectors each: 12
// accumulators, R weights and the load fill 15 registers, and 8 independent FMA chains (the 4
// vectors a half-register budget gave) only just cover 4 cycles of latency at 2 FMAs per cycle.
// Measured on an AVX2 EPYC in interleaved A/B runs, pairs of 6 against 4: dense 7x7 5-12% faster
// at 1080p and 4K, 15x15 s2 2%, 31x31 s4 7%. One row stays at 8 vectors (12 measured no better,
// and GCC then spilled the row kernel's column offsets), 4 rows at 2.
// Stream: streaming stores, for rows aligned alike (RowsAlignedAlike): the columns before the
// first aligned one go one at a time. Stream is a template parameter, not a branch, because one
// body holding both kinds of block loop made GCC spill the accumulators of the hot loop to the
// stack (dense 31x31 s2 1080p: 34 -> 69 ms).
template <typename V, int R, bool Stream>
__attribute__((always_inline)) inline void AccumulateRows(float* const* __restrict outs,
                                                          const float* const* __restrict srcs,
                                                          const float* __restrict weights, int taps, int n,
                                                          RowStart start, const NextRows& next) {
  constexpr int lanes = sizeof(V) / sizeof(float);
  constexpr int kLine = 64;
  constexpr int registers = sizeof(V) == 64 ? 32 : 16;
  constexpr int N = registers == 16 && R == 2 ? 6 : std::min(8, registers / 2 / R);
  int i = 0;
  if constexpr (Stream) {
    i = std::min(n, ColumnsToAlignment(outs[0], sizeof(V)));
    AccumulateColumns(outs, R, srcs, weights, taps, 0, i, start);
  }
  for (; i + N * lanes <= n; i += N * lanes) {
    // Addresses as integers: a prefetch never faults, and may run past a row's end.
    const int from = i * next.floats_per_column * static_cast<int>(sizeof(float));
    const int to = (i + N * lanes) * next.floats_per_column * static_cast<int>(sizeof(float));
    for (int r = 0; r < next.count; ++r)
      for (int b = from; b < to; b += kLine)
        __builtin_prefetch(reinterpret_cast<const void*>(reinterpret_cast<std::uintptr_t>(next.rows[r]) + b), 0, 2);
    AccumulateBlock<V, R, N, Stream>(outs, srcs, weights, taps, i, start);
  }
  for (; i + lanes <= n; i += lanes) AccumulateBlock<V, R, 1, Stream>(outs, srcs, weights, taps, i, start);
  AccumulateColumns(outs, R, srcs, weights, taps, i, n, start);
}

// One instantiation per instruction set, picked once at run time, so the binary still runs on
// any x86-64: AVX-512 (16 lanes), AVX2 + FMA (8 lanes), SSE2 (4 lanes). Not target_clones:
// each clone needs its own vector width, and a clone shares one body.
template <int R, bool Stream>
__attribute__((target("arch=x86-64-v4"))) void AccumulateV4(float* const* outs, const float* const* srcs,
                                                             const float* weights, int taps, int n,
                                                             RowStart start, const NextRows& next) {
  AccumulateRows<Vec16, R, Stream>(outs, srcs, weights, taps, n, start, next);
}
template <int R, bool Stream>
__attribute__((target("arch=x86-64-v3"))) void AccumulateV3(float* const* outs, const float* const* srcs,
                                                             const float* weights, int taps, int n,
                                                             RowStart start, const NextRows& next) {
  AccumulateRows<Vec8, R, Stream>(outs, srcs, weights, taps, n, start, next);
}
template <int R, bool Stream>
void AccumulateBase(float* const* outs, const float* const* srcs, const float* weights, int taps, int n,
                    RowStart start, const NextRows& next) {
  AccumulateRows<Vec4, R, Stream>(outs, srcs, weights, taps, n, start, next);
}

// The instantiation (or value) for the instruction set this machine has.
template <typename Fn>
Fn PickIsa(Fn v4, Fn v3, Fn base) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) return v4;
  if (__builtin_cpu_supports("x86-64-v3")) return v3;
  return base;
}

using AccumulateFn = void (*)(float* const*, const float* const*, const float*, int, int, RowStart, const NextRows&);
template <int R, bool Stream = false>
AccumulateFn PickAccumulate() {
  return PickIsa<AccumulateFn>(AccumulateV4<R, Stream>, AccumulateV3<R, Stream>, AccumulateBase<R, Stream>);
}
// By row count R (1, 2 or 4; the other entries unused).
constexpr int kMaxRowGroup = 4;
// Whether GroupRows may pick groups of 4 when CpuEngineOptions::row_group leaves it to the
// instruction set. With AVX-512's 32 registers the row kernel keeps 4 vectors per row in a group
// of 4. With 16 (AVX2, SSE2) it keeps only 2, 8 FMA chains against a pair's 12 (see
// AccumulateRows), and pairs measured faster wherever 4s were picked: on an AVX2 EPYC, 1080p,
// interleaved A/B runs, dense 15x15 s1 0.69-0.82x the time of 4s, 31x31 s1 0.77x, 31x31 s2 0.89x,
// 4K 15x15 s1 0.93x.
const bool kIsaGroupsOf4 = PickIsa<bool>(true, false, false);
// Vector width of the instruction set the row kernel runs with.
const std::uintptr_t kIsaVectorBytes = PickIsa<std::uintptr_t>(sizeof(Vec16), sizeof(Vec8), sizeof(Vec4));
// By streaming and row count R (1, 2 or 4; the other entries unused).
const AccumulateFn kAccumulate[2][kMaxRowGroup + 1] = {
    {nullptr, PickAccumulate<1>(), PickAccumulate<2>(), nullptr, PickAccumulate<4>()},
    {nullptr, PickAccumulate<1, true>(), PickAccumulate<2, true>(), nullptr, PickAccumulate<4, true>()}};

// outs[r][i] = start + sum_t weights[r * taps + t] * srcs[t][i] for r < R (1, 2 or 4), i < n.
void AccumulateGroup(int R, float* const* outs, const float* const* srcs, const float* weights, int taps, int n,
                     RowStart start, const NextRows& next = {}) {
  const bool stream = start.stream && RowsAlignedAlike(outs, R, kIsaVectorBytes);
  kAccumulate[stream][R](outs, srcs, weights, taps, n, start, next);
}

// out[i] = start + sum_t weights[t] * srcs[t][i] for i < n.
void AccumulateTaps(float* out, const float* const* srcs, const float* weights, int taps, int n, RowStart start) {
  AccumulateGroup(1, &out, srcs, weights, taps, n, start);
}

// ---------------------------------------------------------------------------------------------
// Row groups

// Row groups: output rows DirectRows and SeparableRows compute together, so that each loaded
// source row feeds several of them. Output rows oh and oh + spacing read lattice rows
// oh*S + j*D and oh*S + (j + shift)*D: with spacing = D / gcd(S, D) and shift = S / gcd(S, D)
// their windows overlap in all but `shift` rows. So a group of R rows oh + q*spacing reads
// taps + shift*(R-1) rows ("source rows" j, lattice row oh*S + j*D), and row q meets kernel row
// j - q*shift; R*(taps + shift*(R-1)) rows of FMAs do R*taps rows of work, each load feeding R
// of them. Without dilation spacing is 1 and shift is S; with dilation 2 at stride 1 the group is
// every other row. A group may do at most 1.5 times the work; 4s see kIsaGroupsOf4.
// Measured, one thread, 1080p, AVX-512: dense 15x15 s1 80 ms alone, 57 in pairs, 49 in 4s; s2
// 31 ms alone, 22 in pairs.
struct RowGrouping {
  int size = 1;     // R: 1, 2 or 4
  int spacing = 1;  // between the group's output rows
  int shift = 1;    // source rows from one group row's window to the next one's
};

// most: CpuEngineOptions::row_group; 0 lets the instruction set decide about groups of 4.
RowGrouping GroupRows(const AxisGeometry& ay, int most) {
  const bool by_isa = most <= 0;
  if (by_isa) most = kMaxRowGroup;
  RowGrouping grouping;
  const int common = std::gcd(ay.step, ay.dilation);
  grouping.spacing = ay.dilation / common;
  grouping.shift = ay.step / common;
  for (int R : {kMaxRowGroup, 2}) {
    if (R == 4 && by_isa && !kIsaGroupsOf4) continue;
    if (R <= most && ay.taps >= 2 && 2 * (ay.taps + grouping.shift * (R - 1)) <= 3 * ay.taps) {
      grouping.size = R;
      break;
    }
  }
  return grouping;
}

// ---------------------------------------------------------------------------------------------
// Phase rows

// out[p * pitch + j] = src[j * S + p] for every phase p < S and j < n: the interior of a
// lattice row split into its S phases in one contiguous pass over the source. With S a
// compile-time constant GCC vectorises it (grouped loads and shuffles); a runtime S leaves a
// scalar gather, which measured as the largest cost at stride 2 and 4 with a 3x3 kernel.
// Per instruction set like the row kernel: the SSE2 build of this loop measured as a third of
// all time at stride 2 with small kernels, more than the convolution.
template <int S>
__attribute__((always_inline)) inline void DeinterleaveLoop(float* __restrict out, size_t pitch,
                                                            const float* __restrict src, int n) {
  for (int j = 0; j < n; ++j)
    for (int p = 0; p < S; ++p) out[p * pitch + static_cast<size_t>(j)] = src[j * S + p];
}
template <int S>
__attribute__((target("arch=x86-64-v4"))) void DeinterleaveV4(float* out, size_t pitch, const float* src, int n) {
  DeinterleaveLoop<S>(out, pitch, src, n);
}
template <int S>
__attribute__((target("arch=x86-64-v3"))) void DeinterleaveV3(float* out, size_t pitch, const float* src, int n) {
  DeinterleaveLoop<S>(out, pitch, src, n);
}
template <int S>
void DeinterleaveBase(float* out, size_t pitch, const float* src, int n) {
  DeinterleaveLoop<S>(out, pitch, src, n);
}
using DeinterleaveFn = void (*)(float*, size_t, const float*, int);
template <int S>
const DeinterleaveFn kDeinterleave = PickIsa<DeinterleaveFn>(DeinterleaveV4<S>, DeinterleaveV3<S>, DeinterleaveBase<S>);

void Deinterleave(float* out, size_t pitch, const float* src, int stride, int n) {
  switch (stride) {
    case 1: std::copy(src, src + n, out); return;
    case 2: kDeinterleave<2>(out, pitch, src, n); return;
    case 3: kDeinterleave<3>(out, pitch, src, n); return;
    case 4: kDeinterleave<4>(out, pitch, src, n); return;
    default:
      for (int p = 0; p < stride; ++p)
        for (int j = 0; j < n; ++j) out[p * pitch + static_cast<size_t>(j)] = src[static_cast<size_t>(j) * stride + p];
  }
}

// n floats of this thread's scratch, uninitialised, valid until its next call. Kept for the
// thread's lifetime: OpenMP reuses its threads, and a fresh buffer per Compute (a few hundred KB,
// served by mmap) was faulted in on every call: 9% of a 7x7 conv's profile in clear_page. Only up
// to kRetainedScratch floats: a huge stride and dilation on a wide image can need hundreds of MB,
// which must not stay with every thread for the life of the process.
constexpr size_t kRetainedScratch = size_t{4} << 20;  // 16 MB
float* ThreadScratch(size_t n) {
  thread_local std::unique_ptr<float[]> buffer;
  thread_local size_t capacity = 0;
  if (capacity < n) {
    buffer.reset(new float[n]);
    capacity = n;
  }
  return buffer.get();
}

// Lattice rows of one input channel split into the x axis's column phases, built on first use
// and kept while the windows of the next output rows still read them. Lattice row r holds source
// row SourceTable(y)[r] (a zero row, which no tap needs, when that is -1). A slot per lattice row
// modulo the window extent plus the steps of a row group: the rows one window, or a group of
// windows (DirectRows), reads are distinct modulo it, so a row is never evicted while a window still
// points into it. Building rows per band of output rows, in a
// thread's own small buffer, rather than phasing the whole input up front, keeps the copy in
// cache and avoids faulting in a fresh input-sized buffer on every call.
class PhaseRows {
 public:
  PhaseRows(const Geometry& g, const std::vector<int>& cols, const RowGrouping& grouping)
      : cols_(cols),
        phases_(g.x.step),
        slots_(g.y.Extent() + g.y.step * grouping.spacing * (grouping.size - 1)),
        margin_(g.x.Extent() - 1),
        small_window_(g.x.Extent() <= kMaxDirectExtent && g.y.Extent() <= kMaxDirectExtent) {
    const AxisGeometry& ax = g.x;
    const int table = static_cast<int>(cols.size());
    length_ = (table + phases_ - 1) / phases_;
    phase_read_.assign(static_cast<size_t>(phases_), 0);
    for (int tx = 0; tx < ax.taps; ++tx) phase_read_[static_cast<size_t>(tx * ax.dilation % phases_)] = 1;
    // Phase columns [begin_, end_) hold real pixels in place in every phase (conv's interior):
    // lattice column j*S + p is input column j*S + p - lattice_pad_begin. Checked against the
    // table, so padding still comes only from SourceTable; transposed conv (inserted zeros) and
    // anything unexpected just go through the table.
    offset_ = -ax.lattice_pad_begin;
    auto in_place = [&](int j) {
      for (int p = 0; p < phases_; ++p) {
        const int pos = j * phases_ + p, x = pos + offset_;
        if (pos >= table || x < 0 || cols[static_cast<size_t>(pos)] != x) return false;
      }
      return true;
    };
    if (!ax.transposed) {
      int j = 0;
      while (j < length_ && !in_place(j)) ++j;
      begin_ = j;
      while (j < length_ && in_place(j)) ++j;
      end_ = j;
    }
    const size_t n = static_cast<size_t>(slots_) * phases_ * length_;
    if (n <= kRetainedScratch) {
      data_ = ThreadScratch(n);
    } else {
      owned_.reset(new float[n]);
      data_ = owned_.get();
    }
    tags_.assign(static_cast<size_t>(slots_), -1);
  }

  // Starts on another input channel (plane: H,W row-major). direct: the channel's taps go
  // through DirectRows, which at stride 1 with a window of at most 9x9 reads the interior
  // straight from the plane (see InteriorOutputs), so rows need only their edges built.
  // Measured in interleaved A/B runs (AVX2 EPYC) against building whole rows: 3x3 0.65-0.71x the
  // time at 1080p and 4K, 3x3 with dilation 2 0.7x, 5x5 0.83-0.90x, 5x5 with dilation 2 (extent
  // 9) 0.78-0.87x, 7x7 0.79-0.96x, 9x9 0.93x;
  // but 11x11 1.2x, 15x15 1.19-1.26x, 31x31 1.33x and 7x7 with dilation 2 1.4x, so wider
  // windows keep the copy.
  void Reset(const float* plane, int width, bool direct) {
    plane_ = plane;
    width_ = width;
    edges_only_ = direct && phases_ == 1 && small_window_ && end_ - begin_ - margin_ >= kMinInteriorOutputs;
    std::fill(tags_.begin(), tags_.end(), -1);
  }
  // Output columns [first, last) whose windows lie in the interior, when rows are built with
  // their edges only (stride 1): their taps read the plane itself, lattice column j being input
  // column j + InputColumnOffset(). {0, 0} otherwise.
  std::pair<int, int> InteriorOutputs() const {
    return edges_only_ ? std::pair{begin_, end_ - margin_} : std::pair{0, 0};
  }
  int InputColumnOffset() const { return offset_; }
  // Lattice columns p, p+S, p+2S, ... of lattice row r (source row iy >= 0); PhaseLength(p) of them.
  const float* Phase(int r, int iy, int p) { return Row(r, iy) + static_cast<size_t>(p) * length_; }
  // All phases of lattice row r, phase p at p * MaxLength().
  const float* Row(int r, int iy) {
    const int slot = r % slots_;
    float* row = data_ + static_cast<size_t>(slot) * phases_ * length_;
    if (tags_[static_cast<size_t>(slot)] != r) {
      Build(plane_ + static_cast<size_t>(iy) * width_, row);
      tags_[static_cast<size_t>(slot)] = r;
    }
    return row;
  }
  // Source row iy of the current channel, as given (not split into phases).
  const float* SourceRow(int iy) const { return plane_ + static_cast<size_t>(iy) * width_; }
  int PhaseLength(int p) const { return (static_cast<int>(cols_.size()) - p + phases_ - 1) / phases_; }
  int MaxLength() const { return length_; }
  // Whether some tap reads phase p (the others are never built).
  bool PhaseRead(int p) const { return phase_read_[static_cast<size_t>(p)] != 0; }

 private:
  // src: W  row: S,PW (the edges only of phases some tap reads). Edges only: the interior just
  // as far as a window from an edge output reaches into it.
  void Build(const float* src, float* row) const {
    const size_t pitch = static_cast<size_t>(length_);
    if (edges_only_) {
      std::copy(src + begin_ + offset_, src + begin_ + margin_ + offset_, row + begin_);
      std::copy(src + end_ - margin_ + offset_, src + end_ + offset_, row + end_ - margin_);
    } else if (end_ > begin_) {
      Deinterleave(row + begin_, pitch, src + begin_ * phases_ + offset_, phases_, end_ - begin_);
    }
    for (int p = 0; p < phases_; ++p) {
      if (!PhaseRead(p)) continue;
      float* dst = row + static_cast<size_t>(p) * pitch;
      auto gather = [&](int from, int to) {
        for (int j = from; j < to; ++j) {
          const int ix = cols_[static_cast<size_t>(j * phases_ + p)];
          dst[j] = ix >= 0 ? src[ix] : 0.0f;
        }
      };
      const int n = PhaseLength(p);
      gather(0, std::min(begin_, n));
      gather(std::max(end_, begin_), n);
    }
  }

  const std::vector<int>& cols_;
  int phases_;
  int slots_;
  int length_ = 0;
  int offset_ = 0;             // input column of lattice column 0 in the interior
  int begin_ = 0, end_ = 0;    // interior phase columns, copied without the table
  int margin_ = 0;             // lattice columns a window spans after its first
  bool small_window_ = false;  // see Reset
  bool edges_only_ = false;    // see Reset
  static constexpr int kMaxDirectExtent = 9;
  // Below this many interior outputs a row is cheaper built whole than called for in 3 pieces.
  static constexpr int kMinInteriorOutputs = 64;
  std::vector<char> phase_read_;
  float* data_ = nullptr;  // slots,S,PW; uninitialised: unread phases are never built
  std::unique_ptr<float[]> owned_;  // data_'s storage when too large to keep in ThreadScratch
  std::vector<int> tags_;          // lattice row held by each slot, -1: none
  const float* plane_ = nullptr;
  int width_ = 0;
};

// ---------------------------------------------------------------------------------------------
// The polyphase driver

// Per weight plane: its rank-1 factors when the separable path is allowed and cheaper.
// Keyed by plane pointer because rank-2 kernels share one plane among all channel pairs.
using FactorTable = std::map<const float*, std::optional<RankOneFactors>>;

// Separable costs KH passes over min(S, KW) phases plus KW taps per output; direct KH*KW taps.
// Asks for half the taps, not just fewer: the two passes have per-row costs the tap count does
// not show (zeroing and storing the vertical sums, two kernel calls), and 3x3 at stride 1 measured
// slower separable (12.9 ms) than direct (11.9 ms) at 1920x1080x3 on one thread.
// Judged at stride 1 whatever the stride: the two paths round differently, and an output cell
// must not depend on the stride, so that a stride-S map is exactly the stride-1 map subsampled
// (the compare view shows a difference of 0). Where stride 1 would pick the separable path but
// stride S alone would not, the separable path measured within a few percent of the direct one.
bool SeparableIsCheaper(const Geometry& g) {
  const int kh = g.y.taps, kw = g.x.taps;
  if (kh < 2 || kw < 2) return false;
  return kh * kw >= 2 * (kh + kw);
}

FactorTable FactorPlanes(const Params& p, const Geometry& g, const CpuEngineOptions& options) {
  FactorTable table;
  const bool wanted = options.allow_separable && SeparableIsCheaper(g);
  for (int oc = 0; oc < g.channels.out_channels; ++oc) {
    const int first = g.channels.FirstInputOf(oc);
    for (int ic = first; ic < first + g.channels.InputsPerGroup(); ++ic) {
      const float* plane = WeightPlane(p.kernel, p.op, oc, ic);
      if (table.count(plane)) continue;
      table[plane] = wanted ? FactorRankOne(plane, g.y.taps, g.x.taps) : std::nullopt;
    }
  }
  return table;
}

// Scratch one thread reuses across its output rows: tap lists and the vertical-pass phases.
// Made afresh for every Compute (inside its parallel region): tap_in_row and the direct_* cache
// are only valid for one geometry, and a kernel plane at a reused address must not hit the cache.
struct RowScratch {
  std::vector<const float*> srcs;
  std::vector<float> weights;
  std::vector<int> read;       // the row group's source rows that are not zero rows
  std::vector<float> columns;  // separable: per group row, S phases of PhaseLength floats each
  // DirectRows: where tap tx reads in a PhaseRows::Row, and the weights of the last group with
  // the plane, R and read rows they were built for. Every group away from the top and bottom
  // edges has the same ones; rebuilding them per group was 9% of a 7x7 stride-2 conv.
  std::vector<int> tap_in_row;
  std::vector<const float*> interior_srcs, right_srcs;  // see PhaseRows::InteriorOutputs
  std::vector<float> direct_weights;  // R,taps
  const float* direct_plane = nullptr;
  int direct_R = 0;
  std::vector<int> direct_read;
};

// The source rows j of the group of R output rows from oh (see RowGrouping) that are not zero
// rows, into s.read: a zero row (padding or inserted zeros) adds 0 * finite weight.
void ReadGroupRows(const AxisGeometry& ay, const std::vector<int>& rows, const RowGrouping& grouping, int oh, int R,
                   RowScratch& s) {
  s.read.clear();
  for (int j = 0; j < ay.taps + grouping.shift * (R - 1); ++j)
    if (rows[static_cast<size_t>(oh * ay.step + j * ay.dilation)] >= 0) s.read.push_back(j);
}
// The kernel row (window tap) source row j meets in group row q, or -1 where it reads none.
int GroupTap(const AxisGeometry& ay, const RowGrouping& grouping, int j, int q) {
  const int ty = j - q * grouping.shift;
  return ty >= 0 && ty < ay.taps ? ty : -1;
}

// The source rows the band's next group reads and this one does not, for NextRows, each from
// input column `column`: the next group starts R rows on, or 1 where groups interleave
// (dilation).
NextRows NextGroupRows(const PhaseRows& in, const AxisGeometry& ay, const std::vector<int>& rows,
                       const RowGrouping& grouping, int oh, int R, int floats_per_column, int column) {
  NextRows next;
  next.floats_per_column = floats_per_column;
  const int reads = ay.taps + grouping.shift * (R - 1);
  const int last = oh * ay.step + (reads - 1) * ay.dilation;
  const int next_oh = oh + (grouping.spacing > 1 ? 1 : R);
  for (int j = 0; j < reads && next.count < NextRows::kMax; ++j) {
    const int r = next_oh * ay.step + j * ay.dilation;
    if (r <= last) continue;
    if (r >= static_cast<int>(rows.size())) break;
    if (const int iy = rows[static_cast<size_t>(r)]; iy >= 0) next.rows[next.count++] = in.SourceRow(iy) + column;
  }
  return next;
}

// NextGroupRows for a pass over phase rows (PhaseRows splits the prefetched rows). Only at
// stride 2, as measured in interleaved A/B runs on an AVX2 EPYC: stride 2 at 1080p 6-16% faster
// (3x3, 7x7, 15x15, separable), at 4K within 5% either way (the input far exceeds L3 and
// bandwidth is the limit); stride 4 7-19% slower and stride 1 8% slower (7x7; there the copy is
// a memcpy the hardware prefetcher keeps up with).
NextRows NextGroupPhaseRows(const PhaseRows& in, const AxisGeometry& ay, const AxisGeometry& ax,
                            const std::vector<int>& rows, const RowGrouping& grouping, int oh, int R) {
  if (ax.step != 2) return NextRows{};
  return NextGroupRows(in, ay, rows, grouping, oh, R, ax.step, 0);
}

// out_rows[q] = start + w (*) output row oh + q*spacing for q < R (1, 2 or 4, at most
// grouping.size), all KH*KW taps in one pass of the row kernel; a source row an output does not
// read gets weight 0.
// w: KH,KW  in: one channel's phase rows  out_rows: R pointers to OW
void DirectRows(PhaseRows& in, const float* w, const Geometry& g, const std::vector<int>& rows,
                const RowGrouping& grouping, int oh, int R, RowScratch& s, RowStart start, float* const* out_rows) {
  const AxisGeometry& ay = g.y;
  const AxisGeometry& ax = g.x;
  ReadGroupRows(ay, rows, grouping, oh, R, s);
  const size_t taps = s.read.size() * static_cast<size_t>(ax.taps);
  if (s.tap_in_row.empty())
    for (int tx = 0; tx < ax.taps; ++tx) {
      const int c = tx * ax.dilation;
      s.tap_in_row.push_back(c % ax.step * in.MaxLength() + c / ax.step);
    }
  // Output columns [first, last) read the plane itself (stride 1), the others the built rows.
  const auto [first, last] = in.InteriorOutputs();
  const int plane_column = first + in.InputColumnOffset();
  s.srcs.clear();
  s.interior_srcs.clear();
  s.right_srcs.clear();
  for (const int j : s.read) {
    const int r = oh * ay.step + j * ay.dilation;
    const int iy = rows[static_cast<size_t>(r)];
    const float* row = in.Row(r, iy);
    for (const int offset : s.tap_in_row) s.srcs.push_back(row + offset);
    if (last > first) {
      const float* interior = in.SourceRow(iy) + plane_column;
      for (const int offset : s.tap_in_row) {
        s.interior_srcs.push_back(interior + offset);
        s.right_srcs.push_back(row + offset + last);
      }
    }
  }
  if (s.direct_plane != w || s.direct_R != R || s.direct_read != s.read) {
    s.direct_weights.assign(static_cast<size_t>(R) * taps, 0.0f);
    for (size_t n = 0; n < s.read.size(); ++n)
      for (int q = 0; q < R; ++q) {
        const int ty = GroupTap(ay, grouping, s.read[n], q);
        if (ty < 0) continue;
        const float* w_row = w + static_cast<size_t>(ay.KernelIndex(ty)) * ax.taps;
        float* dst = s.direct_weights.data() + q * taps + n * static_cast<size_t>(ax.taps);
        for (int tx = 0; tx < ax.taps; ++tx) dst[tx] = w_row[ax.KernelIndex(tx)];
      }
    s.direct_plane = w;
    s.direct_R = R;
    s.direct_read = s.read;
  }
  if (last <= first) {
    AccumulateGroup(R, out_rows, s.srcs.data(), s.direct_weights.data(), static_cast<int>(taps), ax.output, start,
                    NextGroupPhaseRows(in, ay, ax, rows, grouping, oh, R));
    return;
  }
  float* interior_rows[kMaxRowGroup];
  float* right_rows[kMaxRowGroup];
  for (int q = 0; q < R; ++q) {
    interior_rows[q] = out_rows[q] + first;
    right_rows[q] = out_rows[q] + last;
  }
  AccumulateGroup(R, out_rows, s.srcs.data(), s.direct_weights.data(), static_cast<int>(taps), first, start);
  // The next group's new rows are prefetched here: read straight from the plane, each block met
  // them cold otherwise.
  AccumulateGroup(R, interior_rows, s.interior_srcs.data(), s.direct_weights.data(), static_cast<int>(taps),
                  last - first, start, NextGroupRows(in, ay, rows, grouping, oh, R, 1, plane_column));
  AccumulateGroup(R, right_rows, s.right_srcs.data(), s.direct_weights.data(), static_cast<int>(taps),
                  ax.output - last, start);
}

// The same rows as a vertical pass (u down the group's read rows, per needed column phase) into
// scratch, then per row a horizontal pass (v along it) into out_rows[q]. The vertical pass stays
// in phase layout, so the horizontal one reads contiguously too.
void SeparableRows(PhaseRows& in, const RankOneFactors& f, const Geometry& g, const std::vector<int>& rows,
                   const RowGrouping& grouping, int oh, int R, RowScratch& s, RowStart start,
                   float* const* out_rows) {
  const AxisGeometry& ay = g.y;
  const AxisGeometry& ax = g.x;
  const int phases = ax.step;
  const size_t pitch = static_cast<size_t>(in.MaxLength());
  s.columns.resize(static_cast<size_t>(R) * phases * pitch);  // R,S,PW
  ReadGroupRows(ay, rows, grouping, oh, R, s);
  const size_t taps = s.read.size();
  s.weights.assign(static_cast<size_t>(R) * taps, 0.0f);  // R,taps
  for (size_t n = 0; n < taps; ++n)
    for (int q = 0; q < R; ++q)
      if (const int ty = GroupTap(ay, grouping, s.read[n], q); ty >= 0)
        s.weights[q * taps + n] = f.column[static_cast<size_t>(ay.KernelIndex(ty))];
  // Prefetched once, during the first phase's pass: its columns map onto the whole input row.
  NextRows next = NextGroupPhaseRows(in, ay, ax, rows, grouping, oh, R);
  for (int p = 0; p < phases; ++p) {
    if (!in.PhaseRead(p)) continue;
    s.srcs.clear();
    for (int j : s.read) {
      const int r = oh * ay.step + j * ay.dilation;
      s.srcs.push_back(in.Phase(r, rows[static_cast<size_t>(r)], p));
    }
    const int n = in.PhaseLength(p);
    float* columns[kMaxRowGroup];
    for (int q = 0; q < R; ++q) columns[q] = s.columns.data() + (static_cast<size_t>(q) * phases + p) * pitch;
    AccumulateGroup(R, columns, s.srcs.data(), s.weights.data(), static_cast<int>(taps), n, RowStart{true, 0.0f}, next);
    next.count = 0;
  }
  s.weights.clear();
  for (int tx = 0; tx < ax.taps; ++tx) s.weights.push_back(f.row[static_cast<size_t>(ax.KernelIndex(tx))]);
  for (int q = 0; q < R; ++q) {
    s.srcs.clear();
    for (int tx = 0; tx < ax.taps; ++tx) {
      const int c = tx * ax.dilation;
      s.srcs.push_back(s.columns.data() + (static_cast<size_t>(q) * phases + c % phases) * pitch + c / phases);
    }
    AccumulateTaps(out_rows[q], s.srcs.data(), s.weights.data(), ax.taps, ax.output, start);
  }
}

// in: C,H,W  out: F,OH,OW
void ConvolvePolyphase(const Params& p, const Geometry& g, const Tensor3& input, const CpuEngineOptions& options,
                       Tensor3& out) {
  const std::vector<int> rows = g.y.SourceTable(g.pad_mode);
  const std::vector<int> cols = g.x.SourceTable(g.pad_mode);
  const FactorTable factors = FactorPlanes(p, g, options);
  // Not filled: each output row starts from the bias in its first input channel's pass.
  ShapeOutput(out, g.channels.out_channels, g.y.output, g.x.output);
  // Bands of output rows share phase rows: a band long against the window extent builds each
  // row about once; enough bands remain to share among the threads.
  const int band = std::min(g.y.output, std::max(8, 4 * g.y.Extent() / g.y.step));
  const int bands = (g.y.output + band - 1) / band;
  const RowGrouping grouping = GroupRows(g.y, options.row_group);
  const bool stream = out.data.size() * sizeof(float) >= kStreamOutputBytes;
  // Multiply-adds, plus the phase split's pass over the input: at stride 4 with a 3x3 kernel
  // that pass is 70% of the time but the multiply-adds alone (3.5 M at 1080p) fell under the
  // threshold, so the conv ran on one thread. One input element measured about as long as 12
  // multiply-adds (a memory-bound copy against the row kernel).
  constexpr long long kSplitCostPerElement = 12;
  const long long work = static_cast<long long>(out.data.size()) * g.channels.InputsPerGroup() * g.y.taps *
                             g.x.taps +
                         kSplitCostPerElement * static_cast<long long>(input.data.size());
  // No exception may leave the parallel region (that would terminate): the first one (memory
  // running out, in practice) is kept, every thread skips its remaining bands, and the caller
  // gets it after the region.
  std::atomic<bool> failed{false};
  std::exception_ptr failure;
  auto keep_failure = [&] {
#pragma omp critical(stridescope_conv_failure)
    if (!failure) failure = std::current_exception();
    failed = true;
  };
#pragma omp parallel num_threads(ThreadCount(options)) if (UseThreads(options, work))
  {
    RowScratch scratch;
    std::optional<PhaseRows> phase_rows;
    try {
      phase_rows.emplace(g, cols, grouping);
    } catch (...) {
      keep_failure();
    }
    // One band of OH of one output channel. in: C,H,W  out: F,OH,OW
    auto run_band = [&](int oc, int b) {
      const int oh_begin = b * band, oh_end = std::min(g.y.output, oh_begin + band);
      const int first = g.channels.FirstInputOf(oc);
      for (int ic = first; ic < first + g.channels.InputsPerGroup(); ++ic) {
        const float* w = WeightPlane(p.kernel, p.op, oc, ic);
        const std::optional<RankOneFactors>& f = factors.at(w);
        const RowStart start{ic == first, p.bias, stream && ic == first + g.channels.InputsPerGroup() - 1};
        phase_rows->Reset(input.Plane(ic), input.width, !f);
        // Runs of R*spacing rows, as `spacing` interleaved groups of R; smaller groups at the
        // band's end.
        for (int oh = oh_begin; oh < oh_end;) {
          int R = grouping.size;
          while (R > 1 && oh + R * grouping.spacing > oh_end) R /= 2;
          const int run = R > 1 ? R * grouping.spacing : 1;
          for (int first_row = oh; first_row < oh + std::min(run, grouping.spacing); ++first_row) {
            float* out_rows[kMaxRowGroup];
            for (int q = 0; q < R; ++q)
              out_rows[q] = out.Plane(oc) + static_cast<size_t>(first_row + q * grouping.spacing) * g.x.output;
            if (f)
              SeparableRows(*phase_rows, *f, g, rows, grouping, first_row, R, scratch, start, out_rows);
            else
              DirectRows(*phase_rows, w, g, rows, grouping, first_row, R, scratch, start, out_rows);
          }
          oh += run;
        }
      }
    };
#pragma omp for collapse(2) schedule(dynamic)
    for (int oc = 0; oc < out.channels; ++oc)
      for (int b = 0; b < bands; ++b) {
        if (failed) continue;
        try {
          run_band(oc, b);
        } catch (...) {
          keep_failure();
        }
      }
    // Streaming stores are weakly ordered: fenced before another thread (or the caller) reads.
    if (stream) _mm_sfence();
  }
  if (failure) std::rethrow_exception(failure);
}

// ---------------------------------------------------------------------------------------------
// The plain lattice path: the whole padded lattice per channel and strided scalar reads. Slow
// at any stride, kept as the simplest correct form for the tests and the benchmark to compare
// the fast paths with (allow_polyphase = false).

// One input channel on the direct-form lattice: padding filled by the pad mode and, for
// transposed conv, the inserted zeros in place. lattice: LH,LW
std::vector<float> ToLattice(const float* plane, int width, const std::vector<int>& rows,
                             const std::vector<int>& cols) {
  std::vector<float> lattice(rows.size() * cols.size(), 0.0f);
  for (size_t ly = 0; ly < rows.size(); ++ly) {
    if (rows[ly] < 0) continue;
    const float* src = plane + static_cast<size_t>(rows[ly]) * width;
    float* dst = lattice.data() + ly * cols.size();
    for (size_t lx = 0; lx < cols.size(); ++lx)
      if (cols[lx] >= 0) dst[lx] = src[cols[lx]];
  }
  return lattice;
}

// in: C,H,W  out: F,OH,OW
Tensor3 ConvolveLattice(const Params& p, const Geometry& g, const Tensor3& input,
                        const CpuEngineOptions& options) {
  const AxisGeometry& ay = g.y;
  const AxisGeometry& ax = g.x;
  Tensor3 out = Tensor3::Filled(g.channels.out_channels, ay.output, ax.output, p.bias);
  const std::vector<int> rows = ay.SourceTable(g.pad_mode);
  const std::vector<int> cols = ax.SourceTable(g.pad_mode);
  const size_t lw = cols.size();
  std::vector<std::vector<float>> lattices(static_cast<size_t>(input.channels));
  for (int ic = 0; ic < input.channels; ++ic)
    lattices[static_cast<size_t>(ic)] = ToLattice(input.Plane(ic), input.width, rows, cols);
  const long long work = static_cast<long long>(out.data.size()) * g.channels.InputsPerGroup() * ay.taps * ax.taps;
  // lattice: C,LH,LW  w: KH,KW  out: F,OH,OW
#pragma omp parallel for collapse(2) schedule(static) num_threads(ThreadCount(options)) if (UseThreads(options, work))
  for (int oc = 0; oc < out.channels; ++oc)
    for (int oh = 0; oh < ay.output; ++oh) {
      float* out_row = out.Plane(oc) + static_cast<size_t>(oh) * ax.output;
      const int first = g.channels.FirstInputOf(oc);
      for (int ic = first; ic < first + g.channels.InputsPerGroup(); ++ic) {
        const float* w = WeightPlane(p.kernel, p.op, oc, ic);
        for (int ty = 0; ty < ay.taps; ++ty) {
          const float* in_row = lattices[static_cast<size_t>(ic)].data() +
                                static_cast<size_t>(oh * ay.step + ty * ay.dilation) * lw;
          const float* w_row = w + static_cast<size_t>(ay.KernelIndex(ty)) * ax.taps;
          for (int tx = 0; tx < ax.taps; ++tx) {
            const float weight = w_row[ax.KernelIndex(tx)];
            const float* src = in_row + tx * ax.dilation;
            for (int ow = 0; ow < ax.output; ++ow) out_row[ow] += weight * src[static_cast<size_t>(ow) * ax.step];
          }
        }
      }
    }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Entry

void Convolve(const Params& params, const Geometry& geometry, const Tensor3& input, const CpuEngineOptions& options,
              Tensor3& out) {
  if (options.allow_polyphase) {
    ConvolvePolyphase(params, geometry, input, options, out);
  } else {
    out = Tensor3{};  // freed first, as ShapeOutput does: never the old and the new at once
    out = ConvolveLattice(params, geometry, input, options);
  }
}

CpuPaths ConvPaths(const Params& params, const Geometry& geometry, const CpuEngineOptions& options) {
  CpuPaths paths;
  paths.polyphase = options.allow_polyphase;
  if (!paths.polyphase) return paths;
  for (const auto& [plane, factors] : FactorPlanes(params, geometry, options))
    if (factors) paths.separable = true;
  return paths;
}

}  // namespace stridescope::cpu
