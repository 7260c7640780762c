#pragma once
// Builds commits: layers directories and existing trees into a MutableTree,
// storing content objects on all cores, then writes dirtrees and the commit.
#include "store/mutable_tree.hpp"
#include "store/objects.hpp"
#include "store/repo.hpp"

#include <optional>
#include <string>

namespace ot::store {

// How file metadata is rewritten on the way in (upstream's commit modifiers).
struct CommitModifiers {
  std::optional<uint32_t> owner_uid;
  std::optional<uint32_t> owner_gid;
  // uid/gid 0; regular files and directories masked to 0755 (no s[ug]id, sticky); no xattrs.
  bool canonical_permissions = false;
  bool no_xattrs = false;
  // Reuse the checksum of files that are hardlinks of this repo's objects
  // instead of re-reading them (bare repos; only when no other modifier applies).
  bool link_checkout_speedup = false;
  // Strip write bits from executables.
  bool mode_ro_executables = false;
};

class CommitBuilder {
public:
  CommitBuilder(Repo& repo, CommitModifiers modifiers);
  ~CommitBuilder();

  // Overlays the directory dfd/path: its files replace same-named entries,
  // its directories merge into existing ones, its root metadata wins.
  void add_directory(int dfd, const std::string& path);
  // Overlays the root tree of an existing commit.
  void add_commit_tree(const Digest& commit);

  // Writes the dirtrees; returns {root dirtree, root dirmeta}.
  std::pair<Digest, Digest> write_tree();

  MutableTree& root() { return root_; }

private:
  struct Scan;
  Repo& repo_;
  CommitModifiers mods_;
  MutableTree root_;
};

// The fields of a commit besides its tree.
struct CommitInfo {
  std::string subject;
  std::string body;
  uint64_t timestamp = 0;
  std::optional<Digest> parent;
  gv::Value metadata = gv::array("{sv}", {});
};

// Writes the commit object (in the open transaction, if any); returns its checksum.
Digest write_commit(Repo& repo, const CommitInfo& info, const Digest& root_tree, const Digest& root_meta);

// Upstream's "content checksum" of a commit: SHA-256 of root dirtree then root dirmeta.
Digest commit_content_checksum(const Commit& commit);

}  // namespace ot::store
