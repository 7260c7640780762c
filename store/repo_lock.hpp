#pragma once
// The repository lock, compatible with upstream OSTree's: an open-file-
// description lock on `$repo/.lock`, shared while a transaction adds objects,
// exclusive while prune deletes them (so prune never deletes an object that a
// concurrent commit or pull is about to reference).
#include "base/file_lock.hpp"
#include "base/ofd_lock.hpp"
#include "store/repo.hpp"

#include <chrono>
#include <optional>

namespace ot::store {

class RepoLock {
public:
  // Honors the repo config: `core.locking=false` takes no lock at all;
  // `core.lock-timeout-secs` bounds the wait (default 30, -1 waits forever),
  // after which ot::Error "Locking repo … failed" is thrown.
  RepoLock(const Repo& repo, LockKind kind);
  RepoLock(RepoLock&&) noexcept = default;
  RepoLock& operator=(RepoLock&&) noexcept = default;

private:
  std::optional<OfdLock> lock_;
};

// The wait bound configured for repo (core.lock-timeout-secs), negative for none.
std::chrono::milliseconds repo_lock_timeout(const Repo& repo);

}  // namespace ot::store
