#include "base/lock_file.hpp"

#include "base/error.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace ot {

LockFile::LockFile(int dfd, std::string path) : dfd_(dfd), path_(std::move(path)) {
  for (;;) {
    UniqueFd fd(::openat(dfd_, path_.c_str(), O_CREAT | O_RDWR | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600));
    if (!fd)
      throw_errno("open", path_);
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    while (::fcntl(fd.get(), F_OFD_SETLKW, &fl) < 0) {
      if (errno != EINTR)
        throw_errno("fcntl(F_OFD_SETLKW)", path_);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) < 0)
      throw_errno("fstat", path_);
    // The previous holder unlinked it while we waited: lock the new file.
    if (st.st_nlink > 0) {
      fd_ = std::move(fd);
      return;
    }
  }
}

LockFile::~LockFile() {
  if (fd_)
    ::unlinkat(dfd_, path_.c_str(), 0);
}

}  // namespace ot
