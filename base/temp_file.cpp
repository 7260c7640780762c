#include "base/temp_file.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"

#include <fcntl.h>

#include <cerrno>
#include <utility>

namespace ot {

TempFile::TempFile(int dfd, const std::string& prefix, mode_t mode) : dfd_(dfd) {
  for (int attempt = 0;; attempt++) {
    std::string name = prefix + random_suffix(12);
    int fd;
    do fd = ::openat(dfd, name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    while (fd < 0 && errno == EINTR);
    if (fd >= 0) {
      name_ = std::move(name);
      fd_.reset(fd);
      return;
    }
    if (errno != EEXIST || attempt > 100) throw_errno("openat", name);
  }
}

TempFile::TempFile(TempFile&& o) noexcept
    : dfd_(o.dfd_), name_(std::exchange(o.name_, {})), fd_(std::move(o.fd_)) {}

TempFile& TempFile::operator=(TempFile&& o) noexcept {
  if (this != &o) {
    remove();
    dfd_ = o.dfd_;
    name_ = std::exchange(o.name_, {});
    fd_ = std::move(o.fd_);
  }
  return *this;
}

TempFile::~TempFile() { remove(); }

void TempFile::land(int dest_dfd, const std::string& dest_path) {
  sys::rename_at(dfd_, name_, dest_dfd, dest_path);
  release();
}

void TempFile::release() noexcept {
  name_.clear();
  fd_.reset();
}

void TempFile::remove() noexcept {
  if (name_.empty()) return;
  int saved = errno;
  fd_.reset();
  ::unlinkat(dfd_, name_.c_str(), 0);
  name_.clear();
  errno = saved;
}

}  // namespace ot
