// OPEN and CREATE. Opening for reading is a plain openat(); opening an
// existing file for writing (or with O_TRUNC) goes through the write policy.
#include "rofiles/filesystem.hpp"
#include "rofiles/operations.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <mutex>

namespace ot::rofiles {
namespace {

bool changes_content(int flags) {
  // O_RDONLY|O_TRUNC truncates on Linux: it is a write too.
  return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

// Opens node (at loc) with the caller's flags. Returns an fd or -errno;
// `copied` tells that the name now refers to a private copy.
int open_node(Filesystem& fs, Node& node, const Location& loc, int flags, bool& copied) {
  copied = false;
  if (!changes_content(flags)) return fs.open_at(loc, flags);

  std::lock_guard lock(node.write_mutex);
  WriteTarget target;
  CopyContent content = (flags & O_TRUNC) ? CopyContent::none : CopyContent::all;
  int rc = prepare_write(fs, node, loc, content, -1, target);
  if (rc < 0) return rc;
  copied = target.copied;
  // Reopen the judged inode itself; truncate only now that it passed.
  int fd = fs.reopen(target.fd, flags & ~O_TRUNC);
  if (fd < 0) return fd;
  UniqueFd owned(fd);
  if (flags & O_TRUNC) {
    // O_RDONLY|O_TRUNC truncates too, through an fd that cannot.
    UniqueFd writable;
    if ((flags & O_ACCMODE) == O_RDONLY) {
      int w = fs.reopen(target.fd, O_WRONLY);
      if (w < 0) return w;
      writable.reset(w);
    }
    if (::ftruncate(writable ? writable.get() : fd, 0) < 0) return -errno;
  }
  return owned.release();
}

// Hands the fd to the kernel as an open file of node, served by passthrough
// when possible. keep_cache (classic I/O): pages cached by earlier opens stay
// valid; auto_inval_data drops them when the file's mtime or size changes.
// noflush: close(2) needs no round trip.
void reply_open(fuse_req_t req, Filesystem& fs, Node& node, int fd, fuse_file_info* fi,
                const Entry* created) {
  UniqueFd owned(fd);
  int backing = fs.attach_io(node, fd);
  if (backing < 0) {
    if (backing == -ESTALE) fs.nodes.detach(node);
    if (created) fs.nodes.forget(node, 1);
    return reply_status(req, backing);
  }
  FileHandle* handle = fs.add_file(std::move(owned), node, backing > 0);
  fs.nodes.opened(node, fd);
  fi->fh = reinterpret_cast<uint64_t>(handle);
  fi->keep_cache = backing == 0;
  fi->noflush = 1;
  if (backing > 0) Passthrough::mark_next_reply(fi->fh, backing);
  int rc;
  if (created) {
    fuse_entry_param p = fs.entry_param(*created);
    rc = fuse_reply_create(req, &p, fi);
  } else {
    rc = fuse_reply_open(req, fi);
  }
  if (rc != 0) {  // interrupted: the kernel will never release this file
    fs.detach_io(node);
    fs.nodes.released(node, fd);
    fs.remove_file(handle);
    if (created) fs.nodes.forget(node, 1);
  }
}

// After a copy-up the kernel still caches the shared inode's attributes
// (link count, inode number) for this node: drop them.
void forget_attributes(Filesystem& fs, Node& node) {
  fuse_lowlevel_notify_inval_inode(fs.session, fs.ino_of(node), -1, 0);
}

}  // namespace

void op_open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) noexcept {
  guarded(req, [&] {
    Filesystem& fs = fs_of(req);
    Node& node = fs.node(ino);
    auto loc = fs.nodes.locate(node);
    if (!loc) return reply_status(req, -ESTALE);
    bool copied;
    int fd = open_node(fs, node, *loc, fi->flags, copied);
    if (fd < 0) return reply_status(req, fd);
    reply_open(req, fs, node, fd, fi, nullptr);
    if (copied) forget_attributes(fs, node);
  });
}

void op_create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode,
               fuse_file_info* fi) noexcept {
  guarded(req, [&] {
    Filesystem& fs = fs_of(req);
    Node& dir = fs.node(parent);
    // O_EXCL tells a new file (private by construction) from an existing
    // one, which must be judged like any open for writing.
    int flags = (fi->flags & ~(O_TRUNC | O_NOCTTY | O_DIRECT)) | O_CREAT | O_EXCL | O_NOFOLLOW |
                O_CLOEXEC;
    int fd = ::openat(dir.dir->fd.get(), name, flags, mode);
    if (fd >= 0) {
      struct stat st;
      if (::fstat(fd, &st) < 0) {
        int err = errno;
        ::close(fd);
        return reply_status(req, -err);
      }
      Entry e;
      int rc = fs.nodes.lookup_with(dir, name, st, e);
      if (rc < 0) {
        ::close(fd);
        return reply_status(req, rc);
      }
      return reply_open(req, fs, *e.node, fd, fi, &e);
    }
    if (errno != EEXIST || (fi->flags & O_EXCL)) return reply_status(req, -errno);

    // The name appeared since the kernel looked it up: open what is there.
    Entry e;
    int rc = fs.nodes.lookup(dir, name, e);
    if (rc < 0) return reply_status(req, rc);
    if (e.node->is_dir()) {
      fs.nodes.forget(*e.node, 1);
      return reply_status(req, -EISDIR);
    }
    auto loc = fs.nodes.locate(*e.node);
    bool copied = false;
    fd = loc ? open_node(fs, *e.node, *loc, fi->flags, copied) : -ESTALE;
    if (fd >= 0 && ::fstat(fd, &e.attr) < 0) {
      int err = errno;
      ::close(fd);
      fd = -err;
    }
    if (fd < 0) {
      fs.nodes.forget(*e.node, 1);
      return reply_status(req, fd);
    }
    reply_open(req, fs, *e.node, fd, fi, &e);
  });
}

}  // namespace ot::rofiles
