// WRITE, COPY_FILE_RANGE and FALLOCATE, on files whose open already passed
// the write policy (upstream checks at open time only, too).
#include "rofiles/filesystem.hpp"
#include "rofiles/operations.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace ot::rofiles {

void op_write_buf(fuse_req_t req, fuse_ino_t, fuse_bufvec* bufv, off_t off,
                  fuse_file_info* fi) noexcept {
  guarded(req, [&] {
    fuse_bufvec dst = FUSE_BUFVEC_INIT(fuse_buf_size(bufv));
    dst.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
    dst.buf[0].fd = file_of(fi).fd.get();
    dst.buf[0].pos = off;
    ssize_t n = fuse_buf_copy(&dst, bufv, static_cast<fuse_buf_copy_flags>(0));
    if (n < 0) return reply_status(req, static_cast<int>(n));
    fuse_reply_write(req, static_cast<size_t>(n));
  });
}

// cp(1) inside the mount: the source filesystem copies (or reflinks) itself.
void op_copy_file_range(fuse_req_t req, fuse_ino_t, off_t off_in, fuse_file_info* fi_in,
                        fuse_ino_t, off_t off_out, fuse_file_info* fi_out, size_t len,
                        int flags) noexcept {
  guarded(req, [&] {
    loff_t in = off_in, out = off_out;
    ssize_t n = ::copy_file_range(file_of(fi_in).fd.get(), &in, file_of(fi_out).fd.get(), &out,
                                  len, static_cast<unsigned>(flags));
    if (n < 0) return reply_status(req, -errno);
    fuse_reply_write(req, static_cast<size_t>(n));
  });
}

void op_fallocate(fuse_req_t req, fuse_ino_t, int mode, off_t offset, off_t length,
                  fuse_file_info* fi) noexcept {
  guarded(req, [&] {
    if (::fallocate(file_of(fi).fd.get(), mode, offset, length) < 0)
      return reply_status(req, -errno);
    fuse_reply_err(req, 0);
  });
}

}  // namespace ot::rofiles
