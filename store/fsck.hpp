#pragma once
// Repository verification, as upstream `ostree fsck`: every ref must name a
// loadable commit; every commit object (unless marked partial) is walked and
// each object it needs is re-hashed against its name, metadata is decoded,
// and missing objects are listed. Every problem is reported, not just the
// first, each naming the object and the commits that contain it.
#include "store/checksum.hpp"
#include "store/repo.hpp"
#include "store/traverse.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ot::store {

struct FsckOptions {
  // -a/--all: keep going after a corrupt object (upstream stops at the first
  // unless --delete). Missing objects never stop the run.
  bool all = false;
  // --delete: remove corrupt objects (they become missing, so a pull can
  // fetch them again).
  bool delete_corrupt = false;
  // Mark commits with missing (or deleted) objects partial, as upstream does,
  // so pulls complete them and later fscks skip them.
  bool mark_partial = true;
  // Threads re-hashing objects; 0 uses every CPU.
  unsigned threads = 0;
  // Called as objects are verified (from worker threads, one call at a time).
  std::function<void(size_t done, size_t total)> progress;
};

struct FsckRefProblem {
  std::string ref;  // "name" or "remote:name"
  Digest commit{};
  std::string message;  // "Loading commit for ref name: No such metadata object ….commit"
};

struct FsckProblem {
  ObjectName object;
  bool missing = false;         // absent; otherwise present but corrupt or malformed
  std::vector<Digest> commits;  // the commits whose trees include it, sorted
  std::string detail;           // "Corrupted file object; checksum expected='…' actual='…'"
  bool deleted = false;         // removed by delete_corrupt
  // Upstream's line: "Object missing in commits A, B: X.file", or
  // "In commits A: fsck content object X: Corrupted file object; …".
  std::string describe() const;
};

struct FsckReport {
  size_t commits_checked = 0;   // commit objects verified
  size_t partial_skipped = 0;   // commits marked partial before this run, not verified
  size_t partial_by_fsck = 0;   // of those, marked by an earlier fsck
  size_t objects_checked = 0;
  std::vector<FsckRefProblem> ref_problems;
  std::vector<FsckProblem> problems;  // in the order found
  std::vector<Digest> marked_partial;  // commits this run marked partial, sorted
  bool stopped_early = false;          // !all: the run ended at a problem

  bool corruption_found() const { return !ref_problems.empty() || !problems.empty(); }
  // The error upstream's fsck ends with ("Repository corruption encountered",
  // "N partial commits from fsck-detected corruption"); nullopt when healthy.
  std::optional<std::string> error_message() const;
};

// Verifies the repository. Never throws for what it finds (that is the
// report); throws ot::Error only when it cannot look (unreadable refs, I/O).
FsckReport fsck(Repo& repo, const FsckOptions& options = {});

// Re-hashes one content object: nullopt when it matches csum, otherwise the
// reason ("Corrupted file object; checksum expected='…' actual='…'"). Throws
// "No such file object" when absent.
std::optional<std::string> check_content_object(const Repo& repo, const Digest& csum);
// The same for a metadata object (hash, then structure).
std::optional<std::string> check_metadata_object(const Repo& repo, ObjectType type, const Digest& csum);

}  // namespace ot::store
