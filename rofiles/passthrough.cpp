#include "rofiles/passthrough.hpp"

#include "base/error.hpp"
#include "rofiles/filesystem.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ot::rofiles {
namespace {

// The pieces of the kernel's FUSE ABI (include/uapi/linux/fuse.h, 7.40 as
// of Linux 6.9) that libfuse 3.14 and Debian 12's headers do not have.
constexpr uint32_t kOpInit = 26;
constexpr uint64_t kInitExt = 1ULL << 30;     // flags2 is meaningful
constexpr uint64_t kPassthrough = 1ULL << 37;  // FUSE_PASSTHROUGH
constexpr uint32_t kOpenPassthrough = 1U << 7;  // FOPEN_PASSTHROUGH
// Backing files may not themselves live on a stacked filesystem (overlayfs,
// another FUSE), and this mount can still be the lower layer of one.
constexpr uint32_t kMaxStackDepth = 1;

struct InHeader {
  uint32_t len, opcode;
  uint64_t unique, nodeid;
  uint32_t uid, gid, pid;
  uint16_t total_extlen, padding;
};
struct InitIn {
  uint32_t major, minor, max_readahead, flags, flags2, unused[11];
};
struct OutHeader {
  uint32_t len;
  int32_t error;
  uint64_t unique;
};
struct InitOut {
  uint32_t major, minor, max_readahead, flags;
  uint16_t max_background, congestion_threshold;
  uint32_t max_write, time_gran;
  uint16_t max_pages, map_alignment;
  uint32_t flags2, max_stack_depth, unused[6];
};
struct OpenOut {
  uint64_t fh;
  uint32_t open_flags;
  int32_t backing_id;
};
struct BackingMap {
  int32_t fd;
  uint32_t flags;
  uint64_t padding;
};
static_assert(sizeof(InHeader) == 40 && sizeof(InitOut) == 64 && sizeof(OpenOut) == 16);

constexpr unsigned long kIocBackingOpen = _IOW(229, 1, BackingMap);
constexpr unsigned long kIocBackingClose = _IOW(229, 2, uint32_t);

// Set by mark_next_reply() right before libfuse writes the reply, on the
// same thread, and consumed by that write.
struct Mark {
  uint64_t fh = 0;
  int backing_id = 0;
};
thread_local Mark next_reply;

}  // namespace

Passthrough& passthrough_of(void* userdata) {
  return static_cast<Filesystem*>(userdata)->passthrough;
}

void Passthrough::install(fuse_session* se) {
  dev_fd_ = fuse_session_fd(se);
  static const fuse_custom_io io = {hook_writev, hook_read, nullptr, hook_splice_send};
  if (fuse_session_custom_io(se, &io, dev_fd_) != 0)
    throw Error("cannot hook the FUSE device", EIO);
}

void Passthrough::mark_next_reply(uint64_t fh, int backing_id) { next_reply = {fh, backing_id}; }

int Passthrough::open_backing(int fd) {
  if (!active()) return -EOPNOTSUPP;
  BackingMap map{fd, 0, 0};
  int id = ::ioctl(dev_fd_, kIocBackingOpen, &map);
  return id < 0 ? -errno : id;
}

void Passthrough::close_backing(int id) {
  uint32_t arg = static_cast<uint32_t>(id);
  ::ioctl(dev_fd_, kIocBackingClose, &arg);
}

ssize_t Passthrough::hook_read(int fd, void* buf, size_t len, void* userdata) {
  ssize_t n = ::read(fd, buf, len);
  if (n < static_cast<ssize_t>(sizeof(InHeader) + sizeof(InitIn))) return n;
  InHeader h;
  std::memcpy(&h, buf, sizeof h);
  if (h.opcode != kOpInit) return n;
  // The kernel says what it offers in INIT; remember it for the reply.
  InitIn in;
  std::memcpy(&in, static_cast<char*>(buf) + sizeof h, sizeof in);
  uint64_t flags = in.flags;
  if (flags & kInitExt) flags |= uint64_t{in.flags2} << 32;
  auto& self = passthrough_of(userdata);
  self.kernel_offers_ = (flags & kPassthrough) != 0;
  self.init_unique_ = h.unique;
  return n;
}

ssize_t Passthrough::hook_writev(int fd, struct iovec* iov, int count, void* userdata) {
  if (count >= 2 && iov[0].iov_len == sizeof(OutHeader)) {
    OutHeader h;
    std::memcpy(&h, iov[0].iov_base, sizeof h);
    auto& self = passthrough_of(userdata);
    if (next_reply.backing_id > 0) {
      Mark mark = next_reply;
      next_reply = {};
      // OPEN and CREATE replies end with fuse_open_out.
      if (h.error != 0 || iov[count - 1].iov_len < sizeof(OpenOut)) return ::writev(fd, iov, count);
      auto* tail = static_cast<char*>(iov[count - 1].iov_base) + iov[count - 1].iov_len -
                   sizeof(OpenOut);
      OpenOut out;
      std::memcpy(&out, tail, sizeof out);
      if (out.fh == mark.fh) {
        out.open_flags |= kOpenPassthrough;
        out.backing_id = mark.backing_id;
        std::memcpy(tail, &out, sizeof out);
      }
    } else if (h.unique != 0 && h.unique == self.init_unique_ && h.error == 0 &&
               self.kernel_offers_ && iov[1].iov_len == sizeof(InitOut)) {
      InitOut out;
      std::memcpy(&out, iov[1].iov_base, sizeof out);
      // Passthrough and a writeback cache exclude each other; we use neither
      // by default, so only ask when libfuse did not negotiate the latter.
      constexpr uint32_t kWritebackCache = 1U << 16;
      if (!(out.flags & kWritebackCache)) {
        out.flags |= static_cast<uint32_t>(kInitExt);
        out.flags2 |= static_cast<uint32_t>(kPassthrough >> 32);
        out.max_stack_depth = kMaxStackDepth;
        std::memcpy(iov[1].iov_base, &out, sizeof out);
        ssize_t n = ::writev(fd, iov, count);
        self.init_unique_ = 0;
        if (n >= 0) self.active_ = true;
        return n;
      }
    }
  }
  return ::writev(fd, iov, count);
}

ssize_t Passthrough::hook_splice_send(int fdin, off_t* offin, int fdout, off_t* offout, size_t len,
                                      unsigned int flags, void*) {
  return ::splice(fdin, offin, fdout, offout, len, flags);
}

}  // namespace ot::rofiles
