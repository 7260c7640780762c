#include "fuse/commit_tree.hpp"

#include "base/error.hpp"
#include "fuse/object_meta.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include <unistd.h>

namespace ot::fuse {
namespace {

constexpr uint32_t kDirBit = 1u << 31;  // in Listing::order: an index into dirs
constexpr size_t kReadAheadMaxFiles = 256 * 1024;

uint64_t saturating_add(uint64_t a, uint64_t b) {
  return a > std::numeric_limits<uint64_t>::max() - b ? std::numeric_limits<uint64_t>::max() : a + b;
}

std::string join(const std::string& dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  return dir + "/" + std::string(name);
}

// Binary search by name in a dirtree list (sorted, as decode_dirtree checks).
template <typename Entries>
std::optional<size_t> find_name(const Entries& entries, std::string_view name) {
  auto it = std::lower_bound(entries.begin(), entries.end(), name,
                             [](const auto& e, std::string_view n) { return e.name < n; });
  if (it == entries.end() || it->name != name) return std::nullopt;
  return size_t(it - entries.begin());
}

}  // namespace

size_t DigestHash::operator()(const store::Digest& d) const noexcept {
  size_t h;
  std::memcpy(&h, d.data(), sizeof h);  // already uniform: a SHA-256
  return h;
}

// A decoded dirtree, shared by every directory with that checksum.
struct CommitTree::Listing {
  store::DirTree tree;
  std::vector<uint32_t> order;   // all entries by name; kDirBit marks dirs
  std::vector<NodeId> file_ids;  // node of each tree.files entry
  std::atomic<bool> read_ahead{false};  // its files' metadata was read ahead
  std::atomic<bool> content_read_ahead{false};  // claimed by claim_content_read_ahead()
};

struct CommitTree::Node {
  bool directory = false;
  // Directories.
  NodeId parent = 0;
  std::string name;                  // in the parent's listing; "" for the root
  store::Digest tree{};              // dirtree checksum
  store::Digest meta_checksum{};     // dirmeta checksum
  const Listing* listing = nullptr;  // null: the dirtree object is missing
  const store::DirMeta* meta = nullptr;  // null: the dirmeta object is missing
  std::unique_ptr<std::atomic<NodeId>[]> subdirs;  // child ids by index in tree.dirs, 0 = not yet
  // Files.
  store::Digest content{};
  uint32_t nlink = 0;
  std::atomic<const FileObject*> object{nullptr};
  // The directory the kernel last reached this file through (a file with
  // several names has one hint), for content read-ahead.
  std::atomic<NodeId> parent_hint{0};
  std::unique_ptr<FileObject> owned;
};

// Nodes in fixed-size blocks, so a node never moves and readers index it
// without a lock; only creation is serialised.
class CommitTree::Arena {
public:
  static constexpr size_t kBlockBits = 12;
  static constexpr size_t kBlock = size_t(1) << kBlockBits;
  static constexpr size_t kMaxBlocks = size_t(1) << 16;  // 268 million nodes

  Arena() : blocks_(new std::atomic<Node*>[kMaxBlocks]) {
    for (size_t i = 0; i < kMaxBlocks; ++i) blocks_[i].store(nullptr, std::memory_order_relaxed);
  }
  ~Arena() {
    for (size_t i = 0; i < kMaxBlocks; ++i) delete[] blocks_[i].load(std::memory_order_relaxed);
  }

  // The slot of the next node; fill it, then publish(). Callers serialise.
  std::pair<NodeId, Node*> next() {
    size_t index = count_.load(std::memory_order_relaxed);
    size_t block = index >> kBlockBits;
    if (block >= kMaxBlocks) throw Error("too many inodes", ENOSPC);
    Node* b = blocks_[block].load(std::memory_order_relaxed);
    if (!b) {
      b = new Node[kBlock];
      blocks_[block].store(b, std::memory_order_release);
    }
    return {NodeId(index + 1), &b[index & (kBlock - 1)]};
  }
  void publish() { count_.fetch_add(1, std::memory_order_release); }

