#pragma once
// Jobs run on background threads in submission order: the metadata
// read-ahead (one thread, a bounded queue whose overflow is dropped: it only
// ever saves time) and the requests too slow for the thread that reads
// /dev/fuse (inflating archive content, verifying checksums).
//
// Threads start with the first job, not at construction, so an object built
// before a fork (daemonize) still works in the child. They block every
// signal, so SIGTERM and friends reach the thread serving /dev/fuse, whose
// read they interrupt to end the session.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ot::fuse {

class WorkQueue {
public:
  // Up to `threads` threads; jobs beyond `capacity` waiting are dropped.
  WorkQueue(unsigned threads, size_t capacity) : max_threads_(threads), capacity_(capacity) {}
  // Stops after the running jobs; queued jobs are discarded.
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues job; false when the queue is full (the job is dropped). A job
  // must not throw.
  bool submit(std::function<void()> job);
  // Blocks until every job submitted so far has run.
  void drain();

private:
  void run();
  void start_thread_locked();

  const unsigned max_threads_;
  const size_t capacity_;
  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<std::function<void()>> jobs_;
  unsigned busy_ = 0;
  unsigned idle_threads_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ot::fuse
