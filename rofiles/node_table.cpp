#include "rofiles/node_table.hpp"

#include "base/error.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <functional>

namespace ot::rofiles {

size_t NodeTable::NameKeyHash::operator()(const NameKey& k) const noexcept {
  return std::hash<std::string>()(k.name) ^ (std::hash<const void*>()(k.parent) * 31);
}

size_t NodeTable::InodeKeyHash::operator()(const InodeKey& k) const noexcept {
  return std::hash<uint64_t>()(k.ino) ^ (std::hash<uint64_t>()(k.dev) << 1);
}

NodeTable::NodeTable(UniqueFd root_fd) {
  struct stat st;
  if (::fstat(root_fd.get(), &st) < 0) throw_errno("fstat", "source directory");
  root_.dev = st.st_dev;
  root_.ino = st.st_ino;
  root_.type = st.st_mode & S_IFMT;
  root_.dir = std::make_shared<HeldFd>(HeldFd{std::move(root_fd)});
  root_.nlookup = 1;  // the kernel never forgets the root
  root_.prev = root_.next = &root_;
}

NodeTable::~NodeTable() {
  for (Node* n = root_.next; n != &root_;) {
    Node* next = n->next;
    delete n;
    n = next;
  }
}

size_t NodeTable::size() {
  std::lock_guard lock(mutex_);
  return live_;
}

Node* NodeTable::insert_dir_locked(const struct stat& st, UniqueFd fd) {
  InodeKey key{st.st_dev, st.st_ino};
  auto it = dirs_.find(key);
  if (it != dirs_.end()) return it->second;  // another thread won the race
  auto* node = new Node;
  node->dev = st.st_dev;
  node->ino = st.st_ino;
  node->type = S_IFDIR;
  node->generation = next_generation_++;
  node->dir = std::make_shared<HeldFd>(HeldFd{std::move(fd)});
  node->prev = root_.prev;
  node->next = &root_;
  root_.prev->next = node;
  root_.prev = node;
  live_++;
  dirs_.emplace(key, node);
  return node;
}

Node* NodeTable::find_or_insert_named_locked(Node& parent, const std::string& name,
                                             const struct stat& st) {
  NameKey key{parent.dir.get(), name};
  auto it = names_.find(key);
  if (it != names_.end()) {
    Node* old = it->second;
    if (old->dev == st.st_dev && old->ino == st.st_ino && old->type == (st.st_mode & S_IFMT))
      return old;
    // The name now leads to another inode (replaced outside the mount): a
    // fresh node id, so the kernel drops what it cached about the old one.
    detach_locked(*old);
  }
  auto* node = new Node;
  node->dev = st.st_dev;
  node->ino = st.st_ino;
  node->type = st.st_mode & S_IFMT;
  node->generation = next_generation_++;
  node->parent = parent.dir;
  node->name = name;
  node->prev = root_.prev;
  node->next = &root_;
  root_.prev->next = node;
  root_.prev = node;
  live_++;
  names_.emplace(std::move(key), node);
  return node;
}

int NodeTable::lookup(Node& parent, const std::string& name, Entry& out) {
  struct stat st;
  if (::fstatat(parent.dir->fd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return -errno;
  return lookup_with(parent, name, st, out);
}

int NodeTable::lookup_with(Node& parent, const std::string& name, const struct stat& st_in,
                           Entry& out) {
  struct stat st = st_in;
  if (!S_ISDIR(st.st_mode)) {
    std::lock_guard lock(mutex_);
    Node* node = find_or_insert_named_locked(parent, name, st);
    node->nlookup++;
    out = {node, st};
    return 0;
  }
  {
    std::lock_guard lock(mutex_);
    auto it = dirs_.find(InodeKey{st.st_dev, st.st_ino});
    if (it != dirs_.end()) {
      it->second->nlookup++;
      out = {it->second, st};
      return 0;
    }
  }
  // A directory seen for the first time: hold it open so that lookups below
  // it never depend on its name again.
  int fd = ::openat(parent.dir->fd.get(), name.c_str(),
                    O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -errno;
  UniqueFd held(fd);
  if (::fstat(fd, &st) < 0) return -errno;  // the inode we hold is the truth
  std::lock_guard lock(mutex_);
  Node* node = insert_dir_locked(st, std::move(held));
  node->nlookup++;
  out = {node, st};
  return 0;
}

void NodeTable::maybe_free_locked(Node* node) {
  // Open files keep their node: a RELEASE may arrive after the FORGET,
  // because the kernel queues forgets ahead of other requests.
  if (node == &root_ || node->nlookup > 0 || !node->open_fds.empty()) return;
  if (node->is_dir()) {
    auto it = dirs_.find(InodeKey{node->dev, node->ino});
    if (it != dirs_.end() && it->second == node) dirs_.erase(it);
  } else if (node->parent) {
    auto it = names_.find(NameKey{node->parent.get(), node->name});
    if (it != names_.end() && it->second == node) names_.erase(it);
  }
  node->prev->next = node->next;
  node->next->prev = node->prev;
  live_--;
  delete node;
}

void NodeTable::forget(Node& node, uint64_t n) {
  std::lock_guard lock(mutex_);
  node.nlookup = n >= node.nlookup ? 0 : node.nlookup - n;
  maybe_free_locked(&node);
}

std::optional<Location> NodeTable::locate(Node& node) {
  if (node.is_dir()) return Location{node.dir, {}};  // immutable after creation
  std::lock_guard lock(mutex_);
  if (node.parent) return Location{node.parent, node.name};
  if (node.orphan) return Location{node.orphan, {}};
  return std::nullopt;
}

void NodeTable::detach_locked(Node& node) {
  if (node.parent) {
    auto it = names_.find(NameKey{node.parent.get(), node.name});
    if (it != names_.end() && it->second == &node) names_.erase(it);
  }
  node.parent.reset();
  node.name.clear();
  if (!node.orphan && !node.open_fds.empty()) {
    int fd = ::fcntl(node.open_fds.front(), F_DUPFD_CLOEXEC, 3);
    if (fd >= 0) node.orphan = std::make_shared<HeldFd>(HeldFd{UniqueFd(fd)});
  }
}

void NodeTable::unlinked(Node& parent, const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = names_.find(NameKey{parent.dir.get(), name});
  if (it != names_.end()) detach_locked(*it->second);
}

void NodeTable::renamed(Node& old_parent, const std::string& old_name, Node& new_parent,
                        const std::string& new_name, unsigned flags) {
  std::lock_guard lock(mutex_);
  auto take = [&](Node& dir, const std::string& name) -> Node* {
    auto it = names_.find(NameKey{dir.dir.get(), name});
    if (it == names_.end()) return nullptr;
    Node* n = it->second;
    names_.erase(it);
    return n;
  };
  auto place = [&](Node* n, Node& dir, const std::string& name) {
    n->parent = dir.dir;
    n->name = name;
    names_[NameKey{dir.dir.get(), name}] = n;
  };
  Node* src = take(old_parent, old_name);
  Node* dst = take(new_parent, new_name);
  if (flags & RENAME_EXCHANGE) {
    if (dst) place(dst, old_parent, old_name);
  } else if (dst) {
    dst->parent.reset();  // already out of names_; detach finishes the job
    detach_locked(*dst);
  }
  if (src) place(src, new_parent, new_name);
}

void NodeTable::replaced(Node& node, const struct stat& st) {
  std::lock_guard lock(mutex_);
  node.dev = st.st_dev;
  node.ino = st.st_ino;
}

void NodeTable::detach(Node& node) {
  std::lock_guard lock(mutex_);
  if (!node.is_dir()) detach_locked(node);
}

void NodeTable::opened(Node& node, int fd) {
  std::lock_guard lock(mutex_);
  node.open_fds.push_back(fd);
}

void NodeTable::released(Node& node, int fd) {
  std::lock_guard lock(mutex_);
  auto it = std::find(node.open_fds.begin(), node.open_fds.end(), fd);
  if (it != node.open_fds.end()) node.open_fds.erase(it);
  maybe_free_locked(&node);
}

}  // namespace ot::rofiles
