#pragma once
// An flock() held for the object's lifetime. Shared for writers that may run
// together (commits), exclusive for operations that must run alone (prune).
#include "base/fd.hpp"

#include <string>

namespace ot {

enum class LockKind { shared, exclusive };

class FileLock {
public:
  // Opens (creating) dfd/path and blocks until the lock is granted.
  FileLock(int dfd, const std::string& path, LockKind kind);

private:
  UniqueFd fd_;
};

}  // namespace ot
