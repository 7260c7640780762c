// SETATTR: chmod, chown, truncate and utimens.
//
// chmod, chown and truncate change a file in place, so they pass the write
// policy first and then act on the very inode it judged. Timestamps do not:
// upstream lets `touch` through on shared files, and so do we.
#include "rofiles/filesystem.hpp"
#include "rofiles/operations.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mutex>

namespace ot::rofiles {
namespace {

constexpr int kInPlaceChanges =
    FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID | FUSE_SET_ATTR_SIZE;

struct timespec time_arg(int to_set, int set_bit, int now_bit, const struct timespec& value) {
  if (to_set & now_bit) return {0, UTIME_NOW};
  if (to_set & set_bit) return value;
  return {0, UTIME_OMIT};
}

// chown, chmod and truncate on the judged inode. An open fd is used
// directly (tar's fchown/fchmod on the file it just wrote); an O_PATH fd is
// reached through /proc/self/fd, which leads to exactly that inode.
int change_in_place(Filesystem& fs, Node& node, const WriteTarget& t, const struct stat& attr,
                    int to_set) {
  if (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
    uid_t uid = (to_set & FUSE_SET_ATTR_UID) ? attr.st_uid : static_cast<uid_t>(-1);
    gid_t gid = (to_set & FUSE_SET_ATTR_GID) ? attr.st_gid : static_cast<gid_t>(-1);
    if (::fchownat(t.fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) return -errno;
  }
  if (to_set & FUSE_SET_ATTR_MODE) {
    if (S_ISLNK(node.type)) return -EOPNOTSUPP;  // as lchmod(2) on Linux
    mode_t mode = attr.st_mode & 07777;
    int rc = t.is_path_fd ? ::chmod(fs.proc_path(t.fd).c_str(), mode) : ::fchmod(t.fd, mode);
    if (rc < 0) return -errno;
  }
  if (to_set & FUSE_SET_ATTR_SIZE) {
    UniqueFd writable;
    if (t.is_path_fd) {
      int w = fs.reopen(t.fd, O_WRONLY);
      if (w < 0) return w;
      writable.reset(w);
    }
    if (::ftruncate(writable ? writable.get() : t.fd, attr.st_size) < 0) return -errno;
  }
  return 0;
}

int change_times(const Location& loc, int open_fd, const struct stat& attr, int to_set) {
  if (!(to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME))) return 0;
  const struct timespec times[2] = {
      time_arg(to_set, FUSE_SET_ATTR_ATIME, FUSE_SET_ATTR_ATIME_NOW, attr.st_atim),
      time_arg(to_set, FUSE_SET_ATTR_MTIME, FUSE_SET_ATTR_MTIME_NOW, attr.st_mtim)};
  int rc = open_fd >= 0 ? ::futimens(open_fd, times)
                        : ::utimensat(loc.dirfd(), loc.path(), times,
                                      loc.at_flags(AT_SYMLINK_NOFOLLOW));
  return rc < 0 ? -errno : 0;
}

}  // namespace

void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set,
                fuse_file_info* fi) noexcept {
  guarded(req, [&] {
    Filesystem& fs = fs_of(req);
    Node& node = fs.node(ino);
    auto loc = fs.nodes.locate(node);
    if (!loc) return reply_status(req, -ESTALE);
    // FUSE passes the open file for ftruncate and futimens-like calls.
    int open_fd = (fi && !node.is_dir()) ? file_of(fi).fd.get() : -1;

    std::unique_lock write_lock(node.write_mutex, std::defer_lock);
    WriteTarget target;
    if (to_set & kInPlaceChanges) {
      write_lock.lock();
      // Truncating to zero needs no copy of the old bytes.
      CopyContent content = (to_set & FUSE_SET_ATTR_SIZE) && attr->st_size == 0
                                ? CopyContent::none
                                : CopyContent::all;
      int rc = prepare_write(fs, node, *loc, content, open_fd, target);
      if (rc == 0) rc = change_in_place(fs, node, target, *attr, to_set);
      if (rc < 0) return reply_status(req, rc);
      if (target.copied) open_fd = target.is_path_fd ? -1 : target.fd;  // the old file is not the copy
    }
    int rc = change_times(*loc, open_fd, *attr, to_set);
    if (rc < 0) return reply_status(req, rc);

    struct stat st;
    rc = open_fd >= 0 ? ::fstat(open_fd, &st)
                      : ::fstatat(loc->dirfd(), loc->path(), &st, loc->at_flags(AT_SYMLINK_NOFOLLOW));
    if (rc < 0) return reply_status(req, -errno);
    fuse_reply_attr(req, &st, fs.timeouts.attr);
  });
}

}  // namespace ot::rofiles
