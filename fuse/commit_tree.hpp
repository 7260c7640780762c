#pragma once
// The inodes of a mounted commit: every directory and file the kernel can
// reach, their attributes, extended attributes and listings, read straight
// from the commit's dirtree, dirmeta and content objects.
//
// Identity, chosen so the mount looks like a checkout of the commit:
//  - a directory is identified by its path (two directories with the same
//    dirtree at different places are distinct inodes, but share one decoded
//    listing);
//  - a file is identified by its content object: every name referring to the
//    same object is a hardlink of one inode, and st_nlink is the number of
//    such names in the mounted tree (what a checkout into an empty
//    filesystem would show, and what `du`, `tar` and `rsync -H` need to see
//    the hardlinks).
// A bare-user-only tree is shown as upstream always checks those out, in
// user mode: owned by the mounting user, without setuid bits or xattrs, and
// with owner-readable files.
// Node ids double as st_ino. File ids are assigned up front in tree order,
// so they are the same on every mount of the same commit; directory ids are
// assigned as the kernel first reaches them.
//
// The commit's dirtrees are walked once at construction (they are small and
// few: one per distinct directory) to count references. Content objects are
// opened only when the kernel first asks about a file, or just before: when
// a directory is listed, the files below it are loaded on a background
// thread, depth first, ahead of a walk (until 256Ki objects are loaded). A
// missing object (a partial pull) makes that one entry fail with EIO and one
// log line; nothing else is affected. Thread-safe: FUSE calls in from several workers.
#include "fuse/work_queue.hpp"
#include "fuse/log.hpp"
#include "store/objects.hpp"
#include "store/repo.hpp"

#include <sys/stat.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ot::fuse {

using NodeId = uint64_t;

struct DigestHash {
  size_t operator()(const store::Digest& d) const noexcept;
};
inline constexpr NodeId kRootNode = 1;  // FUSE_ROOT_ID

// A content object's metadata, loaded on first use and immutable after.
struct FileObject {
  store::Digest checksum{};
  store::FileMeta meta;
  uint64_t size = 0;            // content length; 0 for symlinks
  uint64_t payload_offset = 0;  // archive mode: where the deflate stream starts
  // --verify: 0 not checked yet, 1 matches its checksum, -1 corrupt.
  mutable std::atomic<int> verified{0};
  // Its content was pushed into the kernel's page cache (ContentPush).
  mutable std::atomic<bool> in_kernel_cache{false};
};

class CommitTree {
public:
  // Reads commit `commit` of repo and serves the directory `subpath` of it
  // ("" or "/" for the whole tree). Throws Error: ENOENT when the commit or
  // the subpath does not exist, ENOTDIR when subpath is not a directory, EIO
  // when the root's own metadata is missing.
  CommitTree(const store::Repo& repo, const store::Digest& commit, std::string_view subpath, Log& log);
  ~CommitTree();
  CommitTree(const CommitTree&) = delete;
  CommitTree& operator=(const CommitTree&) = delete;

  // The entry `name` of directory `parent`. Throws Error(ENOENT) when there
  // is none, ENOTDIR when parent is not a directory, EIO (and logs) when an
  // object it needs is missing or unreadable.
  NodeId lookup(NodeId parent, std::string_view name);
  // stat(2) of a node (st_dev left 0). Throws Error(EIO) like lookup, and
  // ESTALE for an id this tree never handed out. parent and name, when
  // known, only make the log line of a missing object name the path.
  struct stat attr(NodeId id, NodeId parent = 0, std::string_view name = {});
  const store::Xattrs& xattrs(NodeId id);
  // Throws Error(EINVAL) when id is not a symlink.
  const std::string& symlink_target(NodeId id);
  // The object of a regular file or symlink (EISDIR for a directory).
  const FileObject& file(NodeId id);
  bool is_directory(NodeId id) const;

  // Entries of directory `dir` from position `offset` (0 is ".", 1 is "..",
  // then the entries sorted by name), calling fn(name, id, next_offset) for
  // each until fn returns false. "." and ".." report the directory and its
  // parent.
  void list(NodeId dir, uint64_t offset,
            const std::function<bool(const char* name, NodeId id, uint64_t next)>& fn);

  // Content read-ahead support: the directory the kernel last reached a
  // file through (0 if none); true for the first caller per directory
  // listing; the directory's files (node and object) in listing order
  // (those whose metadata loads) until fn returns false.
  NodeId parent_hint(NodeId file) const;
  bool claim_content_read_ahead(NodeId dir);
  void for_each_file_in(NodeId dir, const std::function<bool(NodeId, const FileObject&)>& fn);

  // Path of a directory node relative to the mounted root, for messages.
  std::string path_of(NodeId dir) const;
  // Number of nodes created so far (root included).
  size_t node_count() const;
  // Number of content objects whose metadata is loaded, and a wait for the
  // background read-ahead to finish (for tests).
  size_t loaded_files() const;
  void wait_for_read_ahead();

  const store::Repo& repo() const { return repo_; }

private:
  struct Listing;
  struct Node;
  class Arena;

  Node& node(NodeId id) const;
  NodeId subdir(NodeId parent_id, Node& parent, size_t index);
  const Listing& listing_of(NodeId dir, Node& n);
  const FileObject& load_file(Node& n, NodeId parent, std::string_view name);
  const FileObject* try_load_file(Node& n, std::string& error);
  void read_ahead(const Listing& listing);
  void read_ahead_now(const Listing& listing);
  struct stat dir_attr(NodeId id, Node& n);
  void walk(const store::Digest& root_tree);

  const store::Repo& repo_;
  Log& log_;
  uint64_t timestamp_ = 0;
  // bare-user-only trees are shown as upstream always checks them out: in
  // user mode (see attr()).
  bool user_mode_;
  uid_t owner_uid_;
  gid_t owner_gid_;
  std::unique_ptr<Arena> arena_;
  std::unordered_map<store::Digest, std::unique_ptr<Listing>, DigestHash> listings_;
  std::unordered_map<store::Digest, std::unique_ptr<store::DirMeta>, DigestHash> dirmetas_;
  std::mutex create_mutex_;             // creating directory nodes
  std::atomic<size_t> loaded_files_{0};
  // Last: its thread uses everything above, so it must stop first.
  WorkQueue readahead_{"ostree-metadata", 1, 4096, Order::lifo};
};

}  // namespace ot::fuse