  Node* get(NodeId id) const {
    if (id == 0 || id > count_.load(std::memory_order_acquire)) return nullptr;
    size_t index = id - 1;
    return &blocks_[index >> kBlockBits].load(std::memory_order_acquire)[index & (kBlock - 1)];
  }
  size_t size() const { return count_.load(std::memory_order_acquire); }

private:
  std::unique_ptr<std::atomic<Node*>[]> blocks_;
  std::atomic<size_t> count_{0};
};

CommitTree::CommitTree(const store::Repo& repo, const store::Digest& commit, std::string_view subpath,
                       Log& log)
    : repo_(repo), log_(log), user_mode_(repo.mode() == store::RepoMode::bare_user_only),
      owner_uid_(::geteuid()), owner_gid_(::getegid()), arena_(std::make_unique<Arena>()) {
  auto bytes = repo.load_metadata_opt(store::ObjectType::commit, commit);
  if (!bytes) throw Error("No such commit object " + store::digest_hex(commit), ENOENT);
  auto c = with_context("commit " + store::digest_hex(commit), [&] { return store::decode_commit(*bytes); });
  timestamp_ = c.timestamp;

  // Descend to the subpath through the dirtrees (each must be present).
  store::Digest tree = c.root_tree, meta = c.root_meta;
  std::string walked;
  size_t pos = 0;
  while (pos < subpath.size()) {
    size_t slash = subpath.find('/', pos);
    std::string_view part = subpath.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    pos = slash == std::string_view::npos ? subpath.size() : slash + 1;
    if (part.empty() || part == ".") continue;
    auto parent = repo.load_metadata_opt(store::ObjectType::dir_tree, tree);
    if (!parent) throw Error("dirtree object " + store::digest_hex(tree) + " of /" + walked + " is missing", EIO);
    auto dt = store::decode_dirtree(*parent);
    walked = join(walked, part);
    if (auto i = find_name(dt.dirs, part)) {
      tree = dt.dirs[*i].tree;
      meta = dt.dirs[*i].meta;
    } else if (find_name(dt.files, part)) {
      throw Error("subpath /" + walked + " is not a directory", ENOTDIR);
    } else {
      throw Error("subpath /" + walked + ": No such file or directory", ENOENT);
    }
  }

  auto [root_id, root] = arena_->next();
  root->directory = true;
  root->parent = root_id;
  root->tree = tree;
  root->meta_checksum = meta;
  arena_->publish();
  walk(tree);

  auto meta_bytes = repo.load_metadata_opt(store::ObjectType::dir_meta, meta);
  if (!meta_bytes) throw Error("dirmeta object " + store::digest_hex(meta) + " of the root is missing", EIO);
  auto& root_meta = dirmetas_[meta];
  if (!root_meta)
    root_meta = with_context("dirmeta object " + store::digest_hex(meta),
                             [&] { return std::make_unique<store::DirMeta>(store::decode_dirmeta(*meta_bytes)); });
  root->meta = root_meta.get();
  auto it = listings_.find(tree);
  root->listing = it == listings_.end() ? nullptr : it->second.get();
  if (root->listing) {
    size_t n = root->listing->tree.dirs.size();
    root->subdirs.reset(new std::atomic<NodeId>[n]);
    for (size_t i = 0; i < n; ++i) root->subdirs[i].store(0, std::memory_order_relaxed);
  }
}

CommitTree::~CommitTree() = default;

// Loads every distinct dirtree and dirmeta once, gives each content object a
// node in tree order, and counts how many names refer to each object.
void CommitTree::walk(const store::Digest& root_tree) {
  std::unordered_map<store::Digest, NodeId, DigestHash> file_ids;

  // A dirtree that is missing or does not decode leaves its directory
  // unlistable (EIO when used) and everything else working.
  auto load = [&](const store::Digest& csum) -> Listing* {
    auto [it, inserted] = listings_.try_emplace(csum);
    if (!inserted) return nullptr;  // seen before (loaded or known missing)
    auto bytes = repo_.load_metadata_opt(store::ObjectType::dir_tree, csum);
    if (!bytes) return nullptr;
    auto listing = std::make_unique<Listing>();
    try {
      listing->tree = store::decode_dirtree(*bytes);
    } catch (const Error& e) {
      log_.once(csum, "dirtree object " + store::digest_hex(csum) + ": " + e.what());
      return nullptr;
    }
    auto& t = listing->tree;
    // Merge the two sorted lists into one listing order.
    size_t f = 0, d = 0;
    listing->order.reserve(t.files.size() + t.dirs.size());
    while (f < t.files.size() || d < t.dirs.size()) {
      if (d == t.dirs.size() || (f < t.files.size() && t.files[f].name < t.dirs[d].name))
        listing->order.push_back(uint32_t(f++));
      else
        listing->order.push_back(uint32_t(d++) | kDirBit);
    }
    for (auto& file : t.files) {
      auto [fit, fresh] = file_ids.try_emplace(file.checksum, 0);
      if (fresh) {
        auto [id, n] = arena_->next();
        n->content = file.checksum;
        arena_->publish();
        fit->second = id;
      }
      listing->file_ids.push_back(fit->second);
    }
    for (auto& sub : t.dirs) {
      if (dirmetas_.count(sub.meta)) continue;
      auto meta = repo_.load_metadata_opt(store::ObjectType::dir_meta, sub.meta);
      std::unique_ptr<store::DirMeta> decoded;
      if (meta) {
        try {
          decoded = std::make_unique<store::DirMeta>(store::decode_dirmeta(*meta));
        } catch (const Error& e) {
          log_.once(sub.meta, "dirmeta object " + store::digest_hex(sub.meta) + ": " + e.what());
        }
      }
      dirmetas_.emplace(sub.meta, std::move(decoded));
    }
    it->second = std::move(listing);
    return it->second.get();
  };

  // Depth-first, iteratively (a tree can be deep); post-order reversed is a
  // topological order of the dirtree DAG.
  std::vector<const Listing*> post;
  struct Frame {
    Listing* listing;
    size_t next;
  };
  std::vector<Frame> stack;
  if (auto* root = load(root_tree)) stack.push_back({root, 0});
  while (!stack.empty()) {
    auto& top = stack.back();
    if (top.next < top.listing->tree.dirs.size()) {
      auto* child = load(top.listing->tree.dirs[top.next++].tree);
      if (child) stack.push_back({child, 0});
    } else {
      post.push_back(top.listing);
      stack.pop_back();
    }
  }

  // Occurrences of each distinct directory, then names per object.
  std::unordered_map<const Listing*, uint64_t> occurrences;
  std::unordered_map<NodeId, uint64_t> names;
  if (!post.empty()) occurrences[post.back()] = 1;
  for (auto it = post.rbegin(); it != post.rend(); ++it) {
    const Listing* l = *it;
    uint64_t times = occurrences[l];
    for (auto& sub : l->tree.dirs) {
      auto child = listings_.find(sub.tree);
      if (child != listings_.end() && child->second)
        occurrences[child->second.get()] = saturating_add(occurrences[child->second.get()], times);
    }
    for (NodeId id : l->file_ids) names[id] = saturating_add(names[id], times);
  }
  for (auto& [id, count] : names)
    node(id).nlink = uint32_t(std::min<uint64_t>(count, std::numeric_limits<uint32_t>::max()));
}

CommitTree::Node& CommitTree::node(NodeId id) const {
  Node* n = arena_->get(id);
  if (!n) throw Error("no inode " + std::to_string(id), ESTALE);
  return *n;
}

bool CommitTree::is_directory(NodeId id) const { return node(id).directory; }

size_t CommitTree::node_count() const { return arena_->size(); }

size_t CommitTree::loaded_files() const { return loaded_files_.load(std::memory_order_relaxed); }

void CommitTree::wait_for_read_ahead() { readahead_.drain(); }

std::string CommitTree::path_of(NodeId dir) const {
  std::vector<const std::string*> parts;
  for (NodeId id = dir; id != kRootNode;) {
    const Node& n = node(id);
    parts.push_back(&n.name);
    id = n.parent;
  }
  std::string path;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) path = join(path, **it);
  return path.empty() ? "." : path;
}

