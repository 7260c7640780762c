// File content: open, read.
#include "fuse/filesystem.hpp"

#include <fcntl.h>
#include <sys/uio.h>

#include <vector>

namespace ot::fuse {
namespace {

void open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  guarded(req, [&] {
    auto& fs = filesystem(req);
    if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) throw Error("read-only", EROFS);
    const FileObject& object = fs.tree.file(ino);
    if (!S_ISREG(object.meta.mode)) throw Error("not a regular file", EINVAL);
    // Stateless reads: from now on the kernel skips open and release.
    if (fs.no_open.load(std::memory_order_relaxed)) throw Error("stateless files", ENOSYS);
    fi->keep_cache = 1;  // content never changes: keep pages across opens
    fuse_reply_open(req, fi);
  });
}

void reply_read(fuse_req_t req, Filesystem& fs, const FileObject& object, size_t size, off_t off) {
  ReadResult r = fs.reader.read(object, uint64_t(off), size);
  if (r.fd) {
    // libfuse splices or preads from the object file straight into the reply.
    fuse_bufvec buf = FUSE_BUFVEC_INIT(r.fd_length);
    buf.buf[0].flags = fuse_buf_flags(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
    buf.buf[0].fd = r.fd.get();
    buf.buf[0].pos = off_t(r.fd_offset);
    fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE);
    return;
  }
  if (r.pieces.size() <= 1) {
    if (r.pieces.empty()) {
      fuse_reply_buf(req, nullptr, 0);
    } else {
      auto& p = r.pieces.front();
      fuse_reply_buf(req, p.chunk->data() + p.offset, p.length);
    }
    return;
  }
  std::vector<iovec> iov;
  for (auto& p : r.pieces) iov.push_back(iovec{const_cast<char*>(p.chunk->data() + p.offset), p.length});
  fuse_reply_iov(req, iov.data(), int(iov.size()));
}

void read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  guarded(req, [&] {
    auto& fs = filesystem(req);
    const FileObject& object = fs.tree.file(ino);
    if (!S_ISREG(object.meta.mode)) throw Error("not a regular file", EINVAL);
    if (off < 0) throw Error("negative offset", EINVAL);
    if (fs.slow_work && !fs.reader.is_quick(object, uint64_t(off), size)) {
      // Nodes live as long as the mount, so the object outlives the job.
      const FileObject* obj = &object;
      Filesystem* filesystem = &fs;
      if (fs.slow_work->submit([req, filesystem, obj, size, off]() noexcept {
            guarded(req, [&] { reply_read(req, *filesystem, *obj, size, off); });
          }))
        return;
    }
    reply_read(req, fs, object, size, off);
  });
}

}  // namespace

void set_read_operations(fuse_lowlevel_ops& ops) {
  ops.open = open;
  ops.read = read;
}

}  // namespace ot::fuse
