#include "store/commit_builder.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "store/content.hpp"
#include "store/content_writer.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace ot::store {
namespace {

uint32_t canonical_mode(uint32_t mode) {
  if (S_ISREG(mode)) return mode & (S_IFREG | 0755);
  if (S_ISDIR(mode)) return mode & (S_IFDIR | 0755);
  return mode;
}

struct DevIno {
  dev_t dev;
  ino_t ino;
  bool operator==(const DevIno&) const = default;
};
struct DevInoHash {
  size_t operator()(const DevIno& d) const { return std::hash<uint64_t>()(d.ino * 31 + d.dev); }
};

}  // namespace

// One add_directory() call: walk the tree (metadata only), then store the
// content objects in parallel, then record their checksums in the tree.
struct CommitBuilder::Scan {
  // What the parallel pass needs of a file: kept small, as a tree has
  // thousands of them.
  struct FileTask {
    MutableTree* dir;
    std::string relpath;  // from the scanned root, for opening and messages
    uint32_t name_at;     // where the file's name starts in relpath
    uint32_t uid, gid, mode;
    uint64_t size;
    DevIno devino;
    bool hardlinked;
    Digest csum{};
    std::string_view name() const { return std::string_view(relpath).substr(name_at); }
  };

  Repo& repo;
  const CommitModifiers& mods;
  int root_dfd;
  std::deque<FileTask> tasks;  // no reallocation copies while the walk grows it
  std::unordered_map<DevIno, Digest, DevInoHash> devino;

  FileMeta file_meta(const struct stat& st, Xattrs xattrs, std::string target) const {
    FileMeta m{st.st_uid, st.st_gid, st.st_mode, std::move(target), std::move(xattrs)};
    apply(m.uid, m.gid, m.mode, m.xattrs);
    return m;
  }

  void apply(uint32_t& uid, uint32_t& gid, uint32_t& mode, Xattrs& xattrs) const {
    bool canonical = mods.canonical_permissions || repo.mode() == RepoMode::bare_user_only;
    if (canonical) {
      uid = gid = 0;
      mode = canonical_mode(mode);
    }
    if (mods.owner_uid) uid = *mods.owner_uid;
    if (mods.owner_gid) gid = *mods.owner_gid;
    if (mods.mode_ro_executables && S_ISREG(mode) && (mode & 0111)) mode &= ~0222u;
    if (mods.no_xattrs || canonical) xattrs.clear();  // upstream drops them with canonical permissions
    // Upstream drops empty-valued xattrs when it reads a tree; so must we,
    // or the same tree would get a different checksum.
    std::erase_if(xattrs, [](const auto& x) { return x.second.empty(); });
  }

  bool has_modifiers() const {
    return mods.owner_uid || mods.owner_gid || mods.canonical_permissions || mods.no_xattrs ||
           mods.mode_ro_executables || repo.mode() == RepoMode::bare_user_only;
  }

  Digest write_dirmeta(int dfd, const struct stat& st) {
    DirMeta m{st.st_uid, st.st_gid, st.st_mode, sys::list_xattrs_fd(dfd)};
    apply(m.uid, m.gid, m.mode, m.xattrs);
    auto bytes = encode_dirmeta(m);
    Digest csum = sha256(bytes);
    repo.write_metadata_trusted(ObjectType::dir_meta, csum, bytes);
    return csum;
  }

  void walk(int dfd, const std::string& rel, MutableTree& tree) {
    tree.set_meta(write_dirmeta(dfd, sys::fstat(dfd)));
    for (auto& e : sys::list_dir(dfd)) {
      std::string child_rel = rel.empty() ? e.name : rel + "/" + e.name;
      auto st = sys::stat_at(dfd, e.name);
      if (S_ISDIR(st.st_mode)) {
        auto sub = sys::open_dir(dfd, e.name, sys::FollowLinks::no);
        walk(sub.get(), child_rel, tree.ensure_dir(repo, e.name));
      } else if (S_ISLNK(st.st_mode)) {
        auto meta = file_meta(st, sys::list_xattrs_at(dfd, e.name), sys::readlink_at(dfd, e.name));
        tree.set_file(repo, e.name, write_content(repo, meta, {}));
      } else if (S_ISREG(st.st_mode)) {
        // Reserve the name now so the tree's shape is final; the checksum
        // is filled in after the parallel pass.
        tree.set_file(repo, e.name, Digest{});
        tasks.push_back({&tree, child_rel, uint32_t(child_rel.size() - e.name.size()), st.st_uid, st.st_gid,
                         st.st_mode, uint64_t(st.st_size), {st.st_dev, st.st_ino}, st.st_nlink > 1});
      } else {
        throw Error("Unsupported file type for " + child_rel + " (only regular files, symlinks and directories can be committed)");
      }
    }
  }

