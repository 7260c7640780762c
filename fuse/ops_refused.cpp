// The one policy for changes: the mounted commit is immutable, so every
// operation that would change it answers EROFS. The mount is also made
// read-only, so the kernel refuses most of these before they get here; these
// answers hold even if someone remounts it read-write.
#include "fuse/filesystem.hpp"

namespace ot::fuse {
namespace {

void refuse(fuse_req_t req) { fuse_reply_err(req, EROFS); }

}  // namespace

void set_refused_operations(fuse_lowlevel_ops& ops) {
  ops.setattr = [](fuse_req_t req, auto...) { refuse(req); };
  ops.mknod = [](fuse_req_t req, auto...) { refuse(req); };
  ops.mkdir = [](fuse_req_t req, auto...) { refuse(req); };
  ops.unlink = [](fuse_req_t req, auto...) { refuse(req); };
  ops.rmdir = [](fuse_req_t req, auto...) { refuse(req); };
  ops.symlink = [](fuse_req_t req, auto...) { refuse(req); };
  ops.rename = [](fuse_req_t req, auto...) { refuse(req); };
  ops.link = [](fuse_req_t req, auto...) { refuse(req); };
  ops.write = [](fuse_req_t req, auto...) { refuse(req); };
  ops.write_buf = [](fuse_req_t req, auto...) { refuse(req); };
  ops.create = [](fuse_req_t req, auto...) { refuse(req); };
  ops.setxattr = [](fuse_req_t req, auto...) { refuse(req); };
  ops.removexattr = [](fuse_req_t req, auto...) { refuse(req); };
  ops.fallocate = [](fuse_req_t req, auto...) { refuse(req); };
  ops.copy_file_range = [](fuse_req_t req, auto...) { refuse(req); };
}

}  // namespace ot::fuse
