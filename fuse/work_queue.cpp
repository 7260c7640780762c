#include "fuse/work_queue.hpp"

#include <pthread.h>
#include <signal.h>

namespace ot::fuse {

WorkQueue::~WorkQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    jobs_.clear();
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkQueue::start_thread_locked() {
  // The new thread inherits this mask: it never takes a signal meant for
  // the serving thread.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  threads_.emplace_back([this] {
    pthread_setname_np(pthread_self(), name_);
    run();
  });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

bool WorkQueue::submit(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    if (jobs_.size() >= capacity_) {
      if (order_ == Order::fifo || capacity_ == 0) return false;
      jobs_.pop_front();  // lifo: the oldest waiting job is the least urgent
    }
    jobs_.push_back(std::move(job));
    if (idle_threads_ == 0 && threads_.size() < max_threads_) start_thread_locked();
  }
  wake_.notify_one();
  return true;
}

void WorkQueue::drain() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return jobs_.empty() && busy_ == 0; });
}

void WorkQueue::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++idle_threads_;
    wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
    --idle_threads_;
    if (stopping_) break;
    std::function<void()> job;
    if (order_ == Order::lifo) {
      job = std::move(jobs_.back());
      jobs_.pop_back();
    } else {
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    ++busy_;
    lock.unlock();
    job();
    lock.lock();
    --busy_;
    if (jobs_.empty() && busy_ == 0) idle_.notify_all();
  }
  idle_.notify_all();
}

}  // namespace ot::fuse
