#include "store/diff.hpp"

#include "base/error.hpp"
#include "base/format_size.hpp"
#include "base/sys.hpp"
#include "store/content.hpp"
#include "store/traverse.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <memory>

namespace ot::store {

DiffSide DiffSide::commit(const Digest& commit) {
  DiffSide s;
  s.commit_ = commit;
  return s;
}

DiffSide DiffSide::directory(int dfd, std::string path) {
  DiffSide s;
  s.dfd_ = dfd;
  s.path_ = std::move(path);
  return s;
}

DiffSide DiffSide::from_argument(const Repo& repo, const std::string& arg) {
  if (arg.starts_with("/") || arg.starts_with("./")) return directory(AT_FDCWD, arg);
  return commit(repo.resolve_rev(arg));
}

namespace {

// What upstream compares: a directory, or anything else (regular file,
// symlink, device...). A file that became a symlink differs in checksum too.
enum class Kind { file, dir };

struct Item {
  std::string name;
  Kind kind = Kind::file;
  Digest csum{};  // commit side: content checksum, or dirmeta checksum for a directory
  Digest tree{};  // commit side, directories
  struct stat st {};  // directory side
};

// An open directory on one side.
struct Dir {
  std::string path;  // as printed: "/a/b" (commit), "a/b" (disk); root: ""
  std::shared_ptr<const DirTree> tree;
  Digest tree_csum{};
  UniqueFd fd;
};

class Side {
public:
  Side(const Repo& repo, const DiffSide& side, bool is_b, const DiffOptions& opts, bool ignore_xattrs)
      : repo_(repo), side_(side), is_b_(is_b), opts_(opts), ignore_xattrs_(ignore_xattrs) {}

  bool is_commit() const { return side_.is_commit(); }

  Dir root() const {
    Dir d;
    if (side_.is_commit()) {
      auto c = repo_.load_commit(side_.commit_checksum());
      d.tree_csum = c.root_tree;
      d.tree = std::make_shared<const DirTree>(repo_.load_dirtree(c.root_tree));
    } else {
      d.fd = sys::open_dir(side_.dfd(), side_.path());
    }
    return d;
  }

  std::string child_path(const Dir& dir, const std::string& name) const {
    if (side_.is_commit()) return dir.path + "/" + name;
    return dir.path.empty() ? name : dir.path + "/" + name;
  }

  // Entries in the order upstream enumerates them: a dirtree's files then
  // its subdirectories; a directory's entries in readdir order.
  std::vector<Item> list(const Dir& dir) const {
    std::vector<Item> out;
    if (side_.is_commit()) {
      for (auto& f : dir.tree->files) out.push_back({f.name, Kind::file, f.checksum, {}, {}});
      for (auto& d : dir.tree->dirs) out.push_back({d.name, Kind::dir, d.meta, d.tree, {}});
      return out;
    }
    for (auto& e : sys::list_dir(dir.fd.get())) {
      Item it;
      it.name = e.name;
      it.st = sys::stat_at(dir.fd.get(), e.name);
      it.kind = S_ISDIR(it.st.st_mode) ? Kind::dir : Kind::file;
      out.push_back(std::move(it));
    }
    // GLib's enumerator (which upstream walks directories with) reads 1000
    // entries at a time and sorts each batch by inode number; so do we, or
    // the lines would come out in another order.
    constexpr size_t kGlibChunk = 1000;
    for (size_t b = 0; b < out.size(); b += kGlibChunk) {
      auto end = out.begin() + std::min(out.size(), b + kGlibChunk);
      std::stable_sort(out.begin() + b, end, [](const Item& x, const Item& y) { return x.st.st_ino < y.st.st_ino; });
    }
    return out;
  }

  std::optional<Item> lookup(const Dir& dir, const std::string& name) const {
    if (side_.is_commit()) {
      auto by_name = [](auto& e, const std::string& n) { return e.name < n; };
      auto& files = dir.tree->files;
      auto f = std::lower_bound(files.begin(), files.end(), name, by_name);
      if (f != files.end() && f->name == name) return Item{f->name, Kind::file, f->checksum, {}, {}};
      auto& dirs = dir.tree->dirs;
      auto d = std::lower_bound(dirs.begin(), dirs.end(), name, by_name);
      if (d != dirs.end() && d->name == name) return Item{d->name, Kind::dir, d->meta, d->tree, {}};
      return std::nullopt;
    }
    auto st = sys::stat_at_opt(dir.fd.get(), name);
    if (!st) return std::nullopt;
    Item it;
    it.name = name;
    it.st = *st;
    it.kind = S_ISDIR(st->st_mode) ? Kind::dir : Kind::file;
    return it;
  }

  Dir open(const Dir& parent, const Item& item) const {
    Dir d;
    d.path = child_path(parent, item.name);
    if (side_.is_commit()) {
      d.tree_csum = item.tree;
      d.tree = std::make_shared<const DirTree>(repo_.load_dirtree(item.tree));
    } else {
      d.fd = sys::open_dir(parent.fd.get(), item.name, sys::FollowLinks::no);
    }
    return d;
  }

