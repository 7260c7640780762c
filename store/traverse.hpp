#pragma once
// Reachability: which objects a set of commits needs (the commit, its
// detached metadata, every dirtree and dirmeta below its root, every file),
// optionally following parent commits. Prune keeps exactly this set; fsck
// verifies it; diff --stats counts it.
#include "store/checksum.hpp"
#include "store/objects.hpp"
#include "store/repo.hpp"

#include <cstring>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ot::store {

// An object's identity: checksum and type ("csum.dirtree").
struct ObjectName {
  Digest checksum{};
  ObjectType type = ObjectType::file;
  bool operator==(const ObjectName&) const = default;
  // "<64 hex>.<type name>", upstream's spelling in messages.
  std::string str() const;
};

struct ObjectNameHash {
  size_t operator()(const ObjectName& n) const noexcept {
    // Checksums are uniformly distributed: their first bytes are a hash already.
    size_t h;
    std::memcpy(&h, n.checksum.data(), sizeof h);
    return h ^ static_cast<size_t>(n.type);
  }
};

using ObjectSet = std::unordered_set<ObjectName, ObjectNameHash>;

struct DigestHash {
  size_t operator()(const Digest& d) const noexcept {
    size_t h;
    std::memcpy(&h, d.data(), sizeof h);
    return h;
  }
};

// An object the traversal needed but could not use.
struct TraverseProblem {
  ObjectName object;
  bool missing = false;  // absent; otherwise present but unreadable or malformed
  std::string message;   // "No such metadata object …", or the decode error
};

enum class TraverseScope {
  everything,    // commits and their trees
  commits_only,  // commit objects (and commitmeta) only: upstream's --commit-only
};

enum class RecordParents { no, yes };

// Accumulates the reachable set over any number of commits. Missing and
// malformed metadata objects are collected as problems, never thrown, so one
// walk can list them all; what lies below an unusable dirtree is unknown.
// Each dirtree is walked once however many commits share it.
class Reachability {
public:
  // With RecordParents::yes, remembers which objects reference each object,
  // so commits_containing() can name the commits a bad object belongs to.
  explicit Reachability(const Repo& repo, RecordParents record = RecordParents::no);

  // Adds commit and, unless scope is commits_only, everything in its tree;
  // then the same for up to depth parents (-1: all). A missing starting
  // commit is a problem; a missing parent is where history was pruned and
  // ends the walk quietly, as upstream. In a commit marked partial, missing
  // objects are expected and not reported.
  void add_commit(const Digest& commit, int depth = 0, TraverseScope scope = TraverseScope::everything);

  const ObjectSet& objects() const { return objects_; }
  bool contains(const ObjectName& object) const { return objects_.count(object) != 0; }
  const std::vector<TraverseProblem>& problems() const { return problems_; }
  // Commits (among those walked) whose tree includes object, sorted. Needs
  // RecordParents::yes; a commit object yields itself.
  std::vector<Digest> commits_containing(const ObjectName& object) const;

private:
  void walk_tree(const Digest& root_tree, const Digest& root_meta, const ObjectName& commit, bool tolerate_missing);
  bool insert(const ObjectName& object, const ObjectName* parent);
  void problem(const ObjectName& object, bool missing, std::string message, bool tolerate_missing);

  const Repo& repo_;
  bool record_parents_;
  ObjectSet objects_;
  // Parent depth already walked from each commit, so a later, deeper request
  // (another ref sharing history) still reaches further back.
  std::unordered_map<Digest, int, DigestHash> commit_depth_;
  std::unordered_map<ObjectName, std::vector<ObjectName>, ObjectNameHash> parents_;
  std::vector<TraverseProblem> problems_;
};

// The objects reachable from commits, following depth parents of each.
ObjectSet reachable_objects(const Repo& repo, const std::vector<Digest>& commits, int depth = 0,
                            std::vector<TraverseProblem>* problems = nullptr);

}  // namespace ot::store