NodeId CommitTree::subdir(NodeId parent_id, Node& parent, size_t index) {
  NodeId id = parent.subdirs[index].load(std::memory_order_acquire);
  if (id) return id;
  std::lock_guard lock(create_mutex_);
  id = parent.subdirs[index].load(std::memory_order_acquire);
  if (id) return id;
  const auto& entry = parent.listing->tree.dirs[index];
  auto [new_id, n] = arena_->next();
  n->directory = true;
  n->parent = parent_id;
  n->name = entry.name;
  n->tree = entry.tree;
  n->meta_checksum = entry.meta;
  auto lit = listings_.find(entry.tree);
  n->listing = lit == listings_.end() ? nullptr : lit->second.get();
  auto mit = dirmetas_.find(entry.meta);
  n->meta = mit == dirmetas_.end() ? nullptr : mit->second.get();
  if (n->listing) {
    size_t count = n->listing->tree.dirs.size();
    n->subdirs.reset(new std::atomic<NodeId>[count]);
    for (size_t i = 0; i < count; ++i) n->subdirs[i].store(0, std::memory_order_relaxed);
  }
  arena_->publish();
  parent.subdirs[index].store(new_id, std::memory_order_release);
  return new_id;
}

const CommitTree::Listing& CommitTree::listing_of(NodeId dir, Node& n) {
  if (!n.directory) throw Error("not a directory", ENOTDIR);
  if (!n.listing) {
    log_.once(n.tree, path_of(dir) + ": dirtree object " + store::digest_hex(n.tree) + " is missing");
    throw Error("missing dirtree " + store::digest_hex(n.tree), EIO);
  }
  return *n.listing;
}