  // The checksum upstream compares: the object checksum in a commit; for a
  // file on disk, the checksum it would get committed (dirmeta checksum for
  // a directory), with --owner-uid/gid applied to the second side.
  Digest checksum(const Dir& dir, const Item& item) const {
    if (side_.is_commit()) return item.csum;
    uint32_t uid = item.st.st_uid, gid = item.st.st_gid;
    if (is_b_ && opts_.owner_uid) uid = *opts_.owner_uid;
    if (is_b_ && opts_.owner_gid) gid = *opts_.owner_gid;
    int pfd = dir.fd.get();
    if (item.kind == Kind::dir) {
      auto fd = sys::open_dir(pfd, item.name, sys::FollowLinks::no);
      Xattrs x = ignore_xattrs_ ? Xattrs{} : sys::list_xattrs_fd(fd.get());
      return sha256(encode_dirmeta(DirMeta{uid, gid, item.st.st_mode, std::move(x)}));
    }
    FileMeta m{uid, gid, item.st.st_mode, {}, {}};
    if (!ignore_xattrs_) m.xattrs = sys::list_xattrs_at(pfd, item.name);
    if (S_ISLNK(item.st.st_mode)) {
      m.symlink_target = sys::readlink_at(pfd, item.name);
      return content_checksum(m, {});
    }
    if (!S_ISREG(item.st.st_mode)) return content_checksum(m, {});
    // Streamed: a large file is hashed without being held in memory.
    auto fd = sys::open_at(pfd, item.name, O_RDONLY | O_NOFOLLOW);
    Sha256 h;
    h.update(size_prefixed(encode_file_header(m)));
    std::string buf(1 << 20, '\0');
    for (;;) {
      size_t n = sys::read_full(fd.get(), buf.data(), buf.size());
      if (n == 0) break;
      h.update(buf.data(), n);
    }
    return h.finish();
  }

private:
  const Repo& repo_;
  const DiffSide& side_;
  bool is_b_;
  const DiffOptions& opts_;
  bool ignore_xattrs_;
};

class Differ {
public:
  Differ(const Side& a, const Side& b, DiffResult& out) : a_(a), b_(b), out_(out) {}

  void dirs(const Dir& da, const Dir& db) {
    // Same dirtree in two commits: nothing below can differ.
    if (a_.is_commit() && b_.is_commit() && da.tree_csum == db.tree_csum) return;
    for (auto& ia : a_.list(da)) {
      auto ib = b_.lookup(db, ia.name);
      if (!ib) {
        out_.removed.push_back(a_.child_path(da, ia.name));
        continue;
      }
      if (ia.kind != ib->kind) {
        out_.modified.push_back(a_.child_path(da, ia.name));
        continue;
      }
      if (a_.checksum(da, ia) != b_.checksum(db, *ib)) out_.modified.push_back(a_.child_path(da, ia.name));
      if (ia.kind == Kind::dir) dirs(a_.open(da, ia), b_.open(db, *ib));
    }
    for (auto& ib : b_.list(db)) {
      if (a_.lookup(da, ib.name)) continue;
      out_.added.push_back(b_.child_path(db, ib.name));
      if (ib.kind == Kind::dir) add_all(b_.open(db, ib));
    }
  }

private:
  void add_all(const Dir& d) {
    for (auto& it : b_.list(d)) {
      out_.added.push_back(b_.child_path(d, it.name));
      if (it.kind == Kind::dir) add_all(b_.open(d, it));
    }
  }

  const Side& a_;
  const Side& b_;
  DiffResult& out_;
};

}  // namespace

DiffResult diff(const Repo& repo, const DiffSide& a, const DiffSide& b, const DiffOptions& options) {
  // As upstream: a bare-user-only repo records no xattrs, so comparing them
  // against a directory's would report every file.
  bool ignore_xattrs = options.ignore_xattrs ||
                       ((a.is_commit() || b.is_commit()) && repo.mode() == RepoMode::bare_user_only);
  Side sa(repo, a, false, options, ignore_xattrs);
  Side sb(repo, b, true, options, ignore_xattrs);
  DiffResult out;
  Differ(sa, sb, out).dirs(sa.root(), sb.root());
  return out;
}

std::string format_diff(const DiffResult& r) {
  std::string out;
  for (auto& p : r.modified) out += "M    " + p + "\n";
  for (auto& p : r.removed) out += "D    " + p + "\n";
  for (auto& p : r.added) out += "A    " + p + "\n";
  return out;
}

DiffStats diff_stats(const Repo& repo, const Digest& a, const Digest& b) {
  std::vector<TraverseProblem> problems;
  auto ra = reachable_objects(repo, {a}, -1, &problems);
  auto rb = reachable_objects(repo, {b}, -1, &problems);
  if (!problems.empty()) throw Error(problems.front().message, problems.front().missing ? ENOENT : EIO);
  DiffStats s;
  s.a_objects = ra.size();
  s.b_objects = rb.size();
  for (auto& o : ra) {
    if (!rb.count(o)) continue;
    s.common_objects++;
    if (auto st = sys::stat_at_opt(repo.objects_dfd(), loose_object_path(o.checksum, o.type, repo.mode())))
      s.common_bytes += st->st_size;
  }
  return s;
}

std::string format_diff_stats(const DiffStats& s) {
  return "[A] Object Count: " + std::to_string(s.a_objects) + "\n[B] Object Count: " + std::to_string(s.b_objects) +
         "\nCommon Object Count: " + std::to_string(s.common_objects) +
         "\nCommon Object Size: " + format_size(s.common_bytes) + "\n";
}

}  // namespace ot::store
