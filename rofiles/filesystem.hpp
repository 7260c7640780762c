#pragma once
// The state shared by all FUSE operations, and the helpers they have in
// common. Each operation lives in its own op_*.cpp file; operations.cpp
// puts them in libfuse's table.
#include "base/error.hpp"
#include "rofiles/copy_up.hpp"
#include "rofiles/node_table.hpp"
#include "rofiles/options.hpp"
#include "rofiles/passthrough.hpp"
#include "rofiles/write_policy.hpp"

#include <fuse_lowlevel.h>

#include <mutex>
#include <new>
#include <string>
#include <unordered_set>

namespace ot::rofiles {

struct FileHandle;

class Filesystem {
public:
  Filesystem(UniqueFd root, SharedFiles shared_files, CacheTimeouts timeouts);
  Filesystem(const Filesystem&) = delete;
  Filesystem& operator=(const Filesystem&) = delete;
  // Closes files the kernel never released (unmounted or signalled while
  // they were open).
  ~Filesystem();

  NodeTable nodes;
  const SharedFiles shared_files;
  const CacheTimeouts timeouts;
  fuse_session* session = nullptr;
  Passthrough passthrough;
  // The kernel accepts ENOSYS from OPENDIR as "no handle needed" (set at INIT).
  bool no_opendir = false;

  // How a new open file of node (fd) will be served: a backing id (> 0) for
  // passthrough, 0 for classic READ/WRITE requests, or -ESTALE when the
  // node's other open files are another inode (the name was copied up or
  // replaced while they were open): the caller then detaches the node and
  // fails the open with ESTALE, which makes the VFS look the name up again
  // (getting a new node) and retry. Readers of the old file keep it.
  int attach_io(Node& node, int fd);
  void detach_io(Node& node);

  // /proc/self/fd must be opened by the process that serves requests, that
  // is after fuse_daemonize() forked.
  void open_proc_fds();

  Node& node(fuse_ino_t ino) {
    return ino == FUSE_ROOT_ID ? nodes.root() : *reinterpret_cast<Node*>(ino);
  }
  fuse_ino_t ino_of(Node& n) {
    return &n == &nodes.root() ? FUSE_ROOT_ID : reinterpret_cast<fuse_ino_t>(&n);
  }

  // Opens the object at loc; a named location never follows a symlink, so
  // a name swapped behind our back cannot lead out of the tree. -errno on
  // failure.
  int open_at(const Location& loc, int flags);
  // A new open file description for the inode fd refers to (fd may be
  // O_PATH): the way to act on exactly the inode that was checked.
  int reopen(int fd, int flags);
  // A path for the *xattr() calls, which have no fd-relative form before
  // Linux 6.13. `follow` says whether to use the following variants.
  std::string xattr_path(const Location& loc, bool& follow);
  std::string proc_path(int fd);

  fuse_entry_param entry_param(const Entry& e);

  // Open files, owned here from OPEN/CREATE until RELEASE.
  FileHandle* add_file(UniqueFd fd, Node& node, bool passthrough);
  void remove_file(FileHandle* handle);

private:
  UniqueFd proc_fds_;
  std::mutex files_mutex_;
  std::unordered_set<FileHandle*> files_;
};

Filesystem& fs_of(fuse_req_t req);

// An open regular file: fuse_file_info::fh points to one.
struct FileHandle {
  UniqueFd fd;
  Node* node;
  bool passthrough;
};
inline FileHandle& file_of(fuse_file_info* fi) { return *reinterpret_cast<FileHandle*>(fi->fh); }

// The object an in-place change may act on, after the write policy had its
// say: the original inode, or its fresh private copy.
struct WriteTarget {
  // The fd to act on: the caller's open file when it passed one and no
  // copy was made, else `owned` (O_PATH on the original inode, or O_RDWR
  // on the fresh copy of a regular file).
  int fd = -1;
  UniqueFd owned;
  bool is_path_fd = false;  // fd is O_PATH: no read/write/fchmod on it
  struct statx st;
  bool copied = false;
};

// The single gate every in-place change goes through (open for writing,
// truncate, chmod, chown, set/remove xattr). Opens the inode at loc (or uses
// `open_fd` when the caller already has it open), judges it on that fd with
// judge_write(), and copies it up if --copyup says so. Callers hold
// node.write_mutex across this call and their change. Returns 0 or -errno
// (EROFS when the file is shared and --copyup is off).
int prepare_write(Filesystem& fs, Node& node, const Location& loc, CopyContent content,
                  int open_fd, WriteTarget& out);

// Runs fn, and turns anything it throws into an error reply, so that no
// exception unwinds into libfuse's C frames. ot::Error keeps its errno.
template <typename Fn>
void guarded(fuse_req_t req, Fn&& fn) noexcept {
  try {
    fn();
  } catch (const Error& e) {
    fuse_reply_err(req, e.errnum() > 0 ? e.errnum() : EIO);
  } catch (const std::bad_alloc&) {
    fuse_reply_err(req, ENOMEM);
  } catch (...) {
    fuse_reply_err(req, EIO);
  }
}

// fuse_reply_err() takes a positive errno; ours are -errno or 0.
inline void reply_status(fuse_req_t req, int rc) { fuse_reply_err(req, rc < 0 ? -rc : 0); }

// Replies with a new entry; if the kernel is gone (interrupted request),
// takes back the lookup count it will never forget.
void reply_entry(fuse_req_t req, Filesystem& fs, const Entry& e);

}  // namespace ot::rofiles