  void store_file(FileTask& t) {
    if (!devino.empty() && t.hardlinked) {
      auto it = devino.find(t.devino);
      if (it != devino.end()) {
        t.csum = it->second;
        return;
      }
    }
    auto fd = sys::open_at(root_dfd, t.relpath, O_RDONLY | O_NOFOLLOW);
    FileMeta meta{t.uid, t.gid, t.mode, {}, sys::list_xattrs_fd(fd.get())};
    apply(meta.uid, meta.gid, meta.mode, meta.xattrs);
    t.csum = write_content_from_fd(repo, meta, fd.get(), t.size);
  }

  void store_all_parallel() {
    // Large files first, largest first: one that started last would leave
    // the other cores idle while it alone is hashed and compressed. Each
    // worker holds one file at a time, at most a chunk of it in memory.
    std::vector<size_t> order(tasks.size());
    for (size_t i = 0; i < order.size(); i++) order[i] = i;
    auto large = [&](size_t i) { return tasks[i].size > kContentChunk; };
    auto mid = std::stable_partition(order.begin(), order.end(), large);
    std::sort(order.begin(), mid, [&](size_t a, size_t b) { return tasks[a].size > tasks[b].size; });

    std::atomic<size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto worker = [&] {
      for (;;) {
        size_t n = next.fetch_add(1);
        if (n >= order.size()) return;
        size_t i = order[n];
        try {
          with_context(tasks[i].relpath, [&] { store_file(tasks[i]); });
        } catch (...) {
          std::lock_guard lock(failure_mutex);
          if (!failure) failure = std::current_exception();
          next = tasks.size();
        }
      }
    };
    unsigned n = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> threads;
    for (unsigned i = 1; i < n && i < tasks.size(); i++) threads.emplace_back(worker);
    worker();
    for (auto& t : threads) t.join();
    if (failure) std::rethrow_exception(failure);
    for (auto& t : tasks) t.dir->set_file(repo, std::string(t.name()), t.csum);
  }

  // (dev, ino) of every content object, for --link-checkout-speedup.
  void scan_repo_hardlinks() {
    if (repo.mode() != RepoMode::bare && repo.mode() != RepoMode::bare_user_only) return;
    for (auto& [csum, type] : repo.list_objects()) {
      if (type != ObjectType::file) continue;
      auto st = sys::stat_at_opt(repo.objects_dfd(), loose_object_path(csum, type, repo.mode()));
      if (st && S_ISREG(st->st_mode)) devino.emplace(DevIno{st->st_dev, st->st_ino}, csum);
    }
  }
};

CommitBuilder::CommitBuilder(Repo& repo, CommitModifiers modifiers) : repo_(repo), mods_(modifiers) {}
CommitBuilder::~CommitBuilder() = default;

void CommitBuilder::add_directory(int dfd, const std::string& path) {
  with_context("committing " + path, [&] {
    auto root = sys::open_dir(dfd, path);
    Scan scan{repo_, mods_, root.get(), {}, {}};
    if (mods_.link_checkout_speedup && !scan.has_modifiers()) scan.scan_repo_hardlinks();
    scan.walk(root.get(), "", root_);
    scan.store_all_parallel();
  });
}

void CommitBuilder::add_commit_tree(const Digest& commit) {
  auto c = repo_.load_commit(commit);
  // Layer the stored tree into root_: entries of the commit replace ours.
  std::function<void(MutableTree&, const Digest&, const Digest&)> overlay =
      [&](MutableTree& into, const Digest& tree, const Digest& meta) {
        into.set_meta(meta);
        auto dt = repo_.load_dirtree(tree);
        for (auto& f : dt.files) into.set_file(repo_, f.name, f.checksum);
        for (auto& d : dt.dirs) {
          auto& dirs = into.dirs(repo_);
          auto it = dirs.find(d.name);
          if (it == dirs.end()) {
            into.remove(repo_, d.name);
            into.dirs(repo_).emplace(d.name, std::make_unique<MutableTree>(d.tree, d.meta));
          } else {
            overlay(into.ensure_dir(repo_, d.name), d.tree, d.meta);
          }
        }
      };
  if (root_.files(repo_).empty() && root_.dirs(repo_).empty() && !root_.meta()) {
    root_ = MutableTree(c.root_tree, c.root_meta);
    return;
  }
  overlay(root_, c.root_tree, c.root_meta);
}

std::pair<Digest, Digest> CommitBuilder::write_tree() {
  if (!root_.meta()) throw Error("nothing to commit: no tree given");
  Digest tree = root_.write(repo_);
  return {tree, *root_.meta()};
}

Digest write_commit(Repo& repo, const CommitInfo& info, const Digest& root_tree, const Digest& root_meta) {
  Commit c;
  c.metadata = info.metadata;
  c.parent = info.parent;
  c.subject = info.subject;
  c.body = info.body;
  c.timestamp = info.timestamp;
  c.root_tree = root_tree;
  c.root_meta = root_meta;
  auto bytes = encode_commit(c);
  Digest csum = sha256(bytes);
  repo.write_metadata_trusted(ObjectType::commit, csum, bytes);
  return csum;
}

Digest commit_content_checksum(const Commit& commit) {
  Sha256 h;
  h.update(digest_bytes(commit.root_tree));
  h.update(digest_bytes(commit.root_meta));
  return h.finish();
}

}  // namespace ot::store
