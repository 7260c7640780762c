// UNLINK and RMDIR. Removing a name never changes a shared file's content,
// so both are allowed on anything, as upstream does.
#include "rofiles/filesystem.hpp"
#include "rofiles/operations.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace ot::rofiles {

void op_unlink(fuse_req_t req, fuse_ino_t parent, const char* name) noexcept {
  guarded(req, [&] {
    Filesystem& fs = fs_of(req);
    Node& dir = fs.node(parent);
    if (::unlinkat(dir.dir->fd.get(), name, 0) < 0) return reply_status(req, -errno);
    fs.nodes.unlinked(dir, name);
    fuse_reply_err(req, 0);
  });
}

void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) noexcept {
  guarded(req, [&] {
    Filesystem& fs = fs_of(req);
    if (::unlinkat(fs.node(parent).dir->fd.get(), name, AT_REMOVEDIR) < 0)
      return reply_status(req, -errno);
    fuse_reply_err(req, 0);
  });
}

}  // namespace ot::rofiles
