#pragma once
// FUSE passthrough (Linux 6.9, protocol 7.40): the kernel serves read, write
// and mmap of an open file straight from a backing file this daemon
// registered, so file data never crosses /dev/fuse and is cached once, in
// the source filesystem's page cache. Bulk reads run at native speed.
//
// libfuse 3.14 predates the feature, so the two protocol details it needs
// are added through libfuse's custom-I/O hook, which sees every message on
// the device: the INIT reply asks for FUSE_PASSTHROUGH, and OPEN/CREATE
// replies that were marked by mark_next_reply() get FOPEN_PASSTHROUGH and a
// backing id. Registering backing files needs CAP_SYS_ADMIN; without it, on
// older kernels, or for files on stacked filesystems, files are served the
// classic way (READ/WRITE requests), decided per open.
#include <fuse_lowlevel.h>

#include <atomic>
#include <cstdint>

namespace ot::rofiles {

class Passthrough {
public:
  // Routes the mounted session's device I/O through the hooks. Call after
  // fuse_session_mount() and before serving.
  void install(fuse_session* se);

  // True once the kernel accepted passthrough in INIT.
  bool active() const { return active_.load(std::memory_order_relaxed); }

  // Registers fd (a regular file) as a backing file: its id (> 0), or
  // -errno. EPERM, ELOOP and friends mean "serve this one classically".
  int open_backing(int fd);
  void close_backing(int id);

  // The next OPEN or CREATE reply this thread sends for file handle fh is
  // served by passthrough from backing id.
  static void mark_next_reply(uint64_t fh, int backing_id);

private:
  static ssize_t hook_read(int fd, void* buf, size_t len, void* userdata);
  static ssize_t hook_writev(int fd, struct iovec* iov, int count, void* userdata);
  static ssize_t hook_splice_send(int fdin, off_t* offin, int fdout, off_t* offout, size_t len,
                                  unsigned int flags, void* userdata);

  int dev_fd_ = -1;
  std::atomic<bool> kernel_offers_{false};
  std::atomic<uint64_t> init_unique_{0};
  std::atomic<bool> active_{false};
};

// The Passthrough of the session whose userdata is `userdata`.
Passthrough& passthrough_of(void* userdata);

}  // namespace ot::rofiles
