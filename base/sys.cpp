#include "base/sys.hpp"

#include "base/error.hpp"

#include <dirent.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ot::sys {
namespace {

template <typename Fn>
auto retry(Fn fn) {
  decltype(fn()) r;
  do {
    r = fn();
  } while (r < 0 && errno == EINTR);
  return r;
}

std::string proc_path(int dfd, const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  if (dfd == AT_FDCWD) return path;
  return "/proc/self/fd/" + std::to_string(dfd) + "/" + path;
}

}  // namespace

UniqueFd open_at(int dfd, const std::string& path, int flags, mode_t mode) {
  int fd = retry([&] { return ::openat(dfd, path.c_str(), flags | O_CLOEXEC, mode); });
  if (fd < 0) throw_errno("openat", path);
  return UniqueFd(fd);
}

std::optional<UniqueFd> open_at_opt(int dfd, const std::string& path, int flags, mode_t mode) {
  int fd = retry([&] { return ::openat(dfd, path.c_str(), flags | O_CLOEXEC, mode); });
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw_errno("openat", path);
  }
  return UniqueFd(fd);
}

UniqueFd open_dir(int dfd, const std::string& path, FollowLinks follow) {
  int flags = O_RDONLY | O_DIRECTORY | (follow == FollowLinks::no ? O_NOFOLLOW : 0);
  return open_at(dfd, path, flags);
}

std::optional<UniqueFd> open_dir_opt(int dfd, const std::string& path, FollowLinks follow) {
  int flags = O_RDONLY | O_DIRECTORY | (follow == FollowLinks::no ? O_NOFOLLOW : 0);
  return open_at_opt(dfd, path, flags);
}

struct stat fstat(int fd) {
  struct stat st;
  if (::fstat(fd, &st) < 0) throw_errno("fstat");
  return st;
}

struct stat stat_at(int dfd, const std::string& path, int flags) {
  struct stat st;
  if (::fstatat(dfd, path.c_str(), &st, flags) < 0) throw_errno("fstatat", path);
  return st;
}

std::optional<struct stat> stat_at_opt(int dfd, const std::string& path, int flags) {
  struct stat st;
  if (::fstatat(dfd, path.c_str(), &st, flags) < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw_errno("fstatat", path);
  }
  return st;
}

void mkdir_at(int dfd, const std::string& path, mode_t mode) {
  if (::mkdirat(dfd, path.c_str(), mode) < 0) throw_errno("mkdirat", path);
}

bool mkdir_at_opt(int dfd, const std::string& path, mode_t mode) {
  if (::mkdirat(dfd, path.c_str(), mode) < 0) {
    if (errno == EEXIST) return false;
    throw_errno("mkdirat", path);
  }
  return true;
}

void mkdirs_at(int dfd, const std::string& path, mode_t mode) {
  if (path.empty() || path == "." || path == "/") return;
  if (::mkdirat(dfd, path.c_str(), mode) == 0) return;
  if (errno == EEXIST) {
    struct stat st;
    if (::fstatat(dfd, path.c_str(), &st, 0) == 0 && S_ISDIR(st.st_mode)) return;
    throw_errno("mkdirat", path, EEXIST);
  }
  if (errno != ENOENT) throw_errno("mkdirat", path);
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos || slash == 0) throw_errno("mkdirat", path);
  mkdirs_at(dfd, path.substr(0, slash), mode);
  mkdir_at_opt(dfd, path, mode);
}

std::string readlink_at(int dfd, const std::string& path) {
  std::string buf(256, '\0');
  for (;;) {
    ssize_t n = ::readlinkat(dfd, path.c_str(), buf.data(), buf.size());
    if (n < 0) throw_errno("readlinkat", path);
    if (static_cast<size_t>(n) < buf.size()) {
      buf.resize(n);
      return buf;
    }
    buf.resize(buf.size() * 2);
  }
}

void symlink_at(const std::string& target, int dfd, const std::string& path) {
  if (::symlinkat(target.c_str(), dfd, path.c_str()) < 0) throw_errno("symlinkat", path);
}

void link_at(int olddfd, const std::string& oldpath, int newdfd, const std::string& newpath) {
  if (::linkat(olddfd, oldpath.c_str(), newdfd, newpath.c_str(), 0) < 0)
    throw_errno("linkat", newpath);
}

