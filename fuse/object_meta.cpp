#include "fuse/object_meta.hpp"

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/sys.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <cstring>

namespace ot::fuse {
namespace {

// Enough for any header without large xattrs: one pread instead of two.
constexpr size_t kHeaderGuess = 4096;

[[noreturn]] void malformed(const store::Digest& csum, std::string_view what) {
  throw Error("content object " + store::digest_hex(csum) + ": " + std::string(what), EIO);
}

// -1 with errno set when absent (ENOENT) or a symlink (ELOOP).
int open_object(int objects_dfd, const std::string& path) {
  int fd;
  do {
    fd = ::openat(objects_dfd, path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

std::optional<ObjectMeta> bare_symlink(int objects_dfd, store::RepoMode mode, const std::string& path) {
  ObjectMeta m;
  auto st = sys::stat_at(objects_dfd, path);
  m.meta.mode = st.st_mode;
  m.meta.symlink_target = sys::readlink_at(objects_dfd, path);
  if (mode == store::RepoMode::bare) {
    m.meta.uid = st.st_uid;
    m.meta.gid = st.st_gid;
    m.meta.xattrs = sys::list_xattrs_at(objects_dfd, path);
  }
  return m;
}

ObjectMeta bare_user(const store::Digest& csum, int fd) {
  ObjectMeta m;
  char buf[512];
  ssize_t n = ::fgetxattr(fd, "user.ostreemeta", buf, sizeof buf);
  std::string raw;
  if (n >= 0) {
    raw.assign(buf, size_t(n));
  } else if (errno == ERANGE) {
    auto big = sys::get_xattr_fd(fd, "user.ostreemeta");
    if (big) raw = std::move(*big);
  }
  if (raw.empty()) malformed(csum, "no user.ostreemeta xattr");
  auto d = with_context("content object " + store::digest_hex(csum), [&] { return store::decode_dirmeta(raw); });
  m.meta = store::FileMeta{d.uid, d.gid, d.mode, "", std::move(d.xattrs)};
  if (S_ISLNK(d.mode)) {
    // bare-user keeps a symlink as a regular file holding its target.
    m.meta.symlink_target = sys::read_all(fd);
    if (!m.meta.symlink_target.empty() && m.meta.symlink_target.back() == '\0')
      m.meta.symlink_target.pop_back();
  } else {
    m.size = sys::fstat(fd).st_size;
  }
  return m;
}

ObjectMeta archive(const store::Digest& csum, int fd) {
  std::string head(kHeaderGuess, '\0');
  head.resize(sys::pread_full(fd, head.data(), head.size(), 0));
  if (head.size() >= 8) {
    uint32_t len;
    std::memcpy(&len, head.data(), 4);
    len = be32toh(len);
    if (len > (1u << 24)) malformed(csum, "header too large");
    if (8 + size_t(len) > head.size() && head.size() == kHeaderGuess) {
      head.resize(8 + size_t(len));
      head.resize(sys::pread_full(fd, head.data(), head.size(), 0));
    }
  }
  std::pair<std::string_view, size_t> split;
  try {
    split = store::split_size_prefixed(head);
  } catch (const Error& e) {
    malformed(csum, e.what());
  }
  auto [meta, size] = with_context("content object " + store::digest_hex(csum),
                                   [&] { return store::decode_archive_file_header(split.first); });
  ObjectMeta m;
  m.meta = std::move(meta);
  m.size = S_ISLNK(m.meta.mode) ? 0 : size;
  m.payload_offset = split.second;
  return m;
}

}  // namespace

std::optional<ObjectMeta> read_object_meta(int objects_dfd, store::RepoMode mode, const store::Digest& csum) {
  const std::string path = store::loose_object_path(csum, store::ObjectType::file, mode);
  UniqueFd fd(open_object(objects_dfd, path));
  if (!fd) {
    if (errno == ENOENT) return std::nullopt;
    // Bare modes store symlinks as symlinks: O_NOFOLLOW refuses them.
    if (errno == ELOOP && (mode == store::RepoMode::bare || mode == store::RepoMode::bare_user_only))
      return bare_symlink(objects_dfd, mode, path);
    throw_errno("openat", path);
  }
  switch (mode) {
    case store::RepoMode::bare:
    case store::RepoMode::bare_user_only: {
      auto st = sys::fstat(fd.get());
      ObjectMeta m;
      m.meta.mode = st.st_mode;
      m.size = st.st_size;
      if (mode == store::RepoMode::bare) {
        m.meta.uid = st.st_uid;
        m.meta.gid = st.st_gid;
        m.meta.xattrs = sys::list_xattrs_fd(fd.get());
      }
      return m;
    }
    case store::RepoMode::bare_user:
      return bare_user(csum, fd.get());
    case store::RepoMode::archive:
      return archive(csum, fd.get());
  }
  return std::nullopt;
}

}  // namespace ot::fuse
