#include "store/remote/worker_pool.hpp"

namespace ot::store::remote {

WorkerPool::WorkerPool(unsigned threads) {
  for (unsigned i = 0; i < std::max(1u, threads); ++i) threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    tasks_.clear();
  }
  work_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkerPool::submit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    tasks_.push_back(std::move(task));
    ++outstanding_;
  }
  work_cv_.notify_one();
}

size_t WorkerPool::outstanding() const {
  std::lock_guard lock(mu_);
  return outstanding_;
}

void WorkerPool::wait_below(size_t n) {
  std::unique_lock lock(mu_);
  done_cv_.wait(lock, [&] { return outstanding_ < n || failure_; });
}

void WorkerPool::cancel_and_wait() {
  std::unique_lock lock(mu_);
  outstanding_ -= tasks_.size();
  tasks_.clear();
  done_cv_.wait(lock, [&] { return outstanding_ == 0; });
}

void WorkerPool::rethrow_if_failed() {
  std::lock_guard lock(mu_);
  if (failure_) std::rethrow_exception(failure_);
}

void WorkerPool::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      if (stopping_) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
      if (failure_) {
        // After a failure the pull is over: skip the rest.
        --outstanding_;
        done_cv_.notify_all();
        continue;
      }
    }
    std::exception_ptr error;
    try {
      task();
    } catch (...) {
      error = std::current_exception();
    }
    {
      std::lock_guard lock(mu_);
      if (error && !failure_) failure_ = error;
      --outstanding_;
    }
    done_cv_.notify_all();
  }
}

}  // namespace ot::store::remote
