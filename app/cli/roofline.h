// The machine's own roofline, measured in the same run as the benchmark it judges: a float FMA
// peak and a memory bandwidth, so each case's GFLOP/s can be read as a share of what the machine
// could possibly do at that case's arithmetic intensity.
#pragma once

#include <cstdint>
#include <string>

namespace stridescope {

struct Roofline {
  double peak_gflops = 0;     // GFLOP/s (1e9 FLOP/s), all threads, 2 FLOPs per FMA
  double bandwidth_gbs = 0;   // GB/s (1e9 bytes/s), all threads, STREAM triad convention
  std::string fma_isa;        // the vector instructions the peak was measured with: "avx512f", ...
  unsigned threads = 0;

  // Intensity in FLOP/byte in, GFLOP/s out: min(peak, intensity x bandwidth).
  double BoundGflops(double flops_per_byte) const;
  // Milliseconds to move `bytes` once at the measured bandwidth.
  double TransferMilliseconds(double bytes) const;
};

// GFLOP/s of independent FMA chains in vector registers on `threads` threads (best of a few runs;
// about 0.1 s each). Uses the widest FMA this CPU reports (AVX-512F, AVX2+FMA), else portable
// vector code; `isa` receives which.
double MeasureFmaPeakGflops(unsigned threads, std::string* isa);

// GB/s of a STREAM triad a = b + s*c over three 128 MiB arrays (far beyond any LLC) on `threads`
// threads, best of a few runs; counts 12 bytes per element (two reads, one write).
double MeasureTriadBandwidthGbs(unsigned threads);

// Both of the above on every hardware thread: what `stridescope bench` prints in its header.
Roofline MeasureRoofline();

}  // namespace stridescope
