#pragma once
// Jobs run on background threads, in submission order or newest first: the
// metadata read-ahead (one thread, newest first, a bounded stack whose
// oldest jobs are dropped when it overflows: it only ever saves time), the
// content push-ahead, and the requests too slow for the thread that reads
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

enum class Order {
  fifo,  // oldest job first; a job beyond capacity is refused
  lifo,  // newest job first; beyond capacity the oldest waiting job is dropped
};

class WorkQueue {
public:
  // Up to `threads` threads and `capacity` waiting jobs.
  // name (at most 15 characters) names the threads for ps and top.
  WorkQueue(const char* name, unsigned threads, size_t capacity, Order order = Order::fifo)
      : name_(name), max_threads_(threads), capacity_(capacity), order_(order) {}
  // Stops after the running jobs; queued jobs are discarded.
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues job; false when a fifo queue is full (the job is dropped). A job
  // must not throw.
  bool submit(std::function<void()> job);
  // Blocks until every job submitted so far has run.
  void drain();

private:
  void run();
  void start_thread_locked();

  const char* const name_;
  const unsigned max_threads_;
  const size_t capacity_;
  const Order order_;
  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<std::function<void()>> jobs_;
  unsigned busy_ = 0;
  unsigned idle_threads_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ot::fuse
