#include "deploy/tree_copy.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace ot::deploy {

void CopyStats::count(CopyMethod m, uint64_t size) {
  switch (m) {
    case CopyMethod::reflink: ++reflinked; break;
    case CopyMethod::copy_file_range: ++kernel_copied; break;
    case CopyMethod::read_write: ++buffer_copied; break;
  }
  bytes += size;
}

std::pair<std::string, std::string> split_parent(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return {"", path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

namespace {

void copy_regular(int src_dfd, const std::string& src_name, int dst_dfd, const std::string& dst_name,
                  Times times, CopyStats& stats) {
  auto src = sys::open_at(src_dfd, src_name, O_RDONLY | O_NOFOLLOW | O_NOCTTY);
  // Metadata from the open file, so content and metadata describe one inode.
  const struct stat st = sys::fstat(src.get());
  if (!S_ISREG(st.st_mode)) throw Error(src_name + ": changed type while being copied", EAGAIN);
  auto dst = sys::open_at(dst_dfd, dst_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY, 0600);
  try {
    stats.count(copy_file_data(src.get(), dst.get()), static_cast<uint64_t>(st.st_size));
    // chown before chmod: chown clears the setuid and setgid bits.
    sys::fchown(dst.get(), st.st_uid, st.st_gid);
    sys::fchmod(dst.get(), st.st_mode & 07777);
    if (times == Times::keep) {
      const struct timespec ts[2] = {st.st_atim, st.st_mtim};
      ::futimens(dst.get(), ts);  // best effort, as upstream
    }
    for (auto& [name, value] : sys::list_xattrs_fd(src.get())) sys::set_xattr_fd(dst.get(), name, value);
  } catch (...) {
    ::unlinkat(dst_dfd, dst_name.c_str(), 0);
    throw;
  }
}

void copy_symlink(int src_dfd, const std::string& src_name, const struct stat& st, int dst_dfd,
                  const std::string& dst_name) {
  sys::symlink_at(sys::readlink_at(src_dfd, src_name), dst_dfd, dst_name);
  try {
    for (auto& [name, value] : sys::list_xattrs_at(src_dfd, src_name))
      sys::set_xattr_at(dst_dfd, dst_name, name, value);
    sys::fchownat(dst_dfd, dst_name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
  } catch (...) {
    ::unlinkat(dst_dfd, dst_name.c_str(), 0);
    throw;
  }
}

}  // namespace

void copy_leaf(int src_dfd, const std::string& src_name, const struct stat& st, int dst_dfd,
               const std::string& dst_name, Times times, CopyStats& stats) {
  with_context("Copying " + src_name, [&] {
    if (S_ISLNK(st.st_mode))
      copy_symlink(src_dfd, src_name, st, dst_dfd, dst_name);
    else if (S_ISREG(st.st_mode))
      copy_regular(src_dfd, src_name, dst_dfd, dst_name, times, stats);
    else
      throw Error("not a regular file or symlink", EINVAL);
  });
}

void copy_dir_metadata(int src_fd, int dst_fd) {
  // xattrs first: an SELinux label must be in place before access widens.
  for (auto& [name, value] : sys::list_xattrs_fd(src_fd)) sys::set_xattr_fd(dst_fd, name, value);
  const struct stat st = sys::fstat(src_fd);
  sys::fchown(dst_fd, st.st_uid, st.st_gid);
  sys::fchmod(dst_fd, st.st_mode & 07777);
}

void copy_tree(int src_parent, const std::string& src_name, int dst_parent, const std::string& dst_name,
               Times times, CopyStats& stats) {
  auto src = sys::open_dir(src_parent, src_name, sys::FollowLinks::no);
  // Private until filled: created 0700, given its real mode last.
  sys::mkdir_at(dst_parent, dst_name, 0700);
  auto dst = sys::open_dir(dst_parent, dst_name, sys::FollowLinks::no);
  for (auto& e : sys::list_dir(src.get())) {
    const struct stat st = sys::stat_at(src.get(), e.name);
    if (S_ISDIR(st.st_mode))
      copy_tree(src.get(), e.name, dst.get(), e.name, times, stats);
    else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))
      copy_leaf(src.get(), e.name, st, dst.get(), e.name, times, stats);
    // Upstream leaves fifos, sockets and devices out of /etc copies.
  }
  copy_dir_metadata(src.get(), dst.get());
}

namespace {

// Kernels before 5.6 lack openat2: walk one component at a time and refuse
// any symlink rather than risk following one out of the tree.
std::optional<UniqueFd> open_components_nofollow(int root_dfd, const std::string& path) {
  auto cur = sys::open_dir(root_dfd, ".");
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string comp = path.substr(start, end - start);
    start = end + 1;
    if (comp.empty() || comp == ".") continue;
    if (comp == "..") throw Error("'" + path + "': '..' is not followed", EXDEV);
    int fd = ::openat(cur.get(), comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return std::nullopt;
      throw_errno("openat", path);
    }
    cur.reset(fd);
  }
  return cur;
}

int openat2_dir(int root_dfd, const std::string& path, uint64_t resolve) {
  struct open_how how {};
  how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
  how.resolve = resolve;
  int fd;
  do {
    fd = static_cast<int>(::syscall(SYS_openat2, root_dfd, path.empty() ? "." : path.c_str(), &how, sizeof how));
  } while (fd < 0 && (errno == EINTR || errno == EAGAIN));
  return fd;
}

}  // namespace

std::optional<UniqueFd> open_dir_beneath_opt(int root_dfd, const std::string& path) {
  int fd = openat2_dir(root_dfd, path, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
  if (fd >= 0) return UniqueFd(fd);
  if (errno == ENOSYS) return open_components_nofollow(root_dfd, path);
  if (errno == ENOENT) return std::nullopt;
  if (errno == EXDEV) throw Error("'" + path + "' leads out of the tree through a symlink", EXDEV);
  throw_errno("openat2", path);
}

UniqueFd open_dir_no_symlinks(int root_dfd, const std::string& path) {
  int fd = openat2_dir(root_dfd, path, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
  if (fd >= 0) return UniqueFd(fd);
  if (errno == ENOSYS) {
    auto r = open_components_nofollow(root_dfd, path);
    if (r) return std::move(*r);
    errno = ENOENT;
  }
  throw_errno("openat2", path);
}

}  // namespace ot::deploy
