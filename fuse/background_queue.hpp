#pragma once
// A single background thread running optional work (metadata read-ahead)
// in submission order. The thread starts with the first job, not at
// construction, so an object built before a fork (daemonize) still works in
// the child. Jobs beyond `capacity` are dropped: they only ever save time.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace ot::fuse {

class BackgroundQueue {
public:
  explicit BackgroundQueue(size_t capacity) : capacity_(capacity) {}
  // Stops after the running job; queued jobs are discarded.
  ~BackgroundQueue();
  BackgroundQueue(const BackgroundQueue&) = delete;
  BackgroundQueue& operator=(const BackgroundQueue&) = delete;

  // Queues job; false when the queue is full (the job is dropped). A job
  // must not throw.
  bool submit(std::function<void()> job);
  // Blocks until every job submitted so far has run (for tests).
  void drain();

private:
  void run();

  const size_t capacity_;
  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<std::function<void()>> jobs_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ot::fuse