bool link_at_opt(int olddfd, const std::string& oldpath, int newdfd, const std::string& newpath) {
  if (::linkat(olddfd, oldpath.c_str(), newdfd, newpath.c_str(), 0) < 0) {
    if (errno == EEXIST) return false;
    throw_errno("linkat", newpath);
  }
  return true;
}

void rename_at(int olddfd, const std::string& oldpath, int newdfd, const std::string& newpath) {
  if (::renameat(olddfd, oldpath.c_str(), newdfd, newpath.c_str()) < 0)
    throw_errno("renameat", newpath);
}

void unlink_at(int dfd, const std::string& path, int flags) {
  if (::unlinkat(dfd, path.c_str(), flags) < 0) throw_errno("unlinkat", path);
}

bool unlink_at_opt(int dfd, const std::string& path, int flags) {
  if (::unlinkat(dfd, path.c_str(), flags) < 0) {
    if (errno == ENOENT) return false;
    throw_errno("unlinkat", path);
  }
  return true;
}

void remove_tree_at(int dfd, const std::string& path) {
  auto st = stat_at_opt(dfd, path);
  if (!st) return;
  if (!S_ISDIR(st->st_mode)) {
    unlink_at_opt(dfd, path);
    return;
  }
  {
    // A directory without owner rwx (0500 or 0000 in a checkout) must be opened
    // up to be emptied. Without read permission it cannot even be opened for
    // listing, so its mode is fixed first through an O_PATH fd (which needs no
    // permission and cannot be swapped for a symlink under us).
    if ((st->st_mode & 0700) != 0700) {
      auto handle = open_at_opt(dfd, path, O_PATH | O_DIRECTORY | O_NOFOLLOW);
      if (!handle) return;
      ::chmod(("/proc/self/fd/" + std::to_string(handle->get())).c_str(), (st->st_mode & 07777) | 0700);
    }
    auto sub = open_at_opt(dfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (!sub) return;
    for (auto& e : list_dir(sub->get())) {
      if (e.type == DT_DIR || e.type == DT_UNKNOWN)
        remove_tree_at(sub->get(), e.name);
      else
        unlink_at_opt(sub->get(), e.name);
    }
  }
  if (::unlinkat(dfd, path.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
    throw_errno("rmdir", path);
}

void fchmod(int fd, mode_t mode) {
  if (::fchmod(fd, mode) < 0) throw_errno("fchmod");
}

void fchown(int fd, uid_t uid, gid_t gid) {
  if (::fchown(fd, uid, gid) < 0) throw_errno("fchown");
}

void fchownat(int dfd, const std::string& path, uid_t uid, gid_t gid, int flags) {
  if (::fchownat(dfd, path.c_str(), uid, gid, flags) < 0) throw_errno("fchownat", path);
}

void fsync(int fd) {
  if (::fsync(fd) < 0) throw_errno("fsync");
}

void syncfs(int fd) {
  if (::syncfs(fd) < 0) throw_errno("syncfs");
}

size_t read_full(int fd, void* buf, size_t n) {
  size_t done = 0;
  auto* p = static_cast<char*>(buf);
  while (done < n) {
    ssize_t r = retry([&] { return ::read(fd, p + done, n - done); });
    if (r < 0) throw_errno("read");
    if (r == 0) break;
    done += r;
  }
  return done;
}

size_t pread_full(int fd, void* buf, size_t n, off_t offset) {
  size_t done = 0;
  auto* p = static_cast<char*>(buf);
  while (done < n) {
    ssize_t r = retry([&] { return ::pread(fd, p + done, n - done, offset + done); });
    if (r < 0) throw_errno("pread");
    if (r == 0) break;
    done += r;
  }
  return done;
}

void write_all(int fd, const void* buf, size_t n) {
  auto* p = static_cast<const char*>(buf);
  while (n > 0) {
    ssize_t r = retry([&] { return ::write(fd, p, n); });
    if (r < 0) throw_errno("write");
    p += r;
    n -= r;
  }
}

std::string read_all(int fd) {
  std::string out;
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) out.reserve(st.st_size);
  char buf[65536];
  for (;;) {
    size_t n = read_full(fd, buf, sizeof buf);
    out.append(buf, n);
    if (n < sizeof buf) return out;
  }
}

std::string read_file_at(int dfd, const std::string& path) {
  return with_context(path, [&] { return read_all(open_at(dfd, path, O_RDONLY).get()); });
}

std::optional<std::string> read_file_at_opt(int dfd, const std::string& path) {
  auto fd = open_at_opt(dfd, path, O_RDONLY);
  if (!fd) return std::nullopt;
  return read_all(fd->get());
}

namespace {

template <typename ListFn, typename GetFn>
Xattrs read_xattrs(ListFn list, GetFn get, const std::string& what) {
  Xattrs out;
  std::string names;
  for (;;) {
    ssize_t n = list(nullptr, 0);
    if (n < 0) {
      if (errno == ENOTSUP) return out;
      throw_errno("listxattr", what);
    }
    if (n == 0) return out;
    names.resize(n);
    n = list(names.data(), names.size());
    if (n < 0) {
      if (errno == ERANGE) continue;
      throw_errno("listxattr", what);
    }
    names.resize(n);
    break;
  }
  for (size_t pos = 0; pos < names.size();) {
    std::string name(names.c_str() + pos);
    pos += name.size() + 1;
    if (name.empty()) continue;
    std::string value;
    for (;;) {
      ssize_t n = get(name.c_str(), nullptr, 0);
      if (n < 0) {
        if (errno == ENODATA) break;
        throw_errno("getxattr", what + ":" + name);
      }
      value.resize(n);
      n = get(name.c_str(), value.data(), value.size());
      if (n < 0) {
        if (errno == ERANGE) continue;
        throw_errno("getxattr", what + ":" + name);
      }
      value.resize(n);
      out.emplace_back(std::move(name), std::move(value));
      break;
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Xattrs list_xattrs_fd(int fd) {
  return read_xattrs([&](char* b, size_t n) { return ::flistxattr(fd, b, n); },
                     [&](const char* name, void* b, size_t n) { return ::fgetxattr(fd, name, b, n); },
                     "fd");
}

Xattrs list_xattrs_at(int dfd, const std::string& path) {
  std::string p = proc_path(dfd, path);
  return read_xattrs([&](char* b, size_t n) { return ::llistxattr(p.c_str(), b, n); },
                     [&](const char* name, void* b, size_t n) {
                       return ::lgetxattr(p.c_str(), name, b, n);
                     },
                     path);
}

std::optional<std::string> get_xattr_fd(int fd, const char* name) {
  std::string value;
  for (;;) {
    ssize_t n = ::fgetxattr(fd, name, nullptr, 0);
    if (n < 0) {
      if (errno == ENODATA || errno == ENOTSUP) return std::nullopt;
      throw_errno("fgetxattr", name);
    }
    value.resize(n);
    n = ::fgetxattr(fd, name, value.data(), value.size());
    if (n < 0) {
      if (errno == ERANGE) continue;
      throw_errno("fgetxattr", name);
    }
    value.resize(n);
    return value;
  }
}

void set_xattr_fd(int fd, const std::string& name, std::string_view value) {
  if (::fsetxattr(fd, name.c_str(), value.data(), value.size(), 0) < 0)
    throw_errno("fsetxattr", name);
}

void set_xattr_at(int dfd, const std::string& path, const std::string& name,
                  std::string_view value) {
  std::string p = proc_path(dfd, path);
  if (::lsetxattr(p.c_str(), name.c_str(), value.data(), value.size(), 0) < 0)
    throw_errno("lsetxattr", path + ":" + name);
}

void for_each_dirent(int dfd, const std::function<void(const char*, unsigned char)>& fn) {
  // getdents64 on the fd directly: no DIR* allocation and no dup per directory.
  alignas(8) char buf[32768];
  if (::lseek(dfd, 0, SEEK_SET) < 0) throw_errno("lseek");
  for (;;) {
    long n = ::syscall(SYS_getdents64, dfd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("getdents64");
    }
    if (n == 0) return;
    for (long pos = 0; pos < n;) {
      auto* d = reinterpret_cast<struct dirent64*>(buf + pos);
      pos += d->d_reclen;
      const char* name = d->d_name;
      if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
      fn(name, d->d_type);
    }
  }
}

std::vector<DirEntry> list_dir(int dfd) {
  std::vector<DirEntry> out;
  for_each_dirent(dfd, [&](const char* name, unsigned char type) { out.push_back({name, type}); });
  return out;
}

}  // namespace ot::sys
