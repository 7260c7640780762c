#include "base/file_lock.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"

#include <sys/file.h>

#include <cerrno>

namespace ot {

FileLock::FileLock(int dfd, const std::string& path, LockKind kind)
    : fd_(sys::open_at(dfd, path, O_RDWR | O_CREAT, 0600)) {
  int op = kind == LockKind::shared ? LOCK_SH : LOCK_EX;
  while (::flock(fd_.get(), op) < 0) {
    if (errno != EINTR) throw_errno("flock", path);
  }
}

}  // namespace ot
