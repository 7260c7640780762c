#include "store/commit_partial.hpp"

#include "base/atomic_file.hpp"
#include "base/sys.hpp"

namespace ot::store {
namespace {

std::string marker_path(const Digest& commit) { return "state/" + digest_hex(commit) + ".commitpartial"; }

}  // namespace

std::optional<PartialReason> commit_partial_reason(const Repo& repo, const Digest& commit) {
  auto text = sys::read_file_at_opt(repo.dfd(), marker_path(commit));
  if (!text) return std::nullopt;
  return *text == "f" ? PartialReason::fsck : PartialReason::none;
}

void mark_commit_partial(const Repo& repo, const Digest& commit, PartialReason reason) {
  sys::mkdir_at_opt(repo.dfd(), "state", 0755);
  write_file_atomic(repo.dfd(), marker_path(commit), reason == PartialReason::fsck ? "f" : "", 0644,
                    repo.fsync_enabled() ? Durability::fsync : Durability::nosync);
}

bool unmark_commit_partial(const Repo& repo, const Digest& commit) {
  return sys::unlink_at_opt(repo.dfd(), marker_path(commit));
}

}  // namespace ot::store
