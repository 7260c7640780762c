#pragma once
// The inodes the kernel knows about (FUSE node ids) and how to reach each
// one in the source tree.
//
// Directories are identified by (st_dev, st_ino) and hold an O_PATH fd, so
// renames anywhere above them never break *at() calls below them.
//
// Everything else gets one node id per *name*: the node is reached as
// (parent directory fd, name), like upstream's path-based rofiles-fuse. Two
// names hardlinked to one repository object are two kernel inodes, so the
// kernel never confuses their page caches or attributes, and --copyup always
// knows which name to replace. Non-directories hold no fd of their own, so a
// walk over a large tree needs one fd per cached directory, not per file.
#include "base/fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ot::rofiles {

// An fd shared by a directory node and the name hints of its children (or by
// an unlinked node), so it stays open while any of them still needs it.
struct HeldFd {
  UniqueFd fd;
};

// Where an operation finds its object: `name` inside directory `base`, or
// `base` itself when name is empty (directories and unlinked files).
struct Location {
  std::shared_ptr<HeldFd> base;
  std::string name;

  int dirfd() const { return base->fd.get(); }
  bool is_self() const { return name.empty(); }
  // The path argument of an *at() call; pair it with at_flags().
  const char* path() const { return name.c_str(); }
  int at_flags(int flags) const { return is_self() ? flags | AT_EMPTY_PATH : flags; }
};

struct Node {
  dev_t dev = 0;
  ino_t ino = 0;
  mode_t type = 0;  // S_IFMT bits
  uint64_t generation = 0;
  // Directories: the directory itself.
  std::shared_ptr<HeldFd> dir;
  // Non-directories: the name the kernel reached it by; parent is null once
  // the name went away (unlinked, renamed over, or replaced behind our back).
  std::shared_ptr<HeldFd> parent;
  std::string name;
  // A non-directory that lost its name while open: an fd on the inode of
  // its open files, so fstat/fsetxattr through them keep working as on a
  // native filesystem.
  std::shared_ptr<HeldFd> orphan;

  // Serializes the check-then-copy-up sequence of writers of this node.
  std::mutex write_mutex;

  // The inode the node's open files refer to, and how they are served
  // (Filesystem::attach_io). All open files of one kernel inode must be
  // the same inode here: they share one page cache, or with passthrough one
  // backing file (the kernel insists).
  std::mutex io_mutex;
  unsigned open_files = 0;
  dev_t open_dev = 0;
  ino_t open_ino = 0;
  int backing_id = 0;  // > 0: served by passthrough

  // Guarded by the table's mutex.
  uint64_t nlookup = 0;
  std::vector<int> open_fds;  // fds of the node's open files (FileHandle)
  Node* prev = nullptr;  // every live node is on the table's list, so none
  Node* next = nullptr;  // leaks at unmount, named or not

  bool is_dir() const { return S_ISDIR(type); }
};

// The result of looking a name up: the node (its lookup count already
// incremented for the kernel) and the attributes to report.
struct Entry {
  Node* node;
  struct stat attr;
};

class NodeTable {
public:
  // root_fd: an O_PATH or O_RDONLY fd on the source directory.
  explicit NodeTable(UniqueFd root_fd);
  NodeTable(const NodeTable&) = delete;
  NodeTable& operator=(const NodeTable&) = delete;
  ~NodeTable();

  Node& root() { return root_; }

  // Looks name up in directory `parent` and counts one kernel reference.
  // Returns -errno on failure (ENOENT is the common, cheap case).
  int lookup(Node& parent, const std::string& name, Entry& out);
  // Same, for a name just created through the mount, when the caller already
  // has the new object's attributes (avoids a second fstatat).
  int lookup_with(Node& parent, const std::string& name, const struct stat& st, Entry& out);

  // Drops n kernel references; the node is freed when none remain.
  void forget(Node& node, uint64_t n);

  // Where to find node now. nullopt (ESTALE) if it no longer has a name.
  std::optional<Location> locate(Node& node);

  // Bookkeeping for names changed through the mount, called after the
  // syscall succeeded. A node that loses its name while open stays
  // reachable through its open files.
  void unlinked(Node& parent, const std::string& name);
  void renamed(Node& old_parent, const std::string& old_name, Node& new_parent,
               const std::string& new_name, unsigned flags);

  // The inode behind a name changed because we replaced it (--copyup).
  void replaced(Node& node, const struct stat& st);
  // node no longer stands for its name: the next lookup makes a new node.
  void detach(Node& node);

  // An open file of node, with its fd, starts / ends (before fd is closed).
  void opened(Node& node, int fd);
  void released(Node& node, int fd);

  // Number of live nodes, root included (for tests).
  size_t size();

private:
  struct NameKey {
    const HeldFd* parent;
    std::string name;
    bool operator==(const NameKey&) const = default;
  };
  struct NameKeyHash {
    size_t operator()(const NameKey& k) const noexcept;
  };
  struct InodeKey {
    dev_t dev;
    ino_t ino;
    bool operator==(const InodeKey&) const = default;
  };
  struct InodeKeyHash {
    size_t operator()(const InodeKey& k) const noexcept;
  };

  Node* insert_dir_locked(const struct stat& st, UniqueFd fd);
  Node* find_or_insert_named_locked(Node& parent, const std::string& name, const struct stat& st);
  void detach_locked(Node& node);
  void maybe_free_locked(Node* node);

  std::mutex mutex_;
  Node root_;
  size_t live_ = 1;
  uint64_t next_generation_ = 1;
  std::unordered_map<InodeKey, Node*, InodeKeyHash> dirs_;
  std::unordered_map<NameKey, Node*, NameKeyHash> names_;
};

}  // namespace ot::rofiles
