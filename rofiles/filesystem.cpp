#include "rofiles/filesystem.hpp"

#include "base/error.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <memory>

namespace ot::rofiles {

Filesystem::Filesystem(UniqueFd root, SharedFiles shared, CacheTimeouts t)
    : nodes(std::move(root)), shared_files(shared), timeouts(t) {}

Filesystem::~Filesystem() {
  for (FileHandle* h : files_) delete h;
}

FileHandle* Filesystem::add_file(UniqueFd fd, Node& node, bool passthrough_open) {
  auto handle = std::make_unique<FileHandle>(FileHandle{std::move(fd), &node, passthrough_open});
  std::lock_guard lock(files_mutex_);
  files_.insert(handle.get());
  return handle.release();
}

void Filesystem::remove_file(FileHandle* handle) {
  {
    std::lock_guard lock(files_mutex_);
    files_.erase(handle);
  }
  delete handle;
}

Filesystem& fs_of(fuse_req_t req) { return *static_cast<Filesystem*>(fuse_req_userdata(req)); }

void Filesystem::open_proc_fds() {
  int fd = ::open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_errno("open", "/proc/self/fd");
  proc_fds_.reset(fd);
}

namespace {

// fd as decimal text, without allocating: reopen() is on the hot path of
// every open for writing.
struct FdName {
  char text[16];
  explicit FdName(int fd) {
    auto r = std::to_chars(text, text + sizeof text - 1, fd);
    *r.ptr = '\0';
  }
};

// Flags that make sense on the open(2) we issue ourselves: creation is done
// separately, and O_DIRECT would require aligned buffers from libfuse.
int clean_flags(int flags) {
  return (flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_DIRECT)) | O_CLOEXEC;
}

}  // namespace

int Filesystem::reopen(int fd, int flags) {
  int r = ::openat(proc_fds_.get(), FdName(fd).text, clean_flags(flags) & ~O_NOFOLLOW);
  return r < 0 ? -errno : r;
}

int Filesystem::open_at(const Location& loc, int flags) {
  if (loc.is_self()) return reopen(loc.dirfd(), flags);
  int r = ::openat(loc.dirfd(), loc.path(), clean_flags(flags) | O_NOFOLLOW);
  return r < 0 ? -errno : r;
}

std::string Filesystem::proc_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

std::string Filesystem::xattr_path(const Location& loc, bool& follow) {
  follow = loc.is_self();  // the magic link itself leads to the inode
  std::string p = proc_path(loc.dirfd());
  if (!loc.is_self()) {
    p += '/';
    p += loc.name;
  }
  return p;
}

fuse_entry_param Filesystem::entry_param(const Entry& e) {
  fuse_entry_param p{};
  p.ino = ino_of(*e.node);
  p.generation = e.node->generation;
  p.attr = e.attr;
  p.attr_timeout = timeouts.attr;
  p.entry_timeout = timeouts.entry;
  return p;
}

int Filesystem::attach_io(Node& node, int fd) {
  struct stat st;
  if (::fstat(fd, &st) < 0) return -errno;
  std::lock_guard lock(node.io_mutex);
  if (node.open_files > 0) {
    if (st.st_dev != node.open_dev || st.st_ino != node.open_ino) return -ESTALE;
    node.open_files++;
    return node.backing_id;
  }
  node.open_dev = st.st_dev;
  node.open_ino = st.st_ino;
  node.open_files = 1;
  node.backing_id = 0;
  if (passthrough.active() && S_ISREG(st.st_mode)) {
    int id = passthrough.open_backing(fd);
    if (id > 0) node.backing_id = id;  // else: classic I/O for this inode
  }
  return node.backing_id;
}

void Filesystem::detach_io(Node& node) {
  std::lock_guard lock(node.io_mutex);
  if (node.open_files > 0 && --node.open_files == 0 && node.backing_id > 0) {
    passthrough.close_backing(node.backing_id);
    node.backing_id = 0;
  }
}

void reply_entry(fuse_req_t req, Filesystem& fs, const Entry& e) {
  fuse_entry_param p = fs.entry_param(e);
  if (fuse_reply_entry(req, &p) != 0) fs.nodes.forget(*e.node, 1);
}

int prepare_write(Filesystem& fs, Node& node, const Location& loc, CopyContent content,
                  int open_fd, WriteTarget& out) {
  UniqueFd owned;
  int fd = open_fd;
  if (fd < 0) {
    owned.reset(loc.is_self() ? ::fcntl(loc.dirfd(), F_DUPFD_CLOEXEC, 3)
                              : ::openat(loc.dirfd(), loc.path(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!owned) return -errno;
    fd = owned.get();
  }
  // Judge the inode we hold, not a name: whatever happens to the name
  // meanwhile, the change below lands on the inode that was checked.
  if (::statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &out.st) < 0)
    return -errno;
  switch (judge_write(out.st, fs.shared_files)) {
    case Verdict::allow:
      out.fd = fd;
      out.owned = std::move(owned);
      out.is_path_fd = open_fd < 0;
      return 0;
    case Verdict::refuse:
      return -EROFS;
    case Verdict::copy_up:
      break;
  }
  // Copy-up replaces a name; an unlinked file has none left to replace.
  if (loc.is_self()) return -EROFS;
  out.owned = copy_up(loc.dirfd(), loc.name, fd, out.st, content);
  out.fd = out.owned.get();
  out.is_path_fd = S_ISLNK(out.st.stx_mode);  // a symlink copy comes back as O_PATH
  out.copied = true;
  struct stat st;
  if (::fstat(out.fd, &st) < 0) return -errno;
  fs.nodes.replaced(node, st);
  if (::statx(out.fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &out.st) < 0)
    return -errno;
  return 0;
}

}  // namespace ot::rofiles
