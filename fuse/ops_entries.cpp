// Names and attributes: lookup, getattr, readlink, statfs, forget.
#include "fuse/filesystem.hpp"

#include <sys/statvfs.h>

namespace ot::fuse {
namespace {

void lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  guarded(req, [&] {
    auto& fs = filesystem(req);
    fuse_entry_param e{};
    e.entry_timeout = kForever;
    e.attr_timeout = kForever;
    try {
      e.ino = fs.tree.lookup(parent, name);
    } catch (const Error& err) {
      if (err.errnum() != ENOENT) throw;
      // A negative entry (ino 0) the kernel may cache: the name will
      // never appear, so PATH searches and the like ask only once.
      fuse_reply_entry(req, &e);
      return;
    }
    e.generation = 1;
    e.attr = fs.tree.attr(e.ino, parent, name);
    fuse_reply_entry(req, &e);
  });
}

void getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  guarded(req, [&] {
    auto st = filesystem(req).tree.attr(ino);
    fuse_reply_attr(req, &st, kForever);
  });
}

void readlink(fuse_req_t req, fuse_ino_t ino) {
  guarded(req, [&] {
    auto& fs = filesystem(req);
    const std::string& target = fs.tree.symlink_target(ino);
    fs.reader.check(fs.tree.file(ino));
    fuse_reply_readlink(req, target.c_str());
  });
}

void statfs(fuse_req_t req, fuse_ino_t) {
  guarded(req, [&] {
    struct statvfs sv {};
    sv.f_bsize = 4096;
    sv.f_frsize = 4096;
    sv.f_files = filesystem(req).tree.node_count();
    sv.f_namemax = 255;
    sv.f_flag = ST_RDONLY;
    fuse_reply_statfs(req, &sv);
  });
}

// Nodes live as long as the mount (the tree is finite and ids must stay
// stable for hardlinks to show), so the kernel's forgetting needs no work.
void forget(fuse_req_t req, fuse_ino_t, uint64_t) { fuse_reply_none(req); }
void forget_multi(fuse_req_t req, size_t, fuse_forget_data*) { fuse_reply_none(req); }

}  // namespace

void set_entry_operations(fuse_lowlevel_ops& ops) {
  ops.lookup = lookup;
  ops.getattr = getattr;
  ops.readlink = readlink;
  ops.statfs = statfs;
  ops.forget = forget;
  ops.forget_multi = forget_multi;
}

}  // namespace ot::fuse
