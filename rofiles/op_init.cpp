// INIT: which kernel features the mount uses.
#include "rofiles/filesystem.hpp"
#include "rofiles/operations.hpp"

namespace ot::rofiles {

void op_init(void* userdata, fuse_conn_info* conn) noexcept {
  auto& fs = *static_cast<Filesystem*>(userdata);
  auto want = [conn](unsigned cap) {
    if (conn->capable & cap) conn->want |= cap;
  };
  // O_TRUNC arrives with OPEN, so truncation is judged on the opened inode
  // like any other write, instead of as a separate SETATTR beforehand.
  want(FUSE_CAP_ATOMIC_O_TRUNC);
  // Directory listings carry each entry's attributes: a tree walk does not
  // pay one LOOKUP round trip per name. Always, not _AUTO: the adaptive mode
  // sees no lookups after the first batch (they hit the cache it filled)
  // and lists the rest of a large directory without attributes, which then
  // costs a LOOKUP per entry. A plain `ls` pays an fstatat per name instead.
  want(FUSE_CAP_READDIRPLUS);
  conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
  // OPENDIR may answer ENOSYS: no OPENDIR/RELEASEDIR round trips at all.
  fs.no_opendir = conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT;
  // Kernel page cache for symlink targets; a changed symlink is a new inode.
  want(FUSE_CAP_CACHE_SYMLINKS);
  // Cached file pages stay valid across opens (keep_cache) until the kernel
  // sees mtime or size change, which it checks whenever attributes expire.
  want(FUSE_CAP_AUTO_INVAL_DATA);
  // Lookups and readdirs in one directory may run in parallel: every
  // handler here is thread-safe, and the mount serves parallel builds.
  want(FUSE_CAP_PARALLEL_DIROPS);
  want(FUSE_CAP_ASYNC_READ);
  // Large reads go from the source file to /dev/fuse by splice, without a
  // copy through our memory.
  want(FUSE_CAP_SPLICE_WRITE);
  want(FUSE_CAP_SPLICE_MOVE);
  // Reading requests through a pipe costs an extra syscall on every request,
  // and most requests here are small metadata ones.
  conn->want &= ~FUSE_CAP_SPLICE_READ;
  // The kernel would write back dirty pages whenever it likes: writes to a
  // refused file would fail at close instead of at open, unlike upstream.
  conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
}

}  // namespace ot::rofiles
