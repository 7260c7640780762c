#pragma once
// `ostree mount`: a commit served read-only through FUSE, straight from the
// object store, looking exactly like a checkout of it (names, types, sizes,
// content, symlink targets, mode, ownership, xattrs, hardlinks), without
// writing anything anywhere.
//
//   CommitMount mount(repo, commit, "/mnt/x", {});   // mounted from here on
//   mount.daemonize();                              // unless in foreground
//   mount.serve();                                  // until unmounted
#include "fuse/content_reader.hpp"
#include "fuse/log.hpp"
#include "store/repo.hpp"

#include <memory>
#include <string>

namespace ot::fuse {

struct MountOptions {
  // The directory of the commit to serve as the root; "" for the whole tree.
  std::string subpath;
  // Re-hash each content object before serving its first byte.
  Verify verify = Verify::no;
  // Bound on the inflated archive-mode content kept in memory.
  size_t cache_bytes = size_t(64) << 20;
  // Where missing or corrupt objects are reported (one line each) while
  // serving; also receives libfuse's own messages.
  LogSink log;
  // libfuse's request trace, on the log.
  bool debug = false;
};

class CommitMount {
public:
  // Checks the mountpoint (an existing directory that is not already a mount
  // point), reads the commit and mounts it there, read-only. repo must
  // outlive this object. Throws Error with a one-line message naming the
  // problem: a missing commit or subpath, a busy or missing mountpoint, or
  // the kernel refusing the mount.
  CommitMount(const store::Repo& repo, const store::Digest& commit, const std::string& mountpoint,
              MountOptions options);
  // Unmounts if still mounted.
  ~CommitMount();
  CommitMount(const CommitMount&) = delete;
  CommitMount& operator=(const CommitMount&) = delete;

  // Leaves the terminal to serve in the background: forks, and the parent
  // exits with status 0 once the child runs (the mount is already in place,
  // so the caller's shell can use it at once). Standard streams of the
  // child go to /dev/null, so a LogSink should not write to stderr after.
  void daemonize();
  // Answers requests on several threads until the filesystem is unmounted
  // (umount, fusermount3 -u, `ostree mount --unmount`) or this process gets
  // SIGINT, SIGTERM or SIGHUP, which unmount it.
  void serve();

  // The absolute path it is mounted on.
  const std::string& mountpoint() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Unmounts the `ostree mount` at mountpoint; its server then exits. Throws
// Error when mountpoint is not such a mount or the kernel refuses (busy).
void unmount_commit(const std::string& mountpoint);

}  // namespace ot::fuse
