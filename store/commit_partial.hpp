#pragma once
// Partial commits: commits whose objects are known not to be all present
// (a pull in progress, or objects fsck found missing or corrupt). Upstream
// OSTree marks them with `state/<checksum>.commitpartial`; traversals then
// tolerate their missing objects, fsck skips them and pulls complete them.
#include "store/checksum.hpp"
#include "store/repo.hpp"

#include <optional>

namespace ot::store {

enum class PartialReason {
  none,  // an empty marker, as a pull leaves while it fetches
  fsck,  // "f": fsck found a problem in the commit's objects
};

// The marker's reason, or nullopt when the commit is not marked partial.
std::optional<PartialReason> commit_partial_reason(const Repo& repo, const Digest& commit);
inline bool is_commit_partial(const Repo& repo, const Digest& commit) {
  return commit_partial_reason(repo, commit).has_value();
}
// Creates (or rewrites) the marker.
void mark_commit_partial(const Repo& repo, const Digest& commit, PartialReason reason);
// Removes the marker; false if there was none.
bool unmark_commit_partial(const Repo& repo, const Digest& commit);

}  // namespace ot::store
