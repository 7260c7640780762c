#pragma once
// Listing refs the way upstream's ostree_repo_list_refs(_ext) does: what a
// PREFIX means (a directory of refs, one ref file, "remote:" for all of a
// remote's refs), which names are shown with the prefix cut or kept, aliases,
// and the order, which is that of upstream's hash table (see
// base/ghash_order.hpp) because `ostree refs` prints it unsorted.
#include "store/repo.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ot::store {

struct RefListOptions {
  // Names relative to the prefix directory (ostree_repo_list_refs) rather
  // than full names (ostree_repo_list_refs_ext).
  bool cut_prefix = false;
  // Only aliases (symlinks), with their targets as values.
  bool aliases_only = false;
  // Leave out refs/remotes.
  bool exclude_remotes = false;
};

// (name, value) in upstream's iteration order. Names are "ref" or
// "remote:ref"; values are the ref file's text (whitespace-trimmed, not
// validated) or, for aliases, the target ref. Errors are prefixed
// "Listing refs: ", as upstream's are.
std::vector<std::pair<std::string, std::string>> list_refs_ordered(
    const Repo& repo, const std::optional<std::string>& prefix, RefListOptions options);

// Collection-qualified refs (ostree_repo_list_collection_refs): mirrors,
// remotes whose config names a collection-id, and local refs when the repo
// has core.collection-id; ((collection id, ref), checksum text) in upstream's
// iteration order. With match_collection_id, only that collection.
std::vector<std::pair<std::pair<std::string, std::string>, std::string>> list_collection_refs_ordered(
    const Repo& repo, const std::optional<std::string>& match_collection_id, bool exclude_remotes);

}  // namespace ot::store
