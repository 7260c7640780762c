#include "base/atomic_file.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/temp_dir.hpp"

#include <unistd.h>

namespace ot {
namespace {

std::pair<std::string, std::string> split_dir(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return {".", path};
  return {path.substr(0, slash == 0 ? 1 : slash), path.substr(slash + 1)};
}

}  // namespace

void write_file_atomic(int dfd, const std::string& path, std::string_view data, mode_t mode,
                       Durability durability) {
  auto [dir, base] = split_dir(path);
  auto dirfd = sys::open_dir(dfd, dir);
  std::string tmp = "." + base + ".tmp-" + random_suffix();
  {
    auto fd = sys::open_at(dirfd.get(), tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
    try {
      sys::write_all(fd.get(), data);
      if (durability == Durability::fsync) sys::fsync(fd.get());
    } catch (...) {
      ::unlinkat(dirfd.get(), tmp.c_str(), 0);
      throw;
    }
  }
  try {
    sys::rename_at(dirfd.get(), tmp, dirfd.get(), base);
  } catch (...) {
    ::unlinkat(dirfd.get(), tmp.c_str(), 0);
    throw;
  }
  if (durability == Durability::fsync) sys::fsync(dirfd.get());
}

void symlink_atomic(const std::string& target, int dfd, const std::string& path) {
  auto [dir, base] = split_dir(path);
  auto dirfd = sys::open_dir(dfd, dir);
  std::string tmp = "." + base + ".tmp-" + random_suffix();
  sys::symlink_at(target, dirfd.get(), tmp);
  try {
    sys::rename_at(dirfd.get(), tmp, dirfd.get(), base);
  } catch (...) {
    ::unlinkat(dirfd.get(), tmp.c_str(), 0);
    throw;
  }
  sys::fsync(dirfd.get());
}

}  // namespace ot
