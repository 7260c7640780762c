#include "base/reflink_copy.hpp"

#include "base/error.hpp"

#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

namespace ot {
namespace {

// Errors that mean the disk or quota is the problem: another method would
// fail the same way, so they are reported instead of triggering a fallback.
bool is_fatal(int err) {
  return err == EIO || err == ENOSPC || err == EDQUOT || err == EFBIG || err == EROFS;
}

// The byte positions reached so far; a method that gives up half way hands
// over to the next one at these offsets instead of starting again.
struct Progress {
  off_t in = 0;
  off_t out = 0;
};

// FICLONE shares every extent at once; it is all or nothing.
bool try_reflink(int src_fd, int dst_fd) {
  if (::ioctl(dst_fd, FICLONE, src_fd) == 0) return true;
  if (is_fatal(errno)) throw_errno("ioctl(FICLONE)");
  return false;  // EOPNOTSUPP, EXDEV, EINVAL, ENOTTY...: not shareable here
}

// Returns false if the kernel refuses before copying anything, so the caller
// can fall back; a failure after progress continues with read/write.
bool try_copy_file_range(int src_fd, int dst_fd, Progress& at) {
  constexpr size_t chunk = size_t{1} << 30;
  for (;;) {
    ssize_t n = ::copy_file_range(src_fd, &at.in, dst_fd, &at.out, chunk, 0);
    if (n > 0) continue;
    if (n == 0) return true;
    if (errno == EINTR) continue;
    if (is_fatal(errno)) throw_errno("copy_file_range");
    return false;  // ENOSYS, EXDEV (before 5.3), EINVAL, EOPNOTSUPP, EBADF
  }
}

void read_write(int src_fd, int dst_fd, Progress& at) {
  constexpr size_t buf_size = 128 * 1024;
  auto buf = std::make_unique<char[]>(buf_size);
  for (;;) {
    ssize_t n = ::pread(src_fd, buf.get(), buf_size, at.in);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("pread");
    }
    if (n == 0) return;
    at.in += n;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::pwrite(dst_fd, buf.get() + done, n - done, at.out);
      if (w < 0) {
        if (errno == EINTR) continue;
        throw_errno("pwrite");
      }
      done += w;
      at.out += w;
    }
  }
}

}  // namespace

CopyMethod copy_file_data(int src_fd, int dst_fd, CopyMethod first) {
  if (first == CopyMethod::reflink && try_reflink(src_fd, dst_fd)) return CopyMethod::reflink;

  Progress at;
  CopyMethod used = CopyMethod::read_write;
  if (first != CopyMethod::read_write && try_copy_file_range(src_fd, dst_fd, at)) {
    used = CopyMethod::copy_file_range;
  } else {
    read_write(src_fd, dst_fd, at);
  }
  // Leave dst exactly as long as what was copied, even if it was not empty.
  if (::ftruncate(dst_fd, at.out) < 0) throw_errno("ftruncate");
  return used;
}

}  // namespace ot
