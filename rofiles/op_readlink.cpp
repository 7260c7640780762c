// READLINK
#include "rofiles/filesystem.hpp"
#include "rofiles/operations.hpp"

#include <climits>

namespace ot::rofiles {

void op_readlink(fuse_req_t req, fuse_ino_t ino) noexcept {
  guarded(req, [&] {
    Filesystem& fs = fs_of(req);
    auto loc = fs.nodes.locate(fs.node(ino));
    if (!loc) return reply_status(req, -ESTALE);
    char buf[PATH_MAX + 1];
    // An empty path reads the symlink an O_PATH fd refers to (Linux 2.6.39).
    ssize_t n = ::readlinkat(loc->dirfd(), loc->path(), buf, PATH_MAX);
    if (n < 0) return reply_status(req, -errno);
    buf[n] = '\0';
    fuse_reply_readlink(req, buf);
  });
}

}  // namespace ot::rofiles
