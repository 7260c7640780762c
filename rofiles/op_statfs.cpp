// STATFS and ACCESS.
#include "rofiles/filesystem.hpp"
#include "rofiles/operations.hpp"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace ot::rofiles {

void op_statfs(fuse_req_t req, fuse_ino_t) noexcept {
  guarded(req, [&] {
    struct statvfs st;
    if (::fstatvfs(fs_of(req).nodes.root().dir->fd.get(), &st) < 0)
      return reply_status(req, -errno);
    fuse_reply_statfs(req, &st);
  });
}

// access(2) answers what the source tree says. For shared files that
// includes W_OK: coreutils' rm asks before unlinking, and unlinking is
// allowed; a later open for writing still fails with EROFS (as upstream).
void op_access(fuse_req_t req, fuse_ino_t ino, int mask) noexcept {
  guarded(req, [&] {
    Filesystem& fs = fs_of(req);
    auto loc = fs.nodes.locate(fs.node(ino));
    if (!loc) return reply_status(req, -ESTALE);
    if (::faccessat(loc->dirfd(), loc->path(), mask, loc->at_flags(AT_SYMLINK_NOFOLLOW)) < 0)
      return reply_status(req, -errno);
    fuse_reply_err(req, 0);
  });
}

}  // namespace ot::rofiles
