#include "rofiles/copy_up.hpp"

#include "base/error.hpp"
#include "base/reflink_copy.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace ot::rofiles {
namespace {

std::string proc_fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

std::string temp_name() { return ".rofiles-copyup-" + random_suffix(); }

// Removes a temporary name unless commit() was called, so a failed copy
// leaves nothing behind in the checkout.
class TempName {
public:
  TempName(int dirfd, std::string name) : dirfd_(dirfd), name_(std::move(name)) {}
  TempName(const TempName&) = delete;
  TempName& operator=(const TempName&) = delete;
  ~TempName() {
    if (name_.empty()) return;
    int saved = errno;
    ::unlinkat(dirfd_, name_.c_str(), 0);
    errno = saved;
  }
  const std::string& name() const { return name_; }
  // Renames the temporary over `target`; afterwards nothing is left to clean.
  void commit(const std::string& target) {
    sys::rename_at(dirfd_, name_, dirfd_, target);
    name_.clear();
  }

private:
  int dirfd_;
  std::string name_;
};

// Gives an anonymous file (O_TMPFILE) a temporary name in dirfd. The content
// was written while the file had no name, so a crash during a long copy
// leaves no debris in the checkout.
TempName link_temp(int dirfd, int fd) {
  const std::string from = proc_fd_path(fd);
  for (int attempt = 0;; attempt++) {
    std::string name = temp_name();
    if (::linkat(AT_FDCWD, from.c_str(), dirfd, name.c_str(), AT_SYMLINK_FOLLOW) == 0)
      return TempName(dirfd, std::move(name));
    if (errno != EEXIST || attempt > 100) throw_errno("linkat", name);
  }
}

void copy_metadata(int src_fd, int dst_fd, const struct statx& st) {
  // chown first: it clears setuid/setgid bits that fchmod then restores.
  if (::fchown(dst_fd, st.stx_uid, st.stx_gid) < 0) throw_errno("fchown");
  if (::fchmod(dst_fd, st.stx_mode & 07777) < 0) throw_errno("fchmod");
  for (const auto& [key, value] : sys::list_xattrs_fd(src_fd)) sys::set_xattr_fd(dst_fd, key, value);
  const struct timespec times[2] = {{st.stx_atime.tv_sec, st.stx_atime.tv_nsec},
                                    {st.stx_mtime.tv_sec, st.stx_mtime.tv_nsec}};
  if (::futimens(dst_fd, times) < 0) throw_errno("futimens");
}

UniqueFd copy_up_regular(int dirfd, const std::string& name, int shared, const struct statx& st,
                         CopyContent content) {
  auto src = sys::open_at(AT_FDCWD, proc_fd_path(shared), O_RDONLY | O_NOCTTY);
  int tmp = ::openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (tmp < 0) {
    // Filesystems without O_TMPFILE: build the copy under a temporary name.
    if (errno != EOPNOTSUPP && errno != EISDIR) throw_errno("openat(O_TMPFILE)", name);
    for (int attempt = 0;; attempt++) {
      std::string tname = temp_name();
      tmp = ::openat(dirfd, tname.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
      if (tmp >= 0) {
        UniqueFd fd(tmp);
        TempName guard(dirfd, std::move(tname));
        if (content == CopyContent::all) copy_file_data(src.get(), fd.get());
        copy_metadata(src.get(), fd.get(), st);
        guard.commit(name);
        return fd;
      }
      if (errno != EEXIST || attempt > 100) throw_errno("openat", tname);
    }
  }
  UniqueFd fd(tmp);
  if (content == CopyContent::all) copy_file_data(src.get(), fd.get());
  copy_metadata(src.get(), fd.get(), st);
  link_temp(dirfd, fd.get()).commit(name);
  return fd;
}

UniqueFd copy_up_symlink(int dirfd, const std::string& name, int shared, const struct statx& st) {
  const std::string target = sys::readlink_at(shared, "");
  // Symlink xattrs cannot be read through an O_PATH fd without the
  // *xattrat() calls of Linux 6.13, so they are read by name.
  const auto xattrs = sys::list_xattrs_at(dirfd, name);
  for (int attempt = 0;; attempt++) {
    std::string tname = temp_name();
    if (::symlinkat(target.c_str(), dirfd, tname.c_str()) == 0) {
      TempName guard(dirfd, std::move(tname));
      sys::fchownat(dirfd, guard.name(), st.stx_uid, st.stx_gid, AT_SYMLINK_NOFOLLOW);
      for (const auto& [key, value] : xattrs) sys::set_xattr_at(dirfd, guard.name(), key, value);
      auto fd = sys::open_at(dirfd, guard.name(), O_PATH | O_NOFOLLOW);
      guard.commit(name);
      return fd;
    }
    if (errno != EEXIST || attempt > 100) throw_errno("symlinkat", tname);
  }
}

}  // namespace

UniqueFd copy_up(int dirfd, const std::string& name, int shared, const struct statx& st,
                 CopyContent content) {
  return with_context("copying up " + name, [&] {
    if (S_ISLNK(st.stx_mode)) return copy_up_symlink(dirfd, name, shared, st);
    if (!S_ISREG(st.stx_mode)) throw_errno("copy up", name, EINVAL);
    return copy_up_regular(dirfd, name, shared, st, content);
  });
}

}  // namespace ot::rofiles
