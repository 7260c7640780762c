// READ and LSEEK.
#include "rofiles/filesystem.hpp"
#include "rofiles/operations.hpp"

#include <unistd.h>

namespace ot::rofiles {
namespace {

// Below this size a pread() into memory plus one writev() to /dev/fuse beats
// splice's three syscalls (file -> pipe, header -> pipe, pipe -> device);
// above it, not copying the data through user space wins.
constexpr size_t kSpliceAbove = 32 * 1024;

}  // namespace

void op_read(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) noexcept {
  guarded(req, [&] {
    int fd = file_of(fi).fd.get();
    if (size <= kSpliceAbove) {
      thread_local char buf[kSpliceAbove];
      ssize_t n = ::pread(fd, buf, size, off);
      if (n < 0) return reply_status(req, -errno);
      fuse_reply_buf(req, buf, n);
      return;
    }
    fuse_bufvec data = FUSE_BUFVEC_INIT(size);
    data.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
    data.buf[0].fd = fd;
    data.buf[0].pos = off;
    fuse_reply_data(req, &data, FUSE_BUF_SPLICE_MOVE);
  });
}

void op_lseek(fuse_req_t req, fuse_ino_t, off_t off, int whence, fuse_file_info* fi) noexcept {
  guarded(req, [&] {
    // SEEK_DATA / SEEK_HOLE: the answer is the source file's.
    off_t r = ::lseek(file_of(fi).fd.get(), off, whence);
    if (r < 0) return reply_status(req, -errno);
    fuse_reply_lseek(req, r);
  });
}

}  // namespace ot::rofiles
