#include "rofiles/operations.hpp"

namespace ot::rofiles {

const fuse_lowlevel_ops& operations() {
  // No flush: nothing is buffered here, and without it (plus noflush on
  // open) close(2) on the mount costs no round trip. No locks: the kernel
  // keeps POSIX and flock locks locally, which is right for one mount.
  static const fuse_lowlevel_ops ops = [] {
    fuse_lowlevel_ops o{};
    o.init = op_init;
    o.lookup = op_lookup;
    o.forget = op_forget;
    o.forget_multi = op_forget_multi;
    o.getattr = op_getattr;
    o.setattr = op_setattr;
    o.readlink = op_readlink;
    o.mknod = op_mknod;
    o.mkdir = op_mkdir;
    o.symlink = op_symlink;
    o.link = op_link;
    o.unlink = op_unlink;
    o.rmdir = op_rmdir;
    o.rename = op_rename;
    o.open = op_open;
    o.create = op_create;
    o.read = op_read;
    o.write_buf = op_write_buf;
    o.copy_file_range = op_copy_file_range;
    o.fallocate = op_fallocate;
    o.lseek = op_lseek;
    o.fsync = op_fsync;
    o.release = op_release;
    o.opendir = op_opendir;
    o.readdir = op_readdir;
    o.readdirplus = op_readdirplus;
    o.fsyncdir = op_fsyncdir;
    o.statfs = op_statfs;
    o.access = op_access;
    o.getxattr = op_getxattr;
    o.listxattr = op_listxattr;
    o.setxattr = op_setxattr;
    o.removexattr = op_removexattr;
    return o;
  }();
  return ops;
}

}  // namespace ot::rofiles
