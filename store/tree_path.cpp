#include "store/tree_path.hpp"

#include "base/error.hpp"
#include "store/content.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

namespace ot::store {
namespace {

// Upstream would recurse until the stack runs out on a symlink loop; we stop
// where the kernel would.
constexpr int kMaxSymlinkHops = 40;

std::string path_of(const std::vector<std::string>& names, size_t count) {
  if (count == 0) return "/";
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    out += '/';
    out += names[i];
  }
  return out;
}

// The names a path leads to from `names`, split exactly as upstream's
// ostree_repo_file_resolve_relative_path does it.
std::vector<std::string> split_relative(std::vector<std::string> names, std::string_view rel) {
  for (;;) {
    if (!rel.empty() && rel.front() == '/') {
      if (rel == "/") return {};
      if (!names.empty()) {
        // From below the root, an absolute rest restarts at the root.
        names.clear();
        rel.remove_prefix(1);
        continue;
      }
      rel.remove_prefix(1);
    }
    const size_t slash = rel.find('/');
    // The piece keeps its '/' and then loses one trailing '/', so "a/"
    // names "a" while "/" (from "//") names "".
    std::string piece(rel.substr(0, slash == std::string_view::npos ? rel.size() : slash + 1));
    if (!piece.empty() && piece.back() == '/') piece.pop_back();
    names.push_back(std::move(piece));
    if (slash == std::string_view::npos) return names;
    rel.remove_prefix(slash + 1);
  }
}

}  // namespace

DirTree CommitTree::load_tree(const Digest& csum) const {
  return decode_dirtree(repo_.load_metadata(ObjectType::dir_tree, csum));
}

DirMeta CommitTree::load_meta(const Digest& csum) const {
  return decode_dirmeta(repo_.load_metadata(ObjectType::dir_meta, csum));
}

ContentObject load_content_reported(const Repo& repo, const Digest& csum) {
  if (auto obj = load_content_opt(repo, csum)) return std::move(*obj);
  const std::string hex = digest_hex(csum);
  std::string message = "Couldn't find file object '" + hex + "'";
  if (repo.mode() != RepoMode::archive) message = "Opening content object " + hex + ": " + message;
  throw Error(message, ENOENT);
}

std::string TreeNode::path() const { return path_of(names, names.size()); }

CommitTree::CommitTree(const Repo& repo, const Digest& commit) : repo_(repo) {
  // Missing objects are reported by name alone ("No such metadata object
  // X.dirtree"), as upstream does.
  const Commit c = decode_commit(repo.load_metadata(ObjectType::commit, commit));
  (void)load_tree(c.root_tree);
  (void)load_meta(c.root_meta);
  root_ = TreeNode{{}, true, c.root_tree, c.root_meta};
}

TreeNode CommitTree::lookup(const TreeNode& dir, const std::string& name) const {
  const DirTree tree = load_tree(dir.checksum);
  std::vector<std::string> names = dir.names;
  names.push_back(name);
  auto by_name = [](const auto& entry, const std::string& n) { return entry.name < n; };
  if (auto f = std::lower_bound(tree.files.begin(), tree.files.end(), name, by_name);
      f != tree.files.end() && f->name == name) {
    return TreeNode{std::move(names), false, f->checksum, {}};
  }
  if (auto d = std::lower_bound(tree.dirs.begin(), tree.dirs.end(), name, by_name);
      d != tree.dirs.end() && d->name == name) {
    (void)load_meta(d->meta);
    return TreeNode{std::move(names), true, d->tree, d->meta};
  }
  throw Error("No such file or directory: " + path_of(names, names.size()), ENOENT);
}

TreeNode CommitTree::resolve(const TreeNode& from, std::string_view path) const {
  const std::vector<std::string> names = split_relative(from.names, path);
  TreeNode node = root_;
  for (const std::string& name : names) {
    if (!node.is_dir) throw Error("Not a directory", ENOTDIR);
    node = lookup(node, name);
  }
  return node;
}

std::vector<TreeNode> CommitTree::children(const TreeNode& dir) const {
  const DirTree tree = load_tree(dir.checksum);
  std::vector<TreeNode> out;
  out.reserve(tree.files.size() + tree.dirs.size());
  auto child_names = [&](const std::string& name) {
    std::vector<std::string> names = dir.names;
    names.push_back(name);
    return names;
  };
  for (const auto& f : tree.files) out.push_back(TreeNode{child_names(f.name), false, f.checksum, {}});
  for (const auto& d : tree.dirs) out.push_back(TreeNode{child_names(d.name), true, d.tree, d.meta});
  return out;
}

TreeNodeInfo CommitTree::info(const TreeNode& node) const {
  if (node.is_dir) {
    DirMeta meta = load_meta(node.meta);
    return TreeNodeInfo{meta.uid, meta.gid, meta.mode, 0, {}, std::move(meta.xattrs)};
  }
  ContentObject obj = load_content_reported(repo_, node.checksum);
  return TreeNodeInfo{obj.meta.uid,  obj.meta.gid, obj.meta.mode, obj.is_symlink() ? 0 : obj.size,
                      obj.meta.symlink_target, std::move(obj.meta.xattrs)};
}

TreeNode CommitTree::file_to_read(const TreeNode& start) const {
  TreeNode node = start;
  for (int hop = 0; hop <= kMaxSymlinkHops; ++hop) {
    if (node.is_dir) throw Error("Can't open directory", EISDIR);
    const ContentObject obj = load_content_reported(repo_, node.checksum);
    if (!obj.is_symlink()) return node;
    // A symlink's target is resolved from the directory holding it.
    TreeNode parent = root_;
    parent.names.assign(node.names.begin(), node.names.end() - 1);
    node = resolve(parent, obj.meta.symlink_target);
  }
  throw Error("Too many levels of symbolic links", ELOOP);
}

}  // namespace ot::store
