#pragma once
// Private state of Repo, shared by its implementation files.
#include "base/fd.hpp"
#include "base/keyfile.hpp"
#include "base/temp_dir.hpp"
#include "store/repo.hpp"

#include <memory>
#include <mutex>

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
  std::mutex staging_mutex;
};

}  // namespace ot::store
