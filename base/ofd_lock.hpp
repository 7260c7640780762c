#pragma once
// An open-file-description lock (fcntl F_OFD_SETLK) held for the object's
// lifetime. This is the lock kind upstream OSTree takes on `$repo/.lock`;
// flock() locks are invisible to it on Linux, so interoperating with upstream
// tools on one repository needs this one.
#include "base/fd.hpp"
#include "base/file_lock.hpp"

#include <chrono>
#include <string>

namespace ot {

class OfdLock {
public:
  // Opens (creating, mode 0660 before umask) dfd/path and locks the whole file.
  // Waits up to timeout for a conflicting holder to go away; a negative timeout
  // waits forever. Throws ot::Error (EAGAIN) naming path when time runs out.
  OfdLock(int dfd, const std::string& path, LockKind kind, std::chrono::milliseconds timeout);
  OfdLock(OfdLock&&) noexcept = default;
  OfdLock& operator=(OfdLock&&) noexcept = default;
  // Closing the fd releases the lock: no explicit unlock can fail here.
  ~OfdLock() = default;

  LockKind kind() const noexcept { return kind_; }

  // True when some other open file description holds a lock on dfd/path that
  // conflicts with kind (for tests and diagnostics; racy by nature).
  static bool is_locked(int dfd, const std::string& path, LockKind kind);

private:
  UniqueFd fd_;
  LockKind kind_;
};

}  // namespace ot
