#pragma once
// Internal to fuse/: the state every FUSE callback reaches through
// fuse_req_userdata(), the low-level operations table, and the guard that
// keeps exceptions out of libfuse's C code.
#include "base/error.hpp"
#include "fuse/commit_tree.hpp"
#include "fuse/content_push.hpp"
#include "fuse/content_reader.hpp"
#include "fuse/log.hpp"
#include "fuse/work_queue.hpp"

#include <fuse_lowlevel.h>

#include <atomic>
#include <cerrno>
#include <new>

namespace ot::fuse {

// The tree never changes while mounted, so the kernel may cache names,
// attributes and pages for as long as it likes.
inline constexpr double kForever = 1e9;  // seconds, about 31 years

struct Filesystem {
  CommitTree& tree;
  ContentReader& reader;
  Log& log;
  // Requests are read and answered on one thread: a round trip that stays
  // on one thread costs a fraction of one handed between threads (the
  // kernel wakes another worker, often on another CPU). Reads that must
  // inflate or verify first go here instead, so they neither hold up the
  // quick requests nor keep parallel readers from using every core.
  // Null: everything is answered inline.
  WorkQueue* slow_work = nullptr;
  // Negotiated in init: the kernel stops sending open/opendir (and with them
  // release/releasedir) once we answer ENOSYS, saving two round trips per
  // file; it then keeps page and directory caches by default.
  std::atomic<bool> no_open{false};
  std::atomic<bool> no_opendir{false};
  // Fills the kernel's page cache ahead of readers (null: never).
  ContentPush* push = nullptr;
};

inline Filesystem& filesystem(fuse_req_t req) {
  return *static_cast<Filesystem*>(fuse_req_userdata(req));
}

// Runs fn, which replies to req as its last step; if it throws instead, the
// request is answered with the original errno (EIO when there is none).
// Nothing unwinds into libfuse.
template <typename Fn>
void guarded(fuse_req_t req, Fn&& fn) noexcept {
  int err = EIO;
  try {
    fn();
    return;
  } catch (const Error& e) {
    if (e.errnum() > 0) err = e.errnum();
  } catch (const std::bad_alloc&) {
    err = ENOMEM;
  } catch (...) {
  }
  fuse_reply_err(req, err);
}

// The operations, grouped by concern (one file each).
void set_entry_operations(fuse_lowlevel_ops& ops);     // lookup, getattr, readlink, statfs, forget
void set_directory_operations(fuse_lowlevel_ops& ops); // opendir, readdir, readdirplus
void set_read_operations(fuse_lowlevel_ops& ops);      // open, read
void set_xattr_operations(fuse_lowlevel_ops& ops);     // getxattr, listxattr
void set_refused_operations(fuse_lowlevel_ops& ops);   // every change: EROFS

// The complete table.
const fuse_lowlevel_ops& operations();

}  // namespace ot::fuse
