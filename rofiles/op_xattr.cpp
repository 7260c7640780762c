// GETXATTR, LISTXATTR, SETXATTR and REMOVEXATTR. Reads pass through;
// setting and removing change a file in place and go through the write
// policy. (Upstream 2022.7 checks setxattr only and lets removexattr strip
// attributes off repository objects; we refuse both.)
#include "rofiles/filesystem.hpp"
#include "rofiles/operations.hpp"

#include <sys/xattr.h>

#include <memory>
#include <mutex>

namespace ot::rofiles {
namespace {

// Replies to a get/list call: the size when asked for it, else the bytes.
void reply_value(fuse_req_t req, size_t size, ssize_t n, const char* buf) {
  if (n < 0) return reply_status(req, -errno);
  if (size == 0) {
    fuse_reply_xattr(req, static_cast<size_t>(n));
  } else {
    fuse_reply_buf(req, buf, static_cast<size_t>(n));
  }
}

// Runs a set/remove call on the object the write policy approved. Regular
// files and directories are reached through the judged fd itself; symlinks
// have no such path before Linux 6.13, so they are reached by name.
template <typename Change>
void change_xattr(fuse_req_t req, fuse_ino_t ino, Change change) {
  Filesystem& fs = fs_of(req);
  Node& node = fs.node(ino);
  auto loc = fs.nodes.locate(node);
  if (!loc) return reply_status(req, -ESTALE);
  std::lock_guard lock(node.write_mutex);
  WriteTarget target;
  int rc = prepare_write(fs, node, *loc, CopyContent::all, -1, target);
  if (rc < 0) return reply_status(req, rc);
  if (S_ISLNK(node.type)) {
    bool follow;
    std::string path = fs.xattr_path(*loc, follow);
    rc = change(path.c_str(), follow);
  } else {
    rc = change(fs.proc_path(target.fd).c_str(), true);
  }
  reply_status(req, rc < 0 ? -errno : 0);
}

}  // namespace

void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) noexcept {
  guarded(req, [&] {
    Filesystem& fs = fs_of(req);
    auto loc = fs.nodes.locate(fs.node(ino));
    if (!loc) return reply_status(req, -ESTALE);
    bool follow;
    std::string path = fs.xattr_path(*loc, follow);
    std::unique_ptr<char[]> buf(size ? new char[size] : nullptr);
    ssize_t n = follow ? ::getxattr(path.c_str(), name, buf.get(), size)
                       : ::lgetxattr(path.c_str(), name, buf.get(), size);
    reply_value(req, size, n, buf.get());
  });
}

void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) noexcept {
  guarded(req, [&] {
    Filesystem& fs = fs_of(req);
    auto loc = fs.nodes.locate(fs.node(ino));
    if (!loc) return reply_status(req, -ESTALE);
    bool follow;
    std::string path = fs.xattr_path(*loc, follow);
    std::unique_ptr<char[]> buf(size ? new char[size] : nullptr);
    ssize_t n = follow ? ::listxattr(path.c_str(), buf.get(), size)
                       : ::llistxattr(path.c_str(), buf.get(), size);
    reply_value(req, size, n, buf.get());
  });
}

void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value,
                 size_t size, int flags) noexcept {
  guarded(req, [&] {
    change_xattr(req, ino, [&](const char* path, bool follow) {
      return follow ? ::setxattr(path, name, value, size, flags)
                    : ::lsetxattr(path, name, value, size, flags);
    });
  });
}

void op_removexattr(fuse_req_t req, fuse_ino_t ino, const char* name) noexcept {
  guarded(req, [&] {
    change_xattr(req, ino, [&](const char* path, bool follow) {
      return follow ? ::removexattr(path, name) : ::lremovexattr(path, name);
    });
  });
}

}  // namespace ot::rofiles
