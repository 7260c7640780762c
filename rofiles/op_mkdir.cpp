// MKDIR, SYMLINK and MKNOD: new names. New objects have a single link, so
// they are the user's to change; nothing here needs the write policy.
#include "rofiles/filesystem.hpp"
#include "rofiles/operations.hpp"

#include <sys/stat.h>
#include <unistd.h>

namespace ot::rofiles {

void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) noexcept {
  guarded(req, [&] {
    Filesystem& fs = fs_of(req);
    Node& dir = fs.node(parent);
    if (::mkdirat(dir.dir->fd.get(), name, mode) < 0) return reply_status(req, -errno);
    Entry e;
    int rc = fs.nodes.lookup(dir, name, e);
    if (rc < 0) return reply_status(req, rc);
    reply_entry(req, fs, e);
  });
}

void op_symlink(fuse_req_t req, const char* target, fuse_ino_t parent, const char* name) noexcept {
  guarded(req, [&] {
    Filesystem& fs = fs_of(req);
    Node& dir = fs.node(parent);
    if (::symlinkat(target, dir.dir->fd.get(), name) < 0) return reply_status(req, -errno);
    Entry e;
    int rc = fs.nodes.lookup(dir, name, e);
    if (rc < 0) return reply_status(req, rc);
    reply_entry(req, fs, e);
  });
}

// Upstream refuses device nodes, FIFOs and sockets with EROFS; regular files
// never come this way because CREATE is implemented.
void op_mknod(fuse_req_t req, fuse_ino_t, const char*, mode_t, dev_t) noexcept {
  fuse_reply_err(req, EROFS);
}

}  // namespace ot::rofiles
