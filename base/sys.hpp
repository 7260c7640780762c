#pragma once
// The thin syscall layer: every call is relative to a directory fd, retries
// EINTR, sets O_CLOEXEC, and throws ot::Error "op(path): strerror" with the
// errno kept. The *_opt variants return nullopt/false for the one errno that
// callers routinely expect (ENOENT or EEXIST) instead of throwing.
#include "base/fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ot::sys {

UniqueFd open_at(int dfd, const std::string& path, int flags, mode_t mode = 0);
std::optional<UniqueFd> open_at_opt(int dfd, const std::string& path, int flags, mode_t mode = 0);
// Opens a directory for *at() use. Follows symlinks only if FollowLinks.
enum class FollowLinks { no, yes };
UniqueFd open_dir(int dfd, const std::string& path, FollowLinks follow = FollowLinks::yes);
std::optional<UniqueFd> open_dir_opt(int dfd, const std::string& path,
                                     FollowLinks follow = FollowLinks::yes);

struct stat fstat(int fd);
struct stat stat_at(int dfd, const std::string& path, int flags = AT_SYMLINK_NOFOLLOW);
std::optional<struct stat> stat_at_opt(int dfd, const std::string& path,
                                       int flags = AT_SYMLINK_NOFOLLOW);

void mkdir_at(int dfd, const std::string& path, mode_t mode);
// false when path already exists.
bool mkdir_at_opt(int dfd, const std::string& path, mode_t mode);
// mkdir -p of a relative path.
void mkdirs_at(int dfd, const std::string& path, mode_t mode);

std::string readlink_at(int dfd, const std::string& path);
void symlink_at(const std::string& target, int dfd, const std::string& path);
void link_at(int olddfd, const std::string& oldpath, int newdfd, const std::string& newpath);
// false when newpath already exists.
bool link_at_opt(int olddfd, const std::string& oldpath, int newdfd, const std::string& newpath);
void rename_at(int olddfd, const std::string& oldpath, int newdfd, const std::string& newpath);
void unlink_at(int dfd, const std::string& path, int flags = 0);
bool unlink_at_opt(int dfd, const std::string& path, int flags = 0);
// rm -rf; no error when path is absent.
void remove_tree_at(int dfd, const std::string& path);

void fchmod(int fd, mode_t mode);
void fchown(int fd, uid_t uid, gid_t gid);
void fchownat(int dfd, const std::string& path, uid_t uid, gid_t gid, int flags);
void fsync(int fd);
void syncfs(int fd);

// Reads until n bytes or EOF; returns bytes read.
size_t read_full(int fd, void* buf, size_t n);
size_t pread_full(int fd, void* buf, size_t n, off_t offset);
void write_all(int fd, const void* buf, size_t n);
inline void write_all(int fd, std::string_view s) { write_all(fd, s.data(), s.size()); }
std::string read_all(int fd);
std::string read_file_at(int dfd, const std::string& path);
std::optional<std::string> read_file_at_opt(int dfd, const std::string& path);

// Extended attributes, sorted by name. The *_at forms do not follow a final
// symlink (they go through /proc/self/fd), so symlinks' own xattrs are read.
using Xattrs = std::vector<std::pair<std::string, std::string>>;
Xattrs list_xattrs_fd(int fd);
Xattrs list_xattrs_at(int dfd, const std::string& path);
std::optional<std::string> get_xattr_fd(int fd, const char* name);
void set_xattr_fd(int fd, const std::string& name, std::string_view value);
void set_xattr_at(int dfd, const std::string& path, const std::string& name, std::string_view value);

struct DirEntry {
  std::string name;
  unsigned char type;  // DT_* (may be DT_UNKNOWN)
};
// Entries except "." and "..", in directory order.
std::vector<DirEntry> list_dir(int dfd);
// Streams entries without building a vector.
void for_each_dirent(int dfd, const std::function<void(const char* name, unsigned char type)>& fn);

}  // namespace ot::sys
