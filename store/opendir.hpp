#pragma once
// Opening a directory with libglnx's wording on failure ("opendir(refs/heads):
// No such file or directory"), for the messages upstream prints verbatim.
#include "base/error.hpp"
#include "base/fd.hpp"

#include <fcntl.h>

#include <cerrno>
#include <string>

namespace ot::store {

inline UniqueFd opendir_at(int dfd, const std::string& path) {
  int fd;
  do {
    fd = ::openat(dfd, path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) throw_errno("opendir", path);
  return UniqueFd(fd);
}

}  // namespace ot::store
