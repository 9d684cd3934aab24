// Geometry: the one source of truth for sizes, padding and which pixels each step reads.
// The CPU loops, the shaders' uniforms and every UI overlay take their numbers from here.
//
// Every op is described per axis in one "direct form": a correlation that slides a window of
// `taps` cells (spaced `dilation` apart) in steps of `step` over a lattice. Input pixel i sits at
// lattice position i * spread. For conv and pooling spread = 1 and step = stride; for transposed
// conv spread = stride (stride-1 zeros inserted between pixels) and step = 1, and the kernel is
// flipped: exactly the zero-insertion picture of DESIGN.md.
#pragma once

#include <cstdint>
#include <vector>

#include "expected.h"
#include "params.h"

namespace stridescope {

// Why an input row (or column) is never read by any window.
enum class Visit {
  Read,            // at least one tap lands on it
  StrideGap,       // between two windows: the stride is larger than the window extent
  DilationHole,    // inside a window's span but between its dilated taps
  FloorRemainder,  // after the last window: the floor in the output-size formula dropped it
  Cropped,         // transposed conv: every output it feeds was cropped away by padding
};

// One axis (rows or columns) of a resolved operation. Plain data plus pure helpers.
struct AxisGeometry {
  // What the user asked for, resolved.
  int input = 0;           // I: input length
  int taps = 1;            // K: kernel or window length
  int stride = 1;          // S
  int dilation = 1;        // D
  int pad_begin = 0;       // padding as resolved per side (what `same` really chose)
  int pad_end = 0;
  int output_padding = 0;  // transposed only
  int output = 0;          // Out
  bool transposed = false;

  // Direct form (see top of file).
  int spread = 1;
  int step = 1;
  int lattice_pad_begin = 0;  // padding of the lattice in direct form
  int lattice_pad_end = 0;

  int Extent() const { return dilation * (taps - 1) + 1; }         // E = D*(K-1)+1
  int LatticeLength() const { return (input - 1) * spread + 1; }
  // Lattice position read by window tap t of output o; may be negative or past the end (padding).
  int TapPosition(int o, int t) const { return o * step - lattice_pad_begin + t * dilation; }
  // Kernel index used by window tap t (transposed conv walks the kernel flipped).
  int KernelIndex(int t) const { return transposed ? taps - 1 - t : t; }
  // Input pixel at a lattice position, or -1 for padding and inserted zeros.
  int InputIndex(int position) const;
  // Input pixel whose value a lattice position holds under `mode` (reflect/replicate/circular
  // read real pixels in the padding), or -1 where the value is zero. Transposed conv is zeros only.
  int SourceIndex(int position, PadMode mode) const;

  // Lattice positions of the first tap of the first window and the last tap of the last window.
  int FirstReadPosition() const { return TapPosition(0, 0); }
  int LastReadPosition() const { return TapPosition(output - 1, taps - 1); }
  // How many (output, tap) pairs read input pixel i directly (not through padding).
  std::vector<int> ReadCounts() const;
  // For every input pixel, whether it is read, and if not, why.
  std::vector<Visit> Visits() const;
  // The (output, tap) pairs that read input pixel i directly.
  struct Reader {
    int output;
    int tap;
  };
  std::vector<Reader> Readers(int i) const;
  // For every window index j = o * step + t * dilation (0 <= j <= (Out-1)*step + (K-1)*D), the
  // input pixel it reads under `mode`, or -1 for a zero (zero padding, inserted zeros). Both
  // engines read through these tables, so padding rules live only in SourceIndex.
  std::vector<int> SourceTable(PadMode mode) const;
  // Average pooling along this axis for output o: the window length clipped to the padded input
  // (the divisor with count_include_pad, as PyTorch, so a ceil_mode window hanging past the end
  // padding is not counted) and the real input range [first, last) it covers.
  struct PoolSpan {
    int padded_length;
    int first;
    int last;
  };
  PoolSpan AvgPoolSpan(int o) const;
  // Padded-lattice positions left unread after the last tap of the last window. Without
  // ceil_mode that is (I + pads - E) mod S, what the floor drops; 0 for transposed conv.
  int FloorRemainder() const;
  // The middle of output o's window, in input pixels (pixel i spans [i, i+1); the padding lies
  // below 0 and past `input`). Places are kept in these units where panes of different strides,
  // paddings or ops must point at the same part of the image (the shared timeline).
  double WindowCentre(int o) const;
  // The output whose window centre is nearest to `centre` (a tie goes to the lower output),
  // clamped to 0..output-1; 0 when there is no output.
  int NearestOutput(double centre) const;

  friend bool operator==(const AxisGeometry&, const AxisGeometry&) = default;
};

// How channels flow: the weight layout follows PyTorch, conv (out, in/groups, KH, KW) and
// transposed (in, out/groups, KH, KW). Pooling works per channel (groups = channels).
struct ChannelPlan {
  int in_channels = 1;
  int out_channels = 1;
  int groups = 1;

  int InputsPerGroup() const { return in_channels / groups; }
  int OutputsPerGroup() const { return out_channels / groups; }
  // The first input channel feeding output channel oc; InputsPerGroup() channels follow it.
  int FirstInputOf(int oc) const { return (oc / OutputsPerGroup()) * InputsPerGroup(); }
  friend bool operator==(const ChannelPlan&, const ChannelPlan&) = default;
};

struct Geometry {
  Op op = Op::Conv;
  PadMode pad_mode = PadMode::Zeros;
  AxisGeometry y;  // rows
  AxisGeometry x;  // columns
  ChannelPlan channels;
  std::int64_t macs = 0;  // multiply-accumulates (pooling: compares or adds), see ResolveGeometry

  int OutputHeight() const { return y.output; }
  int OutputWidth() const { return x.output; }
  // Input pixels read per cell: ReadCounts of y times those of x. Row-major H x W.
  std::vector<int> CoverageCounts() const;
  friend bool operator==(const Geometry&, const Geometry&) = default;
};

// The padding a preset or explicit Padding resolves to on one axis, before any validation.
// valid = 0; full = E-1 each side; same = TensorFlow SAME (extra pixel at the end).
// ResolveGeometry refuses same and full for transposed conv, which takes numeric padding only.
struct AxisPadding {
  int begin = 0;
  int end = 0;
};
AxisPadding ResolvePadding(PadPreset preset, int explicit_begin, int explicit_end, int input,
                           int extent, int stride);

// Output length of conv and pooling: floor((I + pads - E) / S) + 1, or with ceil_mode the
// PyTorch pooling rule; 0 or less means no output. Transposed:
// (I-1)*S - pads + E + output_padding.
int OutputLength(Op op, int input, int extent, int stride, int pad_begin, int pad_end,
                 int output_padding, bool ceil_mode);

// Validates Params against an input of in_channels x in_height x in_width and derives
// everything. Every invalid combination returns an Error in the user's terms, for example
// "kernel extent 9 (5 taps, dilation 2) is larger than the padded input height 7, so there is
// no output". MACs: conv = Out cells x out channels x in channels per group x KH x KW;
// transposed = input cells x in channels x out channels per group x KH x KW (the scatter
// work); pooling = Out cells x channels x window.
Expected<Geometry> ResolveGeometry(const Params& params, int in_channels, int in_height,
                                   int in_width);

// Padding index arithmetic shared by the CPU engine, the GPU uniforms and the views.
// Maps a coordinate outside [0, n) into it under mode; returns -1 for Zeros.
// Requires the padding limits ResolveGeometry enforces (reflect: |overhang| < n; circular <= n).
int ResolvePaddedIndex(int index, int n, PadMode mode);

}  // namespace stridescope
