// RENAME, including RENAME_NOREPLACE and RENAME_EXCHANGE (renameat2).
#include "rofiles/filesystem.hpp"
#include "rofiles/operations.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>

namespace ot::rofiles {

void op_rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
               const char* newname, unsigned int flags) noexcept {
  guarded(req, [&] {
    Filesystem& fs = fs_of(req);
    Node& from = fs.node(parent);
    Node& to = fs.node(newparent);
    if (::renameat2(from.dir->fd.get(), name, to.dir->fd.get(), newname, flags) < 0)
      return reply_status(req, -errno);
    fs.nodes.renamed(from, name, to, newname, flags);
    fuse_reply_err(req, 0);
  });
}

}  // namespace ot::rofiles
