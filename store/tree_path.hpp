#pragma once
// Browsing a commit's tree by path without checking it out, with the path
// rules and errors of upstream's OstreeRepoFile (what `ostree ls` and
// `ostree cat` show): a path is split at each '/', every piece is looked up
// literally (so "." and ".." are names like any other), an empty piece after
// "x/" starts over from the root, and a failed lookup names the path up to
// the piece that failed ("No such file or directory: /a/..").
#include "store/checksum.hpp"
#include "store/content.hpp"
#include "store/objects.hpp"
#include "store/repo.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ot::store {

// One entry of the tree, located by the names leading to it from the root.
struct TreeNode {
  std::vector<std::string> names;  // empty for the root
  bool is_dir = true;
  Digest checksum{};  // dirtree for directories, content object for files
  Digest meta{};      // dirmeta, for directories
  // "/", "/a", "/a/b", as upstream prints paths.
  std::string path() const;
};

// What `ls` shows of an entry.
struct TreeNodeInfo {
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t mode = 0;  // with the S_IFMT bits
  uint64_t size = 0;  // 0 for directories and symlinks
  std::string symlink_target;
  Xattrs xattrs;
};

// Opens a content object; a missing one is reported in upstream's words
// ("Couldn't find file object 'X'", prefixed "Opening content object X: "
// outside archive mode).
ContentObject load_content_reported(const Repo& repo, const Digest& csum);

class CommitTree {
public:
  // Loads the commit and its root; throws "No such metadata object ..." when
  // one is missing.
  CommitTree(const Repo& repo, const Digest& commit);

  const TreeNode& root() const { return root_; }

  // Resolves path relative to from (an absolute path starts at the root).
  // Throws "No such file or directory: PATH" (ENOENT) or "Not a directory"
  // (ENOTDIR) as upstream does.
  TreeNode resolve(const TreeNode& from, std::string_view path) const;

  // A directory's entries: files, then subdirectories, each in name order.
  std::vector<TreeNode> children(const TreeNode& dir) const;

  TreeNodeInfo info(const TreeNode& node) const;

  // The regular file to read for node: symlinks are followed within the
  // commit (relative to their directory). Throws "Can't open directory"
  // (EISDIR) for a directory.
  TreeNode file_to_read(const TreeNode& node) const;

  const Repo& repo() const { return repo_; }

private:
  // The child called name of a resolved directory node.
  TreeNode lookup(const TreeNode& dir, const std::string& name) const;

  DirTree load_tree(const Digest& csum) const;
  DirMeta load_meta(const Digest& csum) const;

  const Repo& repo_;
  TreeNode root_;
};

}  // namespace ot::store
