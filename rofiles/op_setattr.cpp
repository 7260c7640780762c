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

// Applies the requested changes to `fd` (an fd on the judged inode, O_PATH
// or open) or, for timestamps only, to loc. Returns 0 or -errno.
int apply(Filesystem& fs, Node& node, const Location& loc, int fd, FileHandle* open_file,
          const struct stat& attr, int to_set) {
  if (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
    uid_t uid = (to_set & FUSE_SET_ATTR_UID) ? attr.st_uid : static_cast<uid_t>(-1);
    gid_t gid = (to_set & FUSE_SET_ATTR_GID) ? attr.st_gid : static_cast<gid_t>(-1);
    if (::fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) return -errno;
  }
  if (to_set & FUSE_SET_ATTR_MODE) {
    if (S_ISLNK(node.type)) return -EOPNOTSUPP;  // as lchmod(2) on Linux
    // The magic link /proc/self/fd/N leads to exactly this inode.
    if (::chmod(fs.proc_path(fd).c_str(), attr.st_mode & 07777) < 0) return -errno;
  }
  if (to_set & FUSE_SET_ATTR_SIZE) {
    int wfd = fs.reopen(fd, O_WRONLY);
    if (wfd < 0) return wfd;
    UniqueFd w(wfd);
    if (::ftruncate(wfd, attr.st_size) < 0) return -errno;
  }
  if (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)) {
    const struct timespec times[2] = {
        time_arg(to_set, FUSE_SET_ATTR_ATIME, FUSE_SET_ATTR_ATIME_NOW, attr.st_atim),
        time_arg(to_set, FUSE_SET_ATTR_MTIME, FUSE_SET_ATTR_MTIME_NOW, attr.st_mtim)};
    int rc = open_file ? ::futimens(open_file->fd.get(), times)
                       : ::utimensat(loc.dirfd(), loc.path(), times,
                                     loc.at_flags(AT_SYMLINK_NOFOLLOW));
    if (rc < 0) return -errno;
  }
  return 0;
}

}  // namespace

void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set,
                fuse_file_info* fi) noexcept {
  guarded(req, [&] {
    Filesystem& fs = fs_of(req);
    Node& node = fs.node(ino);
    auto loc = fs.nodes.locate(node);
    if (!loc) return reply_status(req, -ESTALE);
    FileHandle* open_file = (fi && !node.is_dir()) ? &file_of(fi) : nullptr;

    std::unique_lock write_lock(node.write_mutex, std::defer_lock);
    WriteTarget target;
    if (to_set & kInPlaceChanges) {
      write_lock.lock();
      // Truncating to zero needs no copy of the old bytes.
      CopyContent content = (to_set & FUSE_SET_ATTR_SIZE) && attr->st_size == 0
                                ? CopyContent::none
                                : CopyContent::all;
      int rc = prepare_write(fs, node, *loc, content, open_file ? open_file->fd.get() : -1, target);
      if (rc < 0) return reply_status(req, rc);
      if (target.copied) open_file = nullptr;  // the old open file is not the copy
    } else {
      int fd = fs.open_at(*loc, O_PATH);
      if (fd < 0) return reply_status(req, fd);
      target.fd.reset(fd);
    }

    int rc = apply(fs, node, *loc, target.fd.get(), open_file, *attr, to_set);
    if (rc < 0) return reply_status(req, rc);
    struct stat st;
    if (::fstat(target.fd.get(), &st) < 0) return reply_status(req, -errno);
    fuse_reply_attr(req, &st, fs.timeouts.attr);
  });
}

}  // namespace ot::rofiles
