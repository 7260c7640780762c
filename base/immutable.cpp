#include "base/immutable.hpp"

#include "base/error.hpp"

#include <linux/fs.h>
#include <sys/ioctl.h>

#include <cerrno>

namespace ot {

void set_immutable(int fd, bool immutable) {
  int flags = 0;
  if (::ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0) {
    if (errno == ENOTTY || errno == EOPNOTSUPP || errno == EINVAL || errno == ENOSYS)
      return;
    throw_errno("ioctl(FS_IOC_GETFLAGS)");
  }
  const int wanted = immutable ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
  if (wanted == flags)
    return;
  if (::ioctl(fd, FS_IOC_SETFLAGS, &wanted) < 0) {
    if (errno == ENOTTY || errno == EOPNOTSUPP || errno == EINVAL || errno == ENOSYS)
      return;
    throw_errno("ioctl(FS_IOC_SETFLAGS)");
  }
}

}  // namespace ot
