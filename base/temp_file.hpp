#pragma once
// A file created under a directory fd with a unique name, for data that must
// not be seen under its final name until it is complete: it is unlinked on
// destruction unless land()ed (renamed into place) or release()d.
#include "base/fd.hpp"

#include <string>

namespace ot {

class TempFile {
public:
  TempFile() noexcept = default;
  // Creates dfd/<prefix>XXXXXXXXXXXX, open for reading and writing, with mode (before umask).
  TempFile(int dfd, const std::string& prefix, mode_t mode = 0600);
  TempFile(TempFile&& o) noexcept;
  TempFile& operator=(TempFile&& o) noexcept;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile();

  explicit operator bool() const noexcept { return !name_.empty(); }
  int fd() const noexcept { return fd_.get(); }
  int dfd() const noexcept { return dfd_; }
  const std::string& name() const noexcept { return name_; }
  // Renames the file to dest_dfd/dest_path (replacing what is there); it is
  // then no longer ours to remove. On failure the file is still ours.
  void land(int dest_dfd, const std::string& dest_path);
  // Forgets the file without removing it.
  void release() noexcept;

private:
  void remove() noexcept;
  int dfd_ = -1;
  std::string name_;
  UniqueFd fd_;
};

}  // namespace ot
