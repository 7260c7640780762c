#pragma once
// Garbage collection, as upstream `ostree prune`: delete the loose objects no
// commit (or, with refs_only, no ref) needs, optionally cutting history to a
// depth or an age. Runs under the exclusive repo lock, so no concurrent
// commit or pull can be left referencing a deleted object.
#include "store/checksum.hpp"
#include "store/repo.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ot::store {

struct PruneOptions {
  // --refs-only: reachability from refs only; otherwise every commit object
  // is a root and only orphaned objects go.
  bool refs_only = false;
  // --depth: parents kept behind each root (-1: all; 0: just the commit).
  int depth = -1;
  // --no-prune: count what would go, delete nothing.
  bool no_prune = false;
  // --commit-only: consider (and delete) commit objects only.
  bool commit_only = false;
  // --keep-younger-than: per ref, keep the commit it names and the chain of
  // ancestors at least this recent (seconds since the epoch). Implies refs_only.
  std::optional<int64_t> keep_younger_than;
  // --retain-branch-depth=BRANCH=DEPTH: a per-ref depth. Implies refs_only.
  std::vector<std::pair<std::string, int>> retain_branch_depth;
  // --only-branch: prune only these refs' history; every other ref keeps all
  // of it (unless retain_branch_depth says otherwise). Implies refs_only.
  std::vector<std::string> only_branches;
};

struct PruneResult {
  uint64_t objects_total = 0;   // loose objects considered
  uint64_t objects_pruned = 0;  // deleted, or that would be with no_prune
  uint64_t bytes_freed = 0;     // their storage size
  bool no_prune = false;
  bool commit_only = false;
};

// Prunes repo. Throws ot::Error if a needed metadata object is missing or
// malformed in a commit not marked partial: what it references is unknown,
// so deleting anything could lose data (run fsck).
PruneResult prune(Repo& repo, const PruneOptions& options);

// Upstream's report: "Total objects: N" then "No unreachable objects",
// "Would delete: N objects, freeing SIZE" or "Deleted N objects, SIZE freed"
// (SIZE as g_format_size prints it). Each line ends with '\n'.
std::string format_prune_result(const PruneResult& result);

// --delete-commit: deletes one commit object (and its detached metadata and
// partial marker). Throws "Commit 'X' is referenced by 'REF'" if a ref
// names it. With core.tombstone-commits=true, leaves a tombstone, as upstream.
void delete_commit(Repo& repo, const Digest& commit);

// Parses "BRANCH=DEPTH" for retain_branch_depth; throws on bad input.
std::pair<std::string, int> parse_branch_depth(const std::string& spec);

}  // namespace ot::store
