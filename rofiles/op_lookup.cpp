// LOOKUP and FORGET: the kernel's references to nodes.
#include "rofiles/filesystem.hpp"
#include "rofiles/operations.hpp"

namespace ot::rofiles {

void op_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) noexcept {
  guarded(req, [&] {
    Filesystem& fs = fs_of(req);
    Entry e;
    int rc = fs.nodes.lookup(fs.node(parent), name, e);
    if (rc == -ENOENT && fs.timeouts.negative > 0) {
      // A negative entry: the kernel remembers the name is absent.
      fuse_entry_param p{};
      p.entry_timeout = fs.timeouts.negative;
      fuse_reply_entry(req, &p);
      return;
    }
    if (rc < 0) return reply_status(req, rc);
    reply_entry(req, fs, e);
  });
}

void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) noexcept {
  try {
    Filesystem& fs = fs_of(req);
    fs.nodes.forget(fs.node(ino), nlookup);
  } catch (...) {
  }
  fuse_reply_none(req);
}

void op_forget_multi(fuse_req_t req, size_t count, fuse_forget_data* forgets) noexcept {
  try {
    Filesystem& fs = fs_of(req);
    for (size_t i = 0; i < count; i++) fs.nodes.forget(fs.node(forgets[i].ino), forgets[i].nlookup);
  } catch (...) {
  }
  fuse_reply_none(req);
}

}  // namespace ot::rofiles
