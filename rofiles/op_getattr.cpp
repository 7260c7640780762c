// GETATTR: stat, answered from the inode an open file holds when there is one.
#include "rofiles/filesystem.hpp"
#include "rofiles/operations.hpp"

namespace ot::rofiles {

void op_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) noexcept {
  guarded(req, [&] {
    Filesystem& fs = fs_of(req);
    Node& node = fs.node(ino);
    struct stat st;
    int rc;
    if (fi && !node.is_dir()) {  // fstat(2) on an open file: its own inode
      rc = ::fstat(file_of(fi).fd.get(), &st);
    } else {
      auto loc = fs.nodes.locate(node);
      if (!loc) return reply_status(req, -ESTALE);
      rc = ::fstatat(loc->dirfd(), loc->path(), &st, loc->at_flags(AT_SYMLINK_NOFOLLOW));
    }
    if (rc < 0) return reply_status(req, -errno);
    fuse_reply_attr(req, &st, fs.timeouts.attr);
  });
}

}  // namespace ot::rofiles
