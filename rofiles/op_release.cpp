// RELEASE and FSYNC of open files.
#include "rofiles/filesystem.hpp"
#include "rofiles/operations.hpp"

#include <unistd.h>


namespace ot::rofiles {

void op_release(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) noexcept {
  guarded(req, [&] {
    Filesystem& fs = fs_of(req);
    FileHandle* handle = &file_of(fi);
    Node& node = *handle->node;
    fs.detach_io(node);
    fs.nodes.released(node, handle->fd.get());
    fs.remove_file(handle);
    fuse_reply_err(req, 0);
  });
}

void op_fsync(fuse_req_t req, fuse_ino_t, int datasync, fuse_file_info* fi) noexcept {
  guarded(req, [&] {
    int fd = file_of(fi).fd.get();
    if ((datasync ? ::fdatasync(fd) : ::fsync(fd)) < 0) return reply_status(req, -errno);
    fuse_reply_err(req, 0);
  });
}

}  // namespace ot::rofiles
