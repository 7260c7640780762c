#pragma once
// Private state of Repo, shared by its implementation files.
#include "base/fd.hpp"
#include "base/keyfile.hpp"
#include "base/temp_dir.hpp"
#include "store/repo.hpp"
#include "store/repo_lock.hpp"

#include <memory>
#include <mutex>
#include <optional>

namespace ot::store {

struct Repo::Impl {
  std::string path;
  UniqueFd dfd;
  UniqueFd objects_dfd;
  UniqueFd tmp_dfd;
  RepoMode mode = RepoMode::bare;
  KeyFile config;
  bool fsync = true;
  std::unique_ptr<TempDir> staging;  // open transaction, if any
  // Shared repo lock held while a transaction is open, so prune (exclusive)
  // cannot delete objects the transaction is about to reference.
  std::optional<RepoLock> txn_lock;
  std::mutex staging_mutex;
};

}  // namespace ot::store
