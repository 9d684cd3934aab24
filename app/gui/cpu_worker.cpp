#include "gui/cpu_worker.h"

#include <chrono>
#include <new>

namespace stridescope {

CpuWorker::CpuWorker() : thread_([this](std::stop_token stop) { Run(stop); }) {}

CpuWorker::~CpuWorker() {
  thread_.request_stop();
  wake_.notify_all();
}

void CpuWorker::Submit(Job job) {
  {
    const std::lock_guard lock(mutex_);
    newest_id_ = job.id;
    pending_ = std::move(job);
  }
  wake_.notify_one();
}

std::optional<CpuWorker::Finished> CpuWorker::TakeFinished() {
  const std::lock_guard lock(mutex_);
  if (!finished_ || finished_->id != newest_id_) return std::nullopt;
  std::optional<Finished> done = std::move(finished_);
  finished_.reset();
  return done;
}

bool CpuWorker::Busy() const {
  const std::lock_guard lock(mutex_);
  return working_ || pending_.has_value();
}

void CpuWorker::Recycle(Tensor3 spent) {
  const std::lock_guard lock(mutex_);
  spare_ = std::move(spent);
}

void CpuWorker::KeepAsSpare(Tensor3& map) {
  if (spare_.Empty()) spare_ = std::move(map);
}

void CpuWorker::Run(std::stop_token stop) {
  CpuEngine engine;
  while (true) {
    Job job;
    Tensor3 out;
    {
      std::unique_lock lock(mutex_);
      if (!wake_.wait(lock, stop, [this] { return pending_.has_value(); })) return;
      job = std::move(*pending_);
      pending_.reset();
      out = std::move(spare_);
      working_ = true;
    }
    Finished done;
    done.id = job.id;
    done.geometry = job.geometry;
    const auto start = std::chrono::steady_clock::now();
    try {
      engine.ComputeInto(job.params, job.geometry, *job.input, out);
      done.feature_map = std::move(out);
      // The engine's time, as the in-place path reports it; colouring is not the engine's.
      done.milliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      // A 4K map takes tens of milliseconds to colour: here, not on the UI thread.
      done.picture = ColourTensor(done.feature_map, job.display);
      done.picture_levels = HalvedLevels(done.picture.rgba.data(), done.feature_map.width, done.feature_map.height);
    } catch (const std::bad_alloc&) {
      // Within core's size limits but not this machine's free memory: the UI says so.
      done.out_of_memory = true;
    }
    const std::lock_guard lock(mutex_);
    working_ = false;
    // An overtaken result is dropped, and so is a newest one the UI never took; their storage
    // becomes the next job's output (during a drag most results are overtaken).
    if (done.id != newest_id_) {
      KeepAsSpare(done.feature_map);
      continue;
    }
    if (finished_) KeepAsSpare(finished_->feature_map);
    finished_ = std::move(done);
  }
}

}  // namespace stridescope
