#include "fuse/serve_loop.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>

#include <cerrno>
#include <cstdlib>

namespace ot::fuse {

int serve_requests(fuse_session* se, std::chrono::microseconds poll_after_answer,
                   const std::function<void()>& after_init) {
  using Clock = std::chrono::steady_clock;
  const int fd = fuse_session_fd(se);
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return -errno;

  fuse_buf buf{};
  int result = 0;
  Clock::time_point last_answer{};
  bool initialised = false;
  while (!fuse_session_exited(se)) {
    int res = fuse_session_receive_buf(se, &buf);
    if (res == -EAGAIN) {
      if (Clock::now() - last_answer < poll_after_answer) {
        ::sched_yield();
        continue;
      }
      // Quiet: sleep until the next request (or a signal).
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, -1) < 0 && errno != EINTR) {
        result = -errno;
        break;
      }
      continue;
    }
    if (res == -EINTR) continue;
    if (res <= 0) {
      if (res < 0) result = res;
      break;
    }
    fuse_session_process_buf(se, &buf);
    if (!initialised) {
      initialised = true;
      if (after_init) after_init();
    }
    last_answer = Clock::now();
  }
  std::free(buf.mem);
  ::fcntl(fd, F_SETFL, flags);
  return result;
}

}  // namespace ot::fuse