// Lock-free: two threads may load the same object at once (the read-ahead
// and a request), and the first to finish publishes it. Waiting on a lock
// held across another thread's I/O instead put the thread that answers
// requests to sleep, which costs a wake-up on top.
const FileObject* CommitTree::try_load_file(Node& n, std::string& error) {
  if (auto* obj = n.object.load(std::memory_order_acquire)) return obj;

  std::optional<ObjectMeta> content;
  try {
    content = read_object_meta(repo_.objects_dfd(), repo_.mode(), n.content);
  } catch (const Error& e) {
    error = e.what();
    return nullptr;
  }
  if (!content) {
    error = "content object " + store::digest_hex(n.content) + " is missing";
    return nullptr;
  }
  if (!S_ISREG(content->meta.mode) && !S_ISLNK(content->meta.mode)) {
    error = "content object " + store::digest_hex(n.content) + " is neither a regular file nor a symlink";
    return nullptr;
  }
  auto obj = std::make_unique<FileObject>();
  obj->checksum = n.content;
  obj->meta = std::move(content->meta);
  obj->size = content->size;
  obj->payload_offset = content->payload_offset;
  const FileObject* expected = nullptr;
  if (!n.object.compare_exchange_strong(expected, obj.get(), std::memory_order_acq_rel)) return expected;
  n.owned = std::move(obj);  // only the publisher gets here
  loaded_files_.fetch_add(1, std::memory_order_relaxed);
  return n.object.load(std::memory_order_relaxed);
}

const FileObject& CommitTree::load_file(Node& n, NodeId parent, std::string_view name) {
  std::string error;
  if (auto* obj = try_load_file(n, error)) return *obj;
  std::string where = parent ? join(parent == kRootNode ? "" : path_of(parent), name) + ": " : std::string();
  log_.once(n.content, where + error);
  throw Error(error, EIO);
}

