#pragma once
// Comparing trees, as upstream `ostree diff`: two commits, or a commit and a
// directory on disk (or two directories). Entries are compared by checksum,
// and identical subtrees of two commits are skipped without being read.
#include "store/checksum.hpp"
#include "store/repo.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ot::store {

// One side of a comparison: a commit's tree, or a directory on disk.
class DiffSide {
public:
  static DiffSide commit(const Digest& commit);
  static DiffSide directory(int dfd, std::string path);
  // Upstream's rule for command-line arguments: one starting with "/" or
  // "./" is a directory, anything else a rev resolved in repo.
  static DiffSide from_argument(const Repo& repo, const std::string& arg);

  bool is_commit() const { return commit_.has_value(); }
  const Digest& commit_checksum() const { return *commit_; }
  int dfd() const { return dfd_; }
  const std::string& path() const { return path_; }

private:
  std::optional<Digest> commit_;
  int dfd_ = -1;
  std::string path_;
};

struct DiffOptions {
  // --no-xattrs (also implied when a side is a bare-user-only repo).
  bool ignore_xattrs = false;
  // --owner-uid/--owner-gid: ownership assumed for files of a directory on
  // the second side, so a tree checked out as a user compares equal.
  std::optional<uint32_t> owner_uid;
  std::optional<uint32_t> owner_gid;
};

// Paths as upstream prints them: "/usr/bin/foo" inside a commit, relative
// ("usr/bin/foo") inside a directory. Modified and removed paths are named
// on the first side, added ones on the second; each list is in walk order.
struct DiffResult {
  std::vector<std::string> modified;  // content, metadata or type changed
  std::vector<std::string> removed;   // only on the first side (a directory is listed, not its contents)
  std::vector<std::string> added;     // only on the second side (a directory and everything in it)
  bool empty() const { return modified.empty() && removed.empty() && added.empty(); }
};

// Compares a (old) with b (new). Throws ot::Error naming a missing object or
// an unreadable path.
DiffResult diff(const Repo& repo, const DiffSide& a, const DiffSide& b, const DiffOptions& options = {});

// "M    /path", "D    /path", "A    /path" lines, modified then removed then added.
std::string format_diff(const DiffResult& result);

// --stats: objects reachable from each commit with all its history, and
// what the two share.
struct DiffStats {
  uint64_t a_objects = 0;
  uint64_t b_objects = 0;
  uint64_t common_objects = 0;
  uint64_t common_bytes = 0;  // storage size of the shared objects
};
DiffStats diff_stats(const Repo& repo, const Digest& a, const Digest& b);
// "[A] Object Count: N", "[B] Object Count: N", "Common Object Count: N",
// "Common Object Size: SIZE", one per line.
std::string format_diff_stats(const DiffStats& stats);

}  // namespace ot::store
