#include "rofiles/serve_loop.hpp"

#include <fcntl.h>
#include <linux/fuse.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace ot::rofiles {
namespace {

// Longer than a client's think time between requests, short enough that an
// idle mount sleeps at once.
constexpr std::chrono::microseconds kPollAfterAnswer{100};

bool is_slow(const fuse_buf& buf, SlowRequests slow) {
  if (buf.size < sizeof(fuse_in_header)) return false;
  uint32_t opcode;
  std::memcpy(&opcode, static_cast<const char*>(buf.mem) + offsetof(fuse_in_header, opcode),
              sizeof opcode);
  switch (opcode) {
    case FUSE_FSYNC:
    case FUSE_FSYNCDIR:
    case FUSE_READ:
    case FUSE_WRITE:
    case FUSE_FALLOCATE:
    case FUSE_COPY_FILE_RANGE:
      return true;
    case FUSE_OPEN:
    case FUSE_CREATE:
    case FUSE_SETATTR:
    case FUSE_SETXATTR:
    case FUSE_REMOVEXATTR:
      return slow == SlowRequests::data_and_writes;
    default:
      return false;
  }
}

// A request copied out of the dispatcher's receive buffer.
struct Request {
  std::unique_ptr<char[]> data;
  size_t size;
};

class Pool {
public:
  Pool(fuse_session* se, unsigned n) : se_(se) {
    // Workers must not take the signals that end the loop: those have to
    // interrupt the dispatcher's read of /dev/fuse.
    sigset_t block, old;
    sigemptyset(&block);
    for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&block, s);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    for (unsigned i = 0; i < n; i++) threads_.emplace_back([this] { work(); });
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  // Finishes what is queued, then stops the workers.
  ~Pool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (auto& t : threads_) t.join();
  }

  void submit(const fuse_buf& buf) {
    Request r{std::unique_ptr<char[]>(new char[buf.size]), buf.size};
    std::memcpy(r.data.get(), buf.mem, buf.size);
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(r));
    }
    ready_.notify_one();
  }

private:
  void work() {
    for (;;) {
      Request r;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        r = std::move(queue_.front());
        queue_.pop_front();
      }
      fuse_buf buf{};
      buf.size = r.size;
      buf.mem = r.data.get();
      fuse_session_process_buf(se_, &buf);
    }
  }

  fuse_session* se_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Request> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

int serve_requests(fuse_session* se, unsigned workers, SlowRequests slow) {
  using Clock = std::chrono::steady_clock;
  const int fd = fuse_session_fd(se);
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return -errno;
  std::unique_ptr<Pool> pool;
  if (workers > 0) pool = std::make_unique<Pool>(se, workers);
  fuse_buf buf{};
  int rc = 0;
  Clock::time_point last_answer{};
  while (!fuse_session_exited(se)) {
    rc = fuse_session_receive_buf(se, &buf);
    if (rc == -EAGAIN) {
      // See serve_loop.hpp: a client's next request follows within
      // microseconds; keep the CPU for a moment before sleeping.
      if (Clock::now() - last_answer < kPollAfterAnswer) {
        ::sched_yield();
        continue;
      }
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, -1) < 0 && errno != EINTR) {
        rc = -errno;
        break;
      }
      continue;
    }
    if (rc == -EINTR) continue;
    if (rc <= 0) break;  // 0: unmounted
    if (pool && is_slow(buf, slow)) {
      pool->submit(buf);
    } else {
      fuse_session_process_buf(se, &buf);
    }
    last_answer = Clock::now();
  }
  pool.reset();  // lets queued requests finish
  std::free(buf.mem);
  ::fcntl(fd, F_SETFL, flags);
  // Ended by unmount or by a signal handler: both are a normal end.
  return fuse_session_exited(se) || rc >= 0 ? 0 : rc;
}

}  // namespace ot::rofiles
