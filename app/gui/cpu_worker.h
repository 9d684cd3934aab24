// The CPU engine off the UI thread, so a heavy recompute never blocks a frame. Latest wins: a new
// job replaces one that has not started, and the result of a job overtaken by a newer one is
// dropped. The engine cannot be interrupted, so a job in progress runs to its end.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "colour_map.h"
#include "engine.h"
#include "mip_levels.h"

namespace stridescope {

class CpuWorker {
 public:
  struct Job {
    Params params;
    Geometry geometry;
    std::shared_ptr<const Tensor3> input;  // shared: the UI may replace its image meanwhile
    std::uint64_t id = 0;
    MapDisplay display;  // how to colour the map, so the UI thread only uploads it
  };
  struct Finished {
    Tensor3 feature_map;
    ColouredMap picture;  // feature_map coloured with the job's MapDisplay
    std::vector<RgbaLevel> picture_levels;  // HalvedLevels of picture, for its texture
    Geometry geometry;
    double milliseconds = 0.0;
    bool out_of_memory = false;
    std::uint64_t id = 0;
  };

  CpuWorker();
  ~CpuWorker();  // waits for a job in progress
  CpuWorker(const CpuWorker&) = delete;
  CpuWorker& operator=(const CpuWorker&) = delete;

  void Submit(Job job);
  // The result of the newest job, once, when it is done; nullopt while it runs.
  std::optional<Finished> TakeFinished();
  bool Busy() const;
  // Hands back a map the UI no longer shows. The next job computes into its storage when the
  // size matches (a slider drag keeps the size or flips between a few), so a 4K map does not
  // fault in 100 MB of fresh memory on every change.
  void Recycle(Tensor3 spent);

 private:
  void Run(std::stop_token stop);
  // Takes map's storage as the spare unless one is held already. Call with mutex_ held.
  void KeepAsSpare(Tensor3& map);

  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  std::optional<Job> pending_;
  std::optional<Finished> finished_;
  Tensor3 spare_;  // from Recycle
  std::uint64_t newest_id_ = 0;
  bool working_ = false;
  std::jthread thread_;  // last: starts after, and stops before, the members it uses
};

}  // namespace stridescope
