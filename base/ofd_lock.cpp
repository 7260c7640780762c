#include "base/ofd_lock.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"

#include <fcntl.h>

#include <cerrno>
#include <thread>

namespace ot {
namespace {

struct flock whole_file(short type) {
  struct flock fl {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = 0;
  fl.l_len = 0;
  return fl;
}

}  // namespace

OfdLock::OfdLock(int dfd, const std::string& path, LockKind kind, std::chrono::milliseconds timeout)
    : fd_(sys::open_at(dfd, path, O_RDWR | O_CREAT, 0660)), kind_(kind) {
  auto fl = whole_file(kind == LockKind::shared ? F_RDLCK : F_WRLCK);
  if (timeout.count() < 0) {
    while (::fcntl(fd_.get(), F_OFD_SETLKW, &fl) < 0) {
      if (errno != EINTR) throw_errno("fcntl(F_OFD_SETLKW)", path);
    }
    return;
  }
  // Poll rather than block: a blocking wait cannot be bounded without a signal,
  // and signals are process-global state a library must not touch.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    if (::fcntl(fd_.get(), F_OFD_SETLK, &fl) == 0) return;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EACCES) throw_errno("fcntl(F_OFD_SETLK)", path);
    if (std::chrono::steady_clock::now() >= deadline)
      throw Error("timed out after " + std::to_string(timeout.count() / 1000) +
                      " s waiting for the lock on " + path,
                  EAGAIN);
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(100));
  }
}

bool OfdLock::is_locked(int dfd, const std::string& path, LockKind kind) {
  auto fd = sys::open_at_opt(dfd, path, O_RDONLY);
  if (!fd) return false;
  auto fl = whole_file(kind == LockKind::shared ? F_RDLCK : F_WRLCK);
  if (::fcntl(fd->get(), F_OFD_GETLK, &fl) < 0) throw_errno("fcntl(F_OFD_GETLK)", path);
  return fl.l_type != F_UNLCK;
}

}  // namespace ot
