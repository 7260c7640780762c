// LINK: a new name for an existing object. It changes no content (upstream
// allows it for shared files too); the new name gets its own node.
#include "rofiles/filesystem.hpp"
#include "rofiles/operations.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace ot::rofiles {

void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) noexcept {
  guarded(req, [&] {
    Filesystem& fs = fs_of(req);
    Node& dir = fs.node(newparent);
    auto loc = fs.nodes.locate(fs.node(ino));
    if (!loc) return reply_status(req, -ESTALE);
    int rc = loc->is_self()
                 ? ::linkat(AT_FDCWD, fs.proc_path(loc->dirfd()).c_str(), dir.dir->fd.get(),
                            newname, AT_SYMLINK_FOLLOW)
                 : ::linkat(loc->dirfd(), loc->path(), dir.dir->fd.get(), newname, 0);
    if (rc < 0) return reply_status(req, -errno);
    Entry e;
    rc = fs.nodes.lookup(dir, newname, e);
    if (rc < 0) return reply_status(req, rc);
    reply_entry(req, fs, e);
  });
}

}  // namespace ot::rofiles
