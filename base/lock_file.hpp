#pragma once
// An exclusive lock on a file that exists only while somebody holds it, as
// libglnx's glnx_make_lock_file(): an open-file-description write lock
// (F_OFD_SETLKW; flock() would not exclude upstream's), the holder unlinks it on
// release, and a waiter that wakes holding a lock on an unlinked file opens
// it anew. Upstream's sysroot lock (ostree/lock) works this way, so both
// implementations exclude each other and leave no file behind.
#include "base/fd.hpp"

#include <string>

namespace ot {

class LockFile {
public:
  // Blocks until dfd/path is locked exclusively.
  LockFile(int dfd, std::string path);
  LockFile(LockFile&&) noexcept = default;
  LockFile& operator=(LockFile&&) = delete;
  ~LockFile();

private:
  int dfd_;
  std::string path_;
  UniqueFd fd_;
};

}  // namespace ot
