// The low-level operations table and connection setup.
#include "fuse/filesystem.hpp"

namespace ot::fuse {
namespace {

void want_if_capable(fuse_conn_info* conn, unsigned cap) {
  if (conn->capable & cap) conn->want |= cap;
}

void init(void* userdata, fuse_conn_info* conn) {
  auto& fs = *static_cast<Filesystem*>(userdata);
  // Walks (find, ls -l, du) get names and attributes in one request.
  want_if_capable(conn, FUSE_CAP_READDIRPLUS);
  conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
  // Symlink targets never change: let the kernel cache them.
  want_if_capable(conn, FUSE_CAP_CACHE_SYMLINKS);
  // Nothing changes behind the kernel's back, so it never needs to drop
  // cached pages when it sees attributes again.
  conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
  want_if_capable(conn, FUSE_CAP_PARALLEL_DIROPS);
  // No splicing of replies: with SPLICE_MOVE the kernel steals the pages
  // from the object's page cache (shared with every hardlinked checkout),
  // so each read through the mount evicts the repository's cached data;
  // without it, splice costs more syscalls than a pread into a buffer.
  conn->want &= ~(FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE);
  fs.no_open = (conn->capable & FUSE_CAP_NO_OPEN_SUPPORT) != 0;
  fs.no_opendir = (conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT) != 0;
}

fuse_lowlevel_ops make_operations() {
  fuse_lowlevel_ops ops{};
  ops.init = init;
  set_entry_operations(ops);
  set_directory_operations(ops);
  set_read_operations(ops);
  set_xattr_operations(ops);
  set_refused_operations(ops);
  return ops;
}

}  // namespace

const fuse_lowlevel_ops& operations() {
  static const fuse_lowlevel_ops ops = make_operations();
  return ops;
}

}  // namespace ot::fuse
