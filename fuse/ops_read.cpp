// File content: open, read.
#include "fuse/filesystem.hpp"

#include "base/sys.hpp"

#include <fcntl.h>
#include <sys/uio.h>

#include <string>
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
    // One pread into a buffer this thread keeps (the kernel asks for at
    // most max_read bytes, 128 KiB by default).
    thread_local std::string buf;
    if (buf.size() < r.fd_length) buf.resize(r.fd_length);
    size_t got = sys::pread_full(r.fd.get(), buf.data(), r.fd_length, off_t(r.fd_offset));
    fuse_reply_buf(req, buf.data(), got);
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
    if (off == 0 && fs.push) {
      // The whole file goes to the kernel with this answer: nothing to push.
      if (size >= object.size) object.in_kernel_cache.store(true, std::memory_order_relaxed);
      fs.push->file_read(ino);
    }
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