// Metadata read-ahead: a walk that lists a directory goes on to list every
// directory below it, depth first in listing order (find, du, ls -lR, tar),
// and each listing with attributes (readdirplus) needs the metadata of every
// file in it. A background thread loads that metadata in the same order,
// ahead of the walk: newest job first, so it follows wherever the walk goes
// (the directory listed last is the next to be descended). Each dirtree is
// read ahead once. Failures stay silent here; the lookup that needs the file
// reports them.
void CommitTree::read_ahead(const Listing& listing) {
  if (listing.read_ahead.load(std::memory_order_relaxed)) return;
  const Listing* l = &listing;
  readahead_.submit([this, l]() noexcept { read_ahead_now(*l); });
}

void CommitTree::read_ahead_now(const Listing& listing) {
  if (const_cast<Listing&>(listing).read_ahead.exchange(true)) return;
  std::string ignored;
  for (NodeId id : listing.file_ids) {
    if (Node* n = arena_->get(id)) try_load_file(*n, ignored);
  }
  // Past this many loaded objects (~50 MB of metadata in memory), only
  // what is asked for is loaded: listing the root of a huge tree must not
  // load all of it.
  if (loaded_files_.load(std::memory_order_relaxed) >= kReadAheadMaxFiles) return;
  // Subdirectories last to first: the first is then on top of the stack.
  for (auto sub = listing.tree.dirs.rbegin(); sub != listing.tree.dirs.rend(); ++sub) {
    auto it = listings_.find(sub->tree);
    if (it != listings_.end() && it->second) read_ahead(*it->second);
  }
}

NodeId CommitTree::lookup(NodeId parent, std::string_view name) {
  Node& p = node(parent);
  const Listing& l = listing_of(parent, p);
  if (auto i = find_name(l.tree.dirs, name)) return subdir(parent, p, *i);
  if (auto i = find_name(l.tree.files, name)) {
    NodeId id = l.file_ids[*i];
    Node& f = node(id);
    load_file(f, parent, name);
    f.parent_hint.store(parent, std::memory_order_relaxed);
    return id;
  }
  throw Error("no such entry", ENOENT);
}

struct stat CommitTree::dir_attr(NodeId id, Node& n) {
  if (!n.meta) {
    log_.once(n.meta_checksum, path_of(id) + ": dirmeta object " + store::digest_hex(n.meta_checksum) + " is missing");
    throw Error("missing dirmeta " + store::digest_hex(n.meta_checksum), EIO);
  }
  struct stat st {};
  st.st_ino = id;
  st.st_mode = S_IFDIR | (n.meta->mode & 07777);
  st.st_nlink = 2 + (n.listing ? n.listing->tree.dirs.size() : 0);
  st.st_uid = n.meta->uid;
  st.st_gid = n.meta->gid;
  if (user_mode_) {
    // As upstream's checkout of a bare-user-only repo: no world-writable,
    // sticky or setgid directories, owned by whoever checks out.
    st.st_mode = S_IFDIR | (n.meta->mode & 0775);
    st.st_uid = owner_uid_;
    st.st_gid = owner_gid_;
  }
  st.st_size = 4096;  // what most disk filesystems report for a small directory
  st.st_blksize = 4096;
  st.st_blocks = 8;
  st.st_atim.tv_sec = st.st_mtim.tv_sec = st.st_ctim.tv_sec = time_t(timestamp_);
  return st;
}

