#pragma once
// A fixed set of threads running independent tasks (verifying, decompressing
// and storing fetched objects) while the pulling thread keeps the network
// busy. The queue is bounded by the caller, who checks queued() before
// submitting, so fetched bodies never pile up in memory.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ot::store::remote {

class WorkerPool {
public:
  explicit WorkerPool(unsigned threads);
  ~WorkerPool();  // finishes nothing further: pending tasks are dropped
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void submit(std::function<void()> task);
  // Tasks submitted and not yet finished.
  size_t outstanding() const;
  // Blocks until fewer than n tasks are outstanding (or one failed).
  void wait_below(size_t n);
  // Drops queued tasks and waits for running ones to finish: after this no
  // task touches anything until the next submit.
  void cancel_and_wait();
  // Rethrows the first exception a task threw; later tasks are skipped.
  void rethrow_if_failed();

private:
  void run();

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<std::function<void()>> tasks_;
  size_t outstanding_ = 0;
  bool stopping_ = false;
  std::exception_ptr failure_;
  std::vector<std::thread> threads_;
};

}  // namespace ot::store::remote
