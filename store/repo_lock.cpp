#include "store/repo_lock.hpp"

#include "base/error.hpp"

#include <string>

namespace ot::store {

std::chrono::milliseconds repo_lock_timeout(const Repo& repo) {
  auto v = repo.config().get("core", "lock-timeout-secs");
  if (!v) return std::chrono::seconds(30);
  long long secs;
  try {
    size_t used = 0;
    secs = std::stoll(*v, &used);
    if (used != v->size()) throw std::invalid_argument(*v);
  } catch (const std::exception&) {
    throw Error("Invalid value for core.lock-timeout-secs in repo config: '" + *v + "'");
  }
  if (secs < 0) return std::chrono::milliseconds(-1);
  return std::chrono::seconds(secs);
}

RepoLock::RepoLock(const Repo& repo, LockKind kind) {
  if (!repo.config().get_bool("core", "locking").value_or(true)) return;
  try {
    lock_.emplace(repo.dfd(), ".lock", kind, repo_lock_timeout(repo));
  } catch (const Error& e) {
    throw e.with_context(std::string("Locking repo ") + (kind == LockKind::shared ? "shared" : "exclusive") +
                         " failed");
  }
}

}  // namespace ot::store