struct stat CommitTree::attr(NodeId id, NodeId parent, std::string_view name) {
  Node& n = node(id);
  if (n.directory) return dir_attr(id, n);
  const FileObject& obj = load_file(n, parent, name);
  struct stat st {};
  st.st_ino = id;
  st.st_mode = obj.meta.mode;
  st.st_nlink = n.nlink;
  st.st_uid = obj.meta.uid;
  st.st_gid = obj.meta.gid;
  st.st_size = S_ISLNK(obj.meta.mode) ? obj.meta.symlink_target.size() : obj.size;
  st.st_blksize = 4096;
  st.st_blocks = S_ISLNK(obj.meta.mode) ? 0 : (obj.size + 4095) / 4096 * 8;
  if (user_mode_) {
    // As upstream's (always user-mode) checkout of a bare-user-only repo:
    // owned by whoever checks out, never setuid/setgid, and a regular file
    // its owner could not read is made readable (ostree PR #2199).
    st.st_uid = owner_uid_;
    st.st_gid = owner_gid_;
    if (S_ISREG(st.st_mode)) st.st_mode = (st.st_mode & ~(S_ISUID | S_ISGID)) | S_IRUSR;
  }
  // Content objects carry no times; upstream gives its objects (and so
  // every hardlinked checkout) mtime 0.
  return st;
}

const store::Xattrs& CommitTree::xattrs(NodeId id) {
  Node& n = node(id);
  if (n.directory) {
    dir_attr(id, n);  // throws when the dirmeta is missing
    static const store::Xattrs none;
    return user_mode_ ? none : n.meta->xattrs;  // a user-mode checkout sets none
  }
  return load_file(n, 0, {}).meta.xattrs;
}

const std::string& CommitTree::symlink_target(NodeId id) {
  Node& n = node(id);
  if (n.directory) throw Error("not a symlink", EINVAL);
  const FileObject& obj = load_file(n, 0, {});
  if (!S_ISLNK(obj.meta.mode)) throw Error("not a symlink", EINVAL);
  return obj.meta.symlink_target;
}

const FileObject& CommitTree::file(NodeId id) {
  Node& n = node(id);
  if (n.directory) throw Error("is a directory", EISDIR);
  return load_file(n, 0, {});
}

void CommitTree::list(NodeId dir, uint64_t offset,
                      const std::function<bool(const char* name, NodeId id, uint64_t next)>& fn) {
  Node& n = node(dir);
  const Listing& l = listing_of(dir, n);
  if (offset == 0) read_ahead(l);
  const uint64_t total = 2 + l.order.size();
  for (uint64_t pos = offset; pos < total; ++pos) {
    bool more;
    if (pos == 0) {
      more = fn(".", dir, pos + 1);
    } else if (pos == 1) {
      more = fn("..", n.parent, pos + 1);
    } else {
      uint32_t e = l.order[pos - 2];
      if (e & kDirBit) {
        size_t i = e & ~kDirBit;
        more = fn(l.tree.dirs[i].name.c_str(), subdir(dir, n, i), pos + 1);
      } else {
        NodeId id = l.file_ids[e];
        node(id).parent_hint.store(dir, std::memory_order_relaxed);
        more = fn(l.tree.files[e].name.c_str(), id, pos + 1);
      }
    }
    if (!more) break;
  }
}

NodeId CommitTree::parent_hint(NodeId file) const {
  const Node& n = node(file);
  return n.directory ? 0 : n.parent_hint.load(std::memory_order_relaxed);
}

bool CommitTree::claim_content_read_ahead(NodeId dir) {
  Node& n = node(dir);
  if (!n.directory || !n.listing) return false;
  return !const_cast<Listing*>(n.listing)->content_read_ahead.exchange(true);
}

void CommitTree::for_each_file_in(NodeId dir, const std::function<bool(NodeId, const FileObject&)>& fn) {
  Node& n = node(dir);
  if (!n.directory || !n.listing) return;
  std::string ignored;
  for (uint32_t e : n.listing->order) {
    if (e & kDirBit) continue;
    NodeId id = n.listing->file_ids[e];
    Node* f = arena_->get(id);
    const FileObject* obj = f ? try_load_file(*f, ignored) : nullptr;
    if (obj && !fn(id, *obj)) break;
  }
}

}  // namespace ot::fuse
