#pragma once
// A directory created under a parent dir fd with a unique name, removed with
// its contents on destruction unless release()d.
#include "base/fd.hpp"

#include <string>

namespace ot {

class TempDir {
public:
  // Creates parent/<prefix>XXXXXX.
  TempDir(int parent_dfd, const std::string& prefix);
  TempDir(TempDir&&) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir();

  int fd() const noexcept { return fd_.get(); }
  int parent_fd() const noexcept { return parent_; }
  const std::string& name() const noexcept { return name_; }
  // Keeps the directory on disk.
  void release() noexcept { name_.clear(); }

private:
  int parent_;
  std::string name_;
  UniqueFd fd_;
};

// A random suffix of n characters from [a-zA-Z0-9], for temporary names.
std::string random_suffix(size_t n = 8);

}  // namespace ot
