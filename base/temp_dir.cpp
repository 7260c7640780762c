#include "base/temp_dir.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"

#include <sys/random.h>

#include <cerrno>

namespace ot {

std::string random_suffix(size_t n) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string raw(n, '\0');
  if (::getrandom(raw.data(), n, 0) != static_cast<ssize_t>(n)) throw_errno("getrandom");
  for (auto& c : raw) c = kChars[static_cast<unsigned char>(c) % (sizeof kChars - 1)];
  return raw;
}

TempDir::TempDir(int parent_dfd, const std::string& prefix) : parent_(parent_dfd) {
  for (int attempt = 0;; attempt++) {
    std::string name = prefix + random_suffix(6);
    if (sys::mkdir_at_opt(parent_dfd, name, 0700)) {
      name_ = std::move(name);
      break;
    }
    if (attempt > 100) throw_errno("mkdirat", prefix, EEXIST);
  }
  fd_ = sys::open_dir(parent_dfd, name_, sys::FollowLinks::no);
}

TempDir::TempDir(TempDir&& o) noexcept
    : parent_(o.parent_), name_(std::move(o.name_)), fd_(std::move(o.fd_)) {
  o.name_.clear();
}

TempDir::~TempDir() {
  if (name_.empty()) return;
  int saved = errno;
  fd_.reset();
  try {
    sys::remove_tree_at(parent_, name_);
  } catch (...) {
  }
  errno = saved;
}

}  // namespace ot
